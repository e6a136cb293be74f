"""A store's tables to Parquet and back (store/dump.py): the same rows, rowids kept, so every
command gives the same on the new store; bad folders are errors that write nothing."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from storyline.errors import StorylineError
from storyline.export import EXPORTS, export
from storyline.store import Store
from storyline.store.dump import _tables, dump_tables, load_tables


def _rows(store: Store) -> dict[str, list[tuple]]:
    out = {}
    for name, has_rowid in _tables(store.db):
        if name in ("migrations", "runs"):
            continue
        order = "rowid" if has_rowid else "1"
        out[name] = store.db.execute(f'SELECT {"rowid, " if has_rowid else ""}* FROM "{name}" ORDER BY {order}').fetchall()
    return out


def _exports(store: Store) -> dict[str, bytes]:
    out = {}
    for kind in EXPORTS:
        buffer = io.BytesIO()
        export(store, kind, "jsonl", buffer)
        out[kind] = buffer.getvalue()
    return out


def test_a_dumped_store_loads_back_row_for_row(seeded_db, tmp_path):
    with Store(seeded_db) as old:
        counts = dump_tables(old, tmp_path / "dump")
        rows, exports = _rows(old), _exports(old)
        fts = old.db.execute("SELECT rowid FROM article_fts WHERE article_fts MATCH 'Kamal' ORDER BY rowid").fetchall()
    assert counts["articles"] == 5 and counts["story_members"] == 5
    assert not any(name.startswith(("article_fts", "web_fts")) for name in counts)
    with Store(tmp_path / "new.db") as new:
        loaded = load_tables(new, tmp_path / "dump")
        assert loaded["articles"] == 5
        assert _rows(new) == rows
        assert _exports(new) == exports
        # the full-text index was filled again by its triggers
        assert new.db.execute("SELECT rowid FROM article_fts WHERE article_fts MATCH 'Kamal' ORDER BY rowid").fetchall() == fts
        assert new.db.execute("SELECT COUNT(*) FROM web_fts_story").fetchone()[0] == 5


def test_a_column_of_mixed_types_comes_back_as_it_was(tmp_path):
    with Store(tmp_path / "a.db") as store:
        # TEXT affinity keeps a blob a blob: one column, two types
        store.db.execute("INSERT INTO stage_state (stage, version, fingerprint, finished_at) VALUES ('y', 1, 'text', 'now')")
        store.db.execute("INSERT INTO stage_state (stage, version, fingerprint, finished_at) VALUES ('z', 1, X'00ff', 'now')")
        store.add_article(article_id="a", fmt="text", raw=b"Some text here.", encoding="utf-8", source="a.txt", locator="")
        dump_tables(store, tmp_path / "dump")
        before = store.db.execute("SELECT stage, fingerprint FROM stage_state ORDER BY stage").fetchall()
    assert pq.read_schema(tmp_path / "dump" / "stage_state.parquet").field("fingerprint").type == pa.string()
    with Store(tmp_path / "b.db") as store:
        load_tables(store, tmp_path / "dump")
        assert store.db.execute("SELECT stage, fingerprint FROM stage_state ORDER BY stage").fetchall() == before
    assert [type(v) for _, v in before] == [str, bytes]


def test_loading_refuses_a_store_with_articles_and_foreign_columns(seeded_db, tmp_path):
    with Store(seeded_db) as old:
        dump_tables(old, tmp_path / "dump")
    with Store(tmp_path / "full.db") as full:
        load_tables(full, tmp_path / "dump")
        with pytest.raises(StorylineError, match="already holds articles"):
            load_tables(full, tmp_path / "dump")
    table = pq.read_table(tmp_path / "dump" / "stories.parquet")
    pq.write_table(table.append_column('x"; DROP TABLE articles; --', pa.array(["x"] * table.num_rows)),
                   tmp_path / "dump" / "stories.parquet")
    with Store(tmp_path / "new.db") as new:
        with pytest.raises(StorylineError, match="not in table stories"):
            load_tables(new, tmp_path / "dump")
        assert new.count_articles() == 0  # one transaction: nothing of the dump landed
    (tmp_path / "dump" / "articles.parquet").unlink()
    with Store(tmp_path / "other.db") as other, pytest.raises(StorylineError, match="no articles.parquet"):
        load_tables(other, tmp_path / "dump")
