"""Reading articles from files, folders and stdin into the store.

Formats: `.txt`, `.html`/`.htm`, `.jsonl` (and `-` for JSONL on stdin), `.warc`/`.warc.gz`,
RSS/Atom feeds (`.rss`, `.atom`, `.xml`). Every bad item becomes a stored `Rejection` naming
the file, the line or record, and the reason; it never stops the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Item:
    """One article read from an input, before it is stored."""

    article_id: str
    fmt: str
    raw: bytes
    encoding: str
    locator: str
    body_field: str | None = None
    identity: bytes | None = None
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # YYYY-MM-DD, YYYY-MM or YYYY (ingest/dates.py)
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    published_at: str | None = None  # ISO 8601 timestamp, when the input gave a time
    published_raw: str | None = None  # the input's date as given, when it was not already that
    warnings: list[str] = field(default_factory=list)  # stored with the article, shown by `show`
    notices: list[str] = field(default_factory=list)  # per input, not stored: "'body' read as text"
