"""Store methods of summaries and timelines (filled by that stage)."""

from __future__ import annotations

from storyline.store.base import StoreBase


class SummaryStore(StoreBase):
    pass
