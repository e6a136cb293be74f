"""Relative dates resolved against the article's own date."""

from __future__ import annotations

import pytest

from storyline.demo import seed_files
from storyline.stages.dates import resolve_dates


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
