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
from dataclasses import dataclass
from datetime import date

from storyline.records import MetaValue

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# "Nov 4, 2017", "November 4 2017", "Nov. 4" (year optional)
_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s*,\s*|\s+)?((?:19|20)\d\d)?\b", re.I)
# "4 November 2017", "08 Jul 2014"
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+((?:19|20)\d\d)\b", re.I)
_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d{1,2})(?:-(\d{1,2}))?\b")
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
# The " date 2017-11-09 " header some crawl exports put before the text.
DATE_HEADER = re.compile(r"^\s*date\s+((?:19|20)\d\d-\d{2}(?:-\d{2})?)\b\s*")

# URL forms: /2017/11/04/, /2017/nov/05/, /2015-03/26/, /2010-09/19/, /20100822/,
# -20230311-, /20140714.htm, 13july2014; month only: /2016/07/.
_URL_YMD = [
    re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?=[/_.-]|$)"),
    re.compile(rf"/((?:19|20)\d\d)/{_MONTH}/(\d{{1,2}})(?=[/_.-]|$)", re.I),
    re.compile(r"[/_-]((?:19|20)\d\d)(\d\d)(\d\d)(?=[/_.-]|$)"),
]
_URL_DMY = re.compile(rf"[/_-](\d{{1,2}}){_MONTH}((?:19|20)\d\d)(?=[/_.-]|$)", re.I)
_URL_YM = re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/")


@dataclass(frozen=True)
class DateFound:
    """A date read from a source: day may be None (month precision); year may be None."""

    year: int | None
    month: int
    day: int | None
    alternative: tuple[int, int] | None = None  # (month, day) for an ambiguous 05/11/2017

    def iso(self) -> str:
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def _valid(year: int | None, month: int, day: int | None) -> bool:
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: Feb 29 stays possible
    except ValueError:
        return False
    return True


def dates_in(text: str) -> list[DateFound]:
    """Every date written in `text`, in order; dates without a year have year None."""
    found: list[tuple[int, DateFound]] = []
    taken: list[tuple[int, int]] = []

    def add(pos: int, end: int, d: DateFound) -> None:
        if any(s < end and pos < e for s, e in taken) or not _valid(d.year, d.month, d.day):
            return
        taken.append((pos, end))
        found.append((pos, d))

    for m in _ISO.finditer(text):
        add(m.start(), m.end(), DateFound(int(m[1]), int(m[2]), int(m[3]) if m[3] else None))
    for m in _NUMERIC.finditer(text):
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if a > 12:
            add(m.start(), m.end(), DateFound(year, b, a))
        elif b > 12 or a == b:
            add(m.start(), m.end(), DateFound(year, a, b))
        else:  # 11/05/2017: US order first, the other kept for the weekday check
            add(m.start(), m.end(), DateFound(year, a, b, alternative=(b, a)))
    for m in _DMY.finditer(text):
        add(m.start(), m.end(), DateFound(int(m[3]), MONTHS[m[2].lower()[:3]], int(m[1])))
    for m in _MDY.finditer(text):
        year = int(m[3]) if m[3] else None
        add(m.start(), m.end(), DateFound(year, MONTHS[m[1].lower()[:3]], int(m[2])))
    return [d for _, d in sorted(found, key=lambda item: item[0])]


def weekday_mentions(text: str) -> list[int]:
    return [WEEKDAYS.index(m.lower()) for m in _WEEKDAY.findall(text)]


def _weekday_distance(day: date, weekdays: list[int]) -> int:
    """How far back, in days, the weekdays a text mentions lie from `day` (0 = same day)."""
    return sum((day.weekday() - w) % 7 for w in weekdays)


def infer_year(
    month: int, day: int, weekdays: list[int], year_hints: list[int], upper: date | None,
) -> tuple[int, str] | None:
    """The year of a month-day date, from evidence; None when the evidence does not decide."""
    candidates = set(year_hints)
    if upper and weekdays:
        candidates |= set(range(upper.year - 15, upper.year + 1))
    scored = []
    for year in sorted(candidates):
        if not _valid(year, month, day):
            continue
        when = date(year, month, day)
        if upper and when > upper:
            continue
        score = _weekday_distance(when, weekdays) if weekdays else 0
        scored.append((score, year in year_hints, year))
    if not scored:
        return None
    if weekdays:
        best = min(s for s, _, _ in scored)
        if best > 2 * len(weekdays):  # the text's weekdays fit no candidate year well
            return None
        ties = [(hint, year) for s, hint, year in scored if s == best]
        _, year = max(ties)
        return year, "weekdays mentioned in the text"
    years = {y for _, _, y in scored}
    if len(years) == 1:
        return years.pop(), "the only year the page states"
    return None


def url_date(url: str | None) -> DateFound | None:
    """The date in a URL path; for a web-archive URL, the archived page's own URL."""
    if not url:
        return None
    inner = url.rfind("http", 1)
    path = url[inner:] if inner > 0 else url
    path = re.sub(r"^[a-z]+://[^/]+", "", path, flags=re.I)
    for pattern in _URL_YMD:
        m = pattern.search(path)
        if m:
            month = int(m[2]) if m[2].isdigit() else MONTHS[m[2].lower()[:3]]
            if _valid(int(m[1]), month, int(m[3])):
                return DateFound(int(m[1]), month, int(m[3]))
    m = _URL_DMY.search(path)
    if m and _valid(int(m[3]), MONTHS[m[2].lower()[:3]], int(m[1])):
        return DateFound(int(m[3]), MONTHS[m[2].lower()[:3]], int(m[1]))
    m = _URL_YM.search(path)
    if m and _valid(int(m[1]), int(m[2]), None):
        return DateFound(int(m[1]), int(m[2]), None)
    return None


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
    if given and re.match(r"^(19|20)\d\d-(0[1-9]|1[0-2])$", given.strip()):
        candidates.append(MetaValue(given.strip(), "input", 1.0))  # month only: a day found later refines it
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
    if len(best.value) == 7:
        # Month precision: a later source with a day in that month refines it.
        for other in candidates[1:]:
            if len(other.value) == 10 and other.value.startswith(best.value):
                return MetaValue(other.value, f"{best.source}, day from {other.source}", min(best.confidence, other.confidence))
    return best
