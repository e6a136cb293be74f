"""Read models: one per page kind (story, article, storyline, entity), each looked up by id.

What `storyline show`, `storyline story` (and its `--json`) and the web pages show of one
item is read here, with SQL bounded by that item (never by scanning every article), so a
story shows the same sources, figures and disputes wherever it is shown. Disputes are the
events stage's (`figure_disputes`, read through `Store.story_disputes`); figures are the
events stage's per-article extractions.

The models are TypedDicts: plain dicts at run time, so the JSON output and the templates
read them as they are.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypedDict

from storyline.store.events import figure_value

if TYPE_CHECKING:
    from storyline.store import Store


class StoryRow(TypedDict):
    """A story as `Store.stories()` lists it."""

    id: str
    title: str | None
    articles: list[str]  # member ids in arrival order
    first_seen: str | None
    last_seen: str | None
    storyline: str | None


class ArticleBrief(TypedDict):
    """What every view shows of an article."""

    id: str
    url: str | None
    outlet: str | None
    title: str | None
    published: str | None
    language: str | None


class Member(ArticleBrief):
    """One article of a story, numbered in arrival order ([n] in the story's citations)."""

    n: int
    chars: int | None  # length of the clean text
    reprint_group: str | None


class StoryFigure(TypedDict):
    """A figure one of the story's articles reports (the events stage's extraction)."""

    value: str  # "about 1,500", "between 2,500 and 3,500"
    what: str
    who: str | None
    quote: str
    article_id: str
    start: int
    dispute: str | None  # id of the dispute it is part of


class StoryPage(TypedDict):
    story: StoryRow
    storyline_title: str | None
    members: list[Member]
    summary: dict[str, Any] | None  # `Store.story_summary`: sentences, timeline, the events stage's disputes
    disputes: list[dict[str, Any]]  # `Store.story_disputes`, the same list as summary["disputes"]
    figures: list[StoryFigure]
    storyline_timeline: list[dict[str, Any]]  # dated events of the storyline's other stories


class ArticlePage(ArticleBrief):
    format: str
    source: str
    locator: str
    ingested_at: str
    cleaned: bool
    text: str | None
    removed: list[dict[str, Any]]
    metadata: dict[str, Any]
    reprint_group: str | None
    story: str | None
    storyline: str | None
    body: str  # the text as delivered (the raw bytes decoded; a JSON input's body field)
    published_at: str | None  # the input's timestamp (ISO 8601), when it gave a time
    published_raw: str | None  # the input's date as given, when ingest read it into another form
    meta: dict[str, Any]  # the input record's own fields besides those storyline reads
    warnings: list[str]  # what ingest could not read (a date, an ambiguous day and month)


class StorylineStory(TypedDict):
    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    articles: int
    outlets: int
    lead: str | None  # the first sentence of its summary, when summarized


class StorylinePage(TypedDict):
    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    stories: list[StorylineStory]  # in time order (undated last)


class EntityPage(TypedDict):
    id: str
    kind: str
    name: str
    aliases: list[str]
    mentions: int
    articles: list[str]
    place: dict[str, Any] | None
    lat: float | None
    lon: float | None
    country: str | None
    stories: list[str]  # stories with an article mentioning it


_STORY_ORDER = " ORDER BY last_seen IS NULL, last_seen DESC, id"


def story_row(store: Store, story_id: str) -> StoryRow | None:
    row = store.db.execute(
        "SELECT id, title, first_seen, last_seen, storyline_id FROM stories WHERE id = ?", (story_id,)
    ).fetchone()
    if row is None:
        return None
    members = [r[0] for r in store.db.execute(
        "SELECT m.article_id FROM story_members m JOIN articles a ON a.id = m.article_id"
        " WHERE m.story_id = ? ORDER BY a.seq", (story_id,))]
    return {"id": row[0], "title": row[1], "articles": members, "first_seen": row[2], "last_seen": row[3],
            "storyline": row[4]}


def story_members(store: Store, story_id: str) -> list[Member]:
    rows = store.db.execute(
        "SELECT a.id, a.url, COALESCE(c.outlet, a.outlet), COALESCE(c.title, a.title),"
        " c.published, COALESCE(c.language, a.language), length(c.text), g.group_id"
        " FROM story_members m JOIN articles a ON a.id = m.article_id"
        " LEFT JOIN clean_articles c ON c.article_id = a.id"
        " LEFT JOIN reprint_groups g ON g.article_id = a.id"
        " WHERE m.story_id = ? ORDER BY a.seq",
        (story_id,),
    )
    return [
        {"n": n, "id": r[0], "url": r[1], "outlet": r[2], "title": r[3], "published": r[4], "language": r[5],
         "chars": r[6], "reprint_group": r[7]}
        for n, r in enumerate(rows, start=1)
    ]


def _member_ids(store: Store, story_id: str) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT article_id FROM story_members WHERE story_id = ?", (story_id,))]


def story_figures(store: Store, story_id: str) -> list[StoryFigure]:
    """Every figure the story's articles report, in arrival order then text order, with the
    events stage's dispute it is part of."""
    in_dispute = {(f["article_id"], f["start"]): d["id"]
                  for d in store.stored_disputes_of(_member_ids(store, story_id)) for f in d["figures"]}
    out: list[StoryFigure] = []
    for article_id, figures in store.db.execute(
        "SELECT x.article_id, x.figures FROM story_members m JOIN articles a ON a.id = m.article_id"
        " JOIN article_extractions x ON x.article_id = m.article_id WHERE m.story_id = ? ORDER BY a.seq",
        (story_id,),
    ):
        for f in sorted(json.loads(figures), key=lambda f: f["start"]):
            out.append({
                "value": figure_value(f["value_low"], f["value_high"], f["qualifier"]), "what": f["what"],
                "who": f["attributed_to"], "quote": f["quote"], "article_id": article_id, "start": f["start"],
                "dispute": in_dispute.get((article_id, f["start"])),
            })
    return out


def story_page(store: Store, story_id: str) -> StoryPage | None:
    """Everything one story's pages show; None when there is no such story."""
    story = story_row(store, story_id)
    if story is None:
        return None
    line = store.db.execute("SELECT title FROM storylines WHERE id = ?", (story["storyline"],)).fetchone() \
        if story["storyline"] else None
    summary = store.story_summary(story_id)
    timeline = [e for e in store.storyline_timeline(story["storyline"]) if e["story"] != story_id] \
        if story["storyline"] else []
    return {
        "story": story, "storyline_title": line[0] if line else None, "members": story_members(store, story_id),
        "summary": summary,
        "disputes": summary["disputes"] if summary is not None else store.story_disputes(story_id),
        "figures": story_figures(store, story_id), "storyline_timeline": timeline,
    }


def story_outlet_counts(store: Store) -> dict[str, int]:
    """story id -> how many outlets carried it (for the story table)."""
    return dict(store.db.execute(
        "SELECT m.story_id, count(DISTINCT COALESCE(c.outlet, a.outlet)) FROM story_members m"
        " JOIN articles a ON a.id = m.article_id LEFT JOIN clean_articles c ON c.article_id = a.id"
        " GROUP BY m.story_id"))


def article_page(store: Store, article_id: str) -> ArticlePage | None:
    r = store.db.execute(
        "SELECT a.id, a.url, COALESCE(c.outlet, a.outlet), COALESCE(c.title, a.title),"
        " c.published, COALESCE(c.language, a.language), a.format, a.source, a.locator,"
        " a.ingested_at, c.text, c.removed, c.metadata, g.group_id, m.story_id, a.raw,"
        " a.encoding, a.body_field, s.storyline_id, a.published_at, a.published_raw, a.meta, a.warnings"
        " FROM articles a LEFT JOIN clean_articles c ON c.article_id = a.id"
        " LEFT JOIN reprint_groups g ON g.article_id = a.id"
        " LEFT JOIN story_members m ON m.article_id = a.id"
        " LEFT JOIN stories s ON s.id = m.story_id WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if r is None:
        return None
    body = r[15].decode(r[16], errors="replace")
    if r[17]:
        try:
            body = json.loads(body)[r[17]]
        except (ValueError, KeyError, TypeError):
            pass
    return {
        "id": r[0], "url": r[1], "outlet": r[2], "title": r[3], "published": r[4],
        "language": r[5], "format": r[6], "source": r[7], "locator": r[8], "ingested_at": r[9],
        "cleaned": r[10] is not None, "text": r[10],
        "removed": json.loads(r[11]) if r[11] else [],
        "metadata": json.loads(r[12]) if r[12] else {},
        "reprint_group": r[13], "story": r[14], "storyline": r[18], "body": body,
        "published_at": r[19], "published_raw": r[20], "meta": json.loads(r[21]) if r[21] else {},
        "warnings": json.loads(r[22]) if r[22] else [],
    }


def storyline_page(store: Store, storyline_id: str) -> StorylinePage | None:
    row = store.db.execute(
        "SELECT id, title, first_seen, last_seen FROM storylines WHERE id = ?", (storyline_id,)).fetchone()
    if row is None:
        return None
    stories: list[StorylineStory] = [
        {"id": r[0], "title": r[1], "first_seen": r[2], "last_seen": r[3], "articles": r[4], "outlets": r[5],
         "lead": r[6]}
        for r in store.db.execute(
            "SELECT s.id, s.title, s.first_seen, s.last_seen,"
            " (SELECT count(*) FROM story_members m WHERE m.story_id = s.id),"
            " (SELECT count(DISTINCT COALESCE(c.outlet, a.outlet)) FROM story_members m"
            "  JOIN articles a ON a.id = m.article_id LEFT JOIN clean_articles c ON c.article_id = m.article_id"
            "  WHERE m.story_id = s.id),"
            " json_extract(x.sentences, '$[0].text')"
            " FROM stories s LEFT JOIN story_summaries x ON x.story_id = s.id WHERE s.storyline_id = ?"
            " ORDER BY s.first_seen IS NULL, s.first_seen, s.last_seen, s.id",
            (storyline_id,))
    ]
    return {"id": row[0], "title": row[1], "first_seen": row[2], "last_seen": row[3], "stories": stories}


def entity_page(store: Store, entity_id: str) -> EntityPage | None:
    r = store.db.execute(
        "SELECT id, kind, name, aliases, mentions, articles, lat, lon, country, place FROM entities WHERE id = ?",
        (entity_id,),
    ).fetchone()
    if r is None:
        return None
    stories = [s[0] for s in store.db.execute(
        "SELECT DISTINCT m.story_id FROM entity_mentions e JOIN story_members m ON m.article_id = e.article_id"
        " WHERE e.entity_id = ? ORDER BY m.story_id", (entity_id,))]
    return {
        "id": r[0], "kind": r[1], "name": r[2], "aliases": json.loads(r[3]), "mentions": r[4],
        "articles": json.loads(r[5]), "lat": r[6], "lon": r[7], "country": r[8],
        "place": json.loads(r[9]) if r[9] else None, "stories": stories,
    }
