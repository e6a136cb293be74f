"""Store methods of the entities stage: mentions per article, entities with aliases."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from storyline.records import ArticleEntities, EntityMention
from storyline.store.base import StoreBase


class EntityStore(StoreBase):
    def pending_entities(self, version: int) -> list[str]:
        rows = self.db.execute(
            "SELECT c.article_id FROM clean_articles c JOIN articles a ON a.id = c.article_id"
            " LEFT JOIN entity_articles e ON e.article_id = c.article_id"
            " WHERE e.article_id IS NULL OR e.stage_version != ? OR e.source_rev != c.rowid"
            " ORDER BY a.seq",
            (version,),
        )
        return [row[0] for row in rows]

    def save_entity_mentions(self, results: Iterable[ArticleEntities], version: int) -> None:
        with self.transaction():
            for art in results:
                self.db.execute("DELETE FROM entity_mentions WHERE article_id = ?", (art.article_id,))
                self.db.executemany(
                    "INSERT INTO entity_mentions (article_id, n, start, end, text, label, kind, key, place, field)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (m.article_id, m.n, m.start, m.end, m.text, m.label, m.kind, m.key,
                         json.dumps(m.place, ensure_ascii=False) if m.place else None, m.field)
                        for m in art.mentions
                    ],
                )
                self.db.execute(
                    "INSERT OR REPLACE INTO entity_articles (article_id, source_rev, stage_version)"
                    " VALUES (?, (SELECT rowid FROM clean_articles WHERE article_id = ?), ?)",
                    (art.article_id, art.article_id, version),
                )

    def all_entity_mentions(self) -> list[EntityMention]:
        rows = self.db.execute(
            "SELECT article_id, n, start, end, text, label, kind, key, place, field FROM entity_mentions"
            " ORDER BY article_id, n"
        )
        return [EntityMention(*r[:8], json.loads(r[8]) if r[8] else None, r[9]) for r in rows]

    def entity_mentions(self, article_id: str) -> list[EntityMention]:
        rows = self.db.execute(
            "SELECT article_id, n, start, end, text, label, kind, key, place, field FROM entity_mentions"
            " WHERE article_id = ? ORDER BY n",
            (article_id,),
        )
        return [EntityMention(*r[:8], json.loads(r[8]) if r[8] else None, r[9]) for r in rows]

    def entity_mentions_fingerprint(self) -> str:
        """Changes whenever any article's mentions change (content hash: rows are rewritten)."""
        digest = hashlib.sha1()
        for row in self.db.execute("SELECT article_id, source_rev, stage_version FROM entity_articles ORDER BY 1"):
            digest.update(repr(row).encode())
        return digest.hexdigest()

    def replace_entities(self, entities: Iterable[Any], links: dict[tuple[str, int], str]) -> None:
        """Rewrite the corpus-wide entities (stages.entities.extract.Entity) and each mention's entity."""
        with self.transaction():
            self.db.execute("DELETE FROM entities")
            self.db.executemany(
                "INSERT INTO entities (id, kind, name, aliases, mentions, articles, lat, lon, country, place)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (e.id, e.kind, e.name, json.dumps(e.aliases, ensure_ascii=False), e.mentions,
                     json.dumps(e.articles), (e.place or {}).get("lat"), (e.place or {}).get("lon"),
                     (e.place or {}).get("country"),
                     json.dumps(e.place, ensure_ascii=False) if e.place else None)
                    for e in entities
                ],
            )
            self.db.execute("UPDATE entity_mentions SET entity_id = NULL")
            self.db.executemany(
                "UPDATE entity_mentions SET entity_id = ? WHERE article_id = ? AND n = ?",
                [(eid, aid, n) for (aid, n), eid in links.items()],
            )

    def mention_entities(self) -> list[tuple[str, str, str, str, float | None, float | None, str | None]]:
        """(article id, mention text, entity kind, entity name, lat, lon, country) of every
        resolved mention: what the events stage reads to give an event its place entity."""
        return self.db.execute(
            "SELECT m.article_id, m.text, e.kind, e.name, e.lat, e.lon, e.country FROM entity_mentions m"
            " JOIN entities e ON e.id = m.entity_id ORDER BY m.article_id, m.n"
        ).fetchall()

    def count_entities(self) -> int:
        return self.db.execute("SELECT count(*) FROM entities").fetchone()[0]

    def entities(self, kind: str | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Entities, most widely reported first: id, kind, name, aliases, mentions, articles, place."""
        sql = "SELECT id, kind, name, aliases, mentions, articles, lat, lon, country, place FROM entities"
        params: list[Any] = []
        if kind:
            sql += " WHERE kind = ?"
            params.append(kind)
        sql += " ORDER BY json_array_length(articles) DESC, mentions DESC, name"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        for r in self.db.execute(sql, params):
            yield {
                "id": r[0], "kind": r[1], "name": r[2], "aliases": json.loads(r[3]), "mentions": r[4],
                "articles": json.loads(r[5]), "lat": r[6], "lon": r[7], "country": r[8],
                "place": json.loads(r[9]) if r[9] else None,
            }
