"""Search over clean articles that knows the entities' aliases (the web UI's /search).

A query is what a user types: words (every one must occur), "quoted phrases", `word*`
prefixes, `OR`, `NOT`, `AND` (upper case, as in FTS5) and parentheses. It is parsed here
and rebuilt as an FTS5 MATCH expression with every word quoted, so no text the user types
is FTS5 syntax by accident; a malformed query (an unclosed quote, `OR` with nothing after
it) is a `QueryError` saying what is wrong. The cost limits of store/web.py hold here too
(words, prefixes, seconds): over them, a `BadQuery`.

A word or phrase that is a name of an entity (its name or an alias, case-insensitive: table
`entity_aliases`, migration 0021) also matches the entity's other names: "Daesh" finds the
articles that say "Islamic State" or "ISIS". Names with fewer than three letters ("IS",
"US", "AP") are not added, since as words they match everywhere; typed, they are searched
as typed.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from storyline.errors import BadQuery
from storyline.store.base import StoreBase
from storyline.store.web import MAX_PREFIX_TERMS, MAX_SEARCH_TERMS, MIN_PREFIX_CHARS, time_limit

_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+)')
_WORD = re.compile(r"\w+", re.UNICODE)
OPERATORS = {"OR", "AND", "NOT"}
MIN_ALIAS_LETTERS = 3
MAX_ENTITIES_PER_TERM = 3
MAX_NAMES_PER_TERM = 12
MAX_ALIAS_RUN = 4  # unquoted words read together as one name: "Abu Kamal"
ARTICLES_PER_STORY = 5


class QueryError(ValueError):
    """A query that cannot be read; the message says why and how to write it."""


@dataclass
class Term:
    words: list[str]
    prefix: bool = False
    quoted: bool = False
    names: list[str] = field(default_factory=list)  # other names of the entity it names
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Node:
    op: str  # AND, OR, NOT (binary: left NOT right)
    children: list[Any]


def _tokens(q: str) -> list[tuple[str, str]]:
    if q.count('"') % 2:
        raise QueryError('the query has an unclosed quote: close the phrase with a second "')
    out = []
    for m in _TOKEN.finditer(q):
        if m.group("phrase") is not None:
            out.append(("phrase", m.group("phrase")))
        elif m.group("open"):
            out.append(("(", "("))
        elif m.group("close"):
            out.append((")", ")"))
        else:
            w = m.group("word")
            out.append(("op", w) if w in OPERATORS else ("word", w))
    return out


def _term(kind: str, text: str) -> Term | None:
    prefix = kind == "word" and text.endswith("*")
    words = _WORD.findall(text)
    if not words:
        return None  # punctuation only: nothing to search for
    return Term(words=words, prefix=prefix, quoted=kind == "phrase")


class _Parser:
    """Recursive descent, FTS5's precedence: NOT binds tighter than AND, AND than OR."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.i = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Any:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            raise QueryError(f"unexpected {tok[1]!r} in the query" + (": a ) without its (" if tok[0] == ")" else ""))
        if node is None:
            raise QueryError("the query has no word to search for")
        return node

    def or_expr(self) -> Any:
        parts = [self.and_expr()]
        while self.peek() == ("op", "OR"):
            self.i += 1
            right = self.and_expr()
            if right is None:
                raise QueryError("OR needs a word on each side: ISIS OR Daesh")
            parts.append(right)
        if parts[0] is None:
            if len(parts) > 1:
                raise QueryError("OR needs a word on each side: ISIS OR Daesh")
            return None
        return parts[0] if len(parts) == 1 else Node("OR", parts)

    def and_expr(self) -> Any:
        parts = []
        while True:
            tok = self.peek()
            if tok is None or tok[0] == ")" or tok == ("op", "OR"):
                break
            if tok == ("op", "AND"):
                self.i += 1
                if not parts:
                    raise QueryError("AND needs a word on each side: Syria AND Iraq")
                continue
            node = self.not_expr()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Node("AND", parts)

    def not_expr(self) -> Any:
        if self.peek() == ("op", "NOT"):
            raise QueryError("NOT needs a word before it (it subtracts): Syria NOT Iraq")
        node = self.unary()
        while self.peek() == ("op", "NOT"):
            self.i += 1
            right = self.unary()
            if right is None:
                raise QueryError("NOT needs a word after it: Syria NOT Iraq")
            if node is None:
                raise QueryError("NOT needs a word before it (it subtracts): Syria NOT Iraq")
            node = Node("NOT", [node, right])
        return node

    def unary(self) -> Any:
        tok = self.peek()
        if tok is None or tok[0] == ")" or tok[0] == "op":
            return None
        self.i += 1
        if tok[0] == "(":
            node = self.or_expr()
            if self.peek() != (")", ")"):
                raise QueryError("the query has a ( without its )")
            self.i += 1
            if node is None:
                raise QueryError("empty parentheses in the query")
            return node
        return _term(*tok)


