"""Read-only listings behind the web UI's browsing pages: entities, outlets, events, and
what one entity or outlet connects to.

Every query is paged or bounded (an entity's co-occurrences are counted over its newest
NEIGHBOUR_SCAN articles, its stories over its newest MAX_SCAN mentions' articles, an
outlet's reprint relations over its newest REPRINT_SCAN articles in reprint groups), so a page
answers in milliseconds on a store of 100k articles. The outlet table, a GROUP BY over
every clean article, is kept per connection until the database changes (PRAGMA
data_version says when another connection wrote).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from storyline.store.base import StoreBase, chunks

MAX_SCAN = 2000
NEIGHBOUR_SCAN = 500
REPRINT_SCAN = 1000
ENTITY_KINDS = ("person", "org", "place")


def like_pattern(text: str) -> str:
    """`%text%` for LIKE ... ESCAPE '\\', the user's own % and _ matched as themselves."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def original_of(members: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """(article id, basis) of a reprint group's original: the earliest dated copy when any
    copy has a date (the fullest of those first seen that day), else the fullest copy.
    Members hold id, published, chars."""
    dated = [m for m in members if m.get("published")]
    if dated:
        best = min(dated, key=lambda m: (m["published"], -(m.get("chars") or 0), m["id"]))  # chars: if known
        return best["id"], "earliest dated copy"
    best = max(members, key=lambda m: (m.get("chars") or 0, m["id"]))
    return best["id"], "fullest copy (no copy has a date)"


class BrowseStore(StoreBase):
    _outlet_cache: tuple[int, list[dict[str, Any]]] | None = None
    _types_cache: tuple[int, list[dict[str, Any]]] | None = None

    # -- entities ---------------------------------------------------------------------------

    def browse_entities(self, kind: str | None, name: str | None, limit: int,
                        offset: int) -> tuple[int, list[dict[str, Any]]] | None:
        """(total, one page) of entities, most mentioned first; `name` matches any of an
        entity's names, partly and case-insensitively. None while no entities stage has run."""
        if self.db.execute("SELECT 1 FROM entities LIMIT 1").fetchone() is None:
            return None
        where, params = [], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if name:
            where.append("id IN (SELECT entity_id FROM entity_aliases WHERE alias LIKE ? ESCAPE '\\')")
            params.append(like_pattern(name))
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = self.db.execute(f"SELECT count(*) FROM entities{clause}", params).fetchone()[0]
        rows = self.db.execute(
            f"SELECT id, kind, name, aliases, mentions, json_array_length(articles), lat, lon, country"
            f" FROM entities{clause} ORDER BY mentions DESC, name, id LIMIT ? OFFSET ?", [*params, limit, offset])
        return total, [
            {"id": r[0], "kind": r[1], "name": r[2], "aliases": [a for a in json.loads(r[3]) if a != r[2]],
             "mentions": r[4], "articles": r[5], "lat": r[6], "lon": r[7], "country": r[8]} for r in rows
        ]

    def entity_stories(self, entity_id: str, limit: int = 100) -> tuple[int, bool, list[dict[str, Any]]]:
        """(how many, whether counted over only its newest MAX_SCAN articles, the latest
        `limit` of them in time order) stories with an article mentioning the entity, each
        with its size and how many of its articles name it."""
        # The newest mentions first (rowid order: the stage writes them in article order).
        mentioned = [r[0] for r in self.db.execute(
            "SELECT article_id FROM entity_mentions WHERE entity_id = ? ORDER BY rowid DESC LIMIT ?",
            (entity_id, MAX_SCAN))]
        partial = len(mentioned) == MAX_SCAN
        rows = self.db.execute(
            "SELECT s.id, s.title, s.first_seen, s.last_seen, s.storyline_id, count(DISTINCT m.article_id)"
            " FROM story_members m JOIN stories s ON s.id = m.story_id"
            " WHERE m.article_id IN (SELECT value FROM json_each(?)) GROUP BY s.id",
            (json.dumps(mentioned),)).fetchall()
        rows.sort(key=lambda r: (r[2] is None, r[2] or "", r[0]))
        dated = [r for r in rows if r[2]]
        page = (dated[-limit:] if len(dated) >= limit else dated + [r for r in rows if not r[2]][:limit - len(dated)])
        sizes = self._story_sizes([r[0] for r in page])
        return len(rows), partial, [
            {"id": r[0], "title": r[1], "first_seen": r[2], "last_seen": r[3], "storyline": r[4],
             "naming": r[5], "articles": sizes.get(r[0], 0)} for r in page
        ]

    def entity_neighbours(self, entity_id: str, limit: int = 30) -> list[dict[str, Any]]:
        """Entities named in the same articles, most shared articles first (over the entity's
        newest NEIGHBOUR_SCAN articles)."""
        rows = self.db.execute(
            "WITH mine AS (SELECT DISTINCT article_id FROM (SELECT article_id FROM entity_mentions"
            "   WHERE entity_id = ?1 ORDER BY rowid DESC LIMIT ?2))"
            " SELECT o.entity_id, count(DISTINCT o.article_id) AS shared FROM mine"
            " JOIN entity_mentions o ON o.article_id = mine.article_id"
            " WHERE o.entity_id != ?1 GROUP BY o.entity_id ORDER BY shared DESC LIMIT ?3",
            (entity_id, NEIGHBOUR_SCAN * 4, limit * 3)).fetchall()
        named = {r[0]: r for r in self.db.execute(
            "SELECT id, kind, name, mentions FROM entities WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([r[0] for r in rows]),))}
        out = [{"id": i, "kind": named[i][1], "name": named[i][2], "shared_articles": n}
               for i, n in rows if i in named]
        out.sort(key=lambda e: (-e["shared_articles"], -named[e["id"]][3], e["name"]))
        return out[:limit]

    def entity_ids_named(self, names: Sequence[str]) -> dict[str, str]:
        """name (as given) -> entity id, for names that are exactly the name of one entity
        (case-insensitive; the most mentioned when several): the links on event rows."""
        out: dict[str, str] = {}
        for chunk in chunks(sorted(set(names))):
            for name, entity_id in self.db.execute(
                "SELECT x.alias, x.entity_id FROM entity_aliases x JOIN entities e ON e.id = x.entity_id"
                " WHERE x.alias IN (SELECT value FROM json_each(?)) ORDER BY e.mentions", (json.dumps(list(chunk)),)
            ):
                for n in chunk:
                    if n.casefold() == name.casefold():
                        out[n] = entity_id  # most mentioned last, so kept
        return out

    def _story_sizes(self, story_ids: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in chunks(list(story_ids)):
            out.update(self.db.execute(
                "SELECT story_id, count(*) FROM story_members WHERE story_id IN (SELECT value FROM json_each(?))"
                " GROUP BY story_id", (json.dumps(list(chunk)),)))
        return out

    # -- outlets ----------------------------------------------------------------------------

    def browse_outlets(self) -> list[dict[str, Any]]:
        """Every outlet (as cleaning named it) with its articles, stories, and how many of its
        articles are copies in a reprint group; most articles first."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        cached = self._outlet_cache
        if cached is not None and cached[0] == version:
            return cached[1]
        rows = self.db.execute(
            "SELECT c.outlet, count(*), count(g.group_id), count(DISTINCT m.story_id), min(c.published),"
            " max(c.published) FROM clean_articles c LEFT JOIN reprint_groups g ON g.article_id = c.article_id"
            " LEFT JOIN story_members m ON m.article_id = c.article_id"
            " WHERE c.outlet IS NOT NULL GROUP BY c.outlet ORDER BY count(*) DESC, c.outlet").fetchall()
        out = [{"outlet": r[0], "articles": r[1], "in_reprint_groups": r[2], "stories": r[3],
                "first_published": r[4], "last_published": r[5]} for r in rows]
        self._outlet_cache = (version, out)
        return out

    def outlet_articles(self, outlet: str, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of the articles an outlet carried, newest first."""
        # COLLATE NOCASE: the outlet index's collation, so the index serves it
        total = self.db.execute("SELECT count(*) FROM clean_articles WHERE outlet = ? COLLATE NOCASE",
                                (outlet,)).fetchone()[0]
        # Newest first, undated last (NULL sorts lowest), read off the index of migration 0021.
        rows = self.db.execute(
            "SELECT c.article_id, c.title, c.published, m.story_id, s.title, g.group_id FROM"
            " (SELECT article_id FROM clean_articles WHERE outlet = ? COLLATE NOCASE"
            "  ORDER BY outlet COLLATE NOCASE DESC, published DESC, source_seq DESC LIMIT ? OFFSET ?) p"
            " JOIN clean_articles c ON c.article_id = p.article_id"
            " LEFT JOIN story_members m ON m.article_id = c.article_id LEFT JOIN stories s ON s.id = m.story_id"
            " LEFT JOIN reprint_groups g ON g.article_id = c.article_id"
            " ORDER BY c.published DESC, c.source_seq DESC",
            (outlet, limit, offset))
        return total, [{"id": r[0], "title": r[1], "published": r[2], "story": r[3], "story_title": r[4],
                        "reprint_group": r[5]} for r in rows]

    def outlet_reprints(self, outlet: str) -> dict[str, Any]:
        """Over the outlet's newest REPRINT_SCAN articles in reprint groups: how many are copies of
        another outlet's original, how many originals others copied, and whose and by whom."""
        groups = [r[0] for r in self.db.execute(
            "SELECT g.group_id FROM clean_articles c JOIN reprint_groups g ON g.article_id = c.article_id"
            " WHERE c.outlet = ? COLLATE NOCASE ORDER BY c.outlet COLLATE NOCASE DESC, c.published DESC,"
            " c.source_seq DESC LIMIT ?", (outlet, REPRINT_SCAN))]
        members: dict[str, list[dict[str, Any]]] = {}
        for chunk in chunks(sorted(set(groups))):
            for gid, aid, out_name, published in self.db.execute(
                "SELECT g.group_id, g.article_id, c.outlet, c.published FROM reprint_groups g"
                " JOIN clean_articles c ON c.article_id = g.article_id"
                " WHERE g.group_id IN (SELECT value FROM json_each(?))", (json.dumps(list(chunk)),)):
                members.setdefault(gid, []).append({"id": aid, "outlet": out_name, "published": published})
        # Lengths only where no copy has a date (reading a text's length reads the text).
        undated = [m["id"] for g in members.values() if not any(m["published"] for m in g) for m in g]
        chars = self.values_by_id("clean_articles", "article_id", "length(text)", undated)
        for group in members.values():
            for m in group:
                m["chars"] = chars.get(m["id"])
        copies = originals = 0
        carries: dict[str, int] = {}
        carried_by: dict[str, int] = {}
        for group in members.values():
            first, _basis = original_of(group)
            source = next(m["outlet"] for m in group if m["id"] == first)
            folded = outlet.casefold()
            mine = [m for m in group if (m["outlet"] or "").casefold() == folded]
            if (source or "").casefold() == folded:
                originals += 1
                for m in group:
                    if (m["outlet"] or "").casefold() != folded:
                        key = m["outlet"] or "(outlet unknown)"
                        carried_by[key] = carried_by.get(key, 0) + 1
                copies += len(mine) - 1
            else:
                copies += len(mine)
                key = source or "(outlet unknown)"
                carries[key] = carries.get(key, 0) + len(mine)

        def ranked(counts: dict[str, int]) -> list[dict[str, Any]]:
            return [{"outlet": o, "articles": n} for o, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]

        return {"groups": len(members), "copies": copies, "originals": originals,
                "carries_text_of": ranked(carries), "text_carried_by": ranked(carried_by),
                "scanned_articles": len(groups)}

    # -- events -----------------------------------------------------------------------------

    def browse_events(self, *, type: str | None = None, date_from: str | None = None, date_to: str | None = None,
                      place: str | None = None, entity: str | None = None, story: str | None = None,
                      limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]] | None:
        """(total, one page) of events, newest first; place and entity (one of the actors)
        match partly and case-insensitively. None while no events stage has run."""
        if self.db.execute("SELECT 1 FROM events LIMIT 1").fetchone() is None:
            return None
        where, params = [], []
        if type:
            where.append("(type = ? OR family = ?)")
            params += [type, type]
        if date_from:
            where.append("COALESCE(date_end, date_start) >= ?")
            params.append(date_from)
        if date_to:
            where.append("date_start <= ?")
            params.append(date_to)
        if place:
            where.append("place LIKE ? ESCAPE '\\'")
            params.append(like_pattern(place))
        if entity:
            where.append("actors LIKE ? ESCAPE '\\'")
            params.append(like_pattern(entity))
        if story:
            where.append("story_id = ?")
            params.append(story)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = self.db.execute(f"SELECT count(*) FROM events{clause}", params).fetchone()[0]
        rows = self.db.execute(
            "SELECT e.id, e.story_id, s.title, e.type, e.family, e.date_start, e.date_end, e.estimated, e.place,"
            " e.lat, e.lon, e.country, e.actors, e.sources FROM"
            f" (SELECT * FROM events{clause} ORDER BY date_start IS NULL, date_start DESC, id LIMIT ? OFFSET ?) e"
            " LEFT JOIN stories s ON s.id = e.story_id ORDER BY e.date_start IS NULL, e.date_start DESC, e.id",
            [*params, limit, offset])
        return total, [
            {"id": r[0], "story": r[1], "story_title": r[2], "type": r[3], "label": r[4] or r[3], "date": r[5],
             "date_end": r[6], "estimated": bool(r[7]), "place": r[8], "lat": r[9], "lon": r[10], "country": r[11],
             "actors": json.loads(r[12]), "sources": [c for c in json.loads(r[13]) if c]} for r in rows
        ]

    def event_types(self) -> list[dict[str, Any]]:
        """The event types with their counts (the events page's suggestions), kept like the
        outlet table until the database changes."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._types_cache is None or self._types_cache[0] != version:
            self._types_cache = (version, [{"type": t, "events": n} for t, n in self.db.execute(
                "SELECT type, count(*) FROM events GROUP BY type ORDER BY count(*) DESC, type LIMIT 100")])
        return self._types_cache[1]
