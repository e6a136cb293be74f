"""What every store mixin relies on: the connection and the transaction helper."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any


def chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """Slices small enough for one `IN (?, ?, ...)` list."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StoreBase:
    db: sqlite3.Connection
    path: str

    def transaction(self) -> AbstractContextManager[None]:  # implemented by Store
        raise NotImplementedError

    def values_by_id(self, table: str, key: str, value: str, ids: Sequence[str]) -> dict[str, Any]:
        """key -> value for the rows of `table` whose `key` is one of `ids` (missing ids are absent).
        `table`, `key` and `value` are names written in our code, never data; ids are parameters."""
        out: dict[str, Any] = {}
        for chunk in chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(
                f"SELECT {key}, {value} FROM {table} WHERE {key} IN ({marks})", tuple(chunk)))
        return out
