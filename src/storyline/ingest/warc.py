"""WARC files: every HTML response record becomes an article."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.ingest.decode import MAX_ITEM_BYTES, DecodeProblem, decode_bytes
from storyline.records import Rejection


def read_warc(path: Path) -> Iterator:
    from storyline.ingest.items import Item

    source = str(path)
    index = 0
    html_records = 0
    with path.open("rb") as stream:
        try:
            for record in ArchiveIterator(stream):
                index += 1
                if record.rec_type != "response":
                    continue
                locator = f"record {index}"
                uri = record.rec_headers.get_header("WARC-Target-URI")
                content_type = (record.http_headers.get_header("Content-Type") if record.http_headers else "") or ""
                if "html" not in content_type.lower():
                    continue
                html_records += 1
                status = record.http_headers.get_statuscode() if record.http_headers else "200"
                if status and not status.startswith("2"):
                    yield Rejection(source, locator, "not an article", f"HTTP status {status} for {uri}")
                    continue
                payload = record.content_stream().read(MAX_ITEM_BYTES + 1)
                if len(payload) > MAX_ITEM_BYTES:
                    yield Rejection(source, locator, "too large", f"over {MAX_ITEM_BYTES} bytes: {uri}")
                    continue
                declared = None
                if "charset=" in content_type.lower():
                    declared = content_type.lower().split("charset=")[-1].split(";")[0].strip() or None
                try:
                    _, encoding = decode_bytes(payload, html=True, declared=declared)
                except DecodeProblem as problem:
                    yield Rejection(source, locator, problem.reason, f"{problem.detail}: {uri}")
                    continue
                record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
                yield Item(
                    article_id=f"{path.name.split('.')[0]}-{index}",
                    fmt="html", raw=payload, encoding=encoding, locator=locator, url=uri,
                    meta={
                        # The capture date is when the page was crawled, never its publication date.
                        "crawled_at": record.rec_headers.get_header("WARC-Date"),
                        "warc_record_id": record_id.strip("<>"),
                    },
                )
        except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
            yield Rejection(source, f"record {index + 1}", "malformed WARC", f"{exc}; records before it were kept")
            return
    if html_records == 0:
        yield Rejection(source, "", "no articles", "the WARC holds no HTML response records")
