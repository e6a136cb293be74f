"""The publication date an input record gives, in whatever form it gives it.

Feeds and datasets carry dates as RFC 2822 ("Mon, 18 Oct 2021 16:15:00 GMT"), ISO 8601 /
RFC 3339 with a time and an offset, written forms ("October 18, 2021", "18 octobre 2021"),
numeric day/month forms, epoch seconds or milliseconds, or only a month or a year. Each is
read by a maintained parser (email.utils, datetime.fromisoformat, dateutil, dateparser for
other languages) and kept at the precision it has: a day (`YYYY-MM-DD`), a month
(`YYYY-MM`) or a year (`YYYY`), plus the timestamp when a time was given. A value none of
them reads, or a numeric date whose day and month could be swapped with nothing to decide
it, comes back with a warning: the caller stores it raw and never drops it silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

# Epochs outside these years are more likely ids or counters than dates.
_EPOCH_YEARS = (1990, 2100)
_DIGITS = re.compile(r"^-?\d+(\.\d+)?$")
# Language tags whose numeric dates put the month first.
_MONTH_FIRST = {"en-us", "en_us", "us"}
DATE_ORDERS = ("dmy", "mdy")


@dataclass(frozen=True)
class ParsedDate:
    value: str | None  # YYYY-MM-DD, YYYY-MM or YYYY; None when nothing could be read
    at: str | None = None  # ISO 8601 timestamp (with its offset when the input gave one)
    precision: str | None = None  # "day", "month", "year"
    warning: str | None = None


def parse_published(raw: object, *, language: str | None = None, order: str | None = None) -> ParsedDate:
    """Read a publication date. `order` ('dmy' or 'mdy') settles a numeric date such as
    03/04/2021; without it the record's `language` does ('en-US': month first; another
    language with its own convention: day first); plain 'en' or none leaves it ambiguous."""
    if raw is None or isinstance(raw, bool):
        return ParsedDate(None)
    if isinstance(raw, datetime):
        return _from_datetime(raw, time_given=True)
    if isinstance(raw, date):
        return ParsedDate(raw.isoformat(), None, "day")
    if isinstance(raw, int) and 1000 <= raw <= 2999:
        return _year(raw, str(raw))  # {"published": 2017}: a year, not 33 minutes after 1970
    if isinstance(raw, (int, float)):
        return _epoch(float(raw), str(raw))
    text = str(raw).strip()
    if not text:
        return ParsedDate(None)
    if _DIGITS.match(text):
        if re.fullmatch(r"\d{4}", text):
            return _year(int(text), text)
        if re.fullmatch(r"\d{8}", text):  # ISO basic: 20211018
            try:
                return ParsedDate(date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat(), None, "day")
            except ValueError:
                pass
        return _epoch(float(text), text)
    # A year in four digits, or a numeric d/m/yy: without it a parser reads "Oct 18" as 2018.
    has_year = re.search(r"\d{4}", text) or re.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}", text)
    readers = [_iso, _rfc2822, lambda t: _dateutil(t, language, order)]
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):  # an ISO-looking date dateutil refused is no date
        readers.append(lambda t: _dateparser(t, language))
    for reader in readers if has_year else []:
        found = reader(text)
        if found is not None:
            return found
    return ParsedDate(None, warning=f"published {text!r} is not a date storyline can read; kept as given")


def _year(year: int, text: str) -> ParsedDate:
    if 1000 <= year <= 2999:
        return ParsedDate(f"{year:04d}", None, "year")
    return ParsedDate(None, warning=f"published {text!r} is not a plausible year; kept as given")


def _epoch(number: float, text: str) -> ParsedDate:
    for scale in (1, 1000):  # seconds, then milliseconds
        seconds = number / scale
        try:
            moment = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            continue
        if _EPOCH_YEARS[0] <= moment.year < _EPOCH_YEARS[1]:
            return _from_datetime(moment, time_given=True)
    return ParsedDate(None, warning=f"published {text!r} is a number but not an epoch in seconds or "
                                    "milliseconds of a plausible year; kept as given")


def _from_datetime(moment: datetime, *, time_given: bool) -> ParsedDate:
    # The day is the one written in the record's own offset: the outlet's local date.
    at = moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds") if time_given else None
    return ParsedDate(moment.date().isoformat(), at, "day")


def _iso(text: str) -> ParsedDate | None:
    if not re.match(r"^\d{4}-\d{2}", text):
        return None
    if re.fullmatch(r"\d{4}-\d{2}", text):
        month = int(text[5:])
        return ParsedDate(text, None, "month") if 1 <= month <= 12 else None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
    except ValueError:
        return None
    return _from_datetime(moment, time_given=len(text) > 10)


def _rfc2822(text: str) -> ParsedDate | None:
    from email.utils import parsedate_to_datetime

    if not re.search(r"\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _from_datetime(moment, time_given=True)


def _dateutil(text: str, language: str | None, order: str | None) -> ParsedDate | None:
    from dateutil import parser

    # Parsed against two different defaults: a part that differs was not in the text, so
    # the precision is what the text states, never what a default filled in.
    try:
        low = parser.parse(text, default=datetime(1, 1, 1))
        high = parser.parse(text, default=datetime(2, 2, 2, 1, 1, 1))
        swapped = parser.parse(text, default=datetime(1, 1, 1), dayfirst=True)
    except (ValueError, OverflowError, parser.ParserError):
        return None
    if low.year != high.year:
        return None  # no year: not a publication date we can place
    iso_like = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if iso_like and (low.month, low.day) != (int(iso_like[2]), int(iso_like[3])):
        return None  # "2021-13-01" is no ISO date; do not guess it is year-day-month
    if low.month != high.month:
        return ParsedDate(f"{low.year:04d}", None, "year")
    time_given = (low.hour, low.minute) == (high.hour, high.minute)
    if low.day != high.day:
        return ParsedDate(f"{low.year:04d}-{low.month:02d}", None, "month")
    if swapped.date() != low.date():
        dayfirst = _day_first(language, order)
        if dayfirst is None:
            return ParsedDate(
                f"{low.year:04d}", None, "year",
                warning=f"published {text!r} could be {low.date().isoformat()} or {swapped.date().isoformat()}:"
                        " kept the year only; give --date-order dmy|mdy or the record's language (en-US, en-GB)",
            )
        if dayfirst:
            low = swapped
    return _from_datetime(low, time_given=time_given)


def _day_first(language: str | None, order: str | None) -> bool | None:
    if order in DATE_ORDERS:
        return order == "dmy"
    tag = (language or "").strip().lower()
    if not tag or tag == "en":
        return None
    return tag not in _MONTH_FIRST and not tag.startswith(("zh", "ja", "ko"))


def _dateparser(text: str, language: str | None) -> ParsedDate | None:
    """Written dates in other languages ("18 octobre 2021"); relative ones ("2 hours ago")
    are refused: relative to the ingest time they would be a crawl date."""
    import dateparser

    languages = [language.split("-")[0].lower()] if language else None
    try:
        found = dateparser.DateDataParser(
            languages=languages, settings={"PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["year"]},
        ).get_date_data(text)
    except (ValueError, LookupError):
        return None
    if found is None or found.date_obj is None:
        return None
    moment, period = found.date_obj, found.period
    if period == "year":
        return ParsedDate(f"{moment.year:04d}", None, "year")
    if period == "month":
        return ParsedDate(f"{moment.year:04d}-{moment.month:02d}", None, "month")
    return _from_datetime(moment, time_given=period == "time")
