"""Migrations: numbered forward, and a database of the previous release opens upgraded."""

from __future__ import annotations

import gzip
import io
import json
import shutil

from storyline.export import export
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
    in exports-0ce9d18.json. Opened now, it gains the newer migrations and exports the same,
    but for planned changes: the articles' added `modified` field; a summary's disputes are now the events stage's (what
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
            if what == "summaries":
                disputed = {f["article_id"] for d in store.disputes() for f in d["figures"]}
                assert disputed, "the demo's 1,500 vs 2,500-3,500 fighters dispute is stored"
                for row in got:
                    assert {f["article_id"] for d in row.pop("disputes") for f in d["figures"]} <= disputed
                rows = [{k: v for k, v in row.items() if k != "disputes"} for row in rows]
            if what == "articles":  # a field added since: the page's last update, none on these texts
                assert all(row.pop("modified") is None for row in got)
            assert got == rows, f"{what} differ after the upgrade"
    # and the pipeline runs on it: nothing pending is lost, the summaries are all there
    from storyline.pipeline import run_pipeline

    with Store(db) as store:
        run_pipeline(store)
        assert len(_exported(store, "summaries")) == len(expected["summaries"])
