"""An input record's own date, in every form feeds and datasets carry it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from storyline.ingest.dates import parse_published


@pytest.mark.parametrize(("given", "value", "at", "precision"), [
    # RFC 2822 / 1123, as RSS writes it: the day is the one in the record's own offset
    ("Mon, 18 Oct 2021 16:15:00 GMT", "2021-10-18", "2021-10-18T16:15:00+00:00", "day"),
    ("Mon, 18 Oct 2021 23:15:00 -0500", "2021-10-18", "2021-10-18T23:15:00-05:00", "day"),
    ("Tue, 19 Oct 2021 00:15:00 +0200", "2021-10-19", "2021-10-19T00:15:00+02:00", "day"),
    # ISO 8601 / RFC 3339: the time and offset are kept
    ("2021-10-18", "2021-10-18", None, "day"),
    ("2021-10-18T16:15:00+02:00", "2021-10-18", "2021-10-18T16:15:00+02:00", "day"),
    ("2021-10-18T16:15:00Z", "2021-10-18", "2021-10-18T16:15:00+00:00", "day"),
    ("2021-10-18 16:15:00 +0200", "2021-10-18", "2021-10-18T16:15:00+02:00", "day"),
    ("20211018", "2021-10-18", None, "day"),
    # written forms, in English and (dateparser) other languages
    ("October 18, 2021", "2021-10-18", None, "day"),
    ("18 October 2021", "2021-10-18", None, "day"),
    ("Monday, October 18, 2021 4:15 PM", "2021-10-18", "2021-10-18T16:15:00", "day"),
    ("18 octobre 2021", "2021-10-18", None, "day"),
    # numeric forms that only one reading makes valid
    ("18/10/2021", "2021-10-18", None, "day"),
    ("10/18/2021", "2021-10-18", None, "day"),
    ("18.10.2021", "2021-10-18", None, "day"),
    # epochs, in seconds and milliseconds, numbers or text
    (1634573700, "2021-10-18", "2021-10-18T16:15:00+00:00", "day"),
    (1634573700123, "2021-10-18", "2021-10-18T16:15:00.123000+00:00", "day"),
    ("1634573700", "2021-10-18", "2021-10-18T16:15:00+00:00", "day"),
    # only a month or a year: the precision is kept, never a made-up day
    ("2010-10", "2010-10", None, "month"),
    ("October 2010", "2010-10", None, "month"),
    ("2010", "2010", None, "year"),
    (2010, "2010", None, "year"),
])
def test_each_form_is_read_at_its_precision(given, value, at, precision):
    found = parse_published(given)
    assert (found.value, found.at, found.precision, found.warning) == (value, at, precision, None)


@pytest.mark.parametrize("given", ["sometime last week", "2 hours ago", "Oct 18", "2021-13-01", "5", "n/a"])
def test_what_cannot_be_read_gets_a_warning_and_no_value(given):
    found = parse_published(given)
    assert found.value is None and given in found.warning


def test_an_ambiguous_day_and_month_keeps_the_year_and_warns_unless_the_locale_decides():
    found = parse_published("03/04/2021")
    assert found.value == "2021" and found.precision == "year"
    assert "2021-03-04" in found.warning and "2021-04-03" in found.warning
    assert parse_published("03/04/2021", language="en-GB").value == "2021-04-03"
    assert parse_published("03/04/2021", language="fr").value == "2021-04-03"
    assert parse_published("03/04/2021", language="en-US").value == "2021-03-04"
    assert parse_published("03/04/2021", order="mdy").value == "2021-03-04"
    assert parse_published("03/04/2021", language="en-US", order="dmy").value == "2021-04-03"


def test_values_of_other_types_from_parquet_and_json():
    tz = timezone(timedelta(hours=3))
    assert parse_published(datetime(2021, 10, 18, 16, 15, tzinfo=tz)).at == "2021-10-18T16:15:00+03:00"
    assert parse_published(date(2021, 10, 18)).value == "2021-10-18"
    assert parse_published(None).value is None and parse_published("  ").warning is None
    assert parse_published(True).value is None
