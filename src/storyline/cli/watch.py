"""Commands that fetch from the web and tell of news: `watch`, `fetch`, `feeds`, `alerts`."""

from __future__ import annotations

import logging
import re
import sys
import time

import click
from rich.table import Table

from storyline.cli.common import (
    EXIT_SOME_REJECTED,
    OUTPUT,
    Command,
    Group,
    db_option,
    emit_json_lines,
    emit_table,
    info,
    json_option,
    open_store,
)
from storyline.errors import StorylineError
from storyline.settings import resolve, value


def _interval(ctx: click.Context, param: click.Parameter, text: str) -> float:
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not found:
        raise click.BadParameter("give a duration such as 90s, 15m, 2h or 1d")
    seconds = float(found.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[found.group(2)]
    if seconds <= 0:
        raise click.BadParameter("give a duration above 0")
    return seconds


def _fetcher():
    from storyline.ingest.fetch import Fetcher, FetchPolicy

    policy = FetchPolicy(delay=value("fetch_delay"), timeout=value("fetch_timeout"),
                         max_bytes=value("fetch_max_bytes"), contact=value("contact"))
    return Fetcher(policy)


def _report(report, label: str) -> None:
    parts = []
    if report.feeds or report.not_due:
        feeds = f"{report.feeds} feed(s) polled"
        if report.not_modified:
            feeds += f" ({report.not_modified} not modified)"
        if report.not_due:
            feeds += f", {len(report.not_due)} not due yet"
        parts += [feeds, f"{report.new_entries} new entries"]
    parts += [f"{report.fetched} page(s) fetched", f"{report.stored} article(s) stored",
              f"{report.duplicates} already stored", f"{report.failures} failure(s)", f"{report.requests} request(s)"]
    info(f"{label}: " + "; ".join(parts), markup=False)
    for url, when in report.not_due:
        info(f"  not due: {url} (next poll {when})", markup=False)
    for url, error in report.feed_errors + report.page_errors:
        info(f"  failed: {url}: {error}", markup=False)


def _run_and_alert(store, run: bool) -> None:
    if run:
        from storyline.executor.progress import default_progress
        from storyline.pipeline import run_pipeline

        settings = resolve(db=store.path)
        if not OUTPUT.quiet:
            logging.getLogger("storyline.pipeline").setLevel(logging.INFO)
        for r in run_pipeline(store, default_progress(), settings.workers, settings.embeddings):
            extra = ", ".join(f"{k} {v}" for k, v in r.stats.items())
            info(f"  {r.name:<9} {r.processed:>6} processed in {r.seconds:6.2f}s{'  ' + extra if extra else ''}",
                 markup=False)
    if store.alerts():
        from storyline.views.alerts import check_alerts

        result = check_alerts(store)
        for name, n in result.sent.items():
            if n or name in result.errors:
                info(f"  alert {name}: {n} story(ies) told" + (f"; {result.errors[name]}" if name in result.errors
                                                                 else ""), markup=False)


@click.command(cls=Command)
@click.argument("sources", nargs=-1, required=True)
@click.option("--interval", default="15m", show_default=True, callback=_interval,
              help="Time between two polls (90s, 15m, 2h); a feed's own ttl or sy:updatePeriod, and the backoff"
                   " of a failing feed, can make it wait longer.")
@click.option("--once", is_flag=True, help="Poll once, run, tell the alerts, and stop.")
@click.option("--no-run", "no_run", is_flag=True, help="Only fetch and store: no `storyline run` after a poll.")
@db_option
def watch(sources: tuple[str, ...], interval: float, once: bool, no_run: bool, db: str | None) -> None:
    """Follow feeds: SOURCES are feed URLs (RSS, Atom, JSON Feed), text files of them (one a line) or
    OPML files. Each poll fetches what changed, stores the new articles (their pages fetched
    politely), runs the pipeline and tells the saved searches' alerts."""
    from storyline.ingest.watch import SourcesError, poll, read_sources

    try:
        feeds = read_sources(list(sources))
    except SourcesError as exc:
        raise click.BadParameter(str(exc), param_hint="SOURCES") from None
    if not value("contact"):
        info("note: no contact in the User-Agent; set STORYLINE_CONTACT to a URL or e-mail sites can reach you at",
             markup=False)
    rounds = 0
    failed = False
    with open_store(db, create=True) as store, _fetcher() as fetcher:
        while True:
            rounds += 1
            started = time.perf_counter()
            report = poll(store, fetcher, feeds)
            fetcher.requests = 0
            failed = failed or bool(report.failures)
            _report(report, f"poll {rounds} ({time.perf_counter() - started:.1f}s)")
            _run_and_alert(store, run=not no_run)
            if once:
                break
            info(f"next poll in {interval:g}s; Ctrl-C stops (nothing is lost)", markup=False)
            time.sleep(interval)
    if failed:
        info("failures are listed by `storyline feeds` and `storyline rejections`", markup=False)
        sys.exit(EXIT_SOME_REJECTED)


@click.command(cls=Command)
@click.argument("urls", nargs=-1, required=True)
@db_option
def fetch(urls: tuple[str, ...], db: str | None) -> None:
    """Fetch pages by URL and store them (robots.txt, delays and limits as `watch`); `storyline run`
    processes them."""
    from storyline.ingest.watch import fetch_urls

    bad = [u for u in urls if not u.lower().startswith(("http://", "https://"))]
    if bad:
        raise click.BadParameter(f"{bad[0]!r} is not an http(s) URL (files: `storyline ingest`)", param_hint="URLS")
    with open_store(db, create=True) as store, _fetcher() as fetcher:
        report = fetch_urls(store, fetcher, list(urls))
    _report(report, "fetch")
    if report.stored:
        info("next: `storyline run` to process them")
    if report.failures:
        sys.exit(EXIT_SOME_REJECTED)


@click.command(cls=Command)
@json_option
@db_option
def feeds(as_json: bool, db: str | None) -> None:
    """The feeds followed: last poll and its outcome, new entries, articles, failures and why."""
    with open_store(db) as store:
        rows = store.feeds()
    if as_json:
        emit_json_lines(rows)
        return
    if not rows:
        info("no feeds: `storyline watch FEED-URL...` follows some")
        return
    table = Table("feed", "title", "last poll", "outcome", "new", "articles", "pending", "failed pages",
                  "failures", "next poll", "error")
    for f in rows:
        table.add_row(f["url"], f["title"] or "", f["last_poll_at"] or "never", f["last_status"] or "",
                      str(f["last_new"]), str(f["articles"]), str(f["pages_pending"]), str(f["pages_failed"]),
                      str(f["failures"]), f["next_poll_at"] or "", f["last_error"] or "")
    emit_table(table)


@click.group(cls=Group)
def alerts() -> None:
    """Saved searches: each tells once of every new story (or story with new articles) it matches."""


@alerts.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--to", "target", default="-", show_default=True,
              help="Where alerts go: a file (one JSON line appended per story), - (stdout) or an http(s) webhook"
                   " URL (the JSON POSTed).")
