"""Read-only queries behind `storyline serve` (the JSON API and the HTML UI).

Nothing here writes. Every query is paged or bounded by one story's members, so the API
answers in milliseconds on a store of 100k articles. Full-text search uses the FTS5 index
`article_fts` (migration `0005_web_search`), which triggers on `clean_articles` keep current.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from storyline.errors import BadQuery
from storyline.store.base import StoreBase, chunks
from storyline.store.browse import like_pattern

_WORD = re.compile(r"\w+\*?", re.UNICODE)

# A search's cost is bounded (README, Limits): a prefix term expands to every indexed word
# it begins (one letter: a good part of the vocabulary), so prefixes are few and at least
# MIN_PREFIX_CHARS long; and any query SQLite still works on after SEARCH_SECONDS is stopped.
MAX_SEARCH_TERMS = 32
MAX_PREFIX_TERMS = 4
MIN_PREFIX_CHARS = 2
SEARCH_SECONDS = 2.0
FEW_OUTLETS = 3


def fts_query(q: str) -> str | None:
    """A safe FTS5 MATCH expression from what a user typed: every word must occur.

    Each word is quoted, so FTS5 operators and quotes in the input are plain text (no syntax
    error can reach the user); a trailing * keeps its meaning of a prefix search. None when
    the input holds no word at all.
    """
    terms = []
    prefixes = 0
    for token in _WORD.findall(q):
        prefix = token.endswith("*")
        word = token.rstrip("*")
        if word:
            if prefix:
                prefixes += 1
                if len(word) < MIN_PREFIX_CHARS:
                    raise BadQuery(f"the prefix {word}* is too short: give at least {MIN_PREFIX_CHARS} letters"
                                   " before a *")
            terms.append(f'"{word}"' + ("*" if prefix else ""))
    if prefixes > MAX_PREFIX_TERMS:
        raise BadQuery(f"{prefixes} prefix words (word*): at most {MAX_PREFIX_TERMS} a search")
    if len(terms) > MAX_SEARCH_TERMS:
        raise BadQuery(f"{len(terms)} words: at most {MAX_SEARCH_TERMS} a search")
    return " ".join(terms) if terms else None


@contextmanager
def time_limit(db: sqlite3.Connection, seconds: float = SEARCH_SECONDS) -> Iterator[None]:
    """Stop a query on `db` still running after `seconds` (SQLite's progress handler) with
    BadQuery: one costly search never holds a server thread (or the CPU) for long."""
    deadline = time.monotonic() + seconds
    db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise BadQuery(f"the search took over {seconds:g} s and was stopped: use fewer or longer words") from None
        raise
    finally:
        db.set_progress_handler(None, 0)


def fts_phrase(text: str) -> str | None:
    """An FTS5 phrase matching the words of `text` in order ("Deir el-Zour"); None if no word."""
    words = [w for w in _WORD.findall(text) if w.rstrip("*")]
    return '"' + " ".join(w.rstrip("*") for w in words) + '"' if words else None


class _WebQueries(StoreBase):
    _outlet_stories_cache: tuple[int, dict[str, set[str]]] | None = None

    def _outlet_stories(self) -> dict[str, set[str]]:
        """outlet (casefolded) -> its stories, from one pass over the articles, kept until the
        database changes (PRAGMA data_version): a fragment many outlets share ("news") is
        then a union of sets, not a scan of every article per request."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._outlet_stories_cache is None or self._outlet_stories_cache[0] != version:
            out: dict[str, set[str]] = {}
            for outlet, story_id in self.db.execute(
                    "SELECT c.outlet, m.story_id FROM clean_articles c JOIN story_members m ON m.article_id = c.article_id"
                    " WHERE c.outlet IS NOT NULL"):
                out.setdefault(outlet.casefold(), set()).add(story_id)
            self._outlet_stories_cache = (version, out)
        return self._outlet_stories_cache[1]

    # -- stories --------------------------------------------------------------------------

    def web_stories(
        self,
        *,
        date_from: str | None = None,
        date_to: str | None = None,
        outlet: str | None = None,
        story_ids: Sequence[str] | None = None,
        q: str | None = None,
        phrases: Sequence[str] = (),
        limit: int = 20,
        offset: int = 0,
        sort: str = "recent",
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page of stories), newest first (`sort="coverage"`: most articles
        first), with member counts, outlets and storyline titles. `outlet` matches part of an
        outlet's name, case-insensitively ("fox news" finds "Fox News (Online News)").

        Filters combine with AND: stories whose date span overlaps [date_from, date_to],
        that an outlet carried, among `story_ids` (from the place/entity filters), holding an
        article whose clean title or text matches the full-text query `q` and contains each
        of `phrases` (place or entity names, when no stage has resolved them).
        """
        where, params = [], []
        if date_from:
            where.append("s.last_seen >= ?")
            params.append(date_from)
        if date_to:
            where.append("s.first_seen <= ?")
            params.append(date_to)
        if outlet:
            # The outlet names holding the fragment first (one pass over the outlet index):
            # a few, and their articles are read through that index; many ("news"), and
            # their stories come from `_outlet_stories` (measured on 100k articles).
            names = [r[0] for r in self.db.execute(
                "SELECT DISTINCT outlet FROM clean_articles WHERE outlet LIKE ? ESCAPE '\\'", (like_pattern(outlet),))]
            if not names:
                return 0, []
            if len(names) <= FEW_OUTLETS:
                where.append(
                    "s.id IN (SELECT m.story_id FROM clean_articles c"
                    " JOIN story_members m ON m.article_id = c.article_id"
                    " WHERE c.outlet COLLATE NOCASE IN (SELECT value FROM json_each(?)))")
                params.append(json.dumps(names))
            else:
                by_outlet = self._outlet_stories()
                ids = set().union(*(by_outlet.get(n.casefold(), ()) for n in names))
                story_ids = sorted(ids & set(story_ids)) if story_ids is not None else sorted(ids)
        if story_ids is not None:
            if not story_ids:
                return 0, []
            where.append("s.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(story_ids)))
        if q is not None or phrases:
            parts = [fts_query(q) if q is not None else ""] + [fts_phrase(p) for p in phrases]
            if any(part is None for part in parts):
                return 0, []
            match = " ".join(part for part in parts if part)
            # The matching stories, found once (web_fts_story maps FTS rowids to stories),
            # then used by both the count and the page.
            with time_limit(self.db):
                matched = [r[0] for r in self.db.execute(
                    "SELECT DISTINCT w.story_id FROM article_fts f JOIN web_fts_story w ON w.fts_rowid = f.rowid"
                    " WHERE article_fts MATCH ?", (match,))]
            if not matched:
                return 0, []
            where.append("s.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(matched))
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        select = "SELECT s.id, s.title, s.first_seen, s.last_seen, s.storyline_id FROM stories s"
        order = (" ORDER BY (SELECT count(*) FROM story_members m WHERE m.story_id = s.id) DESC, s.last_seen DESC, s.id"
                 if sort == "coverage" else " ORDER BY s.last_seen DESC, s.id")
        if (q is not None or phrases) and len(where) == 1 and sort != "coverage":
            # The text filter alone: every matched story counts, and the page is read off the
            # stories in list order, keeping the matched ones (a common word matches thousands
            # of stories; handing them back to SQLite as a list costs more than this walk).
            total = len(matched)
            wanted = set(matched)
            rows = []
            if offset < total:
                skip = offset
                for r in self.db.execute(f"{select} ORDER BY s.last_seen DESC, s.id"):
                    if r[0] in wanted:
                        if skip:
                            skip -= 1
                        else:
                            rows.append(r)
                            if len(rows) == limit:
                                break
        else:
            total = self.db.execute(f"SELECT count(*) FROM stories s{clause}", params).fetchone()[0]
            rows = self.db.execute(
                f"{select}{clause}{order} LIMIT ? OFFSET ?", [*params, limit, offset],
            ).fetchall()
        stats = self._story_stats([r[0] for r in rows])
        lines = self.values_by_id("storylines", "id", "title", sorted({r[4] for r in rows if r[4]}))
        out = []
        for r in rows:
            n, outlets = stats.get(r[0], (0, []))
            out.append({
                "id": r[0], "title": r[1], "first_seen": r[2], "last_seen": r[3], "storyline": r[4],
                "storyline_title": lines.get(r[4]), "articles": n, "outlets": outlets,
            })
        return total, out

    def _story_stats(self, story_ids: Sequence[str]) -> dict[str, tuple[int, list[str]]]:
        out: dict[str, tuple[int, list[str]]] = {}
        for chunk in chunks(story_ids):
            marks = ",".join("?" * len(chunk))
            counts: dict[str, int] = {}
            outlets: dict[str, set[str]] = {}
            for story_id, outlet in self.db.execute(
                "SELECT m.story_id, COALESCE(c.outlet, a.outlet) FROM story_members m"
                " JOIN articles a ON a.id = m.article_id"
                " LEFT JOIN clean_articles c ON c.article_id = m.article_id"
                f" WHERE m.story_id IN ({marks})",
                tuple(chunk),
            ):
                counts[story_id] = counts.get(story_id, 0) + 1
                if outlet:
                    outlets.setdefault(story_id, set()).add(outlet)
            for story_id, n in counts.items():
                out[story_id] = (n, sorted(outlets.get(story_id, ())))
        return out

    def web_stories_with_meta(self, where: dict[str, str]) -> list[str]:
        """Stories holding an article whose input record's field equals the value, for each
        (field, value) of `where` (the API's ?meta.stance=left). Field names travel as JSON
        path parameters, never as SQL."""
        found: set[str] | None = None
        for key, wanted in where.items():
            path = '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
            ids = {r[0] for r in self.db.execute(
                "SELECT DISTINCT m.story_id FROM articles a JOIN story_members m ON m.article_id = a.id"
                " WHERE json_type(a.meta, ?) IS NOT NULL AND (CASE json_type(a.meta, ?)"
                " WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'"
                " ELSE CAST(json_extract(a.meta, ?) AS TEXT) END) = ?",
                (path, path, path, wanted))}
            found = ids if found is None else found & ids
        return sorted(found or ())

    def web_links(self, article_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Reprint and text-reuse links touching any of `article_ids` (either end)."""
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for chunk in chunks(article_ids):
            marks = ",".join("?" * len(chunk))
            for a, b, cont, jac, rep in self.db.execute(
                "SELECT a, b, containment, jaccard, is_reprint FROM reprint_links"
                f" WHERE a IN ({marks}) UNION SELECT a, b, containment, jaccard, is_reprint"
                f" FROM reprint_links WHERE b IN ({marks})",
                (*chunk, *chunk),
            ):
                seen[(a, b)] = {
                    "a": a, "b": b, "containment": round(cont, 4), "jaccard": round(jac, 4),
                    "kind": "reprint" if rep else "reuse",
                }
        return [seen[k] for k in sorted(seen)]

    # -- search ---------------------------------------------------------------------------

    def web_search_articles(self, q: str, limit: int = 20, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """Articles whose clean title or text match `q`, best first, with a snippet."""
        match = fts_query(q)
        if match is None:
            return 0, []
        with time_limit(self.db):
            try:
                total = self.db.execute(
                    "SELECT count(*) FROM article_fts WHERE article_fts MATCH ?", (match,)
                ).fetchone()[0]
                rows = self.db.execute(
                    "SELECT c.article_id, COALESCE(c.title, a.title), COALESCE(c.outlet, a.outlet),"
                    " c.published, m.story_id, snippet(article_fts, 1, char(1), char(2), ' … ', 16)"
                    " FROM article_fts f JOIN clean_articles c ON c.rowid = f.rowid"
                    " JOIN articles a ON a.id = c.article_id"
                    " LEFT JOIN story_members m ON m.article_id = c.article_id"
                    " WHERE article_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?",
                    (match, limit, offset),
                ).fetchall()
            except sqlite3.OperationalError as exc:  # fts_query quotes every term: no syntax error
                if "interrupted" in str(exc):
                    raise  # time_limit's: a 400 saying so
                return 0, []
        return total, [
            {"id": r[0], "title": r[1], "outlet": r[2], "published": r[3], "story": r[4],
             "snippet": _snippet_parts(r[5])}
            for r in rows
        ]


def _snippet_parts(snippet: str) -> list[dict[str, Any]]:
    """FTS5 snippet with \\x01/\\x02 around hits -> [{text, hit}] (rendered without HTML)."""
    parts: list[dict[str, Any]] = []
    for i, piece in enumerate(re.split("[\x01\x02]", snippet or "")):
        if piece:
            parts.append({"text": piece, "hit": i % 2 == 1})
    return parts


class WebStageViews(_WebQueries):
    """Read-only views of what the entities/places and events stages store, for the web
    pages. Each is empty (or None) while the stage has stored nothing, so a page says "not
    computed yet"."""

    def web_story_entities(self, article_ids: Sequence[str], limit: int = 200) -> list[dict[str, Any]]:
        """Entities mentioned in these articles, most mentioned first, with coordinates for places."""
        rows = self.db.execute(
            "SELECT e.id, e.kind, e.name, e.lat, e.lon, e.country, count(*), count(DISTINCT m.article_id),"
            " json_extract(e.place, '$.kind'), json_extract(e.place, '$.country_name')"
            " FROM entity_mentions m JOIN entities e ON e.id = m.entity_id"
            " WHERE m.article_id IN (SELECT value FROM json_each(?))"
            " GROUP BY e.id ORDER BY count(*) DESC, e.name LIMIT ?",
            (json.dumps(list(article_ids)), limit),
        )
        return [
            {"id": r[0], "kind": r[1], "name": r[2], "lat": r[3], "lon": r[4], "country": r[5],
             "mentions": r[6], "articles": r[7], "place_kind": r[8], "country_name": r[9]}
            for r in rows
        ]

    def web_story_events(self, story_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT id, type, date_start, date_end, estimated, place, lat, lon, actors, sources, family, mentions"
            " FROM events WHERE story_id = ? ORDER BY date_start IS NULL, date_start, date_end, id",
            (story_id,),
        )
        out = []
        for r in rows:
            mentions = json.loads(r[11])
            first = mentions[0] if mentions else {}
            out.append({
                "id": r[0], "type": r[1], "label": r[10] or r[1], "date": r[2], "date_end": r[3],
                "estimated": bool(r[4]), "place": r[5], "lat": r[6], "lon": r[7], "actors": json.loads(r[8]),
                "text": first.get("text"), "cites": [c for c in json.loads(r[9]) if c],
            })
        return out

    def web_stories_with(self, kind: str, name: str) -> list[str] | None:
        """Stories mentioning the entity (kind 'place' or 'entity' = any kind) named `name` or
        one of its aliases (case-insensitive); when no entity has that name, the entities of
        which one name holds `name` ("kamal" finds Abu Kamal). None while the entities stage
        has not run."""
        if self.db.execute("SELECT 1 FROM entities LIMIT 1").fetchone() is None:
            return None
        kind_clause = " AND e.kind = 'place'" if kind == "place" else ""
        for test, value in (("x.alias = ?", name), ("x.alias LIKE ? ESCAPE '\\'", like_pattern(name))):
            ids = [r[0] for r in self.db.execute(
                f"SELECT DISTINCT x.entity_id FROM entity_aliases x JOIN entities e ON e.id = x.entity_id"
                f" WHERE {test}{kind_clause}", (value,))]
            if ids:
                break
        rows = self.db.execute(
            "SELECT DISTINCT sm.story_id FROM entity_mentions m JOIN story_members sm ON sm.article_id = m.article_id"
            " WHERE m.entity_id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
        return [r[0] for r in rows]


class WebStore(WebStageViews):
    """Everything `storyline serve` reads (one mixin of Store) besides the read models of
    store/queries.py."""
