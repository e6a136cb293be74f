"""The events stage's plain functions: one article's extraction (map) and the helpers of its
reduce (anchor candidates for undated articles, groups of related articles for disputes).

See stage.py for the order of the steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from datetime import date
from typing import Any

from storyline.records import ArticleExtraction, ArticleForEvents
from storyline.stages.events.figures import extract_figures
from storyline.stages.events.mentions import (
    Event,
    EventMention,
    extract_event_mentions,
    linked_anchor_candidates,
    place_key,
)
from storyline.stages.unionfind import UnionFind
from storyline.text.date_mentions import (
    days_between,
    resolve_dates,
)

DISPUTE_DAYS = 10
Where = tuple[float, float, str | None]  # lat, lon, country


class PlaceEntities:
    """An event's place read as the entities stage resolved it: "Bu Kamal" and "Albu Kamal"
    are the one place entity (one spelling, its coordinates); a place phrase that is a person
    or organisation in its article ("in Pfizer", "of Staff") is no place. Built from the
    store's (article, mention text, kind, entity name, lat, lon, country) rows."""

    def __init__(self, rows: Sequence[tuple[str, str, str, str, float | None, float | None, str | None]]):
        from storyline.text.names import name_key

        self._key = name_key
        self.in_article: dict[tuple[str, str], tuple[str, str]] = {}  # (article, key) -> (kind, name)
        self.places: dict[str, str] = {}  # key of any alias -> place entity name, corpus-wide
        self.where: dict[str, Where] = {}  # place entity name -> coordinates
        for article, text, kind, name, lat, lon, country in rows:
            key = name_key(text)
            self.in_article.setdefault((article, key), (kind, name))
            if kind == "place":
                self.places.setdefault(key, name)
                if lat is not None and lon is not None:
                    self.where.setdefault(name, (lat, lon, country))

    def mention(self, m: EventMention) -> EventMention:
        if not m.place:
            return m
        from storyline.stages.entities.kinds import not_an_entity

        if not_an_entity(m.place):  # "in COVID": a disease, not a place
            return replace(m, place=None, place_key=None, place_inferred=False)
        key = self._key(m.place)
        kind, name = self.in_article.get((m.article_id, key)) or ("place", self.places.get(key) or "")
        if kind != "place":
            return replace(m, place=None, place_key=None, place_inferred=False)
        if not name or name == m.place:
            return m
        return replace(m, place=name, place_key=place_key(name))


def extract_article(article: ArticleForEvents) -> ArticleExtraction:
    """The map step for one article."""
    anchor = article.published[:10] if article.published and len(article.published) >= 10 else None
    source = "published" if anchor else "none"
    dates = resolve_dates(article.text, anchor, source)
    mentions = extract_event_mentions(article.id, article.text, anchor, source, dates=dates) if anchor else []
    figures = extract_figures(article.id, article.text, anchor)
    return ArticleExtraction(article.id, anchor, source, dates, mentions, figures)


def anchor_candidates(
    article_id: str, text: str, context: Mapping[str, dict[str, Any]], known: Sequence[Event]
) -> tuple[list[str], str, str | None]:
    """Days an undated article may have been written on, what says so, and the earliest day
    its weekday names may mean (with linked events: the linked event's date)."""
    me = context.get(article_id, {})
    if me.get("group_earliest"):
        return [me["group_earliest"][:10]], "reprint group", None
    story = me.get("story")
    if story:
        dated = sorted(c["published"][:10] for a, c in context.items()
                       if c.get("story") == story and a != article_id and c.get("published"))
        if dated:
            return days_between(dated[0], dated[-1]), "story estimate", None
    linked, earliest = linked_anchor_candidates(text, known)
    if linked:
        return linked, "linked events", earliest
    return [], "none", None


def geocoder():
    """The places geocoder (`storyline.geo.places.geocode`) as (place, other places) ->
    (lat, lon, country) or None."""
    from storyline.geo.places import GeoContext, geocode

    def locate(place: str, others: Sequence[str]) -> tuple[float, float, str | None] | None:
        found = geocode(place, GeoContext.of([o for o in others if o != place]))
        return (found.lat, found.lon, found.country) if found else None

    return locate


def _event_row(e: Event, locate=None, others: Sequence[str] = (),
               known: Mapping[str, Where] | None = None) -> dict[str, Any]:
    row = asdict(e)
    where = (known or {}).get(e.place or "")
    if where is None:
        where = locate(e.place, others) if locate and e.place else None
    row["lat"], row["lon"], row["country"] = where if where else (None, None, None)
    row["mentions"] = [
        {k: m[k] for k in ("article_id", "type", "start", "end", "text", "date_text", "date_start",
                           "date_end", "date_confidence", "anchor", "anchor_source", "estimated",
                           "reported", "place", "place_inferred", "actors")}
        for m in row["mentions"]
    ]
    return row


def _mention(d: dict[str, Any]) -> EventMention:
    return EventMention(**{**d, "actors": tuple(d["actors"]), "cues": tuple(d["cues"])})


def related_groups(context: Mapping[str, dict[str, Any]], anchors: Mapping[str, str | None]) -> list[set[str]]:
    """Articles whose figures are compared: one storyline, or dates DISPUTE_DAYS apart at most."""
    ids = sorted(context)
    sets = UnionFind(ids)
    by_line: dict[str, str] = {}
    for a in ids:
        line = context[a].get("storyline")
        if line:
            sets.union(a, by_line.setdefault(line, a))
    dated = sorted((date.fromisoformat(anchors[a]).toordinal(), a) for a in ids if anchors.get(a))
    for (d1, a1), (d2, a2) in zip(dated, dated[1:], strict=False):
        if d2 - d1 <= DISPUTE_DAYS:
            sets.union(a1, a2)
    groups = {root: set(members) for root, members in sets.groups().items()}
    # An article with no date and no storyline company cannot be ruled out by date: it is
    # compared with every group (not merged into one, which would chain the whole corpus).
    loose = {a for a in ids if not anchors.get(a) and len(groups[sets.find(a)]) == 1}
    out = [g for g in groups.values() if not g <= loose]
    return [g | loose for g in out] or ([loose] if loose else [])
