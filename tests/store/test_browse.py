"""The browsing listings (store/browse.py): originals of reprint groups, the outlet table's
cache, partial name filters."""

from __future__ import annotations

import shutil

from storyline.store import Store
from storyline.store.browse import like_pattern, original_of


def test_the_original_is_the_earliest_dated_copy_else_the_fullest():
    copies = [{"id": "a", "published": "2017-11-05", "chars": 900}, {"id": "b", "published": "2017-11-04", "chars": 500},
              {"id": "c", "published": None, "chars": 2000}]
    assert original_of(copies) == ("b", "earliest dated copy")
    undated = [dict(c, published=None) for c in copies]
    assert original_of(undated) == ("c", "fullest copy (no copy has a date)")


def test_like_patterns_match_percent_and_underscore_as_themselves(store):
    store.db.execute("CREATE TEMP TABLE t (v TEXT)")
    store.db.executemany("INSERT INTO t VALUES (?)", [("100% News",), ("100 News",), ("a_b",), ("axb",)])
    def match(text):
        return sorted(r[0] for r in store.db.execute("SELECT v FROM t WHERE v LIKE ? ESCAPE '\\'", (like_pattern(text),)))
    assert match("0%") == ["100% News"] and match("a_b") == ["a_b"] and match("NEWS") == ["100 News", "100% News"]


def test_the_outlet_table_follows_writes_by_another_connection(seeded_db, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copyfile(seeded_db, path)
    with Store(path) as reader, Store(path) as writer:
        before = {o["outlet"]: o["articles"] for o in reader.browse_outlets()}
        assert before.get("Egypt Today") == 1
        with writer.transaction():
            writer.db.execute("UPDATE clean_articles SET outlet = 'Egypt Today' WHERE outlet IS NULL")
        after = {o["outlet"]: o["articles"] for o in reader.browse_outlets()}
        assert after["Egypt Today"] > 1


def test_an_outlet_fragment_finds_the_same_stories_by_either_path(seeded_db, monkeypatch):
    import storyline.store.web as web

    with Store(seeded_db) as s:
        for fragment in ("egypt", "NEWS", "e", "nowhere"):
            few = s.web_stories(outlet=fragment, limit=100)
            monkeypatch.setattr(web, "FEW_OUTLETS", 0)  # every fragment takes the many-outlets path
            many = s.web_stories(outlet=fragment, limit=100)
            monkeypatch.setattr(web, "FEW_OUTLETS", 3)
            assert few == many, fragment
        assert s.web_stories(outlet="egypt")[0] == 1
