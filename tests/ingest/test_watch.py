"""Following feeds against a real HTTP server on 127.0.0.1: conditional GETs, new entries
only, robots.txt, backoff, limits, duplicates across feeds, failures recorded, the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from storyline.cli import cli
from storyline.ingest.feeds import NotAFeed, parse_feed
from storyline.ingest.fetch import Fetcher, FetchPolicy
from storyline.ingest.watch import SourcesError, fetch_urls, normalize_url, poll, read_sources
from tests.ingest.feed_server import Answer, FeedServer, atom, http_date, page, rss

WORDS = ("Clashes erupted on the border between the militants and the paramilitary fighters as the group"
         " defended its last stronghold in the region, a monitoring group and an official said on Saturday.")


@pytest.fixture
def server():
    s = FeedServer()
    s.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    yield s
    s.close()


def fetcher(**kw) -> Fetcher:
    return Fetcher(FetchPolicy(**{"delay": 0, "timeout": 2, "contact": "https://example.org/contact", **kw}))


def article(server: FeedServer, path: str, title: str, **kw) -> str:
    server.set(path, page(title, [f"{title}. {WORDS}", WORDS, f"Paragraph three of {title}."]), **kw)
    return server.url(path)


def item(server: FeedServer, n: int, prefix: str = "/news/") -> dict[str, str]:
    link = article(server, f"{prefix}{n}", f"Story number {n}")
    return {"guid": f"urn:story:{n}", "link": link, "title": f"Story number {n}", "description": "A teaser.",
            "pubDate": "Wed, 01 May 2024 10:00:00 +0200"}


def stored(store) -> list[tuple]:
    return store.db.execute("SELECT url, title, outlet, published, source FROM articles ORDER BY seq").fetchall()


def test_first_poll_stores_every_entry_second_only_new_ones_with_304s(server, store):
    rss_items = [item(server, n) for n in range(3)]
    server.set("/rss.xml", rss("Wire Daily", rss_items), content_type="application/rss+xml", etag='"v1"')
    server.set("/atom.xml", atom("Atom Times", [
        {"id": "tag:atom,1", "title": "Atom one", "link": article(server, "/atom/1", "Atom one")}]),
        content_type="application/atom+xml", last_modified=http_date(-3600))
    feeds = [server.url("/rss.xml"), server.url("/atom.xml")]
    with fetcher() as f:
        first = poll(store, f, feeds)
    assert (first.feeds, first.new_entries, first.fetched, first.stored, first.failures) == (2, 4, 4, 4, 0)
    rows = stored(store)
    assert [r[1] for r in rows] == ["Story number 0", "Story number 1", "Story number 2", "Atom one"]
    assert rows[0][2:4] == ("Wire Daily", "2024-05-01") and rows[3][2] == "Atom Times"
    raw = store.raw_bytes(store.article_ids()[0])
    assert raw.startswith(b"<!doctype html>") and b"Story number 0" in raw  # the page, byte for byte
    meta = json.loads(store.db.execute("SELECT meta FROM articles LIMIT 1").fetchone()[0])
    assert meta["feed"] == feeds[0] and meta["guid"] == "urn:story:0" and meta["http_status"] == 200

    # The server's RSS feed changes (one entry more, a new ETag); the Atom feed does not.
    server.set("/rss.xml", rss("Wire Daily", [item(server, 3)] + rss_items), content_type="application/rss+xml",
               etag='"v2"')
    with fetcher() as f:
        second = poll(store, f, feeds)
    assert (second.not_modified, second.new_entries, second.fetched, second.stored) == (1, 1, 1, 1)
    assert store.count_articles() == 5
    counts = server.counts()
    assert all(counts[f"/news/{n}"] == 1 for n in range(4)) and counts["/atom/1"] == 1
    atom_gets = [h for h in server.hits if h.path == "/atom.xml"]
    assert "If-Modified-Since" in atom_gets[1].headers
    assert [h.headers.get("If-None-Match") for h in server.hits if h.path == "/rss.xml"] == [None, '"v1"']
    feed_rows = {f["url"]: f for f in store.feeds()}
    assert feed_rows[feeds[1]]["not_modified"] == 1 and feed_rows[feeds[1]]["last_status"] == "304 not modified"
    assert feed_rows[feeds[0]]["entries"] == 4 and feed_rows[feeds[0]]["articles"] == 4


def test_requests_name_storyline_and_ask_for_gzip(server, store):
    server.set("/rss.xml", rss("Wire", [item(server, 1)]), content_type="application/rss+xml")
    with fetcher() as f:
        poll(store, f, [server.url("/rss.xml")])
    hit = next(h for h in server.hits if h.path == "/news/1")
    assert hit.headers["User-Agent"].startswith("storyline/") and "+https://example.org/contact" in hit.headers["User-Agent"]
    assert "gzip" in hit.headers["Accept-Encoding"]
    assert b"Story number 1" in store.raw_bytes(store.article_ids()[0])  # stored decompressed


def test_robots_txt_disallowed_page_is_never_fetched_and_is_recorded(server, store):
    allowed = item(server, 1)
    secret = {"guid": "urn:private", "link": article(server, "/private/leak", "Private"), "title": "Private"}
    server.set("/rss.xml", rss("Wire", [allowed, secret]), content_type="application/rss+xml")
    with fetcher() as f:
        report = poll(store, f, [server.url("/rss.xml")])
        again = poll(store, f, [server.url("/rss.xml")])
    assert server.count("/private/leak") == 0 and server.count("/robots.txt") == 1  # cached per host
    assert report.stored == 1 and again.fetched == 0
    assert store.page(normalize_url(secret["link"]))["status"] == "disallowed"
    assert any(r.source == normalize_url(secret["link"]) and r.reason == "robots" for r in store.rejections())


def test_429_with_retry_after_is_waited_then_fetched(server, store):
    body = page("Busy page", [WORDS])
    server.sequence("/news/busy", Answer(b"slow down", status=429, headers={"Retry-After": "1"}),
                    Answer(body.encode()))
    server.set("/rss.xml", rss("Wire", [{"guid": "b", "link": server.url("/news/busy"), "title": "Busy"}]),
               content_type="application/rss+xml")
    with fetcher() as f:
        report = poll(store, f, [server.url("/rss.xml")])
        waited = f.waited
    assert report.stored == 1 and server.count("/news/busy") == 2
    gets = [h.at for h in server.hits if h.path == "/news/busy"]
    assert gets[1] - gets[0] >= 0.95 and waited >= 0.95


def test_a_long_retry_after_is_not_waited_but_recorded_and_tried_later(server, store):
    server.set("/news/later", "busy", status=503, headers={"Retry-After": "3600"})
    server.set("/rss.xml", rss("Wire", [{"guid": "l", "link": server.url("/news/later"), "title": "L"}]),
               content_type="application/rss+xml")
    with fetcher() as f:
        report = poll(store, f, [server.url("/rss.xml")])
    assert server.count("/news/later") == 1 and report.stored == 0
    page_row = store.page(server.url("/news/later"))
    assert page_row["status"] == "retry" and "HTTP 503" in page_row["error"] and "Retry-After 3600" in page_row["error"]
    server.set("/news/later", page("Later", [WORDS]))
    with fetcher() as f:
        poll(store, f, [server.url("/rss.xml")])
    assert store.page(server.url("/news/later"))["status"] == "stored"
    assert not [r for r in store.rejections() if r.source == server.url("/news/later")]  # it works now


def test_malformed_feed_and_html_page_give_clear_errors_and_the_rest_goes_on(server, store):
    server.set("/broken.xml", '<?xml version="1.0"?><rss><channel><title>x</title><item><title>a</ite',
               content_type="application/rss+xml")
    server.set("/home.html", '<!doctype html><html><head><link rel="alternate" type="application/rss+xml"'
               ' href="/rss.xml"></head><body>Home</body></html>')
    server.set("/rss.xml", rss("Wire", [item(server, 1)]), content_type="application/rss+xml")
    feeds = [server.url("/broken.xml"), server.url("/home.html"), server.url("/rss.xml")]
    with fetcher() as f:
        report = poll(store, f, feeds)
    assert report.stored == 1
    errors = dict(report.feed_errors)
    assert errors[feeds[0]].startswith("malformed feed: ")
    assert errors[feeds[1]] == "not a feed: an HTML page, not RSS, Atom or JSON Feed; the page names its feed: /rss.xml"
    rows = {f["url"]: f for f in store.feeds()}
    assert rows[feeds[1]]["failures"] == 1 and rows[feeds[1]]["last_error"] == errors[feeds[1]]
    reasons = {(r.source, r.reason) for r in store.rejections()}
    assert (feeds[0], "malformed feed") in reasons and (feeds[1], "not a feed") in reasons


def test_a_failing_feed_is_polled_less_often(server, store):
    url = server.url("/gone.xml")  # 404
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    waits = []
    with fetcher() as f:
        for _ in range(4):
            poll(store, f, [url], now=now)
            due = datetime.fromisoformat(store.feed(url)["next_poll_at"])
            waits.append((due - now).total_seconds())
            skipped = poll(store, f, [url], now=now + timedelta(seconds=waits[-1] - 1))
            assert skipped.feeds == 0 and skipped.not_due  # not asked again before it is due
            now = due
    assert waits == [60, 120, 240, 480]
    assert server.count("/gone.xml") == 4 and store.feed(url)["failures"] == 4
    assert "HTTP 404" in store.feed(url)["last_error"]


def test_ttl_and_update_period_are_respected(server, store):
    server.set("/ttl.xml", rss("T", [item(server, 1)], extra="<ttl>30</ttl><sy:updatePeriod>hourly</sy:updatePeriod>"),
               content_type="application/rss+xml")
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    with fetcher() as f:
        poll(store, f, [server.url("/ttl.xml")], now=now)
        soon = poll(store, f, [server.url("/ttl.xml")], now=now + timedelta(minutes=59))
        later = poll(store, f, [server.url("/ttl.xml")], now=now + timedelta(minutes=61))
    assert store.feed(server.url("/ttl.xml"))["min_interval_s"] == 3600
    assert (soon.feeds, later.feeds) == (0, 1) and server.count("/ttl.xml") == 2


def test_a_page_that_times_out_is_recorded_and_tried_again(server, store):
    article(server, "/news/slow", "Slow", delay=1.5)
    server.set("/rss.xml", rss("Wire", [{"guid": "s", "link": server.url("/news/slow"), "title": "Slow"},
                                        item(server, 2)]), content_type="application/rss+xml")
    with fetcher(timeout=0.3, retries=0) as f:
        report = poll(store, f, [server.url("/rss.xml")])
    assert report.stored == 1
    slow = store.page(server.url("/news/slow"))
    assert slow["status"] == "retry" and slow["error"].startswith("timeout: no answer within 0.3s")
    assert any(r.reason == "timeout" and "will be tried again" in r.detail for r in store.rejections())


def test_a_redirect_loop_is_refused(server, store):
    server.set("/loop/a", "", status=302, headers={"Location": "/loop/b"})
    server.set("/loop/b", "", status=302, headers={"Location": "/loop/a"})
    server.set("/moved", "", status=301, headers={"Location": "/news/7"})
    article(server, "/news/7", "Moved story")
    with fetcher(max_redirects=4) as f:
        report = fetch_urls(store, f, [server.url("/loop/a"), server.url("/moved")])
    assert report.stored == 1 and server.count("/loop/a") + server.count("/loop/b") == 5
    loop = store.page(server.url("/loop/a"))
    assert loop["status"] == "failed" and loop["error"] == "redirect loop: more than 4 redirects"
    meta = json.loads(store.db.execute("SELECT meta FROM articles").fetchone()[0])
    assert meta["fetched_url"] == server.url("/news/7")


@pytest.mark.parametrize("how", [{"gzip": False}, {"gzip": False, "chunked": True}, {"gzip": True}])
def test_an_oversize_page_is_refused_and_recorded(server, store, how):
    big = page("Huge", [WORDS] * 2000)  # about 400 KB; the limit below is 100 KB
    server.set("/news/huge", big, **how)
    article(server, "/news/small", "Small")
    with fetcher(max_bytes=100_000) as f:
        report = fetch_urls(store, f, [server.url("/news/huge"), server.url("/news/small")])
    assert report.stored == 1
    huge = store.page(server.url("/news/huge"))
    assert huge["status"] == "failed" and huge["error"].startswith("too large: ")
    assert any(r.reason == "too large" for r in store.rejections())


def test_one_article_in_two_feeds_is_fetched_and_stored_once(server, store):
    shared = item(server, 1)
    tracked = {**shared, "guid": "other-guid", "link": shared["link"] + "?utm_source=rss&utm_medium=feed"}
    server.set("/a.xml", rss("Feed A", [shared, item(server, 2)]), content_type="application/rss+xml")
    server.set("/b.xml", rss("Feed B", [tracked]), content_type="application/rss+xml")
    # A third address whose page names the same canonical URL.
    server.set("/c.xml", rss("Feed C", [{"guid": "c", "link": server.url("/amp/1"), "title": "Amp"}]),
               content_type="application/rss+xml")
    server.set("/amp/1", page("Story number 1", [WORDS], canonical=shared["link"]))
    with fetcher() as f:
        report = poll(store, f, [server.url("/a.xml"), server.url("/b.xml"), server.url("/c.xml")])
    assert store.count_articles() == 2 and report.stored == 2 and report.duplicates == 2
    assert server.count("/news/1") == 1
    assert store.page(server.url("/amp/1"))["status"] == "duplicate"


def test_entries_with_full_content_are_stored_from_the_feed(server, store):
    full = " ".join([WORDS] * 8)
    server.set("/full.xml", rss("Full", [{"guid": "f1", "link": server.url("/never/1"), "title": "Full text",
                                          "content": f"<p>{full}</p>"}]), content_type="application/rss+xml")
    with fetcher() as f:
        report = poll(store, f, [server.url("/full.xml")])
    assert report.stored == 1 and report.fetched == 0 and server.count("/never/1") == 0
    assert store.raw_bytes(store.article_ids()[0]) == f"<p>{full}</p>".encode()


def test_json_feed(server, store):
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "JSON Wire",
            "items": [{"id": "j1", "url": article(server, "/j/1", "Json one"), "title": "Json one",
                       "date_published": "2024-05-02T08:00:00+02:00"}]}
    server.set("/feed.json", json.dumps(feed), content_type="application/feed+json")
    with fetcher() as f:
        report = poll(store, f, [server.url("/feed.json")])
    assert report.stored == 1 and stored(store)[0][1:4] == ("Json one", "JSON Wire", "2024-05-02")


def test_parse_feed_says_what_is_wrong():
    with pytest.raises(NotAFeed, match="JSON, but not a JSON Feed"):
        parse_feed(b'{"hello": 1}', "application/json")
    with pytest.raises(NotAFeed, match="malformed feed"):
        parse_feed(b"just some words", "text/plain")
    assert parse_feed(rss("Empty", []).encode()).entries == []  # a valid feed with no entries is no error


def test_sources_urls_text_files_and_opml(tmp_path):
    listing = tmp_path / "feeds.txt"
    listing.write_text("# my feeds\nhttps://a.example/rss\n\nhttps://b.example/atom  \nhttps://a.example/rss\n")
    opml = tmp_path / "subs.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body><outline text="News">'
                    '<outline type="rss" xmlUrl="https://c.example/feed?x=1&amp;y=2"/></outline></body></opml>')
    assert read_sources([str(listing), str(opml), "https://d.example/f"]) == [
        "https://a.example/rss", "https://b.example/atom", "https://c.example/feed?x=1&y=2", "https://d.example/f"]
    bad = tmp_path / "bad.txt"
    bad.write_text("https://ok.example/\nnot a url\n")
    with pytest.raises(SourcesError, match=r"bad.txt:2: 'not a url' is not an http\(s\) URL"):
        read_sources([str(bad)])
    with pytest.raises(SourcesError, match="no such file"):
        read_sources([str(tmp_path / "missing.txt")])


def test_normalize_url():
    assert normalize_url("HTTP://Example.COM:80/a/b?utm_source=x&id=3#top") == "http://example.com/a/b?id=3"
    assert normalize_url("https://example.com") == "https://example.com/"


def test_cli_watch_once_feeds_and_rejections(server, tmp_path, monkeypatch):
    monkeypatch.setenv("STORYLINE_FETCH_DELAY", "0")
    server.set("/rss.xml", rss("Wire", [item(server, 1), item(server, 2)]), content_type="application/rss+xml",
               etag='"x"')
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{server.url('/rss.xml')}\n{server.url('/missing.xml')}\n")
    db = str(tmp_path / "w.db")
    runner = CliRunner()
    first = runner.invoke(cli, ["watch", str(listing), "--once", "--no-run", "--db", db])
    assert first.exit_code == 6, first.output  # a feed failed: said, and the rest stored
    assert "2 article(s) stored" in first.output and "failed: " + server.url("/missing.xml") in first.output
    second = runner.invoke(cli, ["watch", str(listing), "--once", "--no-run", "--db", db])
    assert "(1 not modified)" in second.output and "0 article(s) stored" in second.output
    assert "not due: " + server.url("/missing.xml") in second.output
    rows = [json.loads(line) for line in runner.invoke(cli, ["feeds", "--json", "--db", db]).output.splitlines()]
    by_url = {r["url"]: r for r in rows}
    assert by_url[server.url("/rss.xml")]["articles"] == 2 and by_url[server.url("/rss.xml")]["not_modified"] == 1
    assert by_url[server.url("/missing.xml")]["last_error"] == "http error: HTTP 404 Not Found"
    table = runner.invoke(cli, ["feeds", "--db", db]).output
    assert "HTTP 404 Not Found" in table
    rejected = runner.invoke(cli, ["rejections", "--json", "--db", db]).output
    assert server.url("/missing.xml") in rejected and "HTTP 404" in rejected


def test_cli_fetch(server, tmp_path, monkeypatch):
    monkeypatch.setenv("STORYLINE_FETCH_DELAY", "0")
    db = str(tmp_path / "f.db")
    result = CliRunner().invoke(cli, ["fetch", article(server, "/p/1", "Fetched"), server.url("/private/x"),
                                      "--db", db])
    assert result.exit_code == 6 and "1 article(s) stored" in result.output
    assert "robots: robots.txt disallows it for storyline" in result.output
    again = CliRunner().invoke(cli, ["fetch", server.url("/p/1"), "--db", db])
    assert again.exit_code == 0 and "1 already stored" in again.output and server.count("/p/1") == 1
    bad = CliRunner().invoke(cli, ["fetch", "page.html", "--db", db])
    assert bad.exit_code == 2 and "not an http(s) URL" in bad.output


@pytest.mark.slow  # a watch in a subprocess, killed with SIGKILL and started again
def test_a_watch_killed_mid_poll_restarts_fetching_nothing_twice_and_losing_nothing(server, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from storyline.store import Store

    n = 20
    items = []
    for i in range(n):
        link = article(server, f"/slow/{i}", f"Slow story {i}", delay=0.15)
        items.append({"guid": f"slow-{i}", "link": link, "title": f"Slow story {i}"})
    server.set("/rss.xml", rss("Slow Wire", items), content_type="application/rss+xml", etag='"s1"')
    listing = tmp_path / "feeds.txt"
    listing.write_text(server.url("/rss.xml") + "\n")
    db = tmp_path / "kill.db"
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(src), "STORYLINE_FETCH_DELAY": "0"}
    command = [sys.executable, "-m", "storyline", "watch", str(listing), "--once", "--no-run", "--db", str(db)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while sum(1 for h in server.hits if h.path.startswith("/slow/")) < 6 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store(db) as store:
        partial = store.count_articles()
    assert 0 < partial < n  # killed mid-poll, with some pages stored
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    counts = server.counts()
    fetched = [counts[f"/slow/{i}"] for i in range(n)]
    # Every page fetched; at most the one in flight at the kill fetched a second time.
    assert min(fetched) == 1 and sum(fetched) <= n + 1
    assert counts["/rss.xml"] == 2  # the restart's feed poll: a 304 (the entries were committed)
    with Store(db) as store:
        assert store.count_articles() == n
        urls = [r[0] for r in store.db.execute("SELECT url FROM articles")]
        assert len(set(urls)) == n and store.page_counts() == {"stored": n}
