"""Cited summaries and timelines: on the bundled seeds through the real pipeline, and on
small hand-made articles where the right answer is known."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline.cli import cli
from storyline.evaluation.summaries import check_citations, parse_cluster, reference_text
from storyline.records import ArticleForGrouping
from storyline.stages.summaries.stage import SummaryStage
from storyline.stages.summaries.story import StoryInput, summarize_story
from storyline.stages.summaries.summarize import (
    DEFAULT_SENTENCES,
    PARAPHRASE_SIMILARITY,
    article_sentences,
    best_match,
    headline,
    is_caption,
    paraphrase_similarity,
    summarize,
)
from storyline.stages.summaries.timeline import build_timeline
from storyline.store import Store

AP = {"000", "001", "003"}


def art(aid: str, text: str, published: str | None = None, title: str | None = None, seq: int = 0):
    return ArticleForGrouping(aid, seq, text, title, None, published, "en")


@pytest.fixture(scope="module")
def seed_story(seeded_db: Path):
    """The story a reader finds in the seeds (000-003), summarized from the pipeline's clean text."""
    with Store(seeded_db) as store:
        arts = [a for a in store.articles_for_grouping() if a.id[:3] in {"000", "001", "002", "003"}]
        groups = store.reprint_groups_of([a.id for a in arts])
        texts = {a.id: a.text for a in arts}
    return summarize_story(StoryInput("expected", "", arts, groups)), texts


def test_seed_summary_repeats_no_sentence(seed_story):
    summary, _ = seed_story
    texts = [s["text"] for s in summary["sentences"]]
    assert 3 <= len(texts) <= 5
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert paraphrase_similarity(a, b) < PARAPHRASE_SIMILARITY, (a, b)


def test_seed_summary_cites_the_ap_reprints_together(seed_story):
    summary, texts = seed_story
    together = [s for s in summary["sentences"] if AP <= {c[:3] for c in s["cites"]}]
    assert together, "the AP story is the story's core: its shared sentences cite all three copies"
    for line in summary["sentences"]:
        carriers = {aid[:3] for aid, text in texts.items()
                    if aid[:3] in AP and best_match(line["text"], text)[1] >= PARAPHRASE_SIMILARITY}
        assert carriers <= {c[:3] for c in line["cites"]}, line


def test_seed_citations_are_all_valid(seed_story):
    summary, texts = seed_story
    for line in summary["sentences"]:
        for aid in line["cites"]:
            assert best_match(line["text"], texts[aid])[1] >= PARAPHRASE_SIMILARITY
        # and nobody carrying it is left out
        for aid, text in texts.items():
            if best_match(line["text"], text)[1] >= PARAPHRASE_SIMILARITY:
                assert aid in line["cites"]


def test_seed_dispute_says_who_said_each_figure(seeded_db: Path):
    # The summary carries the events stage's disputes (the summaries stage finds none of its own).
    with Store(seeded_db) as store:
        story = next(s for s in store.stories() if any(a.startswith("002_") for a in s["articles"]))
        summary = store.story_summary(story["id"])
    fighters = [d for d in summary["disputes"] if "1,500" in d["note"]]
    assert fighters, summary["disputes"]
    values = {(f["value"], f["who"], f["article_id"][:3]) for f in fighters[0]["figures"]}
    assert any(v == "about 1,500" and "coalition" in who and a == "002" for v, who, a in values)
    assert ("between 2,500 and 3,500", "Col. Ryan Dillon", "003") in values
    assert ("between 2,500 and 3,500", "US officials", "004") in values  # a later story's article


def test_house_styled_copy_is_a_close_paraphrase():
    wire = "The Observatory said IS militants inside Syria repelled an attack near the border town of Boukamal."
    house = "The Observatory said Daesh militants inside Syria repelled an attack near the border town of Bu Kamal."
    other = "Iraqi forces retook the town of al-Qaim on Friday after a short battle with the militants."
    assert paraphrase_similarity(wire, house) >= PARAPHRASE_SIMILARITY
    assert paraphrase_similarity(wire, other) < PARAPHRASE_SIMILARITY


