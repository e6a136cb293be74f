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
from datetime import date

from storyline.records import MetaValue
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


def publication_date(
    *,
    given: str | None,
    html_date: str | None,
    dateline_date: DateFound | None,
    url: str | None,
    header_date: str | None,
    page_lines: list[str],
    text: str,
    crawled: date | None = None,
) -> MetaValue | None:
    """The publication date (YYYY-MM-DD, or YYYY-MM when only the month is known), or None.

    `page_lines` are all the page's lines, furniture included (a crawl date there bounds the
    year from above); `text` is the article text (for weekday mentions); `crawled` the
    capture date of a WARC record, never a candidate itself: page-text dates on or after it
    are the page's render date, not its publication date.
    """
    if given and re.match(r"^\d{4}-\d{2}-\d{2}", given):
        return MetaValue(given[:10], "input", 1.0)
    weekdays = weekday_mentions(text)
    page_dates = [_resolve(d, weekdays) for d in standalone_dates(page_lines)]
    from_url = url_date(url)
    full_page = sorted(d for d in (_as_date(p) for p in page_dates) if d)
    upper = full_page[-1] if full_page else None
    if crawled is not None:
        full_page = [d for d in full_page if d < crawled]
        upper = min(upper, crawled) if upper else crawled

    candidates: list[MetaValue] = []
    if given and re.match(r"^(19|20)\d\d(-(0[1-9]|1[0-2]))?$", given.strip()):
        candidates.append(MetaValue(given.strip(), "input", 1.0))  # month or year only: a day found later refines it
    if header_date:
        candidates.append(MetaValue(header_date, "page date header", 0.9))
    if html_date and re.match(r"^\d{4}-\d{2}-\d{2}$", html_date):
        candidates.append(MetaValue(html_date, "html metadata", 0.85))
    if dateline_date is not None:
        if dateline_date.year is not None and dateline_date.day is not None:
            candidates.append(MetaValue(dateline_date.iso(), "dateline", 0.9))
        elif dateline_date.day is not None:
            hints = [d.year for d in page_dates if d.year] + ([from_url.year] if from_url and from_url.year else [])
            hints += [d.year for d in dates_in(text) if d.year and (upper is None or d.year <= upper.year)]
            found = infer_year(dateline_date.month, dateline_date.day, weekdays, hints, upper)
            if found:
                year, how = found
                iso = DateFound(year, dateline_date.month, dateline_date.day).iso()
                candidates.append(MetaValue(iso, f"dateline (year from {how})", 0.65))
    if from_url is not None:
        candidates.append(MetaValue(from_url.iso(), "url", 0.8 if from_url.day else 0.5))
    if full_page:
        same = len(set(full_page)) == 1
        candidates.append(MetaValue(full_page[0].isoformat(), "page text" if same else "page text (earliest of several)",
                                    0.6 if same else 0.5))
    if not candidates:
        return None
    best = candidates[0]
    if len(best.value) < 10:
        # Month or year precision: a later source with a day in it refines it.
        for other in candidates[1:]:
            if len(other.value) == 10 and other.value.startswith(best.value):
                return MetaValue(other.value, f"{best.source}, day from {other.source}", min(best.confidence, other.confidence))
    return best
