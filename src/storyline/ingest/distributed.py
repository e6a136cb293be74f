"""Reading inputs in Spark executors and storing them on the driver, as `ingest` does.

The files are parsed in the executors by the same readers as `storyline ingest`
(`read_file`: JSONL, JSON, CSV, Parquet, HTML, WARC, txt, feeds); the driver stores the
items file by file in the order `ingest` would (each folder walked in sorted order, the
same files skipped), with the same sources, so the store, and everything made from it,
equals a local ingest of the same paths. A file a reader fails on becomes a rejection
naming it; it never fails the job.

Local paths (and `file:` URIs) must be readable at the same path by every executor (a
local master, or a shared filesystem). Other URIs (hdfs://, s3a://, gs://, ...) are read
through Spark's Hadoop filesystems (`binaryFiles`), each file's bytes handed to the reader
in a temporary file of the same name.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from storyline.ingest import (
    DATABASE_SUFFIXES,
    IngestReport,
    ReadOptions,
    _hidden,
    _own_files,
    _reject,
    _store_all,
    read_file,
)
from storyline.ingest.items import Item
from storyline.records import Rejection
from storyline.store import Store

NEVER_FETCHED = ("http://", "https://", "ftp://")


def _has_scheme(path: str) -> bool:
    head, sep, _ = path.partition("://")
    return bool(sep) and head.isalnum()


def read_one(source: str, local: str, options: ReadOptions) -> list[Item | Rejection]:
    """The items of one file (in an executor). An unexpected failure of a reader keeps the
    items read before it and becomes a rejection naming the file."""
    items: list[Item | Rejection] = []
    try:
        for item in read_file(Path(local), options):
            if isinstance(item, Rejection) and source != local:
                item = Rejection(source, item.locator, item.reason, item.detail)
            items.append(item)
    except Exception as exc:  # a reader's bug must not fail the job: one file, one rejection
        items.append(Rejection(source, "", "unreadable", f"{type(exc).__name__}: {exc}"))
    return items


def _read_local(rows: Iterable[tuple[int, str]], options: ReadOptions) -> Iterator[tuple[int, str, list]]:
    for index, path in rows:
        yield index, path, read_one(path, path, options)


def _read_remote(rows: Iterable[tuple[str, bytes]], options: ReadOptions) -> Iterator[tuple[str, list]]:
    for uri, data in rows:
        name = uri.rstrip("/").rsplit("/", 1)[-1] or "input"
        with tempfile.TemporaryDirectory(prefix="storyline-") as tmp:
            local = Path(tmp) / name
            local.write_bytes(data)
            yield uri, read_one(uri, str(local), options)


def list_local(store: Store, root: Path, report: IngestReport) -> list[Path]:
    """The files `ingest` reads under `root`, in its order; the database files it skips are
    added to `report.skipped`."""
    if not root.is_dir():
        return [root]
    own = _own_files(store)
    files = []
    for p in sorted(p for p in root.rglob("*") if p.is_file() and not _hidden(p, root)):
        if p.name.lower().endswith(DATABASE_SUFFIXES) or p.resolve() in own:
            report.skipped.append(str(p))
        else:
            files.append(p)
    return files


def ingest_spark(store: Store, paths: Iterable[str], session: Any, options: ReadOptions | None = None,
                 partitions: int | None = None) -> IngestReport:
    """Store every article under `paths`, the files parsed in Spark's executors."""
    options = options or ReadOptions()
    sc = session.sparkContext
    report = IngestReport()
    slices = partitions or 2 * sc.defaultParallelism
    for path in paths:
        if path == "-" or path.lower().startswith(NEVER_FETCHED):
            report.missing.append(path)
            why = ("a Spark run reads files, not standard input" if path == "-" else
                   "storyline reads files, never the network: download it first")
            _reject(store, report, Rejection(path, "", "not a file", why))
            continue
        if _has_scheme(path) and not path.startswith("file:"):
            _store_remote(store, path, sc, options, report, slices)
            continue
        root = Path(path.removeprefix("file://") if path.startswith("file://") else path.removeprefix("file:"))
        if not root.exists():
            report.missing.append(path)
            _reject(store, report, Rejection(path, "", "not found", "no such file or folder"))
            continue
        files = [str(p) for p in list_local(store, root, report)]
        if not files:
            continue
        rdd = sc.parallelize(list(enumerate(files)), numSlices=max(1, min(len(files), slices)))
        read = rdd.mapPartitions(lambda rows: _read_local(rows, options))
        # toLocalIterator: one partition's items on the driver at a time, in file order
        for _, source, items in read.toLocalIterator():
            report.files += 1
            _store_all(store, source, iter(items), report)
    return report


def _store_remote(store: Store, uri: str, sc: Any, options: ReadOptions, report: IngestReport, slices: int) -> None:
    try:
        files = sc.binaryFiles(uri, minPartitions=slices)
        read = files.mapPartitions(lambda rows: _read_remote(rows, options)).sortByKey()
        found = 0
        for source, items in read.toLocalIterator():
            found += 1
            report.files += 1
            _store_all(store, source, iter(items), report)
    except Exception as exc:  # no such path, no connector for the scheme: that input, not the run
        report.missing.append(uri)
        _reject(store, report, Rejection(uri, "", "not found", f"Spark cannot read it: {str(exc).splitlines()[0]}"))
        return
    if not found:
        report.missing.append(uri)
        _reject(store, report, Rejection(uri, "", "not found", "no files there"))