def test_captions_are_not_summary_material():
    assert is_caption("This frame grab from a video released on Nov. 2, 2017 by SANA shows smoke rising.")
    assert is_caption("Iraqi soldiers advance toward al-Qaim, near the Syrian border, on Friday.")
    assert is_caption("Smoke rises over the town. (AP Photo/Hussein Malla)")
    assert not is_caption("Iraqi forces retook al-Qaim on Friday, the army said.")
    assert not is_caption("The clashes started late Friday and continued into Saturday.")


def test_an_agency_captions_context_sentence_stays_out_with_its_caption():
    caption = ("This frame grab from a video released on Nov. 2, 2017 by SANA shows smoke rising over "
               "the city. The Syrian army announced on Friday it liberated the eastern city from the group.")
    prose = "The army said on Friday its troops liberated the eastern city from the militant group entirely."
    kept = [s.text for s in article_sentences([art("a", caption + "\n" + prose)])]
    assert kept == [prose]
    # Prose that merely ends with a dated tail is not a caption paragraph.
    tail = "Protesters marched through the capital, on Friday. Police said nobody was hurt in the march."
    assert len(article_sentences([art("b", tail)])) == 2


def test_seed_summary_quotes_no_caption(seed_story):
    summary, _ = seed_story
    assert not any("announced on Friday, Nov. 3" in s["text"] for s in summary["sentences"])


def test_reprints_count_once_and_summary_is_cited_by_every_carrier():
    lead = "Rebels seized the northern city of Kaltan after three days of fighting with army units, officials said."
    arts = [
        art("a", f"{lead} The army withdrew to the hills overnight and regrouped near the river crossing.", seq=0),
        art("b", f"{lead} Residents fled south toward the capital on crowded buses and trucks.", seq=1),
        art("c", "Fighting in Kaltan ended when the army left. Rebels seized the northern city of Kaltan "
                 "after three days of fighting with army units, officials told reporters.", seq=2),
    ]
    lines = summarize(arts, {"a": "g1", "b": "g1"}, max_sentences=3)
    texts = [x.text for x in lines]
    assert len(texts) == len(set(texts))
    first = next(x for x in lines if x.text == lead)
    assert first.cites == ["a", "b", "c"]  # c carries a close paraphrase, not the same words


def test_summary_length_is_configurable():
    text = " ".join(f"Sentence number {i} talks about the flood in the valley town and its {i} victims." for i in range(9))
    arts = [art("a", text), art("b", text.replace("valley", "river"))]
    assert len(summarize(arts, {}, max_sentences=2)) <= 2
    assert all(len(x.cites) == 2 for x in summarize(arts, {}, max_sentences=2))


def test_headline_is_the_central_title():
    arts = [
        art("a", "Floods hit the valley town of Marsk, killing four.", title="Deadly floods hit Marsk"),
        art("b", "Floods in Marsk killed four people on Monday.", title="Floods kill four in Marsk"),
        art("c", "The mayor of Marsk spoke about the floods.", title="Opinion: a mayor's lament"),
    ]
    assert headline(arts)["text"] in {"Deadly floods hit Marsk", "Floods kill four in Marsk"}
    assert headline([art("x", "No title here at all.")]) is None


def test_timeline_resolves_relative_days_and_orders_events():
    arts = [
        art("a", "BEIRUT (AP) Clashes erupted at the border late Friday, a monitoring group said.\n"
                 "The army said on Nov. 1 that it had begun a push toward the border crossing.", "2017-11-04"),
        art("b", "The Syrian army took the city of Deir el-Zour on Thursday after weeks of battle.", None),
    ]
    entries = build_timeline(arts, {})
    assert [e.date for e in entries] == sorted(e.date for e in entries)
    by_text = {e.text[:20]: e for e in entries}
    assert by_text["BEIRUT (AP) Clashes "].date == "2017-11-03" and not by_text["BEIRUT (AP) Clashes "].estimated
    assert by_text["The army said on Nov"].date == "2017-11-01"
    thursday = by_text["The Syrian army took"]
    assert thursday.date == "2017-11-02" and thursday.estimated  # b borrows the story's date
    assert thursday.cites == ["b"]


