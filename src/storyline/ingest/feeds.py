"""RSS and Atom feeds: each entry with content becomes an article (`read_feed`, a feed file);
a feed fetched from the web (RSS, Atom or JSON Feed) is read into its entries (`parse_feed`)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path

from storyline.ingest.dates import parse_published
from storyline.ingest.decode import replace_surrogates
from storyline.ingest.limits import MAX_ITEM_BYTES, MAX_WHOLE_FILE_BYTES
from storyline.records import Rejection


def read_feed(path: Path) -> Iterator:
    import feedparser

    from storyline.ingest.items import Item

    source = str(path)
    if path.stat().st_size > MAX_WHOLE_FILE_BYTES:
        yield Rejection(source, "", "too large", f"feed over {MAX_WHOLE_FILE_BYTES} bytes")
        return
    raw = _SURROGATE_REFERENCE.sub(_no_surrogate, path.read_bytes())
    try:
        feed = feedparser.parse(raw)
    except Exception as exc:  # a third-party parser: any error it raises is this file's rejection
        yield Rejection(source, "", "malformed feed", f"{type(exc).__name__}: {exc}")
        return
    if not feed.entries:
        why = str(feed.get("bozo_exception", "")) or "no entries"
        yield Rejection(source, "", "malformed feed", f"not an RSS/Atom feed with entries ({why})")
        return
    outlet = (feed.feed.get("title") or "").strip() or None
    for index, entry in enumerate(feed.entries, start=1):
        locator = f"entry {index}"
        html = ""
        if entry.get("content"):
            html = max((c.get("value", "") for c in entry.content), key=len)
        html = html or entry.get("summary", "") or ""
        if not html.strip():
            yield Rejection(source, locator, "empty", "the entry has no content or summary")
            continue
        published, published_at, published_raw, warnings = _entry_date(entry)
        # A character reference to a lone surrogate (&#xD800;) reaches us as one: U+FFFD instead.
        body = replace_surrogates(html).encode("utf-8")
        if len(body) > MAX_ITEM_BYTES:
            yield Rejection(source, locator, "too large", f"{len(body)} bytes")
            continue
        yield Item(
            article_id=_clean(entry.get("id") or entry.get("link") or f"{path.stem}-{index}"),
            fmt="html", raw=body, encoding="utf-8", locator=locator, url=_clean(entry.get("link")),
            title=_clean(entry.get("title") or None), outlet=_clean(outlet), published=published,
            meta={"feed": source}, published_at=published_at,
            published_raw=_clean(published_raw), warnings=warnings,
        )


# A character reference to a lone surrogate (&#xD800;, &#55296;) is no character, and
# feedparser fails on the whole feed for one: each becomes U+FFFD before it parses.
_SURROGATE_REFERENCE = re.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{4})|0*(\d{5}));")


def _no_surrogate(match: re.Match[bytes]) -> bytes:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF else match.group(0)


def _clean(value: str | None) -> str | None:
    """`value` with any lone surrogate (which no UTF-8 text can hold) as U+FFFD."""
    if value is None:
        return None
    return replace_surrogates(str(value))


# -- feeds fetched from the web (`storyline watch`) ----------------------------------------


@dataclass
class FeedEntry:
    """One entry of a fetched feed: what identifies it and what the feed says of it."""

    key: str  # guid / id, else the link
    link: str | None
    title: str | None
    published: str | None
    published_at: str | None
    published_raw: str | None
    content: str  # the entry's HTML (full content, else its summary)
    full: bool  # the feed carries the article's whole text: no page to fetch
    warnings: list[str] = field(default_factory=list)


@dataclass
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry]
    min_interval_s: int | None  # how often the feed asks to be read at most (ttl, sy:updatePeriod)
    problem: str | None = None  # what was wrong with the feed, when it had entries all the same


class NotAFeed(ValueError):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


# An entry whose content holds at least this many words is the article itself; a shorter one
# is a teaser, and the page it links to is fetched.
FULL_CONTENT_WORDS = 150
_TAG = re.compile(r"<[^>]+>")
_ALTERNATE = re.compile(
    r"""<link[^>]+type=["']application/(?:rss|atom)\+xml["'][^>]*>""", re.I)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.I)
_PERIOD_S = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400, "yearly": 365 * 86400}


