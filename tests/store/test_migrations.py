"""Migrations: numbered forward, and a database of the previous release opens upgraded."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import sqlite3
import threading

import pytest

from storyline.errors import DamagedStoreError
from storyline.export import export
from storyline.ingest import ingest
from storyline.store import Store
from storyline.store.migrations import MIGRATIONS
from tests.helpers import FIXTURES as BASE_FIXTURES

FIXTURES = BASE_FIXTURES / "upgrade"
# Numbers below this were each used twice before the rule; they stay, as databases hold them.
FIRST_UNIQUE = 16


def test_migration_names_are_unique_and_numbered_forward_from_0016():
    names = [name for name, _ in MIGRATIONS]
    assert len(set(names)) == len(names)
    prefixes = [int(name.split("_", 1)[0]) for name in names]
    later = [p for p in prefixes if p >= FIRST_UNIQUE]
    assert len(set(later)) == len(later), f"a migration number from {FIRST_UNIQUE:04d} on is used twice"
    assert later == sorted(later), "new migrations go at the end, in number order"
    tail = prefixes[prefixes.index(later[0]):] if later else []
    assert tail == later, "once numbers reach 0016, every later migration takes a new number"


def test_a_fresh_database_applies_every_migration(tmp_path):
    with Store(tmp_path / "new.db") as store:
        assert store.migrations() == sorted(name for name, _ in MIGRATIONS)


def _exported(store: Store, what: str) -> list[dict]:
    out = io.BytesIO()
    export(store, what, "jsonl", out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_database_made_by_the_previous_release_upgrades_and_reads_the_same(tmp_path):
    """demo-0ce9d18.db is `storyline demo` as released at commit 0ce9d18; its exports then are
    in exports-0ce9d18.json. Opened now, it gains the newer migrations and exports the same
    fields with the same values (and may add fields),
    but for one planned change: a summary's disputes are now the events stage's (what
    `claims --disputed` lists), no longer the summaries stage's own."""
    db = tmp_path / "prev.db"
    with gzip.open(FIXTURES / "demo-0ce9d18.db.gz", "rb") as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    with gzip.open(FIXTURES / "exports-0ce9d18.json.gz", "rt", encoding="utf-8") as f:
        expected = json.load(f)
    with Store(db) as store:
        assert store.migrations() == sorted(name for name, _ in MIGRATIONS)
        for what, rows in expected.items():
            got = _exported(store, what)
            if rows:  # later versions add fields, never rename or change one: compare those it had
                got = [{k: row[k] for k in rows[0] if k in row} for row in got]
            if what == "summaries":
                disputed = {f["article_id"] for d in store.disputes() for f in d["figures"]}
                assert disputed, "the demo's 1,500 vs 2,500-3,500 fighters dispute is stored"
                for row in got:
                    assert {f["article_id"] for d in row.pop("disputes") for f in d["figures"]} <= disputed
                rows = [{k: v for k, v in row.items() if k != "disputes"} for row in rows]
            assert got == rows, f"{what} differ after the upgrade"
    # and the pipeline runs on it: nothing pending is lost, the summaries are all there
    from storyline.pipeline import run_pipeline

    with Store(db) as store:
        run_pipeline(store)
        assert len(_exported(store, "summaries")) == len(expected["summaries"])


def test_many_openers_of_a_new_database_at_once_migrate_it_once(tmp_path):
    """Each opener reads what is applied under the write lock: none sees a half-made schema
    (it failed with "table ... already exists" when two migrated at once)."""
    path = tmp_path / "new.db"
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def open_it() -> None:
        start.wait()
        try:
            with Store(path) as store:
                store.count_articles()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(path) as store:
        assert store.migrations() == sorted(name for name, _ in MIGRATIONS)


def test_a_read_only_database_is_read_and_never_written(tmp_path, seeds):
    path = tmp_path / "ro.db"
    with Store(path) as store:
        ingest(store, [str(p) for p in seeds])
    with Store(path, read_only=True) as store:
        assert store.count_articles() == len(seeds)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.db.execute("DELETE FROM articles")
    with Store(path) as store:
        assert store.count_articles() == len(seeds)


def test_a_damaged_database_is_named_with_integrity_check(tmp_path, seeds):
    path = tmp_path / "bad.db"
    with Store(path) as store:
        ingest(store, [str(p) for p in seeds])
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    for n in range(2, len(data) // page):  # every page but the header's: damaged
        data[n * page + 100 : n * page + 400] = b"\xff" * 300
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedStoreError, match="PRAGMA integrity_check"):
        with Store(path) as store:
            store.check_integrity()


def test_the_integrity_check_is_bounded_in_time(tmp_path, seeds):
    with Store(tmp_path / "ok.db") as store:
        ingest(store, [str(p) for p in seeds])
        store.check_integrity(seconds=0.0)  # out of time at once: nothing found, no error
        store.check_integrity()
        assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == len(seeds)
