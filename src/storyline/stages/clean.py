"""Cleaning: page furniture out, clean text and metadata in.

Plain text goes through a line classifier (patterns for counters, navigation, credits,
comment notices, repeated captions). HTML goes through trafilatura first, then the same
classifier. Removed lines are kept with the reason, never lost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar
from urllib.parse import urlsplit

from storyline.records import CleanArticle, MetaValue, RawArticle, RemovedLine
from storyline.store import Store

# Lines that are page furniture wherever they appear. Each pattern has a reason that is
# shown to the user next to the removed line.
BOILERPLATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("view counter", re.compile(r"\b(this (post|story|article) has been (read|viewed)|views?:)\s*[\d,.]+\s*(times)?", re.I)),
    ("view counter", re.compile(r"^\s*[\d,.]+\s+(views|reads|shares|comments)\s*$", re.I)),
    ("rule line", re.compile(r"^[\s\-_=*~.·•|]{3,}$")),
    ("teaser heading", re.compile(r"^(check also|read also|also read|read more|related( articles| stories| posts)?|more from|recommended|you may also like|trending|most read|latest news)\s*:?\s*$", re.I)),
    ("photo credit", re.compile(r"^(photo|image|picture|credit|file photo)s?\s*:\s*\S.{0,40}$", re.I)),
    ("comment notice", re.compile(r"\b(comments (will be|are) moderated|leave a (comment|reply)|be the first to comment|you must be logged in)", re.I)),
    ("navigation", re.compile(r"^(top|back to top|home|menu|search|share|tweet|print|email|next|previous|skip to content)(\s+(top|page))?\s*$", re.I)),
    ("navigation", re.compile(r"\bpage \d+ news list\b", re.I)),
    ("section label", re.compile(r"^[A-Z] Section on \d{1,2}/\d{1,2}/\d{2,4}$")),
    ("events label", re.compile(r"^upcoming events$", re.I)),
    ("replica footer", re.compile(r"^newspapers (in|from) [A-Z][\w ]+$")),
    ("social", re.compile(r"^(share (this|on)|follow us|like us on|subscribe( to)?|sign up for)\b", re.I)),
    ("copyright", re.compile(r"^(©|copyright\b|all rights reserved)", re.I)),
    ("date line", re.compile(
        r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*,?\s*"
        r"((jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)"
        r"\s*,?\s*\d{4}\b.{0,30}$", re.I)),
]
# A teaser heading takes the next short line (the teaser's own headline) with it.
TEASER_HEADINGS = {"teaser heading"}


def classify_line(line: str) -> str | None:
    """The reason `line` is page furniture, or None if it may be article text."""
    stripped = line.strip()
    for reason, pattern in BOILERPLATE_PATTERNS:
        if pattern.search(stripped):
            return reason
    return None


def clean_text(body: str) -> tuple[list[str], list[RemovedLine]]:
    """Split plain text into kept lines and removed furniture lines."""
    kept: list[str] = []
    removed: list[RemovedLine] = []
    seen: set[str] = set()
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    skip_teaser = False
    for line_no, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        reason = classify_line(stripped)
        if reason is None and skip_teaser:
            reason = "teaser"
        skip_teaser = reason in TEASER_HEADINGS
        if reason is None and stripped in seen and len(stripped) > 40:
            reason = "repeated line"
        if reason:
            removed.append(RemovedLine(line_no, stripped, reason))
            if reason == "teaser":
                # Everything after a teaser block is the next article's page furniture.
                for rest_no, rest in enumerate(lines[line_no:], start=line_no + 1):
                    if rest.strip():
                        removed.append(RemovedLine(rest_no, rest.strip(), "after teaser"))
                break
            continue
        seen.add(stripped)
        kept.append(stripped)
    return kept, removed


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 20 and len(line) <= 160 and not line.rstrip().endswith((".", ":", ",", ";"))


def _masthead(line: str) -> str | None:
    """'Beirut - Egypt Today' or 'Gulf News': a short first line naming the outlet."""
    if " - " in line and len(line) < 60:
        return line.rsplit(" - ", 1)[1].strip()
    return None


def clean_article(raw: RawArticle) -> CleanArticle:
    """The clean text and metadata of one article."""
    metadata: dict[str, MetaValue] = {}
    body = raw.body
    html_meta: dict[str, str | None] = {}
    if raw.format == "html":
        body, html_meta = extract_html(raw.body, raw.url)
    kept, removed = clean_text(body)

    title = raw.title
    if title:
        metadata["title"] = MetaValue(title, "input", 1.0)
    elif html_meta.get("title"):
        title = html_meta["title"]
        metadata["title"] = MetaValue(title, "html", 0.9)
    elif raw.format == "text" and kept:
        # The seeds' form: an optional masthead line, then the headline.
        head = kept[:2]
        masthead = _masthead(head[0]) if head else None
        if masthead or (len(head) == 2 and _looks_like_headline(head[0]) and _looks_like_headline(head[1])
                        and len(head[0].split()) <= 4):
            removed.append(RemovedLine(0, kept.pop(0), "masthead"))
            if masthead:
                metadata["outlet"] = MetaValue(masthead, "masthead line", 0.6)
        if kept and _looks_like_headline(kept[0]) and len(kept) > 1:
            title = kept.pop(0)
            metadata["title"] = MetaValue(title, "first line", 0.7)
    if title and kept and kept[0] == title:
        kept.pop(0)

    outlet = raw.outlet
    if outlet:
        metadata["outlet"] = MetaValue(outlet, "input", 1.0)
    elif raw.url:
        outlet = urlsplit(raw.url).hostname
        if outlet:
            outlet = outlet.removeprefix("www.")
            metadata["outlet"] = MetaValue(outlet, "url host", 0.9)
    elif html_meta.get("sitename"):
        outlet = html_meta["sitename"]
        metadata["outlet"] = MetaValue(outlet, "html", 0.8)
    elif "outlet" in metadata:
        outlet = metadata["outlet"].value

    published = None
    if raw.published and re.match(r"^\d{4}-\d{2}-\d{2}", raw.published):
        published = raw.published[:10]
        metadata["published"] = MetaValue(published, "input", 1.0)
    elif html_meta.get("date"):
        published = html_meta["date"]
        metadata["published"] = MetaValue(published, "html metadata", 0.8)

    return CleanArticle(
        id=raw.id, text="\n\n".join(kept), title=title, outlet=outlet, published=published,
        language=raw.language, removed=removed, metadata=metadata,
    )


def extract_html(html: str, url: str | None) -> tuple[str, dict[str, str | None]]:
    """Main text and metadata of an HTML page, by trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return "", {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return data.get("text") or "", {k: data.get(k) for k in ("title", "sitename", "date", "author")}


class CleanStage:
    name: ClassVar[str] = "clean"
    version: ClassVar[int] = 1
    batch_size: ClassVar[int] = 200

    def pending(self, store: Store) -> list[str]:
        return store.pending_clean(self.version)

    def load(self, store: Store, ids: Sequence[str]) -> list[RawArticle]:
        return store.raw_articles(ids)

    def process(self, batch: list[RawArticle]) -> list[CleanArticle]:
        return [clean_article(raw) for raw in batch]

    def save(self, store: Store, results: list[CleanArticle]) -> None:
        store.save_clean(results, self.version)

    def finish(self, store: Store) -> dict:
        return {}
