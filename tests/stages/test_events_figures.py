"""Figures and disputes on the bundled seed articles (real text, no mocks)."""

from __future__ import annotations

import pytest

from storyline.seeds import seed_files
from storyline.stages.events.figures import attribution, extract_figures, find_disputes


@pytest.fixture(scope="module")
def seed_figures():
    out = {}
    for path in seed_files():
        out[path.name[:3]] = extract_figures(path.name[:3], path.read_text("utf-8"))
    return out


def test_range_with_speaker_resolved_from_earlier_in_the_article(seed_figures):
    (dillon,) = [f for f in seed_figures["003"] if f.value_low == 2500]
    assert (dillon.value_low, dillon.value_high) == (2500, 3500)
    assert dillon.attributed_to == "Col. Ryan Dillon"
    assert dillon.key == "Islamic State|fighters"
    assert "Dillon said" in dillon.quote


def test_hedged_figure_attributed_to_the_coalition(seed_figures):
    (afp,) = [f for f in seed_figures["002"] if f.key == "Islamic State|fighters"]
    assert afp.value_low == afp.value_high == 1500
    assert afp.approximate and afp.qualifier == "about"
    assert afp.attributed_to == "US-led coalition"


def test_spans_point_at_the_number_phrase(seed_figures):
    for path in seed_files():
        text = path.read_text("utf-8")
        for f in seed_figures[path.name[:3]]:
            assert text[f.start : f.end].split()[-1] in f.what.split() + ["percent"]
            assert text[f.start : f.end] in f.quote


def test_page_counters_years_and_dates_are_not_figures(seed_figures):
    values = {f.value_low for fs in seed_figures.values() for f in fs}
    assert not values & {5712, 9836, 2017, 2014, 3, 2, 5, 11}


def test_other_seed_figures(seed_figures):
    people = {(f.value_low, f.attributed_to) for f in seed_figures["002"] if f.key.startswith("|people")}
    assert (350_000, "Sonia Khush") in people
    assert {f.value_low for f in seed_figures["003"]} >= {96, 8_000_000}


def test_the_seed_dispute(seed_figures):
    everything = [f for fs in seed_figures.values() for f in fs]
    (dispute,) = find_disputes(everything)
    assert dispute.what == "Islamic State fighters"
    assert {f.article_id for f in dispute.figures} == {"002", "003", "004"}
    assert "1,500" in dispute.note and "2,500 and 3,500" in dispute.note


def test_agreeing_figures_are_no_dispute(seed_figures):
    assert find_disputes(seed_figures["003"] + seed_figures["004"]) == []


def test_hedged_values_overlap_within_ten_percent():
    a = extract_figures("a", "Officials said about 1,000 Islamic State militants remained in the town.")
    b = extract_figures("b", "The army said 1,080 IS militants remained in the town.")
    c = extract_figures("c", "Monitors said more than 2,000 Daesh militants remained in the town.")
    assert find_disputes(a + b) == []
    (d,) = find_disputes(a + b + c)
    assert d.what == "Islamic State fighters"


@pytest.mark.parametrize(
    "sentence, speaker",
    [
        ("US officials have estimated that there were 300 fighters.", "US officials"),
        ("There were 300 fighters, according to the Syrian Observatory for Human Rights.",
         "Syrian Observatory for Human Rights"),
        ("“We counted 300,” said Army spokesman Gen. Ali Mayhoub.", "Army spokesman Gen. Ali Mayhoub"),
        ("The town fell with 300 fighters inside.", None),
    ],
)
def test_attribution(sentence, speaker):
    assert attribution(sentence) == speaker