@db_option
def alerts_add(name: str, query: str, target: str, db: str | None) -> None:
    """Save the search QUERY as NAME: words (all must occur), place:NAME, entity:NAME, outlet:NAME."""
    from storyline.views.alerts import QueryError, parse_query

    try:
        parse_query(query)
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="QUERY") from None
    with open_store(db, create=True) as store:
        if not store.add_alert(name, query, target):
            raise StorylineError(f"an alert {name!r} exists already: `storyline alerts remove {name}` first")
    info(f"saved {name!r}: {query} -> {target}; stories stored from now on that match are told", markup=False)


@alerts.command("list")
@json_option
@db_option
def alerts_list(as_json: bool, db: str | None) -> None:
    """The saved searches, where each goes, how many stories each told."""
    with open_store(db) as store:
        rows = store.alerts()
    if as_json:
        emit_json_lines(rows)
        return
    if not rows:
        info("no saved searches: `storyline alerts add NAME QUERY` saves one")
        return
    table = Table("name", "query", "to", "told", "last check", "error")
    for a in rows:
        table.add_row(a["name"], a["query"], a["target"], str(a["sent"]), a["last_check_at"] or "never",
                      a["last_error"] or "")
    emit_table(table)


@alerts.command("remove")
@click.argument("name")
@db_option
def alerts_remove(name: str, db: str | None) -> None:
    """Forget the saved search NAME."""
    from storyline.errors import NotFoundError

    with open_store(db) as store:
        if not store.remove_alert(name):
            raise NotFoundError(f"no alert {name!r}: see `storyline alerts list`")
    info(f"removed {name!r}", markup=False)


@alerts.command("check")
@db_option
def alerts_check(db: str | None) -> None:
    """Tell the saved searches' new matches now (`watch` does this after each run)."""
    from storyline.views.alerts import check_alerts

    with open_store(db) as store:
        result = check_alerts(store)
    for name, n in result.sent.items():
        info(f"alert {name}: {n} story(ies) told" + (f"; {result.errors[name]}" if name in result.errors else ""),
             markup=False)
    if result.errors:
        sys.exit(1)


COMMANDS = (watch, fetch, feeds, alerts)