def parse_feed(raw: bytes, content_type: str = "") -> ParsedFeed:
    """An RSS, Atom or JSON Feed document's entries; NotAFeed (reason, detail) when it is none."""
    head = raw.lstrip()[:1024].lower()
    if "json" in content_type or head.startswith(b"{"):
        return _parse_json_feed(raw)
    if head.startswith((b"<!doctype html", b"<html")) or ("html" in content_type and b"<rss" not in head):
        found = _ALTERNATE.search(raw[:200_000].decode("utf-8", "replace"))
        hint = ""
        if found and (href := _HREF.search(found.group(0))):
            hint = f"; the page names its feed: {href.group(1)}"
        raise NotAFeed("not a feed", f"an HTML page, not RSS, Atom or JSON Feed{hint}")
    import feedparser

    feed = feedparser.parse(raw)
    if not feed.entries:
        if feed.get("bozo") and feed.get("bozo_exception"):
            raise NotAFeed("malformed feed", f"not RSS/Atom with entries ({feed.bozo_exception})")
        if feed.get("version"):
            return ParsedFeed(_text(feed.feed.get("title")), [], _min_interval(feed.feed))
        raise NotAFeed("malformed feed", "not RSS, Atom or JSON Feed (no feed element, no entries)")
    entries = []
    for entry in feed.entries:
        link = entry.get("link") or None
        key = entry.get("id") or link
        if not key:
            continue  # nothing to know it by next time, nowhere to fetch it from
        content = ""
        if entry.get("content"):
            content = max((c.get("value", "") for c in entry.content), key=len)
        full = _words(content) >= FULL_CONTENT_WORDS
        content = content or entry.get("summary", "") or ""
        published, published_at, published_raw, warnings = _entry_date(entry)
        entries.append(FeedEntry(key, link, _text(entry.get("title")), published, published_at, published_raw,
                                 content, full, warnings))
    problem = str(feed.bozo_exception) if feed.get("bozo") and feed.get("bozo_exception") else None
    if not entries:
        why = f"({problem})" if problem else "(no entry has a guid, id or link)"
        raise NotAFeed("malformed feed", f"none of its {len(feed.entries)} entries can be read {why}")
    return ParsedFeed(_text(feed.feed.get("title")), entries, _min_interval(feed.feed), problem)


def _parse_json_feed(raw: bytes) -> ParsedFeed:
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAFeed("malformed feed", f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise NotAFeed("malformed feed", "JSON, but not a JSON Feed (no https://jsonfeed.org version)")
    items = doc.get("items")
    if not isinstance(items, list):
        raise NotAFeed("malformed feed", "a JSON Feed without an items list")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url") or None
        key = str(item.get("id") or link or "") or None
        if not key:
            continue
        content = item.get("content_html") or ""
        if not content and item.get("content_text"):
            content = "".join(f"<p>{html_escape(p)}</p>" for p in str(item["content_text"]).split("\n\n"))
        full = _words(content) >= FULL_CONTENT_WORDS
        content = content or html_escape(str(item.get("summary") or ""))
        given = item.get("date_published") or item.get("date_modified")
        published = published_at = None
        warnings: list[str] = []
        if given:
            found = parse_published(str(given))
            published, published_at = found.value, found.at
            warnings += [found.warning] if found.warning else []
        entries.append(FeedEntry(key, link, _text(item.get("title")), published, published_at,
                                 given if given and given != published else None, content, full, warnings))
    return ParsedFeed(_text(doc.get("title")), entries, None)


def _entry_date(entry) -> tuple[str | None, str | None, str | None, list[str]]:
    published = published_at = None
    warnings: list[str] = []
    given = entry.get("published") or entry.get("updated")
    if given:  # as written, offset and all: feedparser's parsed form is in UTC
        found = parse_published(given)
        published, published_at = found.value, found.at
        warnings += [found.warning] if found.warning else []
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if published is None and parsed:
        published, warnings = time.strftime("%Y-%m-%d", parsed), []
    return published, published_at, given if given and given != published else None, warnings


def _min_interval(feed) -> int | None:
    """Seconds the feed asks readers to wait between polls: RSS <ttl> (minutes) or
    sy:updatePeriod / sy:updateFrequency; the longer when both are given."""
    found = []
    ttl = str(feed.get("ttl") or "").strip()
    if ttl.isdigit() and int(ttl) > 0:
        found.append(int(ttl) * 60)
    period = _PERIOD_S.get(str(feed.get("sy_updateperiod") or "").strip().lower())
    if period:
        frequency = str(feed.get("sy_updatefrequency") or "1").strip()
        found.append(period // max(1, int(frequency)) if frequency.isdigit() else period)
    return max(found) if found else None


def _words(html: str) -> int:
    return len(_TAG.sub(" ", html).split())


def _text(text) -> str | None:
    """`text` stripped, None when empty; a lone surrogate as U+FFFD."""
    return (replace_surrogates(str(text)).strip() or None) if text else None
