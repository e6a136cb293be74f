"""The web feeds page and /api/feeds, on a store a real poll of a local HTTP server filled."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from storyline.ingest.fetch import Fetcher, FetchPolicy
from storyline.ingest.watch import poll
from storyline.web.app import create_app
from tests.ingest.feed_server import FeedServer, rss
from tests.ingest.feed_server import page as html_page
from tests.web.test_browser import browser, page, serving  # noqa: F401 (browser, page: pytest fixtures)

PAYLOAD = "<script>alert(1)</script>"
WORDS = "Clashes erupted on the border as the group defended its last stronghold, officials said on Saturday."


@pytest.fixture
def polled_db(store, db_path):
    server = FeedServer()
    try:
        server.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        server.set("/news/1", html_page("Story one", [f"Story one. {WORDS}", WORDS]))
        items = [
            {"guid": "urn:1", "link": server.url("/news/1"), "title": "Story one"},
            {"guid": "urn:2", "link": server.url("/private/2"), "title": "Behind robots.txt"},
        ]
        # The feed's own title carries a script: it must reach the page as text.
        server.set("/rss.xml", rss("&lt;script&gt;alert(1)&lt;/script&gt; Wire", items),
                   content_type="application/rss+xml")
        server.set("/not-a-feed", html_page("A page, not a feed", [WORDS]))
        with Fetcher(FetchPolicy(delay=0, timeout=2, contact="https://example.org/contact")) as f:
            poll(store, f, [server.url("/rss.xml"), server.url("/not-a-feed")])
        yield db_path, server.url("/rss.xml"), server.url("/not-a-feed"), server.url("/private/2")
    finally:
        server.close()


def test_feeds_page_lists_each_feed_its_outcome_and_the_pages_given_up_on(polled_db):
    db, rss_url, html_url, private_url = polled_db
    with TestClient(create_app(str(db))) as client:
        body = client.get("/api/feeds").json()
        assert client.get("/feeds.json").json() == body
        feeds = {f["url"]: f for f in body["feeds"]}
        assert set(feeds) == {rss_url, html_url}
        assert feeds[rss_url]["title"] == f"{PAYLOAD} Wire" and feeds[rss_url]["articles"] == 1
        assert feeds[rss_url]["pages_failed"] == 1 and feeds[rss_url]["failures"] == 0
        assert feeds[html_url]["failures"] == 1 and feeds[html_url]["last_error"]
        assert [(p["url"], p["status"]) for p in body["failed_pages"]] == [(private_url, "disallowed")]
        assert "content" not in body["failed_pages"][0]
        assert body["pages"] == {"stored": 1, "disallowed": 1}

        html = client.get("/feeds")
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        text = html.text
        assert PAYLOAD not in text and "&lt;script&gt;alert(1)&lt;/script&gt; Wire" in text
        assert feeds[html_url]["last_error"].split(":")[0] in text  # why the feed fails, on the page
        assert private_url in text and "Pages given up on" in text
        assert client.get("/feeds", params={"x": "1"}).status_code == 400


def test_feeds_page_of_a_store_without_feeds_says_how_to_follow_some(store, db_path):
    with TestClient(create_app(str(db_path))) as client:
        assert client.get("/api/feeds").json() == {"feeds": [], "failed_pages": [], "pages": {}}
        assert "storyline watch FEED-URL" in client.get("/feeds").text


@pytest.mark.browser
@pytest.mark.slow
def test_feeds_page_in_a_browser_is_reached_from_the_header_and_its_payloads_stay_inert(polled_db, page):  # noqa: F811
    db, rss_url, html_url, _ = polled_db
    with serving(db) as url:
        page.goto(url + "/")
        page.click("header.top nav a[href='/feeds']")
        page.wait_for_url("**/feeds")
        rows = page.locator("table.feeds tbody tr:not(.feed-error)")
        assert rows.count() == 2
        assert f"{PAYLOAD} Wire" in page.locator("table.feeds").inner_text()  # shown as text, never run
        assert "not a feed" in page.locator("table.feeds").inner_text()
        assert page.locator("table.failed-pages tbody tr").count() == 1
        assert page.errors == []  # no alert() dialog, no script error
