"""Publication dates: candidates from every source, then the most trusted one that holds up.

Order of trust (the issue's): the input's own field, HTML metadata, the dateline, the URL,
the page text. A page-text date is only a short line that is mostly a date ("Sun, Nov 05,
2017 - Page 1 News List", "Updated March 26, 2015 08:20 AM"), never a date inside a
sentence (those are events, or file photos). When such lines disagree, the earliest wins:
publication <= update <= crawl/render, so the latest is the likeliest crawl date.

A dateline without a year ("BEIRUT, Nov 4, (AP)") gets its year from evidence only: years
the page itself states (URL, dated lines) and the weekdays the text mentions, which in
news copy point back at most a few days from the dateline ("late Friday", "Saturday").
Dated lines bound the year from above (a page cannot be older than its own publication,
and a crawl date is after it). With no such evidence the answer is None, never a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storyline.records import MetaValue
from storyline.stages.clean.date_evidence import (
    HTMLDATE,
    INPUT,
    METADATA,
    URL,
    VISIBLE,
    DateCandidate,
)
from storyline.text.dates import (
    _ISO,
    _MONTH,
    _NUMERIC,
    DateFound,
    _valid,
    _weekday_distance,
    dates_in,
    infer_year,
    url_date,
    weekday_mentions,
)

# The " date 2017-11-09 " header some crawl exports put before the text.
DATE_HEADER = re.compile(r"^\s*date\s+((?:19|20)\d\d-\d{2}(?:-\d{2})?)\b\s*")


# Dated lines that are about someone or something else: a forum member's join date, a
# birthday, a copyright year, the last login.
_NOT_PUBLICATION = re.compile(
    r"\b(joined|member since|registered|last (seen|login|active|visit)|born|birthday|copyright|expires?)\b|©", re.I,
)


def standalone_dates(lines: list[str]) -> list[DateFound]:
    """Dates on short lines that are mostly a date (header, byline, edition or footer lines)."""
    out = []
    for index, line in enumerate(lines):
        if len(line) > 90:
            continue
        label = lines[index - 1] if index else ""
        if _NOT_PUBLICATION.search(line) or _NOT_PUBLICATION.fullmatch(label.strip(" -:•")):
            continue
        found = [d for d in dates_in(line) if d.year is not None]
        if len(found) != 1:
            continue
        rest = _ISO.sub(" ", _NUMERIC.sub(" ", line))
        rest = re.sub(rf"{_MONTH}|\d+|[^\w\s]|\b(am|pm|gmt|ist|et|utc|updated|published|posted|on|at)\b", " ", rest, flags=re.I)
        if len(rest.split()) <= 6:
            out.append(found[0])
    return out


def _resolve(d: DateFound, weekdays: list[int]) -> DateFound:
    """Choose between the readings of an ambiguous numeric date by the weekdays mentioned."""
    if d.alternative is None or d.year is None or d.day is None:
        return d
    other = DateFound(d.year, d.alternative[0], d.alternative[1])
    if not weekdays or not _valid(other.year, other.month, other.day):
        return DateFound(d.year, d.month, d.day)
    ours = _weekday_distance(date(d.year, d.month, d.day), weekdays)
    theirs = _weekday_distance(date(other.year, other.month, other.day), weekdays)  # type: ignore[arg-type]
    return other if theirs < ours else DateFound(d.year, d.month, d.day)


def _as_date(d: DateFound) -> date | None:
    if d.year is None or d.day is None:
        return None
    return date(d.year, d.month, d.day)


@dataclass(frozen=True)
class Vote:
    """One source's say on the publication date: a day (YYYY-MM-DD) or only a month (YYYY-MM)."""

    value: str
    source: str
    family: str  # sources of one family are not independent of each other (date_evidence.py)
    rank: int  # the order of trust between sources when the votes tie: lower first
    confidence: float  # what this source alone is worth: also the weight of its vote
    alternative: str | None = None  # the neighbouring day a UTC timestamp near midnight may mean
    certainty: float = 1.0  # how sure `value` is rather than `alternative`


