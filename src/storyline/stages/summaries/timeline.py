"""A story's timeline: its dated events in date order, each with every source that carries it.

Where the events stage stored no event for the story, its events are its dated sentences: a
sentence that names a day ("Nov. 3", "November 3, 2017", "Friday", "late Friday", "yesterday") is
resolved to a calendar date by text/date_mentions.py against its article's publication date. An
article with no known date borrows the story's earliest known date and its entries are
marked `estimated`; with no date anywhere in the story only absolute dates ("Nov. 2, 2017")
are placed, and relative days are left out rather than guessed.

Where it stored events (store/summaries.py `stored_events`), they are used instead:
`build_timeline(..., events=...)`.

Sentences are grouped into claims exactly as the summary groups them, so a reprinted or
lightly edited sentence is one entry citing all its carriers, and reprints count once
when entries are ranked by how many sources carry them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from storyline.records import ArticleForGrouping
from storyline.stages.summaries.summarize import (
    article_sentences,
    citations,
    claim_sources,
    group_claims,
    index_sentences,
    is_caption,
    summary_material,
)
from storyline.text.date_mentions import resolve_dates

MAX_ENTRIES = 10
# "this week", "last month" are background, not events: spans longer than a weekend are left out.
MAX_SPAN_DAYS = 2


@dataclass
class TimelineEntry:
    date: str  # YYYY-MM-DD
    estimated: bool  # resolved against the story's date, not the article's own
    text: str
    cites: list[str]  # every article carrying the sentence or a close paraphrase
    when: str = ""  # the date expression as written ("late Friday"); "" for stored events


def _days(first: str, last: str | None) -> int:
    return (date.fromisoformat(last) - date.fromisoformat(first)).days if last else 0


def story_anchor(articles: Sequence[ArticleForGrouping]) -> str | None:
    """The story's earliest known publication date: the stand-in for undated articles."""
    known = sorted(a.published[:10] for a in articles if a.published)
    return known[0] if known else None


def build_timeline(
    articles: Sequence[ArticleForGrouping],
    reprint_group: Mapping[str, str],
    max_entries: int = MAX_ENTRIES,
    events: Sequence[Mapping] | None = None,
) -> list[TimelineEntry]:
    """Dated events of a story, oldest first; `events` (stored ones) win over sentences."""
    if events:
        entries = [
            TimelineEntry(str(e["date"])[:10], bool(e.get("estimated", False)), str(e["text"]),
                          sorted(set(e.get("cites") or [])))
            for e in events if e.get("date") and e.get("text") and not is_caption(str(e["text"]))
            # The same rules as for sentences: a photo caption ("This frame grab from a video
            # released on Nov. 2 ... shows smoke") is not told as the event; "this week's
            # truck attack" is background.
            and _days(str(e["date"])[:10], (str(e["date_end"])[:10] if e.get("date_end") else None)) <= MAX_SPAN_DAYS
        ]
        return sorted(entries, key=lambda e: (e.date, e.text))[:max_entries]
    published = {a.id: (a.published or "")[:10] or None for a in articles}
    fallback = story_anchor(articles)
    source_of = {a.id: reprint_group.get(a.id, a.id) for a in articles}
    index = index_sentences(articles)
    found = []
    for claim in group_claims(article_sentences(articles)):
        if not summary_material(claim.text):
            continue
        # A carrier with its own date first: an estimate only when no carrier is dated.
        for carrier in sorted(claim.carriers, key=lambda c: published.get(c.article_id) is None):
            own = published.get(carrier.article_id)
            mentions = [
                m for m in resolve_dates(carrier.text, own or fallback, "published" if own else "story estimate",
                                         estimated=own is None)
                if m.value and _days(m.value, m.value_end) <= MAX_SPAN_DAYS
            ]
            if not mentions:
                continue
            best = max(mentions, key=lambda m: m.confidence)
            support = len(claim_sources(claim, source_of))
            entry = TimelineEntry(best.value, best.estimated, claim.text, citations(claim.text, index), best.text)
            found.append((-support, claim.index, entry))
            break
    # Keep the best-supported, lead-most events, then show them in date order.
    found.sort(key=lambda f: (f[0], f[1]))
    kept = sorted(found[:max_entries], key=lambda f: (f[2].date, f[1]))
    return [f[2] for f in kept]
