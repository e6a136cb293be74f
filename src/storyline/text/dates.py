"""Dates written as dates: the month and weekday name tables (the one copy the other date
code builds its patterns from), the patterns pages and URLs use
("Nov. 5, 2017", "5 November 2017", "2017-11-05", "/2017/11/05/"), and a dateline's year
inferred from the evidence the page gives. Shared by publication dates (stages/clean) and
date expressions (date_mentions.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}


MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
]


# The month abbreviations as a regex alternation ("sept?" takes "Sep." and "Sept.").
MONTH_ALTERNATION = "jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec"


_MONTH = rf"({MONTH_ALTERNATION})[a-z]*\.?"


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


# "Nov 4, 2017", "November 4 2017", "Nov. 4" (year optional)
_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s*,\s*|\s+)?((?:19|20)\d\d)?\b", re.I)


# "4 November 2017", "08 Jul 2014"
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+((?:19|20)\d\d)\b", re.I)


_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d{1,2})(?:-(\d{1,2}))?\b")


_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")


_WEEKDAY = re.compile(rf"\b({'|'.join(WEEKDAYS)})\b", re.I)


_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


# URL forms: /2017/11/04/, /2017/nov/05/, /2015-03/26/, /2010-09/19/, /20100822/,
# -20230311-, /20140714.htm, 13july2014; month only: /2016/07/.
# A day is its own path segment (/2017/11/04/, /2017/11/04.html) or part of one written as
# a date (/2017-11-04-title): "/2023/10/3-fragen" is October 2023 and a title ("3 questions").
_URL_YMD = [
    re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})/(\d{1,2})(?=/|\.[a-z]{2,5}$|$)", re.I),
    re.compile(r"/((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})(?=[/_.-]|$)"),
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
