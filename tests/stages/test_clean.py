"""Cleaning: the line classifier, outlet repetition, HTML, and the seeds' checklist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.executor.local import LocalExecutor
from storyline.ingest import ingest
from storyline.pipeline import run_pipeline
from storyline.records import RawArticle
from storyline.stages.clean.article import clean_article, outlet_key
from storyline.stages.clean.lines import classify_line, clean_lines, line_shape, split_lines
from storyline.stages.clean.stage import CleanStage
from storyline.store import Store
from tests.helpers import FIXTURES, write_warc


def seed(seeds: list[Path], prefix: str) -> RawArticle:
    path = next(p for p in seeds if p.name.startswith(prefix))
    return RawArticle(id=path.stem, seq=0, format="text", body=path.read_text("utf-8"))


@pytest.mark.parametrize(
    "line, reason",
    [
        ("This post has been read 5712 times!", "view counter"),
        ("This story has been viewed 9836 times.", "view counter"),
        ("------------- -------------- -------------------", "rule line"),
        ("Check Also", "teaser heading"),
        ("Photo: AFP", "photo credit"),
        ("Comments will be moderated. Remarks containing abusive language will be removed.", "comment notice"),
        ("TOP top", "navigation"),
        ("Sun, Nov 05, 2017 - Page 1 News List", "navigation"),
        ("A Section on 11/05/2017", "section label"),
        ("Newspapers from United Arab Emirates", "replica footer"),
        ("Wednesday , September 28 2022", "date line"),
        ("3 min read", "reading time"),
        ("Read more: Alibaba poised to launch record-breaking Hong Kong listing", "teaser link"),
        ("DON'T MISS", "teaser heading"),
        ("Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", "social"),
        ("Like this story? Share it with a friend!", "social"),
        ("Get the latest updates right in your inbox. Subscribe to our newsletters.", "newsletter prompt"),
    ],
)
def test_furniture_lines_are_classified_with_a_reason(line, reason):
    assert classify_line(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "BEIRUT, Nov 4, (AP): Clashes have erupted on the Syrian-Iraqi border.",
        "Dillon said there are between 2,500 and 3,500 remaining Islamic State fighters.",
        "The parallel offensives have sent thousands of civilians fleeing.",
        # A sentence that merely mentions comments or photos is not a notice.
        "He said readers who leave a comment are often angry, and photos: many were taken.",
        "Liberated at last",
        "See more photos:",
        "Related reports say the army advanced on the town and took the bridge.",
        "He said the newsletter he got in his inbox was fake, and that he did not subscribe to it.",
    ],
)
def test_article_lines_are_not_furniture(line):
    assert classify_line(line) is None


def test_a_caption_printed_twice_in_a_row_is_kept_once_but_distant_repeats_stay():
    caption = "This frame grab from a video released on Nov. 2, 2017 shows smoke rising over the town."
    question = "What inspired you to start cooking for a living, and when?"
    lines = list(enumerate([caption, caption, question, "An answer.", question, "Another answer."], start=1))
    kept, removed = clean_lines(lines)
    assert kept.count(caption) == 1 and kept.count(question) == 2
    assert [(r.line_no, r.reason) for r in removed] == [(2, "repeated line")]


def test_a_teaser_heading_takes_its_headlines_and_prose_after_it_stays():
    body = "\n".join([
        "Headline of the story", "First paragraph of the article, long enough to be text.",
        "Read more:", "The mission to save the boys begins - live updates", ":: Another linked story",
        "But late on Monday the governor broke the news of their rescue.", "Check Also",
        "Another article's headline", "This post has been read 12 times! Its first sentence.",
    ])
    lines = split_lines(body)
    kept, removed = clean_lines(lines)
    assert kept == ["Headline of the story", "First paragraph of the article, long enough to be text.",
                    "But late on Monday the governor broke the news of their rescue."]
    assert [r.reason for r in removed] == [
        "teaser heading", "teaser", "teaser", "teaser heading", "teaser", "view counter"]
    assert len(kept) + len(removed) == len(lines)  # every line is either kept or kept aside


def test_line_shapes_fold_digits_and_skip_long_lines():
    assert line_shape("This post has been read 5712 times!") == line_shape("this post has been read 13 times")
    assert line_shape("x" * 200) is None
    assert line_shape("Officials said the road to the border town reopened on Sunday morning.") is None


def test_outlet_key_prefers_input_then_url_host_then_masthead(seeds):
    assert outlet_key(RawArticle(id="a", seq=0, format="text", body="x", outlet="Gulf News")) == "gulf news"
    assert outlet_key(RawArticle(id="a", seq=0, format="text", body="x", url="https://www.arabtimesonline.com/a/1")) \
        == "arabtimesonline.com"
    assert outlet_key(seed(seeds, "000")) == "egypt today"
    assert outlet_key(seed(seeds, "002")) is None


# -- the seeds, against EXPECTED.md ---------------------------------------------------------

SEED_FURNITURE = [
    "This post has been read 5712 times!", "Check Also", "Page 1 News List", "Photo: AFP",
    "This story has been viewed 9836 times.", "Comments will be moderated", "TOP top",
    "A Section on 11/05/2017", "Upcoming Events", "Newspapers in English",
    "Newspapers from United Arab Emirates", "-------------", "Beware of desecrating it",
]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_furniture_is_gone_and_kept_aside(seeds, prefix):
    raw = seed(seeds, prefix)
    art = clean_article(raw)
    for item in SEED_FURNITURE:
        assert item not in art.text
        if item in raw.body:
            assert any(item in r.text for r in art.removed)
    # Nothing is lost: every non-empty input line is kept, the title, or a removed line.
    removed = {r.text for r in art.removed}
    for line in raw.body.splitlines():
        if line.strip():
            assert line.strip() in art.text or line.strip() in removed or line.strip() == art.title


def test_seed_003_caption_once_and_credits(seeds):
    art = clean_article(seed(seeds, "003"))
    assert art.text.count("This frame grab from a video released on Nov. 2, 2017") == 1
    assert art.metadata["authors"].value == ["Susannah George", "Brian Rohan"]
    assert [w["agency"] for w in art.metadata["wire"].value] == ["AP"]
    assert art.metadata["dateline"].value == "Beirut"


@pytest.mark.parametrize(
    "prefix, published, source",
    [
        ("001", "2017-11-04", "dateline (year from weekdays mentioned in the text)"),
        ("002", "2017-11-05", "page text"),
        ("003", "2017-11-05", "page text"),
        ("000", None, None),
        ("004", None, None),
    ],
)
def test_seed_publication_dates(seeds, prefix, published, source):
    art = clean_article(seed(seeds, prefix))
    assert art.published == published
    assert (art.metadata["published"].source if "published" in art.metadata else None) == source


def test_seed_001_crawl_date_does_not_win(seeds):
    art = clean_article(seed(seeds, "001"))
    assert art.published == "2017-11-04"
    assert any(r.text == "Wednesday , September 28 2022" and r.reason == "date line" for r in art.removed)
    assert art.metadata["dateline"].value == "Beirut"
    assert art.metadata["wire"].value[0] == {"agency": "AP", "evidence": "dateline", "confidence": 0.95}


def test_seed_mastheads_become_the_outlet(seeds):
    assert clean_article(seed(seeds, "000")).outlet == "Egypt Today"
    art = clean_article(seed(seeds, "004"))
    assert art.outlet == "Gulf News" and art.title == "Daesh evacuate their last stronghold"
    assert art.metadata["outlet"].source == "masthead line"
    assert art.language == "en" and art.metadata["language"].source == "py3langid"


# -- HTML ---------------------------------------------------------------------------------

def test_html_goes_through_trafilatura_then_the_classifier():
    html = (FIXTURES / "ingest" / "taipei_times_2017-11-05.html").read_text("utf-8")
    art = clean_article(RawArticle(id="tt", seq=0, format="html", body=html))
    assert art.title == "Syrian, Iraqi forces near Islamic State redoubt"
    assert art.outlet == "Taipei Times" and art.metadata["outlet"].source == "html metadata"
    assert art.published == "2017-11-05" and art.metadata["published"].source.startswith("meta ")
    assert art.text.startswith("Syrian and allied forces yesterday converged")
    assert "Home" not in art.text and "News List" not in art.text


# -- the stage: outlet repetition, stored and re-cleaned ----------------------------------

def _outlet_articles(path: Path, outlet: str, n: int, furniture: str, start: int = 0) -> None:
    paragraphs = [
        "Syrian and allied forces converged on holdout fighters in the border town of Abu Kamal.",
        "On Friday, Russian-backed forces took full control of Deir Ezzor, the last city held.",
        "The parallel offensives have sent thousands of civilians fleeing into the desert.",
        "Iraqi forces retook al-Qaim on Friday, the militants' last significant town in Iraq.",
    ]
    with path.open("a", encoding="utf-8") as out:
        for i in range(start, start + n):
            headline = ["Forces close in on Abu Kamal", "Deir Ezzor falls", "Civilians flee the fighting",
                        "Qaim retaken", "Talks on the border crossing"][i % 5]
            text = "\n".join([headline, paragraphs[i % 4], furniture,
                              paragraphs[(i + 1) % 4] + f" Report {i}."])
            out.write(json.dumps({"id": f"{outlet[:3]}-{i}", "outlet": outlet, "text": text}) + "\n")


def test_a_line_repeated_across_one_outlet_is_furniture_but_shared_across_outlets_is_kept(tmp_path, store):
    src = tmp_path / "in.jsonl"
    _outlet_articles(src, "The Daily Border", 4, "Get our morning briefing in your inbox every day")
    # Three other outlets print the same wire credit line once each: syndication, not furniture.
    credit = "Reporting by Ellen Francis; Editing by Alison Williams"
    for n, outlet in enumerate(["Riverside Courier", "Valley Herald", "Coast Times"]):
        _outlet_articles(src, outlet, 1, credit, start=n + 1)
    ingest(store, [str(src)])
    LocalExecutor(store).run([CleanStage()])
    arts = {a.id: a for a in store.clean_articles(store.article_ids())}
    assert len(arts) == 7
    for i in range(4):  # the first ones were cleaned before the repetition was known: finish re-cleans them
        art = arts[f"The-{i}"]
        assert "morning briefing" not in art.text
        assert [r.reason for r in art.removed] == ["repeated in outlet"]
    for other in ("Riv-1", "Val-2", "Coa-3"):
        assert credit in arts[other].text and not arts[other].removed
    # A second run finds nothing pending and nothing stale.
    (report,) = LocalExecutor(store).run([CleanStage()])
    assert report.processed == 0 and report.stats == {}


def test_export_carries_the_new_metadata_fields(seeded_db):
    with Store(seeded_db) as store:
        rows = {r["id"][:3]: r for r in store.export_articles()}
    assert rows["001"]["published"] == "2017-11-04" and rows["001"]["dateline"] == "Beirut"
    assert rows["001"]["published_source"].startswith("dateline") and rows["001"]["wire"][0] == "AP"
    assert rows["003"]["authors"] == ["Susannah George", "Brian Rohan"]
    assert rows["000"]["published"] is None and rows["000"]["published_source"] is None
    assert rows["002"]["wire"] == ["AFP"] and rows["002"]["crawled_at"] is None


def test_a_warc_page_keeps_its_capture_date_apart_from_its_publication_date(tmp_path, store):
    page = (FIXTURES / "ingest" / "taipei_times_2017-11-05.html").read_bytes()
    write_warc(tmp_path / "crawl.warc", [("https://www.taipeitimes.com/News/front/archives/2017/11/05/2003681642",
                                     page, "text/html; charset=utf-8")])
    ingest(store, [str(tmp_path / "crawl.warc")])
    run_pipeline(store)
    (row,) = store.export_articles()
    assert row["published"] == "2017-11-05" and row["published_source"].startswith("meta ")
    assert row["published_confidence"] >= 0.95  # markup and URL agree
    assert row["crawled_at"] and row["crawled_at"] != row["published"]
    assert row["outlet"] == "taipeitimes.com" and row["text"].startswith("Syrian and allied forces")


def test_feed_entries_and_fragments_keep_their_text(store):
    ingest(store, [str(FIXTURES / "ingest" / "wire.rss"), str(FIXTURES / "ingest" / "articles.jsonl")])
    run_pipeline(store)
    rows = {r["id"]: r for r in store.export_articles()}
    for entry in ("https://feeds.example/0", "https://feeds.example/1"):
        assert len(rows[entry]["text"]) > 100 and rows[entry]["published_source"] == "input"
    # A masthead line goes even when the input gives the title.
    assert rows["egypt-today-1"]["text"].startswith("Clashes have erupted")
    assert rows["egypt-today-1"]["title"] == "Clashes erupt on Syria-Iraq border"


def test_copies_of_one_text_in_one_outlet_do_not_make_its_lines_furniture(tmp_path, store):
    # One story at three URLs of the same site (or three updates of it) is one text, not three.
    text = "\n".join([
        "Daesh evacuate their last stronghold",
        "Liberated at last",
        "Daesh militants withdrew from their last stronghold in Syria, a strategic town near the border.",
    ])
    with (tmp_path / "in.jsonl").open("w", encoding="utf-8") as out:
        for i in range(3):
            out.write(json.dumps({"id": f"copy-{i}", "url": f"https://gulfnews.example/story?edition={i}",
                                  "text": text + f"\nEdition {i}"}) + "\n")
    ingest(store, [str(tmp_path / "in.jsonl")])
    LocalExecutor(store).run([CleanStage()])
    for art in store.clean_articles(store.article_ids()):
        assert "Liberated at last" in art.text
        assert not [r for r in art.removed if r.reason == "repeated in outlet"]


def test_show_and_the_web_article_page_state_each_dates_source_confidence_and_update(store, db_path, tmp_path):
    import io

    from fastapi.testclient import TestClient
    from rich.console import Console

    from storyline.stages.clean.stage import CleanStage
    from storyline.views.tables import show_item
    from storyline.web.app import create_app

    html = (FIXTURES / "dates" / "agreeing.html").read_text("utf-8")
    (tmp_path / "in.jsonl").write_text(json.dumps(
        {"id": "bridge", "html": html, "url": "https://news.example/2021/03/04/bridge"}) + "\n", "utf-8")
    ingest(store, [str(tmp_path / "in.jsonl")])
    LocalExecutor(store).run([CleanStage()])
    out = io.StringIO()
    show_item(store, "bridge", Console(file=out, width=300))
    shown = out.getvalue()
    assert "published      '2021-03-04'  (from json-ld datePublished; agrees:" in shown
    assert "modified       '2021-03-09'  (from json-ld dateModified, confidence 0.90)" in shown
    (row,) = store.export_articles()
    assert row["modified"] == "2021-03-09" and row["published_confidence"] >= 0.95
    with TestClient(create_app(str(db_path))) as client:
        page = client.get("/articles/bridge").text
    assert 'id="article-published">2021-03-04' in page and "confidence 0.95" in page
    assert 'id="article-modified">2021-03-09' in page


def test_a_month_only_date_exports_no_source_or_confidence(store, tmp_path):
    (tmp_path / "in.jsonl").write_text(json.dumps(
        {"id": "m", "url": "https://x.example/2016/07/story",
         "text": "The council met and decided many things about the town and its roads."}) + "\n", "utf-8")
    ingest(store, [str(tmp_path / "in.jsonl")])
    LocalExecutor(store).run([CleanStage()])
    (row,) = store.export_articles()
    assert row["published"] is None and row["published_source"] is None and row["published_confidence"] is None
    assert row["metadata"]["published"]["value"] == "2016-07"