# What each kind of source is worth alone: the share of its dates that are right, when no
# other source confirms or contradicts it, measured on dev pages (`storyline eval clean`).
ALONE = {
    "input": 1.0, "page date header": 0.9, "metadata": 0.85, "dateline": 0.9, "dateline (inferred year)": 0.65,
    "url": 0.8, "byline area": 0.65, "page text": 0.6, "htmldate": 0.7, "htmldate extensive search": 0.5,
    "month": 0.5,
}
# Confirmed by another, independent family of sources (metadata, URL, visible text).
CONFIRMED = 0.95
# Contradicted: another family's date differs and the tie was broken by trust alone.
CONTRADICTED = 0.6
# A UTC timestamp near midnight alone: one of two days, the evidence does not say which.
AMBIGUOUS = 0.45
# Below this a date is an estimate, kept apart (`published_estimate`), not the article's date.
ESTIMATE = 0.5


def _iso(d: date) -> str:
    return d.isoformat()


def _metadata_vote(markup: Sequence[DateCandidate]) -> Vote | None:
    """The page markup's one say: the day its JSON-LD and meta tags state most often.

    A timestamp with the writer's own offset outranks a UTC one (whose day is uncertain near
    midnight); `<time>` elements count only when no JSON-LD or meta tag states a date.
    """
    published = [c for c in markup if c.family == METADATA and c.kind == "published"]
    tagged = [c for c in published if not c.source.startswith("<time>")] or published
    if not tagged:
        return None
    surest = max(c.certainty for c in tagged)
    exact = [c for c in tagged if c.certainty == surest]
    counts = Counter(c.day for c in exact)
    best_count = max(counts.values())
    first = next(c for c in exact if counts[c.day] == best_count)
    days = {c.day for c in tagged} - {first.day}
    if first.alternative is not None:
        days -= {first.alternative}
    disagree = bool(days)
    confidence = ALONE["metadata"] if not disagree else CONTRADICTED
    return Vote(_iso(first.day), first.source + (" (other tags disagree)" if disagree else ""), METADATA, 2,
                confidence, _iso(first.alternative) if first.alternative else None, first.certainty)


def modified_date(markup: Sequence[DateCandidate], published: str | None, upper: date | None) -> MetaValue | None:
    """The page's last update, as its markup or byline states it; never before its publication."""
    found = [c for c in markup if c.kind == "modified" and (upper is None or c.day <= upper)
             and (published is None or len(published) < 10 or _iso(c.day) >= published)]
    if not found:
        return None
    counts = Counter(c.day for c in found)
    day = max(counts, key=lambda d: (counts[d], d))
    first = next(c for c in found if c.day == day)
    return MetaValue(_iso(day), first.source, 0.9 if counts[day] > 1 else 0.7)


