"""Cleaning: page furniture out, clean text and metadata in.

Plain text goes straight to the line classifier (lines.py). HTML goes through
trafilatura first (main text and HTML metadata), then the same classifier. Removed lines are
kept with their reason, never lost. Metadata (title, outlet, dateline, wire credits,
authors, language, publication date) comes from metadata.py and
published.py, each value with its source and confidence.

The classifier's second signal is repetition within one outlet: a short line shape found on
several articles of the same outlet is that outlet's furniture. The stage records each
article's line shapes per outlet when it saves; `finish` re-cleans the articles whose
outlet's furniture changed since they were cleaned (an outlet's first articles are cleaned
before its repeated lines are known). `process` stays a pure function: the outlet's known
furniture travels in with each article (`CleanInput`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from storyline.records import CleanArticle
from storyline.stages.clean.article import (
    MIN_OUTLET_ARTICLES,
    CleanInput,
    clean_article,
    furniture_key,
    outlet_key,
)
from storyline.store import Store


class CleanStage:
    name: ClassVar[str] = "clean"
    version: ClassVar[int] = 3
    batch_size: ClassVar[int] = 200

    def pending(self, store: Store) -> list[str]:
        return store.pending_clean(self.version)

    def load(self, store: Store, ids: Sequence[str]) -> list[CleanInput]:
        raws = store.raw_articles(ids)
        keys = {raw.id: outlet_key(raw) for raw in raws}
        furniture = store.outlet_furniture({k for k in keys.values() if k}, MIN_OUTLET_ARTICLES)
        return [CleanInput(raw, furniture.get(keys[raw.id] or "", frozenset())) for raw in raws]

    def process(self, batch: list[CleanInput]) -> list[CleanArticle]:
        return [clean_article(item.raw, item.outlet_furniture) for item in batch]

    def save(self, store: Store, results: list[CleanArticle]) -> None:
        store.save_clean(results, self.version)

    def finish(self, store: Store) -> dict:
        """Re-clean the articles whose outlet's repeated lines changed since they were cleaned."""
        recleaned = 0
        for _ in range(3):  # shapes do not depend on the furniture, so one round settles it
            stale = [
                article_id for article_id, stored, shapes in store.furniture_state(MIN_OUTLET_ARTICLES)
                if furniture_key(shapes) != stored
            ]
            if not stale:
                break
            for start in range(0, len(stale), self.batch_size):
                chunk = stale[start : start + self.batch_size]
                self.save(store, self.process(self.load(store, chunk)))
            recleaned += len(stale)
        return {"recleaned for outlet furniture": recleaned} if recleaned else {}
