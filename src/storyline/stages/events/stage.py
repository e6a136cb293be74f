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
from collections.abc import Sequence
from typing import Any, ClassVar

from storyline.records import ArticleExtraction, ArticleForEvents, Figure
from storyline.stages.base import first_chars
from storyline.stages.events.article import (
    _event_row,
    _mention,
    anchor_candidates,
    extract_article,
    geocoder,
    related_groups,
)
from storyline.stages.events.figures import find_disputes
from storyline.stages.events.mentions import (
    EventMention,
    extract_event_mentions,
    merge_events,
)
from storyline.store import Store
from storyline.text.date_mentions import (
    DateMention,
    estimate_anchor,
    resolve_dates,
    resolve_estimated,
)


class EventStage:
    name: ClassVar[str] = "events"
    version: ClassVar[int] = 1
    batch_size: ClassVar[int] = 50

    def pending(self, store: Store) -> list[str]:
        return store.pending_extractions(self.version)

    def load(self, store: Store, ids: Sequence[str]) -> list[ArticleForEvents]:
        return first_chars(store.articles_for_events(ids))

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
        for article in first_chars(store.articles_for_events(undated)):
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
