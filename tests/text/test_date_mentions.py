"""Relative dates resolved against the article's own date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.seeds import seed_files
from storyline.text.date_mentions import estimate_anchor, resolve_dates
from storyline.text.dates import WEEKDAYS


def one(text: str, anchor: str | None = "2017-11-04"):
    (mention,) = resolve_dates(text, anchor)
    return mention


@pytest.mark.parametrize(
    "text, anchor, expected",
    [
        ("The clashes started late Friday.", "2017-11-04", ("2017-11-03", "2017-11-03")),  # Saturday dateline
        ("An official said Saturday.", "2017-11-04", ("2017-11-04", "2017-11-04")),  # same day
        ("An official said Saturday.", "2017-11-05", ("2017-11-04", "2017-11-04")),
        ("They met last Saturday.", "2017-11-04", ("2017-10-28", "2017-10-28")),
        ("Troops withdrew yesterday.", "2017-11-10", ("2017-11-09", "2017-11-09")),
        ("Forces seized Qaim last weekend.", "2017-11-10", ("2017-11-04", "2017-11-05")),
        ("It was announced on Friday, Nov. 3.", "2017-11-05", ("2017-11-03", "2017-11-03")),
        ("It was released on Nov. 2, 2017.", None, ("2017-11-02", "2017-11-02")),
        ("Talks resume Jan. 3.", "2017-12-30", ("2018-01-03", "2018-01-03")),
        ("They will meet next Monday.", "2017-11-04", ("2017-11-06", "2017-11-06")),
    ],
)
def test_resolution(text, anchor, expected):
    m = one(text, anchor)
    assert (m.value, m.value_end) == expected
    assert 0 < m.confidence <= 1


def test_part_of_day_and_anchor_are_kept():
    m = one("The clashes started late Friday.")
    assert m.part == "late" and m.anchor == "2017-11-04" and m.anchor_source == "published"
    assert m.text == "late Friday"


def test_no_anchor_leaves_relative_dates_unresolved_not_guessed():
    m = one("Troops entered the town late Wednesday.", None)
    assert m.value is None and m.confidence == 0 and m.anchor_source == "none"


def test_estimated_anchor_halves_confidence_and_is_marked():
    (m,) = resolve_dates("Troops withdrew yesterday.", "2017-11-10", "story estimate", estimated=True)
    assert m.estimated and m.anchor_source == "story estimate" and m.confidence == 0.45


def test_names_and_verbs_are_not_dates():
    assert resolve_dates("Beirut - Egypt Today", "2017-11-04") == []
    assert resolve_dates("The army may 5 times retreat.", "2017-11-04") == []


def test_seed_003_event_dates():
    text = next(p for p in seed_files() if p.name.startswith("003")).read_text("utf-8")
    values = {(m.text, m.value) for m in resolve_dates(text, "2017-11-05")}
    assert ("late Friday", "2017-11-03") in values
    assert ("Saturday", "2017-11-04") in values
    assert ("on Friday, Nov. 3", "2017-11-03") in values


@pytest.mark.parametrize(
    "text, expected",
    [
        ("They left two days ago.", ("2017-11-03", "2017-11-03")),
        ("They were expelled last month.", ("2017-10-01", "2017-10-31")),
        ("Earlier this month the talks failed.", ("2017-11-01", "2017-11-05")),
        ("Fighting overnight killed three.", ("2017-11-05", "2017-11-05")),
    ],
)
def test_spans_and_counts_back(text, expected):
    m = one(text, "2017-11-05")
    assert (m.value, m.value_end) == expected


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)), st.sampled_from(WEEKDAYS),
       st.sampled_from(["", "late ", "early ", "on ", "last "]))
def test_weekday_is_that_weekday_within_the_week_before(anchor, weekday, modifier):
    (m,) = resolve_dates(f"It happened {modifier}{weekday.title()}.", anchor.isoformat())
    day = date.fromisoformat(m.value)
    assert day.weekday() == WEEKDAYS.index(weekday)
    back = (anchor - day).days
    assert (1 <= back <= 7) if modifier == "last " else (0 <= back <= 6)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 20), st.integers(0, 10))
def test_estimated_anchor_is_one_of_the_candidates(first, offset, length):
    days = [(first + timedelta(days=offset + i)).isoformat() for i in range(length + 1)]
    est = estimate_anchor("Troops entered late Wednesday. Yesterday they left.", days, "story estimate")
    assert est.anchor in days and set(est.feasible) <= set(days) and est.anchor == est.feasible[0]


def test_a_month_and_day_without_year_follow_the_tense():
    # In October 2021, "the Jan. 6 riot" is the one that was, not the next one.
    (riot,) = resolve_dates("Lawmakers investigated the Jan. 6 riot at the Capitol.", "2021-10-20")
    assert riot.value == "2021-01-06" and riot.anchor == "2021-10-20" and riot.confidence == 0.9
    # "will vote on Jan. 6" looks ahead, past the turn of the year.
    (vote,) = resolve_dates("The House will vote on Jan. 6 on the bill.", "2021-10-20")
    assert vote.value == "2022-01-06"
    # No tense to go by: the closest day, less sure.
    (bare,) = resolve_dates("Nov. 3: clashes near the border", "2017-11-05")
    assert bare.value == "2017-11-03" and bare.confidence < 0.9
