"""RSS and Atom feeds: each entry with content becomes an article."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
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
            published_raw=_clean(given) if given and given != published else None, warnings=warnings,
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
