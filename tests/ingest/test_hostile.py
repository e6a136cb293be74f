"""Hostile inputs beside good ones: every bad item is rejected with a short reason naming
where it is, the reader goes on, and memory stays bounded by the limits, not by the input.
Every input is generated here (the gzip bombs too); none is committed."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
import zlib
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.ingest import ingest
from storyline.ingest.limits import GZIP_RATIO, MAX_ITEM_BYTES, bounded_lines
from storyline.store.stage_errors import MAX_ERROR_CHARS

GOOD = "The council met on Monday and voted to raise the budget for schools by a tenth."


def _gzip_bomb(path: Path, head: bytes, zeros: int) -> None:
    """A gzip file of `head` then `zeros` zero bytes, written in pieces (never held whole)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    with path.open("wb") as out:
        out.write(packer.compress(head))
        for _ in range(zeros >> 20):
            out.write(packer.compress(block))
        out.write(packer.flush())


def _good_jsonl(path: Path, n: int = 3) -> None:
    path.write_text("".join(json.dumps({"id": f"good{i}", "text": f"{GOOD} ({i})"}) + "\n" for i in range(n)))


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_gzip_bombs_are_rejected_within_bounded_memory_and_the_folder_goes_on(store, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _gzip_bomb(folder / "a-bomb.jsonl.gz", b'{"text": "', 256 << 20)
    warc_head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.com/x\r\n"
                 b"Content-Length: 999999999\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    _gzip_bomb(folder / "b-bomb.warc.gz", warc_head, 256 << 20)
    _good_jsonl(folder / "c-good.jsonl")
    report = {}
    peak = _peak_mb(lambda: report.setdefault("r", ingest(store, [str(folder)])))
    report = report["r"]
    assert report.added == 3
    by_file = {Path(r.source).name: r for r in report.rejections}
    assert set(by_file) == {"a-bomb.jsonl.gz", "b-bomb.warc.gz"}
    for rejection in by_file.values():
        assert rejection.reason == "too large"
        assert f"over {GZIP_RATIO} times its compressed size" in rejection.detail
        assert len(rejection.detail) <= MAX_ERROR_CHARS
    assert peak < 100, f"{peak:.0f} MB traced while reading 512 MB of bombs"


def test_a_huge_jsonl_line_is_rejected_without_being_held_whole(tmp_path):
    big = b'{"text": "' + b"word " * (6 * MAX_ITEM_BYTES // 5) + b'"}\n'
    stream = io.BytesIO(big + b'{"text": "small"}\n')
    lines = []
    peak = _peak_mb(lambda: lines.extend((line is None, size) for line, size in bounded_lines(stream, 1 << 20)))
    assert lines == [(True, len(big)), (False, 18)]
    assert peak < 8


def test_lone_surrogates_are_rejected_in_jsonl_and_replaced_in_feeds_and_the_rest_is_read(store, tmp_path):
    jsonl = tmp_path / "s.jsonl"
    jsonl.write_text(
        json.dumps({"id": "ok1", "text": GOOD}) + "\n"
        + '{"id": "bad", "text": "broken \\ud800 text here"}\n'
        + '{"id": "bad2", "title": "\\udc00", "text": "fine text"}\n'
        + json.dumps({"id": "ok2", "text": GOOD + " again"}) + "\n")
    feed = tmp_path / "f.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed &#xD800;</title>'
        '<item><title>T &#xD800; one</title><link>http://e.com/1</link>'
        f'<description>{GOOD} &#xD800;</description></item>'
        f'<item><title>Two</title><link>http://e.com/2</link><description>{GOOD} two</description></item>'
        '</channel></rss>')
    report = ingest(store, [str(jsonl), str(feed)])
    assert report.added == 4
    assert [(r.locator, r.reason) for r in report.rejections] == [("line 2", "bad Unicode"), ("line 3", "bad Unicode")]
    assert "'text'" in report.rejections[0].detail and "'title'" in report.rejections[1].detail
    titles = {a.title for a in store.raw_articles(store.article_ids())}
    assert "T \ufffd one" in titles


def test_a_warc_record_without_target_uri_is_rejected_and_the_next_records_read(store, tmp_path):
    path = tmp_path / "crawl.warc.gz"
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n, uri in enumerate(["http://e.com/a", None, "http://e.com/c"]):
            body = f"<html><body><p>{GOOD} Page {n}.</p></body></html>".encode()
            record = writer.create_warc_record(uri or "http://e.com/b", "response", payload=io.BytesIO(body),
                                               http_headers=headers)
            if uri is None:
                record.rec_headers.remove_header("WARC-Target-URI")
            writer.write_record(record)
    report = ingest(store, [str(path)])
    assert report.added == 2
    assert [(r.locator, r.reason) for r in report.rejections] == [("record 2", "malformed WARC record")]
    assert "WARC-Target-URI" in report.rejections[0].detail


def test_a_number_where_text_belongs_is_not_text(store, tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_text('{"id": "n", "text": 12345}\n{"id": "e", "text": ""}\n' + json.dumps({"text": GOOD}) + "\n")
    report = ingest(store, [str(path)])
    assert [(r.locator, r.reason) for r in report.rejections] == [("line 1", "not text"), ("line 2", "empty")]
    assert "int 12345" in report.rejections[0].detail


def test_an_id_taken_by_other_content_is_reported_with_its_new_id(store, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps({"id": "dup", "text": GOOD}) + "\n")
    second.write_text(json.dumps({"id": "dup", "text": GOOD + " Changed."}) + "\n")
    ingest(store, [str(first)])
    report = ingest(store, [str(second)])
    [(given, stored)] = report.renamed
    assert given == "dup" and stored.startswith("dup~")
    [warning] = store.article_warnings(stored)
    assert stored in warning["warning"] and "taken by other content" in warning["warning"]


def test_a_huge_library_error_becomes_a_short_rejection(store, tmp_path):
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(gzip.compress(b"text\n" + b"ok row\n") + b"\x00garbage" * 1000)
    report = ingest(store, [str(path)])
    assert all(len(r.detail) <= MAX_ERROR_CHARS for r in report.rejections)
    stored = store.rejections()
    assert stored and all(len(r.detail) <= MAX_ERROR_CHARS for r in stored)
