"""Stage errors: the items a stage could not process, each with its error, until a run
processes them. The executor records them; `storyline rejections --stage` lists them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storyline.store.base import StoreBase, chunks

# A stage error's text is the exception's: capped, as a library may put its whole input in it.
MAX_ERROR_CHARS = 300


def short_error(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """`text` on one line, cut to `limit` characters with a note of how much was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 30].rstrip() + f" ... ({len(text) - limit + 30} more chars)"


class StageErrorStore(StoreBase):
    def record_stage_errors(self, stage: str, version: int, errors: dict[str, str], when: str) -> None:
        """item id -> error text; an item already listed counts one more attempt."""
        with self.transaction():
            self.db.executemany(
                "INSERT INTO stage_errors (stage, item_id, stage_version, error, attempts, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (stage, item_id) DO UPDATE SET"
                " error = excluded.error, stage_version = excluded.stage_version,"
                " attempts = attempts + 1, last_seen = excluded.last_seen",
                [(stage, item, version, short_error(error), when, when) for item, error in sorted(errors.items())],
            )

    def clear_stage_errors(self, stage: str, ids: Sequence[str]) -> None:
        """The items of `ids` a stage has now processed lose their error."""
        for chunk in chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM stage_errors WHERE stage = ? AND item_id IN ({marks})",
                            (stage, *chunk))

    def stage_errors(self, stage: str | None = None) -> list[dict[str, Any]]:
        """{stage, item, version, error, attempts, first_seen, last_seen}, oldest first."""
        sql = ("SELECT stage, item_id, stage_version, error, attempts, first_seen, last_seen FROM stage_errors"
               + (" WHERE stage = ?" if stage else "") + " ORDER BY first_seen, stage, item_id")
        rows = self.db.execute(sql, (stage,) if stage else ())
        keys = ("stage", "item", "version", "error", "attempts", "first_seen", "last_seen")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def count_stage_errors(self) -> int:
        return self.db.execute("SELECT count(*) FROM stage_errors").fetchone()[0]