def date_votes(
    *,
    given: str | None,
    html_date: str | None,
    dateline_date: DateFound | None,
    url: str | None,
    header_date: str | None,
    page_lines: list[str],
    text: str,
    crawled: date | None = None,
    markup: Sequence[DateCandidate] = (),
    htmldate_extensive: str | None = None,
    today: date | None = None,
    plain_text: bool = False,
) -> tuple[list[Vote], date | None]:
    """Every source's vote on the publication date, and the latest date it can be (upper bound).

    A vote after the upper bound (the capture date, today) is impossible and left out; a
    page-text date on the capture day is the page's render date, not its publication.
    """
    bound = min((d for d in (crawled, today) if d), default=None)
    weekdays = weekday_mentions(text)
    page_dates = [_resolve(d, weekdays) for d in standalone_dates(page_lines)]
    from_url = url_date(url)
    if from_url and (from_url.year is None or (from_url.day is not None and not _valid(from_url.year, from_url.month, from_url.day))):
        from_url = None
    full_page = sorted(d for d in (_as_date(p) for p in page_dates) if d)
    upper = full_page[-1] if full_page else None
    if crawled is not None:
        full_page = [d for d in full_page if d < crawled]
        upper = min(upper, crawled) if upper else crawled

    votes: list[Vote] = []
    if given and re.match(r"^(19|20)\d\d(-(0[1-9]|1[0-2]))?$", given.strip()):
        votes.append(Vote(given.strip(), "input", INPUT, 0, ALONE["input"]))  # month or year only: a day refines it
    if header_date:
        votes.append(Vote(header_date, "page date header", VISIBLE, 1, ALONE["page date header"]))
    if (meta_vote := _metadata_vote(markup)) is not None:
        votes.append(meta_vote)
    if dateline_date is not None:
        if dateline_date.year is not None and dateline_date.day is not None:
            votes.append(Vote(dateline_date.iso(), "dateline", VISIBLE, 3, ALONE["dateline"]))
        elif dateline_date.day is not None:
            hints = [d.year for d in page_dates if d.year] + ([from_url.year] if from_url and from_url.year else [])
            hints += [d.year for d in dates_in(text) if d.year and (upper is None or d.year <= upper.year)]
            found = infer_year(dateline_date.month, dateline_date.day, weekdays, hints, upper)
            if found:
                year, how = found
                iso = DateFound(year, dateline_date.month, dateline_date.day).iso()
                votes.append(Vote(iso, f"dateline (year from {how})", VISIBLE, 3, ALONE["dateline (inferred year)"]))
    if from_url is not None:
        if from_url.day:
            votes.append(Vote(from_url.iso(), "url", URL, 4, ALONE["url"]))
        else:
            votes.append(Vote(from_url.iso(), "url", URL, 4, ALONE["month"]))
    byline = [c for c in markup if c.family == VISIBLE and c.kind == "published"]
    if byline:
        # The byline area of a page holds other dates too (the day it was rendered, teasers):
        # the one the markup or the URL also states is the page's own; else the first.
        others = {v.value for v in votes if v.family != VISIBLE} | {v.alternative for v in votes if v.alternative}
        own = next((c for c in byline if _iso(c.day) in others), byline[0])
        votes.append(Vote(_iso(own.day), own.source, VISIBLE, 5, ALONE["byline area"]))
    if full_page and len(set(full_page)) == 1:
        votes.append(Vote(full_page[0].isoformat(), "page text", VISIBLE, 6, ALONE["page text"]))
    elif full_page and plain_text:
        # A crawled text keeps the page's chrome, whose date line is the day it was rendered
        # (publication <= update <= render): the earliest is the likeliest publication, a
        # weak clue. In HTML the chrome is gone and several dated lines say nothing.
        votes.append(Vote(full_page[0].isoformat(), "page text (earliest of several)", VISIBLE, 6, 0.5))
    if html_date and re.match(r"^\d{4}-\d{2}-\d{2}$", html_date):
        votes.append(Vote(html_date, "htmldate", HTMLDATE, 7, ALONE["htmldate"]))
    elif htmldate_extensive and re.match(r"^\d{4}-\d{2}-\d{2}$", htmldate_extensive):
        votes.append(Vote(htmldate_extensive, "htmldate extensive search", HTMLDATE, 8,
                          ALONE["htmldate extensive search"]))
    if bound is not None:
        votes = [v for v in votes if v.value[:len(v.value)] <= _iso(bound)[:len(v.value)]]
    return votes, bound


