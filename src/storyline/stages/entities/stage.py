"""Entities: the people, organisations and places each article names, resolved across articles.

The stage binds the plain functions of extract.py to the store: per article (`process`, no
I/O) spaCy's NER spans checked against the gazetteer and the curated organisation table,
geocoded in the article's context; corpus-wide (`finish`, `resolve`) mentions become
entities with aliases. extract.py's docstring says how each step decides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

from storyline.records import ArticleEntities, CleanArticle
from storyline.stages.base import first_chars
from storyline.stages.entities.extract import extract, resolve


class EntityStage:
    """People, organisations and places per article; aliases resolved corpus-wide in finish."""

    name: ClassVar[str] = "entities"
    version: ClassVar[int] = 1
    batch_size: ClassVar[int] = 32

    def pending(self, store) -> list[str]:
        return store.pending_entities(self.version)

    def load(self, store, ids: Sequence[str]) -> list[CleanArticle]:
        return first_chars(store.clean_articles(ids))

    def process(self, batch: list[CleanArticle]) -> list[ArticleEntities]:
        return extract(batch)

    def save(self, store, results: list[ArticleEntities]) -> None:
        store.save_entity_mentions(results, self.version)

    def finish(self, store) -> dict[str, Any]:
        fingerprint = store.entity_mentions_fingerprint()
        if store.stage_done(self.name, self.version, fingerprint):
            return {"entities": store.count_entities()}
        entities, links = resolve(store.all_entity_mentions())
        with store.transaction():
            store.replace_entities(entities, links)
            store.mark_stage_done(self.name, self.version, fingerprint)
        kinds = Counter(e.kind for e in entities)
        return {"entities": len(entities), **{f"{k}s": v for k, v in sorted(kinds.items())}}
