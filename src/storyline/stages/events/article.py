"""The events stage's plain functions: one article's extraction (map) and the helpers of its
reduce (anchor candidates for undated articles, groups of related articles for disputes).

See stage.py for the order of the steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from storyline.records import ArticleExtraction, ArticleForEvents
from storyline.stages.events.figures import extract_figures
from storyline.stages.events.mentions import (
    Event,
    EventMention,
    extract_event_mentions,
    linked_anchor_candidates,
)
from storyline.stages.unionfind import UnionFind
from storyline.text.date_mentions import (
    days_between,
    resolve_dates,
)

DISPUTE_DAYS = 10


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


def _event_row(e: Event, locate=None, others: Sequence[str] = ()) -> dict[str, Any]:
    row = asdict(e)
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
