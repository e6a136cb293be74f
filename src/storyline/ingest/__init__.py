"""Reading articles from files, folders and stdin into the store.

Formats: `.txt`, `.html`/`.htm`, `.jsonl` (and `-` for JSONL on stdin), `.warc`/`.warc.gz`,
RSS/Atom feeds (`.rss`, `.atom`, `.xml`). Every bad item becomes a stored `Rejection` naming
the file, the line or record, and the reason; it never stops the rest.
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from storyline.ingest.decode import MAX_ITEM_BYTES, DecodeProblem, decode_bytes
from storyline.ingest.items import Item
from storyline.records import Rejection
from storyline.store import Store

TEXT_EXTENSIONS = {".txt"}


HTML_EXTENSIONS = {".html", ".htm"}


JSONL_EXTENSIONS = {".jsonl"}


WARC_SUFFIXES = (".warc", ".warc.gz")


FEED_EXTENSIONS = {".rss", ".atom", ".xml"}


JSONL_FIELDS = ("id", "url", "title", "outlet", "published", "language")


@dataclass
class IngestReport:
    added: int = 0
    duplicates: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    files: int = 0

    def reasons(self) -> Counter[str]:
        return Counter(r.reason for r in self.rejections)


def ingest(store: Store, paths: Iterable[str], stdin: BinaryIO | None = None) -> IngestReport:
    """Store every article found under `paths` (files, folders, or '-' for JSONL on stdin)."""
    report = IngestReport()
    for path in paths:
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            _store_all(store, "-", read_jsonl(stream, "-", "stdin"), report)
            report.files += 1
            continue
        root = Path(path)
        if not root.exists():
            _reject(store, report, Rejection(path, "", "not found", "no such file or folder"))
            continue
        files = sorted(p for p in root.rglob("*") if p.is_file() and not _hidden(p, root)) if root.is_dir() else [root]
        for file in files:
            report.files += 1
            _store_all(store, str(file), read_file(file), report)
    return report


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _reject(store: Store, report: IngestReport, rejection: Rejection) -> None:
    store.add_rejection(rejection)
    report.rejections.append(rejection)


def _store_all(store: Store, source: str, items: Iterator[Item | Rejection], report: IngestReport) -> None:
    # One transaction per 500 items: fast, and an interrupted ingest loses nothing that was
    # committed (re-ingesting is idempotent, so running it again completes it).
    pending = 0
    store.db.execute("BEGIN IMMEDIATE")
    try:
        for item in items:
            if isinstance(item, Rejection):
                _reject(store, report, item)
                continue
            status, _ = store.add_article(
                article_id=item.article_id, fmt=item.fmt, raw=item.raw, encoding=item.encoding,
                source=source, locator=item.locator, body_field=item.body_field,
                identity=item.identity, url=item.url, title=item.title, outlet=item.outlet,
                published=item.published, language=item.language, meta=item.meta,
            )
            if status == "added":
                report.added += 1
            else:
                report.duplicates += 1
            pending += 1
            if pending >= 500:
                store.db.execute("COMMIT")
                store.db.execute("BEGIN IMMEDIATE")
                pending = 0
    except BaseException:
        store.db.execute("COMMIT")  # keep what was read before the failure
        raise
    store.db.execute("COMMIT")


def read_file(path: Path) -> Iterator[Item | Rejection]:
    """Items of one file, chosen by its extension."""
    name = path.name.lower()
    source = str(path)
    try:
        if name.endswith(WARC_SUFFIXES):
            from storyline.ingest.warc import read_warc

            yield from read_warc(path)
        elif path.suffix.lower() in JSONL_EXTENSIONS:
            with path.open("rb") as stream:
                yield from read_jsonl(stream, source, path.stem)
        elif path.suffix.lower() in TEXT_EXTENSIONS | HTML_EXTENSIONS:
            yield from read_single(path)
        elif path.suffix.lower() in FEED_EXTENSIONS:
            from storyline.ingest.feeds import read_feed

            yield from read_feed(path)
        else:
            yield Rejection(
                source, "", "unsupported format",
                f"extension {path.suffix or '(none)'!r}; storyline reads .txt .html .htm .jsonl "
                ".warc .warc.gz .rss .atom .xml",
            )
    except OSError as exc:
        yield Rejection(source, "", "unreadable", str(exc))


def read_single(path: Path) -> Iterator[Item | Rejection]:
    """A .txt or .html file holding one article; its id is the file name without extension."""
    source = str(path)
    size = path.stat().st_size
    if size > MAX_ITEM_BYTES:
        yield Rejection(source, "", "too large", f"{size} bytes; the limit is {MAX_ITEM_BYTES} per article")
        return
    raw = path.read_bytes()
    fmt = "html" if path.suffix.lower() in HTML_EXTENSIONS else "text"
    try:
        text, encoding = decode_bytes(raw, html=fmt == "html")
    except DecodeProblem as problem:
        yield Rejection(source, "", problem.reason, problem.detail)
        return
    if fmt == "text" and _looks_like_html(text):
        fmt = "html"
    yield Item(article_id=path.stem, fmt=fmt, raw=raw, encoding=encoding, locator="")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html"))


def read_jsonl(stream: BinaryIO, source: str, stem: str) -> Iterator[Item | Rejection]:
    """One article per line: `text` or `html` required; other known fields are optional."""
    for line_no, line in enumerate(_lines(stream), start=1):
        locator = f"line {line_no}"
        if len(line) > MAX_ITEM_BYTES:
            yield Rejection(source, locator, "too large", f"{len(line)} bytes; the limit is {MAX_ITEM_BYTES} per article")
            continue
        if not line.strip():
            continue  # blank lines separate nothing in JSONL; skipping them loses nothing
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Rejection(source, locator, "undecodable", f"JSONL must be UTF-8: {exc}")
            continue
        except json.JSONDecodeError as exc:
            yield Rejection(source, locator, "malformed JSON", str(exc))
            continue
        if not isinstance(record, dict):
            yield Rejection(source, locator, "malformed record", f"expected a JSON object, got {type(record).__name__}")
            continue
        body_field = "text" if isinstance(record.get("text"), str) and record["text"].strip() else None
        if body_field is None and isinstance(record.get("html"), str) and record["html"].strip():
            body_field = "html"
        if body_field is None:
            has = "text" in record or "html" in record
            yield Rejection(
                source, locator, "empty" if has else "missing text",
                "the `text` or `html` field is empty" if has
                else f"a record needs a `text` or `html` field; keys present: {sorted(record)[:12]}",
            )
            continue
        body = record[body_field]
        if "\x00" in body:
            yield Rejection(source, locator, "binary", "the article body holds NUL bytes")
            continue
        known = {k: _as_str(record.get(k)) for k in JSONL_FIELDS}
        meta = {k: v for k, v in record.items() if k not in JSONL_FIELDS and k not in ("text", "html")}
        yield Item(
            article_id=known["id"] or f"{stem}-{line_no}",
            fmt="text" if body_field == "text" else "html",
            raw=line.rstrip(b"\r\n"), encoding="utf-8", locator=locator, body_field=body_field,
            identity=body.encode("utf-8"), url=known["url"], title=known["title"],
            outlet=known["outlet"], published=known["published"], language=known["language"],
            meta=meta,
        )


def _as_str(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    if isinstance(stream, io.TextIOBase):  # a text stream handed in by a caller
        for line in stream:
            yield line.encode("utf-8")
        return
    yield from stream
