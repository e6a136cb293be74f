"""Metadata read from the text (dateline, wire credits, authors, masthead, language) and the
publication date by order of trust, crawl dates never taken for it."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.stages.clean.metadata import authors, dateline, language, masthead, wire_credits
from storyline.stages.clean.published import publication_date, standalone_dates
from storyline.text.dates import DateFound, infer_year, url_date


@pytest.mark.parametrize(
    "line, place, when, agency",
    [
        ("BEIRUT, Nov 4, (AP): Clashes have erupted on the Syrian-Iraqi border between IS and the PMF.",
         "Beirut", (None, 11, 4), "AP"),
        ("BEIRUT -- Clashes have broken out on the Syria-Iraq border between Islamic State militants.",
         "Beirut", None, None),
        ("COPIAPO, Chile, Aug. 22 (UPI) -- Rescuers found 33 miners alive deep underground on Sunday.",
         "Copiapo, Chile", (None, 8, 22), "UPI"),
        ("MAE SAI, Thailand, July 10, 2018 (AFP) : All twelve boys and their coach were rescued from the cave.",
         "Mae Sai, Thailand", (2018, 7, 10), "AFP"),
        ("Marignane (AFP) - An Airbus helicopter crashed on Tuesday near the company's base in France.",
         "Marignane", None, "AFP"),
        ("Cairo, Egypt (CNN) — Egyptian authorities said Sunday they had arrested dozens of people.",
         "Cairo, Egypt", None, "CNN"),
        ("ISTANBUL/ANKARA (Reuters) - Turkish forces pressed on with their offensive in northern Syria.",
         "Istanbul/Ankara", None, "Reuters"),
        ("NEW YORK, March 3 (Reuters) - Stocks fell sharply on Tuesday as investors worried about rates.",
         "New York", (None, 3, 3), "Reuters"),
    ],
)
def test_datelines(line, place, when, agency):
    found_place, found_date, found_agency = dateline([line])
    assert found_place.value == place and found_place.source == "dateline"
    assert (None if found_date is None else (found_date.year, found_date.month, found_date.day)) == when
    assert found_agency == agency


def test_a_heading_with_a_colon_is_not_a_dateline():
    assert dateline(["Breaking News: the markets fell sharply today as traders reacted to the decision."]) == (
        None, None, None)


def test_wire_credits_strongest_evidence_first():
    credits = wire_credits(
        ["BEIRUT (AP) -- Clashes erupted.", "Ryan Dillon told AFP the coalition would press on.",
         "(Reporting by Ellen Francis; Editing by Alison Williams) Reuters"],
        "AP",
    )
    assert [(c["agency"], c["evidence"]) for c in credits] == [
        ("AP", "dateline"), ("Reuters", "credit line"), ("AFP", "mentioned as a source")]
    assert wire_credits(["Photo caption."], None, ["Photo: AFP"]) == [
        {"agency": "AFP", "evidence": "photo credit", "confidence": 0.5}]


def test_authors_from_byline_contributor_line_or_html():
    assert authors(["By John Smith and Jane Doe", "Text."]).value == ["John Smith", "Jane Doe"]
    found = authors(["Text.", "Information for this article was contributed by Susannah George and "
                     "Brian Rohan of The Associated Press."])
    assert found.value == ["Susannah George", "Brian Rohan"] and found.source == "contributor line"
    assert authors(["Text."], html_author="Ellen Francis; Tom Perry").value == ["Ellen Francis", "Tom Perry"]
    assert authors(["The army said it had taken the town."]) is None


def test_masthead_and_language():
    assert masthead("Beirut - Egypt Today") == "Egypt Today"
    assert masthead("Gulf News") == "Gulf News"
    assert masthead("The clashes started late Friday.") is None
    assert language("El presidente del gobierno anunció hoy nuevas medidas económicas.").value == "es"
    assert language("Too short") is None


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.theguardian.com/world/2017/nov/05/syria-iraq-border", (2017, 11, 5)),
        ("http://whatamericaissearching.com/2017/11/04/iraq-pm-announces.html", (2017, 11, 4)),
        ("https://example.com/news/20171105-border-story", (2017, 11, 5)),
        ("https://example.com/2016/07/story", (2016, 7, None)),
        ("https://web.archive.org/web/20221001000000/https://example.com/2017/11/05/story", (2017, 11, 5)),
        ("https://okaz.com.sa/politics/na/1586453", None),
    ],
)
def test_url_dates(url, expected):
    found = url_date(url)
    assert (None if found is None else (found.year, found.month, found.day)) == expected


def _date(**kw):
    args = dict(given=None, html_date=None, dateline_date=None, url=None, header_date=None, page_lines=[], text="")
    return publication_date(**(args | kw))


def test_order_of_trust_input_html_dateline_url_page_text():
    page = ["Posted November 1, 2017"]
    url = "http://example.com/2017/11/02/story"
    assert _date(given="2017-11-04T10:00:00Z", html_date="2017-11-03", url=url, page_lines=page).source == "input"
    assert _date(html_date="2017-11-03", url=url, page_lines=page).value == "2017-11-03"
    assert _date(dateline_date=DateFound(2017, 11, 2), url="http://x.com/2017/11/09/a").source == "dateline"
    assert _date(url=url, page_lines=page).value == "2017-11-02"
    assert _date(page_lines=page).value == "2017-11-01"
    # A month from the URL takes its day from the page text.
    found = _date(url="http://example.com/2017/11/story", page_lines=page)
    assert found.value == "2017-11-01" and found.source == "url, day from page text"


def test_no_evidence_means_no_date():
    assert _date(page_lines=["Headline"], text="Troops advanced on Friday and Saturday.") is None
    # A dateline without a year and nothing to fix the year: unknown, not guessed.
    assert _date(dateline_date=DateFound(None, 11, 4), text="Troops advanced.") is None


def test_a_crawl_date_never_wins():
    # The page's render date equals the WARC capture date: not a publication date.
    lines = ["Wednesday , September 28 2022", "Shia militia in border clashes"]
    assert _date(page_lines=lines, text="Clashes started late Friday.", crawled=date(2022, 9, 28)) is None
    # With a dateline, the later render date only bounds the year from above.
    found = _date(dateline_date=DateFound(None, 11, 4), page_lines=lines,
                  text="The clashes started late Friday and continued into Saturday.")
    assert found.value == "2017-11-04" and found.source.startswith("dateline")


def test_year_inference_from_weekdays():
    # Nov 4 with "Friday" and "Saturday" mentioned: 2017 (a Saturday), before a 2022 upper bound.
    assert infer_year(11, 4, [4, 5], [], date(2022, 9, 28)) == (2017, "weekdays mentioned in the text")
    assert infer_year(11, 4, [], [2017], None) == (2017, "the only year the page states")
    assert infer_year(11, 4, [], [2016, 2017], None) is None


def test_a_forum_join_date_is_not_a_publication_date():
    assert standalone_dates(["- Joined", "- Jun 13, 2022", "Member since March 3, 2019"]) == []


def test_standalone_dates_are_short_date_lines_only():
    found = standalone_dates([
        "Sun, Nov 05, 2017 - Page 1 News List",
        "The video was released on Nov. 2, 2017 by the Syrian official news agency SANA, showing smoke.",
    ])
    assert found == [DateFound(2017, 11, 5)]


def test_a_month_only_input_date_is_kept_as_the_month_and_refined_by_a_day():
    assert (_date(given="2016-07").value, _date(given="2016-07").source) == ("2016-07", "input")
    refined = _date(given="2016-07", url="http://x.com/2016/07/06/a")
    assert refined.value == "2016-07-06" and refined.source == "input, day from url"
    assert _date(given="2016-13") is None
