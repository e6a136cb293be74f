"""Date expressions in article text, resolved against the article's own date.

dateparser gets "late Friday" and "last weekend" wrong or not at all, and puts "Saturday" on
a Saturday dateline a week back (../shared/DEPENDENCIES.md), so this is a small resolver of
our own for the expressions news copy uses: yesterday/today/tomorrow/tonight/overnight,
"N days/weeks ago", last/this month and year, weekday names with
"late"/"early"/"on"/"last"/"next", last/this weekend and week, and month-day dates with or
without a year ("Nov. 3", "November 3, 2017", "3 November").

News is written in the past tense about the last few days, so a bare weekday means the most
recent such day on or before the anchor ("said Saturday" on a Saturday dateline is that day).
Every mention keeps its anchor and a confidence; a mention resolved against an estimated
anchor (the article has no known date; its story's date stands in) is marked `estimated`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from storyline.records import DateMention
from storyline.text.dates import MONTH_ALTERNATION, WEEKDAYS
from storyline.text.dates import MONTHS as _MONTHS

_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
_MONTH = rf"(?:{MONTH_ALTERNATION})(?:[a-z]*)\.?"
_WEEKDAY = rf"(?:{'|'.join(WEEKDAYS)})"
_EXPRESSION = re.compile(
    rf"\b(?:(?P<relday>yesterday|today|tomorrow|tonight|overnight|this (?:morning|afternoon|evening))"
    rf"|(?P<agoN>\d{{1,2}}|a|an|one|two|three|four|five|six|seven|ten)\s+(?P<agoU>days?|weeks?)\s+ago"
    rf"|(?P<mmod>last|this|earlier this|past)\s+(?P<mspan>month|year)"
    rf"|(?P<wmod>last|this|next|past)\s+(?P<span>weekend|week)"
    rf"|(?:(?P<part>late|early)\s+(?:on\s+)?)?(?:(?P<dmod>last|this|next|on)\s+)?(?P<wday>{_WEEKDAY})"
    rf"(?:\s*,?\s+(?P<wmon>{_MONTH})\s+(?P<wmday>\d{{1,2}})\b(?:,?\s+(?P<wyear>(?:19|20)\d\d))?)?"
    rf"|(?P<mon>{_MONTH})\s+(?P<mday>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d))?"
    rf"|(?P<mday2>\d{{1,2}})\s+(?P<mon2>{_MONTH})(?:\s+(?P<year2>(?:19|20)\d\d))?)"
    r"(?!\w)",
    re.I,
)


def resolve_dates(text: str, anchor: str | None, anchor_source: str = "published",
                  estimated: bool = False) -> list[DateMention]:
    """Every date expression in `text`, resolved against `anchor` (YYYY-MM-DD or None)."""
    base = _parse_day(anchor)
    out = []
    for m in _EXPRESSION.finditer(text):
        if _is_calendar_noise(text, m):
            continue
        resolved = _resolve(m, base, _tense(text, m.start(), m.end()))
        if resolved is None:
            continue
        first, last, confidence, absolute = resolved
        if absolute:
            source, est = "absolute", False
        elif base is None:
            source, est = "none", estimated
        else:
            source, est = anchor_source, estimated
        if est and not absolute:
            confidence = round(confidence * 0.5, 2)
        out.append(DateMention(
            text=m.group(), start=m.start(), end=m.end(),
            value=first.isoformat() if first else None,
            value_end=last.isoformat() if last else None,
            anchor=anchor if not absolute else None, anchor_source=source,
            confidence=confidence if first else 0.0, estimated=est and not absolute,
            part=(m.group("part") or "").lower(),
        ))
    return out


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _is_calendar_noise(text: str, m: re.Match[str]) -> bool:
    # "May 5" is a date, but "may 5 people" is not: a lower-case "may" is the verb.
    month = m.group("mon") or m.group("mon2") or ""
    if month.startswith("may") and month[0].islower():
        return True
    # "Egypt Today", "USA Today": a capitalised relative day inside a name.
    word = m.group("relday") or ""
    before = text[: m.start()].rstrip(" -")
    return word[:1].isupper() and bool(re.search(r"[A-Z][a-z]+$", before)) and not before.endswith(".")


_FUTURE = re.compile(
    r"\b(?:will|won't|shall|'ll|going to|plans? to|planned for|scheduled|slated|set to|expected to|"
    r"upcoming|next|due to|is to|are to|until|by then|ahead of)\b", re.I)
_PAST = re.compile(
    r"\b(?:was|were|had|did|said|says|told|ago|last|since|earlier|former|riots?|attack(?:ed)?|"
    r"anniversary|\w{3,}ed)\b", re.I)


def _tense(text: str, start: int, end: int) -> str:
    """"future", "past" or "" for the sentence around a date expression: "will vote on Dec. 3"
    looks ahead, "the Jan. 6 riot" (in October) looks back."""
    left = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i >= 0]
    sentence = text[left : min(rights) if rights else len(text)]
    if _FUTURE.search(sentence):
        return "future"
    return "past" if _PAST.search(sentence) else ""


def _resolve(m: re.Match[str], base: date | None, tense: str = ""):
    """(first day, last day, confidence, absolute?) or None to skip the match."""
    if m.group("mon") or m.group("mon2"):
        month = _MONTHS[(m.group("mon") or m.group("mon2")).lower()[:3]]
        day = int(m.group("mday") or m.group("mday2"))
        year = m.group("year") or m.group("year2")
        if year:
            return _safe(int(year), month, day, 1.0, absolute=True)
        if base is None:
            return None, None, 0.0, False
        # No year: the nearest occurrence before the anchor in a past-tense sentence, after it
        # in a future-tense one, else the one closest to it (less sure).
        days = []
        for y in (base.year - 1, base.year, base.year + 1):
            try:
                days.append(date(y, month, day))
            except ValueError:
                continue
        if tense == "past":
            days, confidence = [d for d in days if d <= base] or days, 0.9
        elif tense == "future":
            days, confidence = [d for d in days if d >= base] or days, 0.9
        else:
            confidence = 0.75
        best = min(days, key=lambda d: abs((d - base).days), default=None)
        return (best, best, confidence, False) if best else None
    if base is None and not m.group("wyear"):
        return None, None, 0.0, False
    if m.group("relday"):
        word = " ".join(m.group("relday").lower().split())
        offset = {"yesterday": -1, "tomorrow": 1}.get(word, 0)
        # "overnight" may be the night before; the report's day is the usual reading.
        d = base + timedelta(days=offset)
        return d, d, 0.9 if word != "overnight" else 0.7, False
    if m.group("agoU"):
        count = m.group("agoN").lower()
        n = int(count) if count.isdigit() else _NUMBER_WORDS[count]
        days = n * (7 if m.group("agoU").lower().startswith("week") else 1)
        d = base - timedelta(days=days)
        if m.group("agoU").lower().startswith("week"):  # "two weeks ago": that week, roughly
            return d - timedelta(days=3), d + timedelta(days=3), 0.5, False
        return d, d, 0.8, False
    if m.group("mspan"):
        mod, span = " ".join(m.group("mmod").lower().split()), m.group("mspan").lower()
        if span == "year":
            year = base.year - (1 if mod in {"last", "past"} else 0)
            first, last = date(year, 1, 1), date(year, 12, 31)
        else:
            first = base.replace(day=1)
            if mod in {"last", "past"}:
                first = (first - timedelta(days=1)).replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if mod != "last":  # "this month", "earlier this year": up to the anchor, not beyond
            last = min(last, base)
        return first, last, 0.5, False
    if m.group("span"):
        mod, span = m.group("wmod").lower(), m.group("span").lower()
        monday = base - timedelta(days=base.weekday())
        if span == "weekend":
            saturday = monday + timedelta(days=5)
            if mod in {"last", "past"}:
                # On a weekend day "last weekend" is the one before; otherwise the latest one.
                saturday -= timedelta(days=7)
            elif mod == "next":
                saturday += timedelta(days=7)
            return saturday, saturday + timedelta(days=1), 0.8, False
        start = monday + timedelta(days={"last": -7, "past": -7, "this": 0, "next": 7}[mod])
        return start, start + timedelta(days=6), 0.6, False
    weekday = WEEKDAYS.index(m.group("wday").lower())
    if m.group("wyear"):  # "Wednesday, September 28 2022": a full date
        return _safe(int(m.group("wyear")), _MONTHS[m.group("wmon").lower()[:3]], int(m.group("wmday")), 1.0, True)
    mod = (m.group("dmod") or "").lower()
    back = (base.weekday() - weekday) % 7
    if mod == "next":
        forward = (weekday - base.weekday()) % 7 or 7
        d = base + timedelta(days=forward)
        return d, d, 0.7, False
    if mod == "last" and back == 0:
        back = 7
    d = base - timedelta(days=back)
    if m.group("wmon"):  # "Friday, Nov. 3": the month-day settles it
        explicit = _resolve_month_day(m.group("wmon"), int(m.group("wmday")), base)
        if explicit:
            return explicit, explicit, 0.95, False
    return d, d, 0.85 if back else 0.8, False


def _resolve_month_day(month_text: str, day: int, base: date) -> date | None:
    month = _MONTHS.get(month_text.lower()[:3])
    if not month:
        return None
    try:
        return date(base.year, month, day)
    except ValueError:
        return None


def _safe(year: int, month: int, day: int, confidence: float, absolute: bool):
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return d, d, confidence, absolute


@dataclass(frozen=True)
class AnchorEstimate:
    """A stand-in date for an article with no known date of its own.

    `candidates` are the days the evidence allows (its story's dates, or the days for which
    the article's own relative dates agree with dated reports of the same events);
    `feasible` those of them consistent with how the article words its dates; `anchor` the
    earliest feasible one (news is published promptly).
    """

    anchor: str
    candidates: tuple[str, ...]
    feasible: tuple[str, ...]
    source: str


def consistent_anchor(text: str, anchor: date, not_before: date | None = None) -> bool:
    """Whether `text`'s wording fits being written on `anchor`.

    An article that says "yesterday" calls the day before that, so a bare weekday name in it
    is not the day before the anchor; one that says "today" does not name the anchor's own
    weekday. ("Saturday" on a Saturday dateline is common in copy that uses neither.)
    With `not_before` (the date of a background event the article links to, "seized Qaim
    last weekend"), a bare weekday names the news, so it is not earlier than that.
    """
    mentions = resolve_dates(text, anchor.isoformat())
    words = {(m.text.lower().split() or [""])[-1] for m in mentions}
    for m in mentions:
        if m.anchor_source == "absolute" or m.value is None or not _is_bare_weekday(m.text):
            continue
        back = (anchor - date.fromisoformat(m.value)).days
        if back == 1 and "yesterday" in words:
            return False
        if back == 0 and "today" in words:
            return False
        if not_before and date.fromisoformat(m.value) < not_before:
            return False
    return True


def _is_bare_weekday(expression: str) -> bool:
    words = expression.lower().split()
    return bool(words) and words[-1] in WEEKDAYS and not ({"last", "next"} & set(words))


def estimate_anchor(
    text: str, candidates: list[str], source: str, not_before: str | None = None
) -> AnchorEstimate | None:
    """The earliest of `candidates` (YYYY-MM-DD) that `text`'s wording is consistent with."""
    days = sorted({d for d in (_parse_day(c) for c in candidates) if d})
    if not days:
        return None
    floor = _parse_day(not_before)
    feasible = [d for d in days if consistent_anchor(text, d, floor)] or days
    return AnchorEstimate(
        anchor=feasible[0].isoformat(), candidates=tuple(d.isoformat() for d in days),
        feasible=tuple(d.isoformat() for d in feasible), source=source,
    )


def resolve_estimated(text: str, estimate: AnchorEstimate) -> list[DateMention]:
    """`text`'s dates against an estimated anchor. Each mention's confidence is its usual
    (halved, for resting on an estimate) times the share of feasible anchors that give it
    the same day: "late Wednesday" holds for a whole range of anchors, "yesterday" for one."""
    chosen = resolve_dates(text, estimate.anchor, estimate.source, estimated=True)
    others = [
        {(m.start, m.value) for m in resolve_dates(text, a, estimate.source, estimated=True)}
        for a in estimate.feasible
    ]
    out = []
    for m in chosen:
        if not m.estimated:
            out.append(m)
            continue
        share = sum((m.start, m.value) in o for o in others) / len(others)
        out.append(DateMention(**{**m.__dict__, "confidence": round(m.confidence * share, 2)}))
    return out


def days_between(first: str, last: str) -> list[str]:
    """Every day from `first` to `last` inclusive (YYYY-MM-DD); empty when either is bad."""
    a, b = _parse_day(first), _parse_day(last)
    if not a or not b or b < a or (b - a).days > 60:
        return []
    return [(a + timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]
