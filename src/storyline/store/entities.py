"""Store methods of entities, places, dates, events and figures (filled by that stage)."""

from __future__ import annotations

from storyline.store.base import StoreBase


class EntityStore(StoreBase):
    pass
