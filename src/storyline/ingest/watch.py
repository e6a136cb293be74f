"""Following feeds: read the list, poll each feed, fetch and store the new articles.

`poll` does one round: a conditional GET per feed that is due (ETag, Last-Modified), its
new entries (by guid, else link; a link already queued from another feed is the same
article), then every page still to store: an entry that carried its whole text is stored
from the feed, every other entry's page is fetched (robots.txt honoured) and stored raw with
the feed's metadata. `fetch_urls` stores pages given by URL, by the same rules.

Every step commits on its own (the feed's new entries with its validators; each page with
its article), so a watch killed at any moment fetches nothing twice when started again and
loses nothing. Every failure is recorded on its feed or page and as a rejection
(`storyline rejections`), never only logged.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from storyline.ingest.decode import DecodeProblem, decode_bytes
from storyline.ingest.feeds import NotAFeed, ParsedFeed, parse_feed
from storyline.ingest.fetch import Fetcher, FetchError
from storyline.records import Rejection
from storyline.store import Store

log = logging.getLogger(__name__)

# A feed failing again and again is polled less often: after n failures in a row, not again
# for 2^(n-1) minutes (1, 2, 4, ... ), at most a day.
MAX_BACKOFF_S = 24 * 3600
# A page that failed in a way that may pass (a timeout, a 5xx) is tried at this many polls.
MAX_PAGE_ATTEMPTS = 3
# Tracking parameters: the same article with and without them is one URL.
_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|at_medium|at_campaign)$", re.I)
_CANONICAL = re.compile(r"""<link\b[^>]*\brel=["']?canonical["']?[^>]*>""", re.I)
_HREF = re.compile(r"""\bhref=["']([^"']+)["']""", re.I)
_OPML_URL = re.compile(r"""\bxmlUrl=["']([^"']+)["']""", re.I)


class SourcesError(ValueError):
    """A SOURCES argument that names no feed."""


def read_sources(sources: list[str]) -> list[str]:
    """Feed URLs from the command line's SOURCES: URLs, text files of URLs (one a line, #
    comments), OPML files (every outline's xmlUrl). In order, each once."""
    urls: list[str] = []
    for source in sources:
        if _is_http(source):
            urls.append(source)
            continue
        path = Path(source)
        if not path.is_file():
            raise SourcesError(f"{source}: no such file, and not an http(s) URL")
        text = path.read_text(encoding="utf-8", errors="replace")
        if "<opml" in text[:2000].lower():
            found = [u.replace("&amp;", "&") for u in _OPML_URL.findall(text)]
            if not found:
                raise SourcesError(f"{source}: an OPML file without any outline xmlUrl")
            urls += found
            continue
        for n, line in enumerate(text.splitlines(), start=1):
            line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
            if not line:
                continue
            if not _is_http(line):
                raise SourcesError(f"{source}:{n}: {line[:80]!r} is not an http(s) URL")
            urls.append(line)
    out = list(dict.fromkeys(urls))
    if not out:
        raise SourcesError("no feed URL in " + ", ".join(sources))
    return out


def _is_http(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def normalize_url(url: str) -> str:
    """One spelling per address: lower-case scheme and host, no default port, no fragment,
    no tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


@dataclass
class PollReport:
    feeds: int = 0  # polled this round
    not_modified: int = 0  # answered 304
    not_due: list[tuple[str, str]] = field(default_factory=list)  # (feed, when it is next due)
    feed_errors: list[tuple[str, str]] = field(default_factory=list)  # (feed, error)
    new_entries: int = 0
    duplicates: int = 0  # entries (or pages) already stored from another feed or URL
    fetched: int = 0  # pages fetched over HTTP
    stored: int = 0  # new articles
    page_errors: list[tuple[str, str]] = field(default_factory=list)  # (page, error)
    requests: int = 0

    @property
    def failures(self) -> int:
        return len(self.feed_errors) + len(self.page_errors)


def poll(store: Store, fetcher: Fetcher, feeds: list[str], *, now: datetime | None = None,
         pages: bool = True) -> PollReport:
    """One round over `feeds` (registered if new): the due ones polled, then every page still
    to store (this round's and any a killed round left) fetched and stored."""
    report = PollReport()
    now = now or datetime.now(UTC)
    for url in feeds:
        store.add_feed(url)
    for url in feeds:
        feed = store.feed(url)
        due = feed["next_poll_at"]
        if due and datetime.fromisoformat(due) > now:
            report.not_due.append((url, due))
            continue
        _poll_feed(store, fetcher, feed, now, report)
    if pages:
        store_pending_pages(store, fetcher, report)
    report.requests = fetcher.requests
    return report


def _poll_feed(store: Store, fetcher: Fetcher, feed: dict, now: datetime, report: PollReport) -> None:
    url = feed["url"]
    report.feeds += 1
    headers = {}
    if feed["etag"]:
        headers["If-None-Match"] = feed["etag"]
    if feed["last_modified"]:
        headers["If-Modified-Since"] = feed["last_modified"]
    stamp = now.isoformat(timespec="seconds")
    try:
        response = fetcher.get(url, headers)
        if response.status == 304:
            report.not_modified += 1
            with store.transaction():
                store.clear_rejections(url, "feed")
            store.update_feed(url, last_poll_at=stamp, last_status="304 not modified", last_ok_at=stamp,
                                  polls=feed["polls"] + 1, not_modified=feed["not_modified"] + 1, last_new=0,
                                  failures=0, last_error=None, next_poll_at=_after(now, feed["min_interval_s"]))
            return
        parsed = parse_feed(response.body, response.content_type)
    except (FetchError, NotAFeed) as exc:
        _feed_failed(store, feed, exc.reason, exc.detail, now, getattr(exc, "retry_after", None), report)
        return
    with store.transaction():  # the new entries and the validators land together
        new = _queue_entries(store, url, parsed, report)
        store.clear_rejections(url, "feed")
        store.update_feed(
            url, title=parsed.title or feed["title"], etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"), last_poll_at=stamp,
            last_status=f"{response.status} {len(parsed.entries)} entries, {new} new", last_ok_at=stamp,
            last_new_at=stamp if new else feed["last_new_at"], last_new=new, polls=feed["polls"] + 1,
            entries=feed["entries"] + new, failures=0, last_error=parsed.problem and f"feed warning: {parsed.problem}",
            min_interval_s=parsed.min_interval_s, next_poll_at=_after(now, parsed.min_interval_s),
        )


def _queue_entries(store: Store, feed_url: str, parsed: ParsedFeed, report: PollReport) -> int:
    """Record the feed's new entries and queue their pages, in one transaction."""
    new = 0
    outlet = parsed.title
    with store.transaction():
        for entry in parsed.entries:
            if store.has_entry(feed_url, entry.key):
                continue
            new += 1
            page = normalize_url(urljoin(feed_url, entry.link)) if entry.link else f"{feed_url}#entry={entry.key}"
            meta = {
                "feed": feed_url, "feed_title": parsed.title, "guid": entry.key, "link": entry.link,
                "title": entry.title, "outlet": outlet, "published": entry.published,
                "published_at": entry.published_at, "published_raw": entry.published_raw,
                "warnings": entry.warnings,
            }
            # No link: the feed's text is all there is of it, so it is stored as it stands.
            content = entry.content.encode("utf-8") if (entry.full or not entry.link) and entry.content.strip() else None
            if not store.add_page(page, feed=feed_url, entry_meta=meta, content=content):
                report.duplicates += 1  # queued or stored already, from this feed or another
            store.add_entry(feed_url, entry.key, page)
    report.new_entries += new
    return new


def _feed_failed(store: Store, feed: dict, reason: str, detail: str, now: datetime, retry_after: float | None,
                 report: PollReport) -> None:
    url = feed["url"]
    failures = feed["failures"] + 1
    wait = min(MAX_BACKOFF_S, 60 * 2 ** (failures - 1))
    if retry_after is not None:
        wait = max(wait, min(retry_after, MAX_BACKOFF_S))
    wait = max(wait, feed["min_interval_s"] or 0)
    error = f"{reason}: {detail}"
    report.feed_errors.append((url, error))
    log.info("feed %s: %s", url, error)  # the report and `storyline feeds` say it
    with store.transaction():
        store.update_feed(url, last_poll_at=now.isoformat(timespec="seconds"), last_status="failed",
                          polls=feed["polls"] + 1, failures=failures, last_error=error, last_new=0,
                          next_poll_at=(now + timedelta(seconds=wait)).isoformat(timespec="seconds"))
        store.add_rejection(Rejection(url, "feed", reason, f"{detail} ({failures} failure(s) in a row;"
                                      f" next poll not before {wait // 60:g} min)"))


def _after(now: datetime, seconds: int | None) -> str | None:
    if not seconds:
        return None
    return (now + timedelta(seconds=min(seconds, MAX_BACKOFF_S))).isoformat(timespec="seconds")


# -- pages ----------------------------------------------------------------------------------


def fetch_urls(store: Store, fetcher: Fetcher, urls: list[str]) -> PollReport:
    """`storyline fetch URL...`: queue each page (once) and store it, by the rules of `watch`."""
    report = PollReport()
    with store.transaction():
        for url in urls:
            page = normalize_url(url)
            if not store.add_page(page, feed=None, entry_meta={"link": url}, content=None):
                known = store.page(page)
                if known and known["status"] not in ("pending", "retry"):
                    report.duplicates += 1
    store_pending_pages(store, fetcher, report)
    report.requests = fetcher.requests
    return report


def store_pending_pages(store: Store, fetcher: Fetcher, report: PollReport) -> None:
    """Fetch and store every page still to store, one host after another in turn (so a delay
    for one host is time spent on the others)."""
    by_host: dict[str, deque] = {}
    for page in store.pending_pages():
        by_host.setdefault(urlsplit(page["url"]).netloc, deque()).append(page)
    while by_host:
        for host in list(by_host):
            queue = by_host[host]
            _store_page(store, fetcher, queue.popleft(), report)
            if not queue:
                del by_host[host]


def _store_page(store: Store, fetcher: Fetcher, page: dict, report: PollReport) -> None:
    url = page["url"]
    meta = page["entry_meta"]
    if page["content"] is not None:
        _store_article(store, page, page["content"], "utf-8", url, None, report)
        return
    allowed, why = fetcher.allowed(url)
    if not allowed:
        _page_failed(store, page, "disallowed", "robots", why, report, final=True)
        return
    try:
        response = fetcher.get(url)
    except FetchError as exc:
        final = not exc.retryable or page["attempts"] + 1 >= MAX_PAGE_ATTEMPTS
        _page_failed(store, page, "failed" if final else "retry", exc.reason, exc.detail, report, final=final,
                     http_status=exc.status)
        return
    report.fetched += 1
    if response.content_type and not any(t in response.content_type for t in ("html", "xml", "text")):
        _page_failed(store, page, "failed", "not a page", f"{response.content_type}, not HTML", report,
                     final=True, http_status=response.status)
        return
    canonical = _canonical(response.body, response.url)
    if canonical:
        other = store.page_with_canonical(canonical, url)
        if other is not None:  # the same article, reached by another address
            report.duplicates += 1
            with store.transaction():
                store.finish_page(url, "duplicate", canonical=canonical, http_status=response.status,
                                  article_id=other["article_id"])
            return
    meta = {**meta, "fetched_url": response.url, "http_status": response.status}
    _store_article(store, {**page, "entry_meta": meta}, response.body, response.charset, url, canonical, report,
                   status=response.status)


def _store_article(store: Store, page: dict, raw: bytes, charset: str | None, url: str, canonical: str | None,
                   report: PollReport, status: int | None = None) -> None:
    meta = page["entry_meta"]
    try:
        _, encoding = decode_bytes(raw, html=True, declared=charset)
    except DecodeProblem as problem:
        _page_failed(store, page, "failed", problem.reason, problem.detail, report, final=True, http_status=status)
        return
    host = urlsplit(url).hostname or "page"
    article_meta = {k: v for k, v in meta.items() if v not in (None, [], "")
                    and k not in ("title", "outlet", "published", "published_at", "published_raw", "warnings")}
    with store.transaction():
        outcome, article_id = store.add_article(
            article_id=f"{host}-{hashlib.sha1(url.encode()).hexdigest()[:10]}", fmt="html", raw=raw,
            encoding=encoding, source=url, locator="", url=meta.get("link") or url, title=meta.get("title"),
            outlet=meta.get("outlet") or meta.get("feed_title") or (host if meta.get("feed") else None),
            published=meta.get("published"), meta=article_meta, published_at=meta.get("published_at"),
            published_raw=meta.get("published_raw"), warnings=meta.get("warnings") or [],
        )
        store.finish_page(url, "stored" if outcome == "added" else "duplicate", canonical=canonical,
                          http_status=status, article_id=article_id, error=None)
        store.clear_rejections(url, "page%")  # an earlier try that failed is no rejection now
    if outcome == "added":
        report.stored += 1
    else:
        report.duplicates += 1


def _page_failed(store: Store, page: dict, page_status: str, reason: str, detail: str, report: PollReport, *,
                 final: bool, http_status: int | None = None) -> None:
    url = page["url"]
    error = f"{reason}: {detail}"
    report.page_errors.append((url, error))
    log.info("page %s: %s", url, error)
    with store.transaction():
        store.finish_page(url, page_status, http_status=http_status, error=error)
        where = f"page of {page['feed']}" if page.get("feed") else "page"
        store.add_rejection(Rejection(url, where, reason, detail + ("" if final else " (will be tried again)")))


def _canonical(raw: bytes, base: str) -> str | None:
    head = raw[:200_000].decode("utf-8", "replace")
    tag = _CANONICAL.search(head)
    href = _HREF.search(tag.group(0)) if tag else None
    if not href:
        return None
    target = urljoin(base, href.group(1).replace("&amp;", "&").strip())
    return normalize_url(target) if _is_http(target) else None