def decide(votes: list[Vote]) -> MetaValue | None:
    """The date the votes agree on, with a confidence that says how far they agree.

    Each family of sources (metadata, URL, visible text, htmldate) has one say; the day with
    the most weight wins, a tie going to the most trusted source. A date that two independent
    families state is confirmed; one that another family contradicts is an estimate.
    """
    # One vote per family: its most trusted source.
    primary: dict[str, Vote] = {}
    for v in sorted(votes, key=lambda v: v.rank):
        primary.setdefault(v.family, v)
    days = [v for v in primary.values() if len(v.value) == 10]
    months = [v for v in primary.values() if len(v.value) in (4, 7)]  # a month or a year only
    if not days:
        if not months:
            return None
        best = min(months, key=lambda v: v.rank)
        return MetaValue(best.value, best.source, best.confidence)
    score: Counter[str] = Counter()
    for v in days:
        if v.family == HTMLDATE and any(o.value == v.value for o in days if o.family != HTMLDATE):
            # htmldate read the same tag or URL: not a second witness, only a tie-breaker
            # (it has weighed the page's other dates against that one).
            score[v.value] += 0.1
            continue
        # A UTC timestamp away from mid-day: its own day by its certainty, else the neighbouring one.
        score[v.value] += v.certainty * v.confidence
        if v.alternative is not None:
            score[v.alternative] += (1 - v.certainty) * v.confidence
    for m in months:
        for day in list(score):
            if day.startswith(m.value):
                score[day] += 0.25 * m.confidence
    best_rank = {day: min(v.rank for v in days if day in (v.value, v.alternative)) for day in score}
    winner = max(score, key=lambda day: (score[day], -best_rank[day]))
    exact = [v for v in days if v.value == winner]
    near = [v for v in days if v.alternative == winner]
    lead = min(exact + near, key=lambda v: (v not in exact, v.rank))
    independent = {v.family for v in exact if v.family != HTMLDATE}
    against = [v for v in days if v.value != winner and v.alternative != winner and v.family != HTMLDATE]
    against += [m for m in months if not winner.startswith(m.value)]
    month_agrees = [m for m in months if winner.startswith(m.value) and m.rank < lead.rank]
    confidence = lead.confidence
    if len(independent | ({URL} if month_agrees and lead.family != URL else set())) >= 2:
        confidence = max(confidence, CONFIRMED)
    elif any(v.family == HTMLDATE for v in exact) and lead.family != HTMLDATE:
        confidence = min(0.9, confidence + 0.05)
    if lead.alternative is not None and len(independent) < 2:
        # A UTC time, nothing else says which day: likely its own, or a coin flip near midnight.
        confidence = min(confidence, CONTRADICTED if lead.certainty > 0.6 else AMBIGUOUS)
    if lead not in exact or against:
        confidence = min(confidence, CONTRADICTED)
    source = lead.source
    if month_agrees:
        source = f"{month_agrees[0].source}, day from {lead.source}"
    others = sorted({v.source for v in exact if v is not lead})
    if others:
        source += "; agrees: " + ", ".join(others)
    return MetaValue(winner, source, round(confidence, 2))


def publication_dates(
    *, markup: Sequence[DateCandidate] = (), today: date | None = None, **evidence,
) -> tuple[MetaValue | None, MetaValue | None]:
    """(publication date, last update), each with its source and confidence, or None.

    The input's own full date wins (a feed states it). Otherwise every source votes
    (`date_votes`) and `decide` weighs them; the update is kept apart and never taken for the
    publication. A month-only date (YYYY-MM) is a value with a source like any other.
    """
    given = evidence.get("given")
    crawled = evidence.get("crawled")
    bound = min((d for d in (crawled, today) if d), default=None)
    if given and re.match(r"^\d{4}-\d{2}-\d{2}", given) and (bound is None or given[:10] <= _iso(bound)):
        published: MetaValue | None = MetaValue(given[:10], "input", 1.0)
    else:
        if given and re.match(r"^\d{4}-\d{2}-\d{2}", given):
            evidence = evidence | {"given": None}  # a feed date after the capture date is impossible
        votes, bound = date_votes(markup=markup, today=today, **evidence)
        published = decide(votes)
    return published, modified_date(markup, published.value if published else None, bound)


def publication_date(**evidence) -> MetaValue | None:
    """The publication date alone (YYYY-MM-DD, or YYYY-MM when only the month is known), or None."""
    return publication_dates(**evidence)[0]