def test_timeline_prefers_a_dated_copy_and_skips_vague_spans():
    sentence = "Iraqi forces retook the border town of al-Qaim on Friday, the prime minister said."
    arts = [art("undated", sentence), art("dated", sentence, "2017-11-04"),
            art("c", "Officials said this week's attack in the capital was planned abroad by the group.", "2017-11-04")]
    entries = build_timeline(arts, {})
    assert [(e.date, e.estimated, e.cites) for e in entries] == [("2017-11-03", False, ["dated", "undated"])]


def test_timeline_leaves_out_relative_days_with_no_anchor():
    entries = build_timeline([art("a", "Clashes erupted at the border late Friday, a monitoring group said.")], {})
    assert entries == []


def test_pipeline_summarizes_every_story_and_reruns_only_what_changed(seeded_db: Path, tmp_path: Path):
    from storyline.pipeline import run_pipeline

    path = tmp_path / "copy.db"
    shutil.copy(seeded_db, path)
    with Store(path) as store:
        stories = store.stories()
        summaries = store.all_story_summaries()
        assert set(summaries) == {s["id"] for s in stories}
        assert all(s["sentences"] and s["headline"] for s in summaries.values())
        report = {r.name: r for r in run_pipeline(store)}
        assert report["summaries"].processed == 0
        # One story's input changes (an article joins another reprint group): only it is redone.
        target = next(s for s in stories if len(s["articles"]) == 1)
        store.db.execute("INSERT OR REPLACE INTO reprint_groups VALUES (?, ?)", (target["articles"][0], "rg-test"))
        assert store.stale_summaries(f"{SummaryStage.version}.{DEFAULT_SENTENCES}") == [target["id"]]


def test_stored_events_replace_dated_sentences(store: Store):
    assert store.stored_events("st-1") == []
    # Rows as the events stage stores them: one per merged event of a story.
    rows = [
        ("e1", "st-1", "2017-11-09", None, 1, '["a"]', '[{"text": "Syrian troops entered Al Bu Kamal"}]'),
        ("e2", "st-1", "2017-11-03", None, 0, '["b", "a"]', '[{"text": "Iraqi forces retook al-Qaim"}]'),
        ("e3", "st-2", "2017-11-04", None, 0, '["c"]', '[{"text": "elsewhere"}]'),
        # "this week's truck attack": a week-long span is background, not a timeline event.
        ("e4", "st-1", "2017-10-30", "2017-11-05", 0, '["a"]', '[{"text": "this week\'s truck attack"}]'),
    ]
    store.db.executemany(
        "INSERT INTO events (id, story_id, date_start, date_end, estimated, sources, mentions, type, family,"
        " confidence) VALUES (?, ?, ?, ?, ?, ?, ?, 'battle', 'battle', 1.0)",
        rows)
    events = store.stored_events("st-1")
    assert events == [
        {"date": "2017-10-30", "date_end": "2017-11-05", "estimated": False, "text": "this week's truck attack",
         "cites": ["a"]},
        {"date": "2017-11-03", "date_end": None, "estimated": False, "text": "Iraqi forces retook al-Qaim",
         "cites": ["a", "b"]},
        {"date": "2017-11-09", "date_end": None, "estimated": True, "text": "Syrian troops entered Al Bu Kamal",
         "cites": ["a"]},
    ]
    timeline = build_timeline([art("a", "Nothing dated here at all, really.")], {}, events=events)
    assert [(e.date, e.estimated, e.cites) for e in timeline] == [
        ("2017-11-03", False, ["a", "b"]), ("2017-11-09", True, ["a"])]
    # An event told only by a photo caption stays an event, but is not a timeline entry.
    caption = {"date": "2017-11-02", "date_end": None, "estimated": False, "cites": ["a"],
               "text": "This frame grab from a video released on Nov. 2, 2017 by SANA shows smoke rising."}
    timeline = build_timeline([art("a", "Nothing dated here at all, really.")], {}, events=[caption, *events])
    assert [e.date for e in timeline] == ["2017-11-03", "2017-11-09"]


