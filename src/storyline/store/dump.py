"""A store's own tables as Parquet files, and a store made again from them.

`dump_tables` writes every table of a store (rowids kept) to DIR/<table>.parquet; a
Spark run writes its driver's store so (`storyline spark run` puts them in
OUT/store/). `load_tables` fills a new store from such a folder: the rows land as they
were, so every command (`serve`, `stories`, `story`, `export`...) gives on the new store
what it gave on the old. The full-text tables are not dumped: the triggers that keep them
current fill them again as the rows go in.

Parquet columns have one type; a SQLite column may hold values of several (it never does
in storyline's tables, but a dump must not depend on that): such a column is written as
JSON text of tagged values and read back as it was.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from storyline.errors import StorylineError

# Kept current by triggers on clean_articles and story_members; filled again on load.
DERIVED = ("article_fts", "web_fts_story")
MIXED = b"storyline.mixed"


def _tables(db) -> list[tuple[str, bool]]:
    """(name, has rowid) of the store's ordinary tables, in creation order."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).fetchall()
    out = []
    for name, sql in rows:
        if name.startswith(DERIVED) or "VIRTUAL TABLE" in (sql or "").upper():
            continue
        out.append((name, "WITHOUT ROWID" not in (sql or "").upper()))
    return out


def _tag(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"b": base64.b64encode(value).decode()}
    return {"v": value}


def _untag(text: str | None) -> Any:
    if text is None:
        return None
    tagged = json.loads(text)
    return base64.b64decode(tagged["b"]) if "b" in tagged else tagged["v"]


def _column(values: list[Any]):
    import pyarrow as pa

    kinds = {type(v) for v in values if v is not None}
    if len(kinds) > 1:
        return pa.array([None if v is None else json.dumps(_tag(v)) for v in values], pa.string()), True
    kind = kinds.pop() if kinds else None
    arrow_type = {int: pa.int64(), float: pa.float64(), str: pa.string(), bytes: pa.binary()}.get(kind, pa.string())
    return pa.array(values, arrow_type), False


def dump_tables(store, out_dir: str | Path) -> dict[str, int]:
    """Every table of `store` to out_dir/<table>.parquet; returns rows per table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, has_rowid in _tables(store.db):
        cursor = store.db.execute(f'SELECT {"rowid AS _rowid, " if has_rowid else ""}* FROM "{name}"')
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        arrays, fields = [], []
        for i, col in enumerate(columns):
            array, mixed = _column([row[i] for row in rows])
            arrays.append(array)
            fields.append(pa.field(col, array.type, metadata={MIXED: b"1"} if mixed else None))
        pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), out / f"{name}.parquet")
        counts[name] = len(rows)
    return counts


def load_tables(store, in_dir: str | Path) -> dict[str, int]:
    """Fill `store` (a new, empty one) with the tables dumped in in_dir; one transaction.
    Returns rows per table. Tables the store does not have, or a store that already holds
    articles, are errors naming them; nothing is written then."""
    import pyarrow.parquet as pq

    folder = Path(in_dir)
    files = {p.stem: p for p in folder.glob("*.parquet")}
    if "articles" not in files:
        raise StorylineError(f"{folder}: no articles.parquet: not a dump of a storyline store")
    if store.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]:
        raise StorylineError(f"{store.path} already holds articles: import into a new database")
    known = dict(_tables(store.db))
    unknown = sorted(set(files) - set(known))
    if unknown:
        raise StorylineError(f"{folder}: tables {unknown} are not in this storyline's store: a newer storyline wrote them")
    if "migrations" in files:
        dumped = sorted(pq.read_table(files["migrations"], columns=["name"]).column("name").to_pylist())
        if dumped != store.migrations():
            raise StorylineError(f"{folder}: written by a storyline with other store migrations"
                                 f" ({sorted(set(dumped) ^ set(store.migrations()))}): import it with that version")
    counts = {}
    store.db.execute("PRAGMA foreign_keys=OFF")  # rows go in table by table, references resolve at the end
    try:
        with store.transaction():
            for name in [n for n, _ in _tables(store.db) if n in files and n != "migrations"]:
                table = pq.read_table(files[name])
                columns = table.column_names
                data = [table.column(c).to_pylist() for c in columns]
                for i, col in enumerate(columns):
                    if (table.schema.field(col).metadata or {}).get(MIXED):
                        data[i] = [_untag(v) for v in data[i]]
                names = ["rowid" if c == "_rowid" else c for c in columns]
                allowed = {row[1] for row in store.db.execute(f'PRAGMA table_info("{name}")')} | {"rowid"}
                if set(names) - allowed:
                    raise StorylineError(f"{files[name]}: columns {sorted(set(names) - allowed)} are not in table {name}")
                store.db.execute(f'DELETE FROM "{name}"')  # rows a migration seeded
                placeholders = ", ".join("?" for _ in names)
                quoted = ", ".join(f'"{c}"' if c != "rowid" else "rowid" for c in names)
                store.db.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({placeholders})', zip(*data, strict=True))
                counts[name] = table.num_rows
            problems = store.db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise StorylineError(f"{folder}: the tables do not fit together ({len(problems)} dangling references,"
                                     f" first in {problems[0][0]})")
    finally:
        store.db.execute("PRAGMA foreign_keys=ON")
    return counts
