"""What every store mixin relies on: the connection and the transaction helper."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager


def chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """Slices small enough for one `IN (?, ?, ...)` list."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StoreBase:
    db: sqlite3.Connection
    path: str

    def transaction(self) -> AbstractContextManager[None]:  # implemented by Store
        raise NotImplementedError
