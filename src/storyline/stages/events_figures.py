"""The events-and-figures stage: dates, dated events and figures per article (map), then
events merged per story, anchors estimated for undated articles, and disputes (reduce).

Map (`process`, no I/O): each article's date expressions resolved against its own date,
its dated event mentions and its figures. An article with no date keeps its figures and
its date expressions unresolved.

Reduce (`finish`, idempotent, guarded by a completion marker over its inputs):
1. events of each story from its dated articles;
2. every undated article gets an estimated anchor (`anchor_candidates`), its dates and
   events re-resolved against it and marked as estimates, with a confidence that says how
   many of the feasible anchors agree;
3. events merged per story over all its articles;
4. figures that disagree, compared within each group of related articles (one storyline,
   or dates at most DISPUTE_DAYS apart).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any, ClassVar

from storyline.records import ArticleExtraction, ArticleForEvents, Figure
from storyline.stages.dates import (
    DateMention,
    days_between,
    estimate_anchor,
    resolve_dates,
    resolve_estimated,
)
from storyline.stages.events import (
    Event,
    EventMention,
    extract_event_mentions,
    linked_anchor_candidates,
    merge_events,
)
from storyline.stages.figures import extract_figures, find_disputes
from storyline.store import Store

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
    """The places stage's geocoder (`storyline.stages.places.geocode`), or None where this
    build has no places stage: events then keep their place as written, without coordinates."""
    try:
        from storyline.stages.places import GeoContext, geocode
    except ImportError:
        return None

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
    parent = {a: a for a in ids}

    def root(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    by_line: dict[str, str] = {}
    for a in ids:
        line = context[a].get("storyline")
        if line:
            parent[root(a)] = root(by_line.setdefault(line, a))
    dated = sorted((date.fromisoformat(anchors[a]).toordinal(), a) for a in ids if anchors.get(a))
    for (d1, a1), (d2, a2) in zip(dated, dated[1:], strict=False):
        if d2 - d1 <= DISPUTE_DAYS:
            parent[root(a2)] = root(a1)
    groups: dict[str, set[str]] = {}
    for a in ids:
        groups.setdefault(root(a), set()).add(a)
    # An article with no date and no storyline company cannot be ruled out by date: it is
    # compared with every group (not merged into one, which would chain the whole corpus).
    loose = {a for a in ids if not anchors.get(a) and len(groups[root(a)]) == 1}
    out = [g for g in groups.values() if not g <= loose]
    return [g | loose for g in out] or ([loose] if loose else [])


class EventStage:
    name: ClassVar[str] = "events"
    version: ClassVar[int] = 1
    batch_size: ClassVar[int] = 50

    def pending(self, store: Store) -> list[str]:
        return store.pending_extractions(self.version)

    def load(self, store: Store, ids: Sequence[str]) -> list[ArticleForEvents]:
        return store.articles_for_events(ids)

    def process(self, batch: list[ArticleForEvents]) -> list[ArticleExtraction]:
        return [extract_article(a) for a in batch]

    def save(self, store: Store, results: list[ArticleExtraction]) -> None:
        store.save_extractions(results, self.version)

    def finish(self, store: Store) -> dict[str, Any]:
        fingerprint = "/".join(store.table_fingerprint(t) for t in ("clean_articles", "story_members", "reprint_groups"))
        fingerprint += f"/{self.version}"
        if store.stage_done(self.name, self.version, fingerprint):
            return {}
        stats = self.reduce(store)
        store.mark_stage_done(self.name, self.version, fingerprint)
        return stats

    def reduce(self, store: Store) -> dict[str, Any]:
        context = store.event_context()
        stored = store.extractions()
        mentions: dict[str, list[EventMention]] = {
            a: [_mention(m) for m in x["mentions"]] for a, x in stored.items() if x["anchor_source"] == "published"
        }
        by_story: dict[str, list[EventMention]] = {}
        for a, ms in mentions.items():
            story = context.get(a, {}).get("story") or f"article:{a}"
            by_story.setdefault(story, []).extend(ms)
        known = [e for story, ms in by_story.items() for e in merge_events(story, ms)]

        undated = sorted(a for a, x in stored.items() if x["anchor_source"] != "published")
        re_resolved: list[ArticleExtraction] = []
        for article in store.articles_for_events(undated):
            x = stored[article.id]
            candidates, source, floor = anchor_candidates(article.id, article.text, context, known)
            estimate = estimate_anchor(article.text, candidates, source, floor) if candidates else None
            if estimate is None:
                dates: list[DateMention] = resolve_dates(article.text, None, "none")
                ms: list[EventMention] = []
                anchor, info = None, {}
            else:
                dates = resolve_estimated(article.text, estimate)
                ms = extract_event_mentions(article.id, article.text, estimate.anchor, source, dates=dates)
                anchor, info = estimate.anchor, {"candidates": list(estimate.candidates),
                                                 "feasible": list(estimate.feasible)}
            figures = [Figure(**f) for f in x["figures"]]
            re_resolved.append(ArticleExtraction(article.id, anchor, source if anchor else "none", dates, ms,
                                                 figures, info))
            story = context.get(article.id, {}).get("story") or f"article:{article.id}"
            by_story.setdefault(story, []).extend(ms)

        locate = geocoder()
        events = []
        for story, ms in sorted(by_story.items()):
            merged = merge_events(story, ms)
            places = sorted({e.place for e in merged if e.place})
            events += [_event_row(e, locate, places) for e in merged]
        anchors = {a: x["anchor"] for a, x in stored.items()}
        anchors.update({x.article_id: x.anchor for x in re_resolved})
        figures = {a: [Figure(**f) for f in x["figures"]] for a, x in stored.items()}
        disputes: dict[str, dict[str, Any]] = {}
        for group in related_groups({a: context.get(a, {}) for a in stored}, anchors):
            found = find_disputes([f for a in sorted(group) for f in figures.get(a, [])])
            for d in found:
                refs = [{"article_id": f.article_id, "start": f.start, "end": f.end} for f in d.figures]
                ident = hashlib.sha1(repr((d.what, refs)).encode()).hexdigest()[:10]
                disputes[ident] = {"id": f"dp-{ident}", "what": d.what, "note": d.note, "figures": refs}
        store.replace_events(events, list(disputes.values()), re_resolved, self.version)
        return {"events": len(events), "estimated anchors": sum(1 for x in re_resolved if x.anchor),
                "disputes": len(disputes)}
