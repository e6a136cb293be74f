"""Reading articles from files, folders and stdin into the store.

Formats: `.txt`, `.html`/`.htm`, `.jsonl` (and `-` for JSONL on stdin), `.json` (an array of
records, or an object holding one), `.csv`/`.tsv` with a header, `.parquet`, any of the
record formats gzipped (`.jsonl.gz`, `.json.gz`, `.csv.gz`, `.tsv.gz`), `.warc`/`.warc.gz`,
RSS/Atom feeds (`.rss`, `.atom`, `.xml`). Every bad item becomes a stored `Rejection` naming
the file, the line or record, and the reason; it never stops the rest. A record's date that
cannot be read is stored as given, with a warning on its article (ingest/dates.py).
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from storyline.ingest.decode import DecodeProblem, decode_bytes
from storyline.ingest.items import Item
from storyline.ingest.limits import MAX_ITEM_BYTES, LimitExceeded, bounded_lines
from storyline.ingest.records import record_item
from storyline.records import Rejection
from storyline.store import Store
from storyline.store.stage_errors import short_error

TEXT_EXTENSIONS = {".txt"}


HTML_EXTENSIONS = {".html", ".htm"}


JSONL_EXTENSIONS = {".jsonl", ".ndjson"}


# Files of records (one article each), read by ingest/datasets.py; each also gzipped.
RECORD_EXTENSIONS = {".json", ".csv", ".tsv", ".parquet"}


WARC_SUFFIXES = (".warc", ".warc.gz")


FEED_EXTENSIONS = {".rss", ".atom", ".xml"}


# A folder walk skips SQLite databases and their journals: storyline's own among them.
DATABASE_SUFFIXES = (".db", ".db-wal", ".db-shm", ".db-journal", ".sqlite", ".sqlite3")


SUPPORTED = (".txt .html .htm .jsonl .ndjson .json .csv .tsv .parquet (and .jsonl.gz .json.gz .csv.gz .tsv.gz)"
             " .warc .warc.gz .rss .atom .xml")


@dataclass(frozen=True)
class ReadOptions:
    """How records are read: `mapping` storyline field -> the record's key (`--map`), and
    `date_order` ('dmy' or 'mdy') for numeric dates whose day and month could be swapped."""

    mapping: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None


@dataclass
class IngestReport:
    added: int = 0
    duplicates: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    files: int = 0
    missing: list[str] = field(default_factory=list)  # inputs that are no file or folder (or a URL)
    skipped: list[str] = field(default_factory=list)  # database files a folder walk passed over
    warnings: int = 0  # articles stored with a warning (see `storyline rejections --warnings`)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (id given, id stored): the id was taken
    # input -> Counter of notices ("'body' read as text"): how each input's fields were read
    notices: dict[str, Counter[str]] = field(default_factory=dict)

    def reasons(self) -> Counter[str]:
        return Counter(r.reason for r in self.rejections)


def ingest(
    store: Store, paths: Iterable[str], stdin: BinaryIO | None = None, options: ReadOptions | None = None,
) -> IngestReport:
    """Store every article found under `paths` (files, folders, or '-' for JSONL on stdin)."""
    options = options or ReadOptions()
    report = IngestReport()
    own = _own_files(store)
    for path in paths:
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            _store_all(store, "-", read_jsonl(stream, "-", "stdin", options), report)
            report.files += 1
            continue
        if is_url(path):
            report.missing.append(path)
            _reject(store, report, Rejection(
                path, "", "not a file", "storyline reads files, never the network: download it first"
                " (curl -o page.html URL, or a crawler writing WARC) and ingest the file"))
            continue
        root = Path(path)
        if not root.exists():
            report.missing.append(path)
            _reject(store, report, Rejection(path, "", "not found", "no such file or folder"))
            continue
        if root.is_dir():
            files = []
            for p in sorted(p for p in root.rglob("*") if p.is_file() and not _hidden(p, root)):
                if p.name.lower().endswith(DATABASE_SUFFIXES) or p.resolve() in own:
                    report.skipped.append(str(p))
                else:
                    files.append(p)
        else:
            files = [root]
        for file in files:
            report.files += 1
            _store_all(store, str(file), read_file(file, options), report)
    return report


def is_url(path: str) -> bool:
    return path.lower().startswith(("http://", "https://", "ftp://", "s3://", "gs://"))


def _own_files(store: Store) -> set[Path]:
    if store.path == ":memory:":
        return set()
    db = Path(store.path).resolve()
    return {db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _reject(store: Store, report: IngestReport, rejection: Rejection) -> None:
    # A library's error text may hold the whole input (a 32 MB bomb's): every field is capped.
    rejection = Rejection(short_error(rejection.source, 500), short_error(rejection.locator, 100),
                          short_error(rejection.reason, 100), short_error(rejection.detail))
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
            if item.notices:
                report.notices.setdefault(source, Counter()).update(item.notices)
            try:
                status, stored_id = store.add_article(
                    article_id=item.article_id, fmt=item.fmt, raw=item.raw, encoding=item.encoding,
                    source=source, locator=item.locator, body_field=item.body_field,
                    identity=item.identity, url=item.url, title=item.title, outlet=item.outlet,
                    published=item.published, language=item.language, meta=item.meta,
                    published_at=item.published_at, published_raw=item.published_raw, warnings=item.warnings,
                )
            except (ValueError, TypeError, OverflowError) as exc:  # a value SQLite cannot hold: this item only
                _reject(store, report, Rejection(source, item.locator, "cannot be stored", f"{type(exc).__name__}: {exc}"))
                continue
            if status == "added":
                report.added += 1
                report.warnings += bool(item.warnings) or stored_id != item.article_id
                if stored_id != item.article_id:
                    report.renamed.append((item.article_id, stored_id))
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


def read_file(path: Path, options: ReadOptions | None = None) -> Iterator[Item | Rejection]:
    """Items of one file, chosen by its extension."""
    options = options or ReadOptions()
    name = path.name.lower()
    source = str(path)
    inner = Path(name[:-3]).suffix if name.endswith(".gz") else ""
    try:
        if name.endswith(WARC_SUFFIXES):
            from storyline.ingest.warc import read_warc

            yield from read_warc(path)
        elif path.suffix.lower() in JSONL_EXTENSIONS or inner in JSONL_EXTENSIONS:
            from storyline.ingest.datasets import open_maybe_gzip

            with open_maybe_gzip(path) as stream:
                yield from read_jsonl(stream, source, Path(path.name.removesuffix(".gz")).stem, options)
        elif path.suffix.lower() in RECORD_EXTENSIONS or inner in RECORD_EXTENSIONS - {".parquet"}:
            from storyline.ingest.datasets import read_records

            yield from read_records(path, options.mapping, options.date_order)
        elif path.suffix.lower() in TEXT_EXTENSIONS | HTML_EXTENSIONS:
            yield from read_single(path)
        elif path.suffix.lower() in FEED_EXTENSIONS:
            from storyline.ingest.feeds import read_feed

            yield from read_feed(path)
        else:
            yield Rejection(
                source, "", "unsupported format",
                f"extension {path.suffix or '(none)'!r}; storyline reads {SUPPORTED}",
            )
    except LimitExceeded as exc:
        yield Rejection(source, "", "too large", str(exc))
    except (OSError, EOFError) as exc:
        yield Rejection(source, "", "unreadable", str(exc))
    except Exception as exc:  # noqa: BLE001  a third-party parser's own error: this file's rejection, never a crash
        yield Rejection(source, "", "unreadable", f"{type(exc).__name__}: {exc}; the items read before it were kept")


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


def read_jsonl(stream: BinaryIO, source: str, stem: str, options: ReadOptions | None = None) -> Iterator[Item | Rejection]:
    """One article per line: `text` or `html` required (or their aliases, or --map); other
    known fields are optional; every other field is kept as metadata."""
    options = options or ReadOptions()
    for line_no, (line, size) in enumerate(_lines(stream), start=1):
        locator = f"line {line_no}"
        if line is None:  # never held whole: its bytes were counted and dropped
            yield Rejection(source, locator, "too large", f"{size} bytes; the limit is {MAX_ITEM_BYTES} per article")
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
        yield record_item(
            record, raw=line.rstrip(b"\r\n"), source=source, locator=locator,
            default_id=f"{stem}-{line_no}", mapping=options.mapping, date_order=options.date_order,
        )


def _lines(stream: BinaryIO) -> Iterator[tuple[bytes | None, int]]:
    """(line, size), a line over the limit as (None, its size): see limits.bounded_lines."""
    if isinstance(stream, io.TextIOBase):  # a text stream handed in by a caller
        for text in stream:
            line = text.encode("utf-8", "surrogatepass")
            yield (line if len(line) <= MAX_ITEM_BYTES else None), len(line)
        return
    yield from bounded_lines(stream, MAX_ITEM_BYTES)
