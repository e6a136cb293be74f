"""Saved searches: parsed in the web search's terms, matched with its queries, each story
told once (new, then again only with new articles), to a file, stdout or a webhook."""

from __future__ import annotations

import html
import io
import json

import pytest
from click.testing import CliRunner

from storyline.cli import cli
from storyline.errors import NotFoundError
from storyline.ingest.fetch import Fetcher, FetchPolicy
from storyline.ingest.watch import poll
from storyline.pipeline import run_pipeline
from storyline.seeds import seed_files
from storyline.views.alerts import QueryError, SavedQuery, check_alerts, parse_query
from tests.ingest.feed_server import FeedServer, rss


def test_parse_query():
    assert parse_query('border clashes place:"Abu Kamal" outlet:Reuters') == SavedQuery(
        "border clashes", place="Abu Kamal", outlet="Reuters")
    assert parse_query("entity:ISIS") == SavedQuery(None, entity="ISIS")
    assert parse_query('"Deir ez-Zor" time:now') == SavedQuery("Deir ez-Zor time:now")  # unknown keys are words
    for bad, why in (("", "empty search"), ("place:", "needs a name"), ("outlet:a outlet:b", "given twice"),
                     ("!!!", "no word")):
        with pytest.raises(QueryError, match=why):
            parse_query(bad)


def _seed_page(n: int) -> str:
    text = seed_files()[n].read_text(encoding="utf-8")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return f"<!doctype html><html><head><meta charset='utf-8'></head><body><article>{body}</article></body></html>"


@pytest.fixture
def news():
    s = FeedServer()
    s.set("/robots.txt", "", content_type="text/plain")
    for n in range(5):
        s.set(f"/seed/{n}", _seed_page(n))
    s.set("/hook", "ok", content_type="text/plain")
    yield s
    s.close()


def _feed(server: FeedServer, seeds: list[int]) -> None:
    items = [{"guid": f"seed-{n}", "link": server.url(f"/seed/{n}"), "title": f"Seed {n}",
              "pubDate": "Sat, 04 Nov 2017 12:00:00 +0000"} for n in seeds]
    server.set("/rss.xml", rss("Border Wire", items), content_type="application/rss+xml")


def _posts(server: FeedServer) -> list[dict]:
    return [json.loads(h.body) for h in server.hits if h.method == "POST"]


@pytest.mark.slow  # three pipeline runs
def test_alerts_tell_new_and_grown_stories_once_to_a_webhook_and_a_file(news, store, tmp_path):
    fetcher = Fetcher(FetchPolicy(delay=0))
    seen_file = tmp_path / "alerts.jsonl"
    # Saved before anything is stored: every match is news to them.
    assert store.add_alert("clashes", "clashes border", news.url("/hook"))
    assert store.add_alert("outlet", "outlet:\"Border Wire\"", str(seen_file))
    assert store.add_alert("none", "zebra", "-")
    _feed(news, [0, 1, 2])
    poll(store, fetcher, [news.url("/rss.xml")])
    run_pipeline(store, embeddings=False)
    out = io.StringIO()
    first = check_alerts(store, stdout=out)
    assert first.sent["none"] == 0 and out.getvalue() == ""
    posts = _posts(news)
    assert first.sent["clashes"] == len(posts) >= 1
    assert {p["kind"] for p in posts} == {"new"} and all(p["alert"] == "clashes" for p in posts)
    main = next(p for p in posts if len(p["new_articles"]) >= 2)
    assert {a["outlet"] for a in main["new_articles"]} == {"Border Wire"}
    lines = [json.loads(line) for line in seen_file.read_text().splitlines()]
    assert len(lines) == first.sent["outlet"] and sum(len(x["new_articles"]) for x in lines) == 3

    assert check_alerts(store).sent == {"clashes": 0, "none": 0, "outlet": 0}  # told once
    assert len(_posts(news)) == len(posts)

    # A reprint of the main story arrives: that story is told again, with only the new article.
    _feed(news, [0, 1, 2, 3])
    poll(store, fetcher, [news.url("/rss.xml")])
    run_pipeline(store, embeddings=False)
    news.set("/hook", "down", status=500, content_type="text/plain")  # the webhook is down
    failed = check_alerts(store)
    assert "HTTP 500" in failed.errors["clashes"] and failed.sent["clashes"] == 0
    assert "HTTP 500" in {a["name"]: a for a in store.alerts()}["clashes"]["last_error"]
    news.set("/hook", "ok", content_type="text/plain")
    again = check_alerts(store)
    later = _posts(news)[len(posts) + 1:]  # after the failed one
    assert again.sent["clashes"] == len(later) >= 1 and not again.errors
    grown = [p for p in later if p["kind"] == "updated"]
    assert grown and [a["title"] for a in grown[0]["new_articles"]] == ["Seed 3"]
    assert grown[0]["articles"] > len(grown[0]["new_articles"])


def test_alerts_cli(tmp_path):
    db = str(tmp_path / "a.db")
    runner = CliRunner()
    added = runner.invoke(cli, ["alerts", "add", "syria", 'place:Syria clashes', "--to", "-", "--db", db])
    assert added.exit_code == 0, added.output
    assert runner.invoke(cli, ["alerts", "add", "syria", "x", "--db", db]).exit_code == 1
    bad = runner.invoke(cli, ["alerts", "add", "empty", "place:", "--db", db])
    assert bad.exit_code == 2 and "needs a name" in bad.output
    listed = [json.loads(x) for x in runner.invoke(cli, ["alerts", "list", "--json", "--db", db]).output.splitlines()]
    assert [(a["name"], a["query"], a["target"], a["sent"]) for a in listed] == [("syria", "place:Syria clashes", "-", 0)]
    assert runner.invoke(cli, ["alerts", "check", "--db", db]).exit_code == 0
    assert runner.invoke(cli, ["alerts", "remove", "syria", "--db", db]).exit_code == 0
    missing = runner.invoke(cli, ["alerts", "remove", "syria", "--db", db])
    assert isinstance(missing.exception, NotFoundError) and "no alert 'syria'" in str(missing.exception)
