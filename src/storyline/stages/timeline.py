"""A story's timeline: its dated sentences, resolved to calendar dates, each with its sources.

No event store is filled yet (issue 6 stores figures, not events), so the timeline is built
here from sentences that name a date ("Nov. 3", "November 3, 2017") or a day relative to the
article ("Friday", "yesterday"), resolved against the article's publication date. When the
article has no date, the story's earliest known date stands in and the entry is marked
`estimated`; relative days with no anchor at all are left out rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from storyline.records import ArticleForGrouping
from storyline.stages.summaries import (
    MAX_WORDS,
    MIN_WORDS,
    article_sentences,
    group_claims,
    source_count,
)

MAX_ENTRIES = 8

_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_WEEKDAYS = {d: i for i, d in enumerate(
    "monday tuesday wednesday thursday friday saturday sunday".split())}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_FULL = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*(\d{{4}}))?\b", re.I)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}(?:\s+(\d{{4}}))?\b", re.I)
_RELATIVE = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today)\b", re.I)


@dataclass
class TimelineEntry:
    date: str  # YYYY-MM-DD
    estimated: bool  # resolved against an estimated anchor, not the article's own date
    text: str
    cites: list[str]


def sentence_date(sentence: str, anchor: date | None) -> date | None:
    """The calendar date a sentence names, resolved against `anchor` (the article's date)."""
    m = _FULL.search(sentence)
    if m:
        month, day, year = _MONTHS[m.group(1)[:3].lower()], int(m.group(2)), m.group(3)
        return _make(int(year) if year else (anchor.year if anchor else None), month, day)
    m = _DAY_MONTH.search(sentence)
    if m:
        day, month, year = int(m.group(1)), _MONTHS[m.group(2)[:3].lower()], m.group(3)
        return _make(int(year) if year else (anchor.year if anchor else None), month, day)
    m = _RELATIVE.search(sentence)
    if m and anchor:
        word = m.group(1).lower()
        if word == "today":
            return anchor
        if word == "yesterday":
            return anchor - timedelta(days=1)
        # A weekday in news copy is the latest such day on or before the dateline.
        return anchor - timedelta(days=(anchor.weekday() - _WEEKDAYS[word]) % 7)
    return None


def _make(year: int | None, month: int, day: int) -> date | None:
    if year is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def build_timeline(
    articles: Sequence[ArticleForGrouping], reprint_group: dict[str, str], max_entries: int = MAX_ENTRIES
) -> list[TimelineEntry]:
    """Dated events of a story, oldest first, each citing every article that carries it."""
    own = {a.id: _iso(a.published) for a in articles}
    known = [d for d in own.values() if d]
    fallback = min(known) if known else None
    source_of = {a.id: reprint_group.get(a.id, a.id) for a in articles}
    found: list[tuple[date, bool, int, int, str, list[str]]] = []
    for claim in group_claims(article_sentences(articles)):
        if not MIN_WORDS <= len(claim.text.split()) <= MAX_WORDS:
            continue
        for carrier in claim.carriers:
            anchor = own.get(carrier.article_id)
            when = sentence_date(carrier.text, anchor or fallback)
            if when:
                cites = sorted({c.article_id for c in claim.carriers})
                support = source_count(claim, source_of)
                found.append((when, anchor is None, -support, claim.index, claim.text, cites))
                break
    # Keep the best-supported, lead-most events, then show them in date order.
    found.sort(key=lambda f: (f[2], f[3]))
    kept = sorted(found[:max_entries], key=lambda f: (f[0], f[3]))
    return [TimelineEntry(d.isoformat(), est, text, cites) for d, est, _, _, text, cites in kept]
