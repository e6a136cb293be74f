"""RSS and Atom feeds: each entry with content becomes an article."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from storyline.ingest.dates import parse_published
from storyline.ingest.decode import MAX_ITEM_BYTES
from storyline.records import Rejection


def read_feed(path: Path) -> Iterator:
    import feedparser

    from storyline.ingest.items import Item

    source = str(path)
    if path.stat().st_size > 50 * MAX_ITEM_BYTES:
        yield Rejection(source, "", "too large", f"feed over {50 * MAX_ITEM_BYTES} bytes")
        return
    raw = path.read_bytes()
    feed = feedparser.parse(raw)
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
        body = html.encode("utf-8")
        if len(body) > MAX_ITEM_BYTES:
            yield Rejection(source, locator, "too large", f"{len(body)} bytes")
            continue
        yield Item(
            article_id=(entry.get("id") or entry.get("link") or f"{path.stem}-{index}"),
            fmt="html", raw=body, encoding="utf-8", locator=locator, url=entry.get("link"),
            title=(entry.get("title") or None), outlet=outlet, published=published,
            meta={"feed": source}, published_at=published_at,
            published_raw=given if given and given != published else None, warnings=warnings,
        )
