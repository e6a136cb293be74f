"""Metadata read from the text (dateline, wire credits, authors, masthead, language) and the
publication date by order of trust, crawl dates never taken for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from storyline.records import CleanArticle, MetaValue, RawArticle
from storyline.stages.clean.article import clean_article
from storyline.stages.clean.date_evidence import (
    DateCandidate,
    html_candidates,
    parse_timestamp,
    visible_date,
)
from storyline.stages.clean.metadata import authors, dateline, language, masthead, wire_credits
from storyline.stages.clean.published import (
    date_votes,
    modified_date,
    publication_date,
    standalone_dates,
)
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
    # htmldate alone against the URL: the URL wins, and the disagreement costs confidence.
    found = _date(html_date="2017-11-03", url=url, page_lines=page)
    assert found.value == "2017-11-02" and found.confidence <= 0.6
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


# -- dates by agreement of independent sources -------------------------------------------

DATES = Path(__file__).parent.parent / "fixtures" / "dates"


def _page(name: str, url: str | None = None, **kw) -> CleanArticle:
    html = (DATES / name).read_text("utf-8")
    return clean_article(RawArticle(id=name, seq=0, format="html", body=html, url=url, **kw))


def test_markup_candidates_each_with_their_source_and_kind():
    found = {(c.day.isoformat(), c.source, c.kind) for c in html_candidates((DATES / "agreeing.html").read_text())}
    assert ("2021-03-04", "json-ld datePublished", "published") in found
    assert ("2021-03-09", "json-ld dateModified", "modified") in found
    assert ("2021-03-04", "meta article:published_time", "published") in found
    assert ("2021-03-04", "byline area", "published") in found
    # A bare <time> in a teaser dates the teaser, not the page.
    assert not any(day == "2020-11-02" for day, _, _ in found)


def test_independent_sources_that_agree_make_a_confident_date_and_the_update_is_kept_apart():
    art = _page("agreeing.html", url="https://news.example/2021/03/04/bridge")
    assert art.published == "2021-03-04"
    assert art.metadata["published"].confidence >= 0.95 and "url" in art.metadata["published"].source
    assert art.metadata["modified"].value == "2021-03-09"
    assert art.metadata["modified"].source == "json-ld dateModified"


def test_a_date_after_the_capture_date_is_impossible():
    # Captured on 2021-03-06: the 2021-03-09 update cannot be, nor any later date.
    art = _page("agreeing.html", meta={"crawled_at": "2021-03-06T00:00:00Z"})
    assert art.published == "2021-03-04" and "modified" not in art.metadata
    votes, bound = date_votes(given=None, html_date="2030-01-01", dateline_date=None, url=None, header_date=None,
                              page_lines=[], text="", today=date(2024, 1, 1))
    assert votes == [] and bound == date(2024, 1, 1)


def test_a_utc_time_near_midnight_alone_is_an_estimate_not_a_date():
    # 02:54 UTC is still 1 May in the Americas: the page's day is one of two.
    art = _page("utc_midnight.html")
    assert art.published is None and "published" not in art.metadata
    assert art.metadata["published_estimate"].value == "2020-05-02"
    assert art.metadata["published_estimate"].confidence < 0.5
    assert parse_timestamp("2020-12-25T01:59:50+02:00") == (date(2020, 12, 25), None)
    assert parse_timestamp("2020-05-02T02:54:29.000Z") == (date(2020, 5, 2), date(2020, 5, 1))
    assert parse_timestamp("2020-05-02T11:00:00Z") == (date(2020, 5, 2), None)


def test_a_page_without_main_text_keeps_its_date_evidence_but_not_its_furniture_dates():
    art = _page("no_main_text.html")
    assert art.published == "2019-06-20" and art.metadata["published"].source.startswith("json-ld")
    assert not any(c["date"] == "2013-02-14" and c["source"] == "page text"
                   for c in art.metadata.get("date_evidence", MetaValue([], "", 1)).value)


def test_modified_is_never_before_publication():
    assert modified_date([DateCandidate(date(2020, 1, 1), "meta og:updated_time", "metadata", "modified")],
                         "2020-02-01", None) is None


def test_visible_dates_in_other_languages_and_forms():
    assert visible_date("06 Dicembre 2020") == date(2020, 12, 6)
    assert visible_date("Veröffentlicht am 03.04.2019") == date(2019, 4, 3)
    assert visible_date("Nov 5, 2017") == date(2017, 11, 5)
    assert visible_date("4 March 2021, updated 9 March 2021") is None  # two dates: not one line's date


def test_a_day_in_a_url_is_its_own_path_segment():
    assert url_date("https://blog.example.de/2023/10/3-fragen-an-die-redaktion") == DateFound(2023, 10, None)
    assert url_date("https://x.example/2017/11/04.html") == DateFound(2017, 11, 4)
    assert url_date("https://x.example/2017-11-04-title") == DateFound(2017, 11, 4)


def test_several_different_dated_lines_say_nothing():
    assert _date(page_lines=["Posted November 1, 2017", "Updated November 3, 2017"]) is None
    # In a crawled text the later line is the render date: the earliest is a weak clue.
    found = _date(page_lines=["Posted November 1, 2017", "Friday, November 3, 2017"], plain_text=True)
    assert found.value == "2017-11-01" and found.confidence == 0.5


def test_a_utc_time_far_from_midnight_is_likely_its_own_day_and_the_byline_picks_the_pages_own_date():
    from storyline.stages.clean.date_evidence import parse_timestamp_certainty

    assert parse_timestamp_certainty("2020-06-07T17:30:00Z") == (date(2020, 6, 7), date(2020, 6, 8), 0.8)
    assert parse_timestamp_certainty("2020-06-07T22:30:00Z")[2] == 0.6
    html = """<html><head><meta property="article:published_time" content="2019-11-18T17:00:00Z"></head>
    <body><div class="date">20 November 2019</div><article><p class="byline">18 November 2019</p>
    <p>The council met and decided many things about the town, its roads and its schools.</p></article></body></html>"""
    art = clean_article(RawArticle(id="p", seq=0, format="html", body=html))
    # The top bar's 20 November is the day the page was rendered; the byline's agrees with the markup.
    assert art.published == "2019-11-18" and art.metadata["published"].confidence >= 0.95
