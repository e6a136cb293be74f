"""WARC files: every HTML response record becomes an article.

A .warc.gz is gunzipped within the limits (ingest/limits.py: size and ratio, so a gzip bomb
stops at a few megabytes) before warcio sees it. A record warcio cannot read (no target URI,
damaged headers: any exception it raises) becomes a rejection naming it, and the reader goes
on with the next record; only a file it cannot step through at all ends early, keeping the
records before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeadersParser

from storyline.ingest.decode import DecodeProblem, decode_bytes
from storyline.ingest.limits import MAX_ITEM_BYTES, LimitExceeded, open_bounded
from storyline.records import Rejection

_HTTP_HEADERS = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)


def read_warc(path: Path) -> Iterator:
    source = str(path)
    index = 0
    html_records = 0
    with open_bounded(path) as stream:
        # no_record_parse: warcio would parse a record's HTTP headers inside its iterator, where
        # one record without a target URI ends the iteration; here each record's are parsed in
        # its own try, so that record alone is rejected.
        records = iter(ArchiveIterator(stream, no_record_parse=True))
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except LimitExceeded as exc:
                yield Rejection(source, f"record {index + 1}", "too large", str(exc))
                return
            except Exception as exc:  # noqa: BLE001  warcio's own errors, and whatever its parsing raises
                yield Rejection(source, f"record {index + 1}", "malformed WARC",
                                f"{type(exc).__name__}: {exc}; records before it were kept")
                return
            index += 1
            try:
                item = _record_item(record, path, index)
            except LimitExceeded as exc:
                yield Rejection(source, f"record {index}", "too large", str(exc))
                return
            except Exception as exc:  # noqa: BLE001  one bad record: rejected, the reader goes on
                yield Rejection(source, f"record {index}", "malformed WARC record", f"{type(exc).__name__}: {exc}")
                continue
            if item is None:
                continue
            html_records += 1
            if isinstance(item, Rejection):
                yield Rejection(source, item.locator, item.reason, item.detail)
                continue
            yield item
    if html_records == 0:
        yield Rejection(source, "", "no articles", "the WARC holds no HTML response records")


def _record_item(record, path: Path, index: int):
    """The Item of one response record, a Rejection (source left blank), or None for a
    record that is no HTML response."""
    from storyline.ingest.items import Item

    if record.rec_type != "response":
        return None
    locator = f"record {index}"
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if not uri:
        return Rejection("", locator, "malformed WARC record", "a response record without WARC-Target-URI")
    if uri.lower().startswith(("http:", "https:")) and record.length:
        record.http_headers = _HTTP_HEADERS.parse(record.raw_stream)
    content_type = (record.http_headers.get_header("Content-Type") if record.http_headers else "") or ""
    if "html" not in content_type.lower():
        return None
    status = record.http_headers.get_statuscode() if record.http_headers else "200"
    if status and not status.startswith("2"):
        return Rejection("", locator, "not an article", f"HTTP status {status} for {uri}")
    payload = record.content_stream().read(MAX_ITEM_BYTES + 1)
    if len(payload) > MAX_ITEM_BYTES:
        return Rejection("", locator, "too large", f"over {MAX_ITEM_BYTES} bytes: {uri}")
    declared = None
    if "charset=" in content_type.lower():
        declared = content_type.lower().split("charset=")[-1].split(";")[0].strip() or None
    try:
        _, encoding = decode_bytes(payload, html=True, declared=declared)
    except DecodeProblem as problem:
        return Rejection("", locator, problem.reason, f"{problem.detail}: {uri}")
    record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
    return Item(
        article_id=f"{path.name.split('.')[0]}-{index}",
        fmt="html", raw=payload, encoding=encoding, locator=locator, url=uri,
        meta={
            # The capture date is when the page was crawled, never its publication date.
            "crawled_at": record.rec_headers.get_header("WARC-Date"),
            "warc_record_id": record_id.strip("<>"),
        },
    )