def parse_query(q: str) -> Any:
    """The query's tree of Terms and Nodes; QueryError when it cannot be read."""
    tree = _Parser(_tokens(q)).parse()
    found = terms(tree)
    words = sum(len(t.words) for t in found)
    if words > MAX_SEARCH_TERMS:
        raise BadQuery(f"{words} words: at most {MAX_SEARCH_TERMS} a search")
    prefixes = [t for t in found if t.prefix]
    for t in prefixes:
        if len(t.words[-1]) < MIN_PREFIX_CHARS:
            raise BadQuery(f"the prefix {t.words[-1]}* is too short: give at least {MIN_PREFIX_CHARS} letters"
                           " before a *")
    if len(prefixes) > MAX_PREFIX_TERMS:
        raise BadQuery(f"{len(prefixes)} prefix words (word*): at most {MAX_PREFIX_TERMS} a search")
    return tree


def terms(node: Any) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    return [t for c in node.children for t in terms(c)]


def _quote(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'  # \w+ words hold no quote


def to_fts(node: Any) -> str:
    """The FTS5 MATCH expression of a tree (after `expand_names`)."""
    if isinstance(node, Term):
        base = _quote(node.words) + ("*" if node.prefix else "")
        if not node.names:
            return base
        return "(" + " OR ".join([base] + [_quote(_WORD.findall(n)) for n in node.names]) + ")"
    sep = f" {node.op} " if node.op != "AND" else " AND "
    return "(" + sep.join(to_fts(c) for c in node.children) + ")"


def _letters(name: str) -> int:
    return sum(ch.isalpha() for ch in name)


class SearchStore(StoreBase):
    def entities_named(self, name: str) -> list[dict[str, Any]]:
        """Entities that have `name` as their name or an alias (case-insensitive), most
        mentioned first, each with all its names."""
        rows = self.db.execute(
            "SELECT e.id, e.kind, e.name, e.aliases FROM entity_aliases x JOIN entities e ON e.id = x.entity_id"
            " WHERE x.alias = ? ORDER BY e.mentions DESC, e.id LIMIT ?", (name, MAX_ENTITIES_PER_TERM))
        return [{"id": r[0], "kind": r[1], "name": r[2], "aliases": json.loads(r[3])} for r in rows]

    def expand_names(self, tree: Any) -> Any:
        """Give each word or phrase naming an entity the entity's other names; runs of up to
        MAX_ALIAS_RUN unquoted words ("Abu Kamal") are tried as one name first."""
        if isinstance(tree, Node):
            if tree.op == "AND":
                tree.children = self._join_names(tree.children)
            for c in tree.children:
                self.expand_names(c)
            return tree
        if not tree.prefix:
            self._name_term(tree)
        return tree

    def _name_term(self, term: Term) -> bool:
        typed = " ".join(term.words)
        found = self.entities_named(typed)
        if not found and term.quoted:
            return False
        names: list[str] = []
        seen = {typed.casefold()}
        for e in found:
            for n in [e["name"], *e["aliases"]]:
                key = " ".join(_WORD.findall(n)).casefold()
                if key and key not in seen and _letters(n) >= MIN_ALIAS_LETTERS:
                    seen.add(key)
                    names.append(n)
        term.names, term.entities = names[:MAX_NAMES_PER_TERM], found
        return bool(found)

    def _join_names(self, children: list[Any]) -> list[Any]:
        out: list[Any] = []
        i = 0
        while i < len(children):
            joined = False
            for n in range(min(MAX_ALIAS_RUN, len(children) - i), 1, -1):
                run = children[i:i + n]
                if all(isinstance(c, Term) and not c.quoted and not c.prefix for c in run):
                    candidate = Term(words=[w for c in run for w in c.words], quoted=False)
                    if self.entities_named(" ".join(candidate.words)):
                        candidate.quoted = True  # now one phrase
                        out.append(candidate)
                        i += n
                        joined = True
                        break
            if not joined:
                out.append(children[i])
                i += 1
        return out

    def web_search(self, q: str, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        """Articles matching the query, grouped by story (best match first); `limit` and
        `offset` count stories. Raises QueryError for a query that cannot be read."""
        tree = self.expand_names(parse_query(q))
        match = to_fts(tree)
        with time_limit(self.db):
            try:
                # One pass over the hits: each story's best rank (articles in no story yet are
                # groups of their own), from which the page of stories is cut.
                groups = self.db.execute(
                    "SELECT COALESCE(w.story_id, ''), min(f.rank) AS best, count(*), group_concat(f.rowid)"
                    " FROM article_fts f LEFT JOIN web_fts_story w ON w.fts_rowid = f.rowid"
                    " WHERE article_fts MATCH ? GROUP BY COALESCE(w.story_id, f.rowid) ORDER BY best",
                    (match,)).fetchall()
            except sqlite3.OperationalError as exc:
                if "interrupted" in str(exc):
                    raise  # time_limit's: a BadQuery saying so
                raise QueryError(f"the search index could not read the query: {exc}") from exc
        page = groups[offset:offset + limit]
        rowids: list[int] = []
        for g in page:
            rowids.extend(int(r) for r in g[3].split(",")[:ARTICLES_PER_STORY * 4])
        hits: dict[int, dict[str, Any]] = {}
        if rowids:
            with time_limit(self.db):
                rows = self.db.execute(
                    "SELECT f.rowid, c.article_id, COALESCE(c.title, a.title), COALESCE(c.outlet, a.outlet),"
                    " c.published, snippet(article_fts, 1, char(1), char(2), ' … ', 16)"
                    " FROM article_fts f JOIN clean_articles c ON c.rowid = f.rowid JOIN articles a ON a.id = c.article_id"
                    " WHERE article_fts MATCH ? AND f.rowid IN (SELECT value FROM json_each(?)) ORDER BY rank",
                    (match, json.dumps(rowids)),
                ).fetchall()
            for r in rows:
                hits[r[0]] = {"id": r[1], "title": r[2], "outlet": r[3], "published": r[4], "snippet": _parts(r[5])}
        story_ids = [g[0] for g in page if g[0]]
        stories = {r[0]: r for r in self.db.execute(
            "SELECT id, title, first_seen, last_seen, storyline_id FROM stories"
            " WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(story_ids),))}
        out_groups, flat = [], []
        for story_id, _best, n, ids in page:
            mine = {int(r) for r in ids.split(",")}
            articles = [h for rowid, h in hits.items() if rowid in mine][:ARTICLES_PER_STORY]  # best first
            for a in articles:
                a["story"] = story_id or None
            row = stories.get(story_id)
            out_groups.append({
                "story": ({"id": row[0], "title": row[1], "first_seen": row[2], "last_seen": row[3],
                           "storyline": row[4]} if row else None),
                "matched": n, "articles": articles,
            })
            flat.extend(articles)
        return {
            "q": q, "match": match,
            "names": [{"term": " ".join(t.words), "entities": [{k: e[k] for k in ("id", "kind", "name")}
                                                                for e in t.entities], "also": t.names}
                      for t in terms(tree) if t.entities],
            "total": sum(g[2] for g in groups), "total_stories": len(groups), "limit": limit, "offset": offset,
            "groups": out_groups, "articles": flat,
        }


def _parts(snippet: str) -> list[dict[str, Any]]:
    """FTS5 snippet with \\x01/\\x02 around hits -> [{text, hit}] (rendered without HTML)."""
    parts: list[dict[str, Any]] = []
    for i, piece in enumerate(re.split("[\x01\x02]", snippet or "")):
        if piece:
            parts.append({"text": piece, "hit": i % 2 == 1})
    return parts
