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
    published: str | None = None
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
