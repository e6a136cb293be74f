"""Ingest: every input format from a small real fixture, idempotence, and every kind of bad input."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from storyline.ingest import ingest
from storyline.ingest.decode import MAX_ITEM_BYTES
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