def test_story_command_and_summary_export(seeded_db: Path):
    runner = CliRunner()
    with Store(seeded_db) as store:
        story = max(store.stories(), key=lambda s: len(s["articles"]))
    out = runner.invoke(cli, ["story", story["id"], "--db", str(seeded_db)])
    assert out.exit_code == 0, out.output
    assert "Summary" in out.output and "Sources" in out.output and "[1]" in out.output
    data = json.loads(runner.invoke(cli, ["story", story["id"], "--json", "--db", str(seeded_db)]).output)
    assert data["summary"]["sentences"][0]["cites"]
    exported = runner.invoke(cli, ["export", "summaries", "--db", str(seeded_db)])
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert rows and set(rows[0]) == {"story", "storyline", "headline", "summary", "sentences", "disputes", "timeline"}
    missing = runner.invoke(cli, ["story", "st-nope", "--db", str(seeded_db)])
    assert missing.exit_code != 0


def test_neus_format_parsing_and_citation_check():
    line = ("TITLE=> Floods hit Marsk. ARTICLE=> Floods hit the valley town of Marsk on Monday, killing four people. "
            "The river rose overnight. [SEP] TITLE=> Marsk flood. ARTICLE=> Floods hit the valley town of Marsk "
            "on Monday and killed four people. Rescue teams arrived by boat.")
    arts = parse_cluster(line, "x")
    assert [a.title for a in arts] == ["Floods hit Marsk.", "Marsk flood."]
    assert reference_text("TITLE=> A title. ARTICLE=> One. Two.").split("\n")[0] == "A title."
    lines = summarize(arts, {}, max_sentences=1)
    valid, total, missed = check_citations(lines, arts)
    assert total == 2 and valid == 2 and missed == 0


def test_story_view_states_the_disagreement_with_who_said_each(seeded_db: Path, tmp_path: Path):
    """The story a reader finds (000-003) stored as one story: the terminal view shows the
    1,500 vs 2,500-3,500 disagreement with each figure's speaker and source marker."""
    from storyline.executor.local import LocalExecutor
    from storyline.stages.summaries.stage import SummaryStage

    path = tmp_path / "one-story.db"
    shutil.copy(seeded_db, path)
    with Store(path) as store:
        ids = [a.id for a in store.articles_for_grouping() if a.id[:3] in {"000", "001", "002", "003"}]
        store.replace_stories(
            [{"id": "st-border", "title": "Border fighting", "first_seen": None, "last_seen": None,
              "storyline": "sl-border", "articles": ids}],
            [{"id": "sl-border", "title": "Border fighting", "first_seen": None, "last_seen": None}],
        )
        LocalExecutor(store).run([SummaryStage()])
        assert store.stale_summaries(SummaryStage()._version()) == []
    out = CliRunner().invoke(cli, ["story", "st-border", "--db", str(path)])
    assert out.exit_code == 0, out.output
    disagree = out.output.split("Sources disagree", 1)[1].split("Timeline", 1)[0]
    assert "about 1,500 (US-led coalition" in disagree
    assert "between 2,500 and 3,500 (Col. Ryan Dillon" in disagree


def test_every_view_shows_one_title_the_stories_stage_chose(seeded_db: Path):
    """The summary's headline is the story's title, cited by the articles that carry it."""
    with Store(seeded_db) as store:
        for story in store.stories():
            summary = store.story_summary(story["id"])
            assert summary["headline"]["text"] == story["title"]
            assert summary["headline"]["cites"] and set(summary["headline"]["cites"]) <= set(story["articles"])
