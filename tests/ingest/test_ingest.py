"""Ingest: every input format from a small real fixture, idempotence, and every kind of bad input."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from storyline.ingest import ReadOptions, ingest
from storyline.ingest.decode import MAX_ITEM_BYTES
from storyline.ingest.records import parse_mapping
from storyline.store import Store
from tests.helpers import FIXTURES, write_warc

INGEST = FIXTURES / "ingest"


def _ids(store: Store) -> list[str]:
    return store.article_ids()


def test_txt_seeds_keep_file_stem_as_id_and_bytes_exactly(store, seeds):
    report = ingest(store, [str(p) for p in seeds])
    assert report.added == 5 and not report.rejections
    assert _ids(store) == [p.stem for p in seeds]
    for path in seeds:
        assert store.raw_bytes(path.stem) == path.read_bytes()


def test_folder_is_walked_and_unsupported_files_rejected_by_name(store, tmp_path, seeds):
    tmp_path = tmp_path / "inputs"
    tmp_path.mkdir()
    (tmp_path / "sub").mkdir()
    for p in seeds[:2]:
        (tmp_path / "sub" / p.name).write_bytes(p.read_bytes())
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 not an article")
    (tmp_path / ".hidden.txt").write_text("ignored hidden file")
    report = ingest(store, [str(tmp_path)])
    assert report.added == 2
    assert [(Path(r.source).name, r.reason) for r in report.rejections] == [("notes.docx", "unsupported format")]


def test_html_page(store):
    page = INGEST / "taipei_times_2017-11-05.html"
    report = ingest(store, [str(page)])
    assert report.added == 1
    [raw] = store.raw_articles(["taipei_times_2017-11-05"])
    assert raw.format == "html" and "<article>" in raw.body


def test_jsonl_fields_and_metadata(store):
    report = ingest(store, [str(INGEST / "articles.jsonl")])
    assert report.added == 2 and not report.rejections
    first, second = store.raw_articles(["egypt-today-1", "gulf-news-1"])
    assert first.format == "text" and first.url.startswith("https://www.egypttoday.com/")
    assert first.title == "Clashes erupt on Syria-Iraq border" and first.outlet == "egypttoday.com"
    assert first.meta == {"section": "Region"}  # unknown fields are kept as metadata
    assert second.format == "html" and second.published == "2017-11-10" and second.language == "en"
    # The stored raw bytes are the input line exactly.
    line = (INGEST / "articles.jsonl").read_bytes().splitlines()[0]
    assert store.raw_bytes("egypt-today-1") == line


def test_jsonl_bad_lines_are_rejected_with_line_numbers_and_the_rest_stored(store):
    report = ingest(store, [str(INGEST / "mixed.jsonl")])
    assert report.added == 2
    assert _ids(store) == ["good-1", "good-2"]
    got = {(r.locator, r.reason) for r in store.rejections()}
    assert got == {
        ("line 2", "malformed JSON"),
        ("line 3", "missing text"),
        ("line 4", "empty"),
        ("line 5", "malformed record"),
    }
    assert all(r.source.endswith("mixed.jsonl") for r in store.rejections())


def test_jsonl_from_stdin_without_id_gets_line_ids(store):
    stream = io.BytesIO(b'{"text": "Iraqi forces retook al-Qaim on Friday, commanders said."}\n')
    report = ingest(store, ["-"], stdin=stream)
    assert report.added == 1 and _ids(store) == ["stdin-1"]


def test_warc_html_responses_become_articles_and_others_are_skipped(store, tmp_path):
    page = (INGEST / "taipei_times_2017-11-05.html").read_bytes()
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [
        ("https://www.taipeitimes.com/News/front/archives/2017/11/05/2003681642", page, "text/html; charset=utf-8"),
        ("https://www.taipeitimes.com/logo.png", b"\x89PNG....", "image/png"),
    ])
    report = ingest(store, [str(path)])
    assert report.added == 1 and not report.rejections
    [raw] = store.raw_articles(store.article_ids())
    assert raw.url.endswith("2003681642") and raw.format == "html"
    assert raw.meta["crawled_at"]  # the capture date is kept, as metadata only
    assert store.raw_bytes(raw.id) == page


def test_truncated_warc_keeps_records_before_the_damage(store, tmp_path):
    page = (INGEST / "taipei_times_2017-11-05.html").read_bytes()
    good = tmp_path / "good.warc"
    write_warc(good, [("https://example.org/a", page, "text/html"), ("https://example.org/b", page + b"<p>more</p>", "text/html")])
    data = good.read_bytes()
    broken = tmp_path / "broken.warc"
    # Keep the first record whole and garble the second's header.
    second = data.index(b"WARC/1.", 10)
    broken.write_bytes(data[:second] + b"WARC/9.9 garbage\r\nnot a header\r\n\r\n" + data[second + 40 :])
    report = ingest(store, [str(broken)])
    assert report.added == 1
    assert [r.reason for r in report.rejections] == ["malformed WARC"]


def test_rss_feed_entries(store):
    report = ingest(store, [str(INGEST / "wire.rss")])
    assert report.added == 2
    raws = store.raw_articles(store.article_ids())
    assert {r.published for r in raws} == {"2017-11-05"} and {r.outlet for r in raws} == {"Example Wire"}


def test_malformed_feed_is_rejected(store, tmp_path):
    bad = tmp_path / "broken.rss"
    bad.write_text("<rss><channel><title>x</title>")
    report = ingest(store, [str(bad)])
    assert report.added == 0 and [r.reason for r in report.rejections] == ["malformed feed"]


def test_reingest_is_idempotent(store, seeds):
    first = ingest(store, [str(p) for p in seeds] + [str(INGEST / "articles.jsonl")])
    second = ingest(store, [str(p) for p in seeds] + [str(INGEST / "articles.jsonl")])
    assert first.added == 7 and second.added == 0 and second.duplicates == 7
    assert store.count_articles() == 7


def test_same_id_for_different_content_keeps_both(store, tmp_path):
    tmp_path = tmp_path / "inputs"
    (tmp_path / "a").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text("Iraqi forces retook al-Qaim on Friday.")
    (tmp_path / "b" / "story.txt").write_text("The Syrian army took Deir ez-Zor on Friday.")
    ingest(store, [str(tmp_path)])
    ids = _ids(store)
    assert ids[0] == "story" and ids[1].startswith("story~") and len(ids) == 2


def test_each_kind_of_bad_file_gets_its_rejection_and_good_ones_are_stored(store, tmp_path, seeds):
    tmp_path = tmp_path / "inputs"
    tmp_path.mkdir()
    good = tmp_path / seeds[0].name
    good.write_bytes(seeds[0].read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n \t\n")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "nul.html").write_bytes(b"<html>\x00\x00\x01\x02" * 100)
    (tmp_path / "huge.txt").write_bytes(b"word " * (MAX_ITEM_BYTES // 5 + 10))
    (tmp_path / "latin1.txt").write_bytes("Le président a déclaré à Beyrouth que la ville était libérée.".encode("latin-1"))
    (tmp_path / "gibberish.txt").write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D] * 400))
    broken = "Al Bu Kamal — the town “liberated” at last. ".encode() * 20
    (tmp_path / "broken-utf8.txt").write_bytes(broken[:300] + b"\xff\xfe\xc3" + broken[300:])
    report = ingest(store, [str(tmp_path)])
    reasons = {Path(r.source).name: r.reason for r in report.rejections}
    assert reasons == {
        "empty.txt": "empty", "blank.txt": "empty", "image.txt": "binary", "nul.html": "binary",
        "huge.txt": "too large", "gibberish.txt": "undecodable", "broken-utf8.txt": "undecodable",
    }
    ids = _ids(store)
    assert seeds[0].stem in ids and "latin1" in ids  # a legacy encoding is decoded, not rejected
    [latin] = store.raw_articles(["latin1"])
    assert "président" in latin.body
    # Rejections are stored, with file and reason, and not duplicated by a second ingest.
    ingest(store, [str(tmp_path)])
    assert len(store.rejections()) == 7


def test_missing_path_is_a_rejection_not_a_crash(store, tmp_path):
    report = ingest(store, [str(tmp_path / "nope.jsonl")])
    assert [r.reason for r in report.rejections] == ["not found"]


def test_gzip_bytes_in_a_txt_file_are_binary(store, tmp_path):
    path = tmp_path / "packed.txt"
    path.write_bytes(gzip.compress(b"some text"))
    report = ingest(store, [str(path)])
    assert [r.reason for r in report.rejections] == ["binary"]


def test_jsonl_line_too_large(store, tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"id": "big", "text": "x " * (MAX_ITEM_BYTES // 2 + 10)}) + "\n" + json.dumps({"text": "Small article about Qaim."}) + "\n")
    report = ingest(store, [str(path)])
    assert report.added == 1 and [(r.locator, r.reason) for r in report.rejections] == [("line 1", "too large")]


# -- dates, aliases and the formats datasets come in ----------------------------------------

FEED_RECORDS = [
    {"guid": "w-1", "headline": "Iraqi forces retake al-Qaim", "source": "Example Wire",
     "body": "Iraqi forces retook the border town of al-Qaim on Friday, the prime minister said.",
     "date": "Fri, 03 Nov 2017 16:15:00 +0300", "link": "https://wire.example/w-1", "stance": "left", "rank": 1},
    {"guid": "w-2", "headline": "Syrian army takes Deir ez-Zor", "source": "Gulf News",
     "body": "The Syrian army took the eastern city of Deir ez-Zor on Friday, state media said.",
     "date": "November 4, 2017", "link": "https://gulf.example/w-2", "stance": "right", "rank": 2},
    {"guid": "w-3", "headline": "Monitor counts the dead", "source": "Monitor",
     "body": "A monitoring group said on Saturday that the clashes had killed dozens.",
     "date": "2017-11", "link": "https://monitor.example/w-3", "stance": "left", "rank": 3},
]


def _write(path: Path, records: list[dict]) -> Path:
    import csv

    name = path.name
    if name.endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(records), path)
        return path
    if ".csv" in name or ".tsv" in name:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(records[0]), delimiter="\t" if ".tsv" in name else ",")
        writer.writeheader()
        writer.writerows(records)
        data = buf.getvalue().encode()
    elif ".jsonl" in name:
        data = "".join(json.dumps(r) + "\n" for r in records).encode()
    else:
        data = json.dumps({"articles": records} if "wrapped" in name else records).encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


FORMATS = ["feed.jsonl", "feed.jsonl.gz", "feed.json", "wrapped.json", "feed.json.gz", "feed.csv", "feed.tsv",
           "feed.csv.gz", "feed.parquet"]


@pytest.mark.parametrize("name", FORMATS)
def test_each_record_format_reads_aliases_dates_and_extra_fields(store, tmp_path, name):
    report = ingest(store, [str(_write(tmp_path / name, FEED_RECORDS))])
    assert report.added == 3 and not report.rejections and report.warnings == 0
    notices = report.notices[str(tmp_path / name)]
    assert notices["'body' read as text"] == 3 and notices["'date' read as published"] == 3
    assert notices["'headline' read as title"] == 3 and notices["'source' read as outlet"] == 3
    raws = {r.id: r for r in store.raw_articles(store.article_ids())}
    assert set(raws) == {"w-1", "w-2", "w-3"}
    assert [raws[i].published for i in ("w-1", "w-2", "w-3")] == ["2017-11-03", "2017-11-04", "2017-11"]
    assert raws["w-2"].outlet == "Gulf News" and raws["w-1"].title == "Iraqi forces retake al-Qaim"
    assert raws["w-1"].url == "https://wire.example/w-1" and raws["w-1"].body.startswith("Iraqi forces")
    assert raws["w-1"].meta["stance"] == "left" and str(raws["w-1"].meta["rank"]) == "1"  # CSV holds text
    stamp = store.db.execute("SELECT published_at, published_raw FROM articles WHERE id = 'w-1'").fetchone()
    assert stamp == ("2017-11-03T16:15:00+03:00", "Fri, 03 Nov 2017 16:15:00 +0300")
    again = ingest(store, [str(tmp_path / name)])
    assert again.added == 0 and again.duplicates == 3


def test_a_date_that_cannot_be_read_is_kept_raw_with_a_warning(store, tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({"id": "odd", "text": "Clashes on the border.", "published": "last Tuesday-ish"}) + "\n"
                    + json.dumps({"id": "amb", "text": "More clashes.", "published": "03/04/2021"}) + "\n")
    report = ingest(store, [str(path)])
    assert report.added == 2 and report.warnings == 2 and not report.rejections
    warned = {w["article"]: w for w in store.article_warnings()}
    assert "last Tuesday-ish" in warned["odd"]["warning"] and warned["odd"]["locator"] == "line 1"
    assert "2021-03-04" in warned["amb"]["warning"]
    row = store.db.execute("SELECT published, published_raw FROM articles WHERE id = 'odd'").fetchone()
    assert row == (None, "last Tuesday-ish")
    assert store.db.execute("SELECT published FROM articles WHERE id = 'amb'").fetchone() == ("2021",)
    # The date order settles it.
    store2 = Store(tmp_path / "other.db")
    ingest(store2, [str(path)], options=ReadOptions(date_order="dmy"))
    assert store2.db.execute("SELECT published FROM articles WHERE id = 'amb'").fetchone() == ("2021-04-03",)
    store2.close()


def test_map_names_the_fields_and_wins_over_aliases(store, tmp_path):
    path = tmp_path / "custom.jsonl"
    path.write_text(json.dumps({"story_text": "Iraqi forces retook al-Qaim.", "kop": "Al-Qaim retaken",
                                "when": "18/10/2021", "body": "not this one", "paper": "Wire"}) + "\n")
    options = ReadOptions(mapping=parse_mapping("text=story_text,title=kop,published=when,outlet=paper"))
    report = ingest(store, [str(path)], options=options)
    assert report.added == 1
    [raw] = store.raw_articles(store.article_ids())
    assert (raw.body, raw.title, raw.published, raw.outlet) == ("Iraqi forces retook al-Qaim.", "Al-Qaim retaken",
                                                                "2021-10-18", "Wire")
    assert raw.meta == {"body": "not this one"}
    assert report.notices[str(path)]["'story_text' read as text (--map)"] == 1
    with pytest.raises(ValueError, match="FIELD=COLUMN"):
        parse_mapping("body")
    with pytest.raises(ValueError, match="FIELD=COLUMN"):
        parse_mapping("nonsense=body")


def test_newsapi_source_object_gives_its_name(store, tmp_path):
    path = tmp_path / "newsapi.json"
    path.write_text(json.dumps({"status": "ok", "articles": [
        {"source": {"id": "bbc-news", "name": "BBC News"}, "title": "Clashes", "content": "Clashes on the border.",
         "publishedAt": "2021-10-18T16:15:00Z", "url": "https://bbc.example/1"}]}))
    assert ingest(store, [str(path)]).added == 1
    [raw] = store.raw_articles(store.article_ids())
    assert raw.outlet == "BBC News" and raw.body == "Clashes on the border."
    assert raw.meta == {"publishedAt": "2021-10-18T16:15:00Z"}  # not an alias storyline knows: kept


def test_bad_record_files_are_rejected_with_where(store, tmp_path):
    (tmp_path / "broken.json").write_text("[{\"text\": ")
    (tmp_path / "scalar.json").write_text("[1, {\"text\": \"Clashes on the border.\"}]")
    (tmp_path / "notext.csv").write_text("title,when\nA,2021\n")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    report = ingest(store, [str(tmp_path)])
    got = {(Path(r.source).name, r.locator, r.reason) for r in report.rejections}
    assert got == {("broken.json", "", "malformed JSON"), ("scalar.json", "record 1", "malformed record"),
                   ("notext.csv", "line 2", "missing text"), ("broken.parquet", "", "malformed Parquet")}
    assert report.added == 1


def test_folder_walk_skips_database_files_and_urls_are_not_fetched(tmp_path, seeds):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / seeds[0].name).write_bytes(seeds[0].read_bytes())
    with Store(folder / "storyline.db") as store:  # storyline's own database, inside the folder
        (folder / "old.db").write_bytes(b"SQLite format 3\x00")
        report = ingest(store, [str(folder), "https://example.org/story.html"])
        assert report.added == 1
        assert [(r.source, r.reason) for r in report.rejections] == [("https://example.org/story.html", "not a file")]
        assert report.missing == ["https://example.org/story.html"]
        assert {Path(p).name for p in report.skipped} >= {"storyline.db", "old.db"}


def test_default_ids_keep_the_whole_file_stem(store, tmp_path):
    for name in ("my.feed.jsonl", "my.other.jsonl.gz", "my.table.csv"):
        _write(tmp_path / name, [{"body": f"Clashes near the border, {name} said."}])
    ingest(store, [str(tmp_path)])
    assert sorted(store.article_ids()) == ["my.feed-1", "my.other-1", "my.table-1"]
def test_a_few_stray_nul_bytes_in_a_large_page_are_dropped_not_a_rejection():
    import pytest

    from storyline.ingest.decode import DecodeProblem, decode_bytes

    page = b"<html><body>" + b"<p>The council approved the bridge after a long debate.</p>\n" * 3000 + b"</body></html>"
    damaged = page[:5000] + b"\x00" * 22 + page[5000:]  # 22 NULs in 180k bytes, as a crawl delivered it
    text, encoding = decode_bytes(damaged, html=True)
    assert "\x00" not in text and text == page.decode() and encoding == "utf-8"
    # Dense NULs are a binary or a UTF-16 text without its byte-order mark: still rejected.
    with pytest.raises(DecodeProblem, match="binary"):
        decode_bytes("A text in UTF-16 without its byte-order mark.".encode("utf-16-le") * 10)
