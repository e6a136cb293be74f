"""storyline: turn overlapping news coverage into stories a person can trust.

The Python API, the same pipeline the CLI runs:

    import storyline

    report = storyline.ingest(["articles/"], db="news.db")   # files, folders, JSONL, HTML, WARC, feeds
    storyline.run(db="news.db")                              # clean, reprints, stories, ... summaries
    with storyline.open("news.db") as store:
        for story in store.stories():
            print(story["id"], story["title"])

The record types are imported on first use. The `storyline.ingest` package is imported here,
before the function `ingest` is defined: importing a subpackage the first time binds its name
on the parent, which would otherwise replace the function with the package.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

import storyline.ingest  # noqa: E402, F401 - before `def ingest` below, see the docstring

if TYPE_CHECKING:
    from storyline.executor.local import StageReport
    from storyline.ingest import IngestReport
    from storyline.store import Store

# The record types a user meets in results: name -> module holding it.
_LAZY = {
    "Store": "storyline.store",
    "IngestReport": "storyline.ingest",
    "StageReport": "storyline.executor.local",
    "RawArticle": "storyline.records",
    "CleanArticle": "storyline.records",
    "Rejection": "storyline.records",
    "Figure": "storyline.records",
    "Dispute": "storyline.records",
    "EntityMention": "storyline.records",
    "StorylineError": "storyline.errors",
    "NotFoundError": "storyline.errors",
    "StoreError": "storyline.errors",
}

__all__ = ["__version__", "open", "ingest", "run", *_LAZY]


def open(db: str | os.PathLike[str] | None = None) -> Store:  # noqa: A001 - storyline.open, like sqlite3.connect
    """Open (or create) a storyline database (default: $STORYLINE_DB, else ./storyline.db);
    use it as a context manager to close it."""
    from storyline.settings import value
    from storyline.store import Store

    return Store(value("db", db))


def ingest(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
           db: str | os.PathLike[str] | None = None, mapping: dict[str, str] | None = None,
           date_order: str | None = None) -> IngestReport:
    """Store every article under `paths` (files or folders) in `db`, as `storyline ingest` does.
    Bad inputs are not raised: they are in the report's `rejections` (and the store's), a
    missing path in its `missing` too. `mapping` and `date_order` as `--map` and `--date-order`."""
    from storyline.ingest import ReadOptions
    from storyline.ingest import ingest as ingest_paths

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    with open(db) as store:
        return ingest_paths(store, [os.fspath(p) for p in paths], options=ReadOptions(dict(mapping or {}), date_order))


def run(db: str | os.PathLike[str] | None = None, workers: int | None = None,
        embeddings: bool | None = None) -> list[StageReport]:
    """Process everything pending in `db`, as `storyline run` does (without a progress bar).
    `workers` and `embeddings` default as the settings say ($STORYLINE_WORKERS, else the
    cores, at most 4; $STORYLINE_EMBEDDINGS, else on). Safe to interrupt and call again."""
    from storyline.pipeline import run_pipeline
    from storyline.settings import value

    with open(db) as store:
        return run_pipeline(store, workers=value("workers", workers), embeddings=embeddings)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'storyline' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
