"""The one place that talks to the database.

An embedded SQLite file (WAL mode, one writer) by default. Every other module goes through
`Store`; no other module builds SQL, and no SQL is ever built from article text or URLs
(values always travel as parameters).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: runs are not serialized there
    fcntl = None  # type: ignore[assignment]

from storyline.errors import DamagedStoreError, NotFoundError, StoreError
from storyline.records import RawArticle, Rejection
from storyline.settings import BY_NAME
from storyline.store.base import chunks
from storyline.store.browse import BrowseStore
from storyline.store.clean import CleanStore
from storyline.store.entities import EntityStore
from storyline.store.events import EventStore
from storyline.store.feeds import FeedStore
from storyline.store.migrations import MIGRATIONS
from storyline.store.reprints import ReprintStore
from storyline.store.search import SearchStore
from storyline.store.stage_errors import StageErrorStore, short_error
from storyline.store.stories import StoryStore
from storyline.store.summaries import SummaryStore
from storyline.store.web import WebStore

DEFAULT_DB = BY_NAME["db"].default
INTEGRITY_CHECK_SECONDS = 2.0  # how long ingest and run check a store before writing (README, Limits)  # what Store() opens; the CLI resolves $STORYLINE_DB first


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(fmt: str, body: bytes, url: str | None) -> str:
    """Identity of an input item: the same bytes at the same URL are one article.

    The URL is part of it because one wire text at two addresses is two articles (two
    carriers), which the reprint stage then groups.
    """
    digest = hashlib.sha256()
    for part in (fmt.encode(), b"\0", (url or "").encode(), b"\0", body):
        digest.update(part)
    return digest.hexdigest()


class Store(CleanStore, ReprintStore, StoryStore, EntityStore, SummaryStore, WebStore, SearchStore, BrowseStore,
            EventStore, StageErrorStore, FeedStore):
    """A storyline database: raw inputs byte for byte, and everything derived from them.

    Stage-specific methods live in one mixin per stage (store/clean.py, store/reprints.py,
    ...); this class adds the core: opening, migrations, transactions, raw articles, runs.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_DB, read_only: bool = False):
        self.path = str(path)
        self.read_only = read_only
        if self.path != ":memory:":
            parent = Path(self.path).resolve().parent
            if not parent.is_dir():
                raise StoreError(f"cannot create database {self.path}: folder {parent} does not exist")
        try:
            if read_only:
                self.db = _connect_read_only(self.path)
                self._check_schema_read_only()
            else:
                self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                self.db.execute("PRAGMA busy_timeout=30000")  # before WAL: another process may be making it
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.execute("PRAGMA foreign_keys=ON")
                self._migrate()
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise DamagedStoreError(damaged_message(self.path, exc)) from exc
            raise StoreError(f"cannot open {self.path} as a storyline database: {exc}") from exc
        self._depth = 0

    @classmethod
    def for_reading(cls, path: str | os.PathLike[str]) -> Store:
        """The store at `path` for a command that only reads: opened as usual (upgraded if need
        be) where the file and its folder can be written, else read-only."""
        path = str(path)
        if path == ":memory:" or (os.access(path, os.W_OK) and os.access(Path(path).resolve().parent, os.W_OK)):
            return cls(path)
        return cls(path, read_only=True)

    # -- plumbing -------------------------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: a batch of stage output lands whole or not at all (kill -9 safe)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    def _migrate(self) -> None:
        # Under one write lock (BEGIN IMMEDIATE), read what is applied and apply the rest: two
        # processes opening a new database at once then migrate it once, the second after
        # the first, never both (which failed with "table ... already exists"). A store
        # with every migration applied is opened without the lock, so readers never wait
        # for a writer's transaction.
        known = {name for name, _ in MIGRATIONS}
        has_table = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone()
        if has_table and {row[0] for row in self.db.execute("SELECT name FROM migrations")} == known:
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            applied = {row[0] for row in self.db.execute("SELECT name FROM migrations")}
            unknown = applied - known
            if unknown:
                raise StoreError(
                    f"{self.path} was written by a newer storyline (migrations {sorted(unknown)}); "
                    "upgrade storyline to open it"
                )
            for name, sql in MIGRATIONS:
                if name in applied:
                    continue
                for statement in _statements(sql):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO migrations VALUES (?, ?)", (name, now()))
        except BaseException:
            self.db.execute("ROLLBACK")  # a failed migration leaves no trace
            raise
        self.db.execute("COMMIT")

    def _check_schema_read_only(self) -> None:
        has = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'migrations'").fetchone()
        applied = {row[0] for row in self.db.execute("SELECT name FROM migrations")} if has else set()
        known = {name for name, _ in MIGRATIONS}
        if applied - known:
            raise StoreError(f"{self.path} was written by a newer storyline (migrations {sorted(applied - known)});"
                             " upgrade storyline to open it")
        if known - applied:
            raise StoreError(f"{self.path} needs an upgrade this version makes on opening, and it is read-only:"
                             " open it once where it can be written (or copy it)")

    def check_integrity(self, seconds: float = INTEGRITY_CHECK_SECONDS) -> None:
        """Raise DamagedStoreError when SQLite's quick_check finds the file damaged: a command that
        writes checks first, so it does not add to a damaged database. The check reads every
        page (about 10 ms a MB), so on a large store it stops after `seconds`, having found
        nothing; damage met later is still an error naming the fix (cli.main), never a traceback."""
        deadline = time.monotonic() + seconds
        self.db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            found = [row[0] for row in self.db.execute("PRAGMA quick_check(5)")]
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                return  # out of time, nothing found so far
            if not is_damage(exc):
                raise
            raise DamagedStoreError(damaged_message(self.path, exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise DamagedStoreError(damaged_message(self.path, exc)) from exc
        finally:
            self.db.set_progress_handler(None, 0)
        if found != ["ok"]:
            raise DamagedStoreError(damaged_message(self.path, "; ".join(found)[:300]))

    @contextmanager
    def run_lock(self, waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """Held while a run processes this store: a second run waits for the first (calling
        `waiting` once first) and then finds its work done. An advisory lock on the database
        file (flock, apart from SQLite's own locks); released when the process ends, however."""
        if self.path == ":memory:" or fcntl is None:
            yield
            return
        with open(self.path, "rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None:
                    waiting()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def migrations(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT name FROM migrations ORDER BY name")]

    # -- ingest ---------------------------------------------------------------------------

    def add_article(
        self,
        *,
        article_id: str,
        fmt: str,
        raw: bytes,
        encoding: str,
        source: str,
        locator: str,
        body_field: str | None = None,
        identity: bytes | None = None,
        url: str | None = None,
        title: str | None = None,
        outlet: str | None = None,
        published: str | None = None,
        language: str | None = None,
        meta: dict[str, Any] | None = None,
        published_at: str | None = None,
        published_raw: str | None = None,
        warnings: Sequence[str] = (),
    ) -> tuple[str, str]:
        """Store one input item. Returns (status, id): status is 'added' or 'duplicate'.

        The same content is stored once: `identity` (default `raw`) is what is compared, so a
        JSONL line passes its body, not the whole line with its incidental fields. An id already taken by other content gets a
        suffix from the content hash, so nothing is overwritten.
        """
        digest = content_hash(fmt, raw if identity is None else identity, url)
        row = self.db.execute("SELECT id FROM articles WHERE content_hash = ?", (digest,)).fetchone()
        if row:
            return "duplicate", row[0]
        final_id = article_id
        if self.db.execute("SELECT 1 FROM articles WHERE id = ?", (final_id,)).fetchone():
            final_id = f"{article_id}~{digest[:8]}"
            warnings = [*warnings, f"id {article_id!r} is taken by other content: stored as {final_id!r}"]
        self.db.execute(
            "INSERT INTO articles (id, content_hash, format, raw, encoding, body_field, url, title,"
            " outlet, published, language, meta, source, locator, ingested_at, published_at,"
            " published_raw, warnings)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                final_id, digest, fmt, raw, encoding, body_field, url, title, outlet, published, language,
                json.dumps(meta or {}, ensure_ascii=False, sort_keys=True, default=str), source, locator, now(),
                published_at, published_raw, json.dumps(list(warnings), ensure_ascii=False),
            ),
        )
        return "added", final_id

    def add_rejection(self, rejection: Rejection) -> None:
        self.db.execute(
            "INSERT INTO rejections (source, locator, reason, detail, first_seen)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, locator, reason) DO UPDATE SET detail = excluded.detail",
            # A library's error may hold the whole input: every field is capped.
            (short_error(rejection.source, 500), short_error(rejection.locator, 100),
             short_error(rejection.reason, 100), short_error(rejection.detail), now()),
        )

    def rejections(self) -> list[Rejection]:
        rows = self.db.execute(
            "SELECT source, locator, reason, detail FROM rejections ORDER BY id"
        ).fetchall()
        return [Rejection(*row) for row in rows]

    def article_warnings(self, article_id: str | None = None) -> list[dict[str, Any]]:
        """Warnings ingest stored with articles (a date it could not read, an ambiguous day and
        month): {article, source, locator, warning}, in arrival order."""
        sql = "SELECT id, source, locator, warnings FROM articles WHERE warnings != '[]'"
        params: tuple[str, ...] = ()
        if article_id is not None:
            sql += " AND id = ?"
            params = (article_id,)
        out = []
        for row in self.db.execute(sql + " ORDER BY seq", params):
            for warning in json.loads(row[3]):
                out.append({"article": row[0], "source": row[1], "locator": row[2], "warning": warning})
        return out

    # -- raw articles ---------------------------------------------------------------------

    def count_articles(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def article_ids(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM articles ORDER BY seq")]

    def raw_articles(self, ids: Sequence[str]) -> list[RawArticle]:
        out: dict[str, RawArticle] = {}
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                "SELECT id, seq, format, raw, encoding, body_field, url, title, outlet, published,"
                f" language, meta, source, locator FROM articles WHERE id IN ({marks})",
                tuple(chunk),
            ):
                body = row[3].decode(row[4])
                if row[5]:
                    body = json.loads(body)[row[5]]
                out[row[0]] = RawArticle(
                    id=row[0], seq=row[1], format=row[2], body=body,
                    url=row[6], title=row[7], outlet=row[8], published=row[9], language=row[10],
                    meta=json.loads(row[11]), source=row[12], locator=row[13],
                )
        return [out[i] for i in ids if i in out]

    def raw_bytes(self, article_id: str) -> bytes:
        row = self.db.execute("SELECT raw FROM articles WHERE id = ?", (article_id,)).fetchone()
        if not row:
            raise NotFoundError(f"no article {article_id!r} in {self.path}")
        return row[0]

    def has_article(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    # -- corpus-stage completion markers --------------------------------------------------

    def table_fingerprint(self, table: str) -> str:
        """Changes whenever rows of `table` are added, replaced or removed.

        INSERT OR REPLACE gives a replaced row a new rowid, so count + max(rowid) + the sum
        of rowids moves on every change a stage makes.
        """
        if table not in _FINGERPRINT_TABLES:
            raise ValueError(f"no fingerprint for table {table!r}")
        if table in _CONTENT_FINGERPRINT:
            # Tables rewritten whole: rowids repeat, so hash the content itself.
            digest = hashlib.sha1()
            for row in self.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                digest.update(repr(row).encode())
            return digest.hexdigest()
        row = self.db.execute(f"SELECT count(*), max(rowid), total(rowid) FROM {table}").fetchone()
        return f"{row[0]}:{row[1]}:{int(row[2])}"

    def stage_done(self, stage: str, version: int, fingerprint: str) -> bool:
        row = self.db.execute(
            "SELECT version, fingerprint FROM stage_state WHERE stage = ?", (stage,)
        ).fetchone()
        return row is not None and row[0] == version and row[1] == fingerprint

    def mark_stage_done(self, stage: str, version: int, fingerprint: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO stage_state (stage, version, fingerprint, finished_at)"
            " VALUES (?, ?, ?, ?)",
            (stage, version, fingerprint, now()),
        )

    # -- runs -----------------------------------------------------------------------------

    def start_run(self, versions: dict[str, int], config: dict[str, Any]) -> int:
        """A run begins: the stages' versions and the resolved settings (settings.py) it uses."""
        cur = self.db.execute(
            "INSERT INTO runs (started_at, settings, config) VALUES (?, ?, ?)",
            (now(), json.dumps(versions), json.dumps(config)),
        )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, stats = ? WHERE id = ?", (now(), json.dumps(stats), run_id)
        )

    # -- export views ---------------------------------------------------------------------

    def export_articles(self) -> Iterator[dict[str, Any]]:
        """One row per article in arrival order, with everything the export shows."""
        rows = self.db.execute(
            "SELECT a.id, a.url, COALESCE(c.outlet, a.outlet), COALESCE(c.title, a.title),"
            " c.published, g.group_id, m.story_id, s.storyline_id, c.text, COALESCE(c.language, a.language),"
            " a.source, a.locator, c.metadata, c.removed, a.published_at, a.published_raw, a.meta, a.warnings"
            " FROM articles a LEFT JOIN clean_articles c ON c.article_id = a.id"
            " LEFT JOIN reprint_groups g ON g.article_id = a.id"
            " LEFT JOIN story_members m ON m.article_id = a.id"
            " LEFT JOIN stories s ON s.id = m.story_id ORDER BY a.seq"
        )
        for r in rows:
            metadata = json.loads(r[12]) if r[12] else {}
            published = metadata.get("published") or {}
            yield {
                "id": r[0], "url": r[1], "outlet": r[2], "title": r[3], "published": r[4],
                "reprint_group": r[5], "story": r[6], "storyline": r[7], "text": r[8],
                "language": r[9], "source": r[10], "locator": r[11],
                "metadata": metadata,
                "removed_lines": len(json.loads(r[13])) if r[13] else 0,
                # The metadata's main values, flat. Source and confidence describe `published`:
                # null with it (a month-only date stays in `metadata`).
                "published_source": published.get("source") if r[4] else None,
                "published_confidence": published.get("confidence") if r[4] else None,
                "dateline": (metadata.get("dateline") or {}).get("value"),
                "wire": [w["agency"] for w in (metadata.get("wire") or {}).get("value") or []],
                "authors": (metadata.get("authors") or {}).get("value") or [],
                "crawled_at": (metadata.get("crawled_at") or {}).get("value"),
                # Added with ingest's date reading: the date at the precision known (a month-only
                # or year-only date is null in `published`), the input's timestamp and own text,
                # the input record's own fields, and what ingest warned about.
                "published_value": published.get("value"),
                "published_precision": _PRECISION.get(len(published.get("value") or "")),
                "published_at": r[14], "published_raw": r[15],
                "meta": json.loads(r[16]) if r[16] else {},
                "warnings": json.loads(r[17]) if r[17] else [],
                "modified": (metadata.get("modified") or {}).get("value"),
            }


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of a migration's script, one at a time (executescript would commit
    the transaction the migrations run in)."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n\t;"):
                yield buffer
            buffer = ""
    if buffer.strip(" \n\t;"):
        yield buffer


def _connect_read_only(path: str) -> sqlite3.Connection:
    """A connection that never writes: `mode=ro`, else (a read-only folder, where SQLite cannot
    make the WAL's -shm file) `immutable=1`, which reads the file as it is."""
    uri = Path(path).resolve().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db


def is_damage(exc: BaseException) -> bool:
    """Whether a SQLite error means the file is damaged (not locked, not missing)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.DatabaseError) and any(
        s in text for s in ("malformed", "corrupt", "disk i/o error"))


def damaged_message(path: str, problem: object) -> str:
    return (
        f"{path} is damaged ({problem}). `sqlite3 {path} 'PRAGMA integrity_check'` lists what is wrong."
        f" To recover: keep a copy of the file; `sqlite3 {path} .recover | sqlite3 recovered.db` saves what"
        " can be read, then `storyline run --db recovered.db` rebuilds everything derived (clean text,"
        " reprints, stories, entities, events, summaries) from the raw inputs stored in it; or ingest the"
        " original inputs into a new database. storyline will not write to a damaged database."
    )


_PRECISION = {10: "day", 7: "month", 4: "year"}
_CONTENT_FINGERPRINT = {"reprint_groups", "story_members", "entities"}
_FINGERPRINT_TABLES = {
    "articles", "clean_articles", "reprint_signatures", "reprint_links", "reprint_groups",
    "stories", "story_members", "storylines",
    "article_extractions", "entities",
}
