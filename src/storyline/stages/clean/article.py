"""Cleaning one article, a plain function: HTML to text, page furniture out, metadata in.

Plain text goes straight to the line classifier (lines.py). HTML goes through
trafilatura first (main text and HTML metadata), then the same classifier. Removed lines are
kept with their reason, never lost. Metadata (title, outlet, dateline, wire credits,
authors, language, publication date) comes from metadata.py and
published.py, each value with its source and confidence.

`clean_article` takes the outlet's known furniture as an argument (`CleanInput`), so it stays
pure; the stage (stage.py) keeps that furniture per outlet in the store.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storyline.records import CleanArticle, MetaValue, RawArticle, RemovedLine
from storyline.stages.clean import metadata as meta
from storyline.stages.clean.date_evidence import html_candidates
from storyline.stages.clean.lines import classify_line, clean_lines, line_shape, split_lines
from storyline.stages.clean.published import DATE_HEADER, ESTIMATE, publication_dates

# A line shape on this many articles of one outlet is that outlet's furniture.
MIN_OUTLET_ARTICLES = 3


@dataclass(frozen=True)
class CleanInput:
    """One article to clean, with the line shapes its outlet is known to repeat."""

    raw: RawArticle
    outlet_furniture: frozenset[str] = frozenset()


def outlet_key(raw: RawArticle) -> str | None:
    """The outlet an article's lines are counted under: input, URL host, else masthead line."""
    if raw.outlet:
        return raw.outlet.strip().lower() or None
    host = meta.url_outlet(raw.url)
    if host:
        return host.lower()
    if raw.format == "text":
        lines = [line for _, line in split_lines(raw.body)[:12] if classify_line(line) is None]
        name = masthead_of(lines)
        if name:
            return name.lower()
    return None


def masthead_of(lines: list[str]) -> str | None:
    """The outlet named by the first of `lines` (furniture already out), if it is a masthead.

    "Beirut - Egypt Today" is one by its form; a bare name ("Gulf News") only when a headline
    follows it.
    """
    if not lines:
        return None
    name = meta.masthead(lines[0])
    if name and (" - " in lines[0] or (len(lines) > 2 and _looks_like_headline(lines[1]))):
        return name
    return None


def furniture_key(shapes: Sequence[str]) -> str:
    """A fingerprint of the outlet furniture that touched one article ('' when none)."""
    if not shapes:
        return ""
    return hashlib.sha1("\n".join(sorted(shapes)).encode("utf-8")).hexdigest()[:16]


def _looks_like_headline(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 25 and len(line) <= 200 and not line.rstrip().endswith((".", ":", ",", ";", "!", "|"))


def extract_html(html: str, url: str | None, max_date: date | None = None) -> tuple[str, dict[str, str | None]]:
    """Main text and metadata of an HTML page, by trafilatura.

    favor_precision measured best on the Zyte benchmark (`storyline eval clean`): F1 0.964
    against 0.960 for the defaults. The date is htmldate's in its original-date mode (`date`);
    when that finds none, its extensive search of the whole page (`date_extensive`), a weaker
    clue. Both are computed even when trafilatura finds no main text: the date is still there.
    """
    import trafilatura

    params = {"extensive_search": False, "original_date": True}
    if max_date is not None:
        params["max_date"] = max_date.isoformat()
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            favor_precision=True, date_extraction_params=params,
        )
    except Exception:  # a page the extractor chokes on still has its visible text
        doc = None
    data = {} if doc is None else doc.as_dict()
    text = data.get("text") or ""
    meta = {k: data.get(k) for k in ("title", "sitename", "date", "author", "language")}
    if doc is None:
        meta["date"] = _htmldate(html, url, params)
    if not meta["date"]:
        meta["date_extensive"] = _htmldate(html, url, params | {"extensive_search": True})
    if not text.strip():
        # A fragment (a feed entry's content, a bare <p>) has no page for the extractor to
        # weigh: take all its text rather than lose it; the line classifier still runs.
        text = _fragment_text(html)
        meta["whole page"] = "yes"
    return text, meta


def _htmldate(html: str, url: str | None, params: dict) -> str | None:
    from htmldate import find_date

    try:
        return find_date(html, url=url, **params)
    except Exception:  # htmldate raises several types on junk; a page it cannot read has no date from it
        return None


def _is_document(html: str) -> bool:
    """A whole page (with <html> or <body>), not a fragment such as a feed entry's content."""
    return re.search(r"<(html|body)\b", html[:5000], re.I) is not None


_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "article"}


def _fragment_text(html: str) -> str:
    """The visible text of an HTML fragment, one line per block element."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises several types on junk; a fragment that will not parse has no text
        return ""
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())


def clean_article(raw: RawArticle, outlet_furniture: frozenset[str] = frozenset()) -> CleanArticle:
    """The clean text and metadata of one article."""
    metadata: dict[str, MetaValue] = {}
    body = raw.body
    html_meta: dict[str, str | None] = {}
    crawled = _crawl_date(raw.meta.get("crawled_at"))
    whole_page = False
    if raw.format == "html":
        body, html_meta = extract_html(raw.body, raw.url, max_date=crawled)
        # The whole visible text of a page whose main text was not found: its dates are any
        # part's (an embedded post, a teaser), never the page's own.
        whole_page = bool(html_meta.get("whole page")) and _is_document(raw.body)
    lines = split_lines(body)
    header_date = None
    if lines and (m := DATE_HEADER.match(lines[0][1])):
        # " date 2017-11-09 " header of some crawl exports: a date, then the text proper.
        header_date = m[1] if len(m[1]) == 10 else None
        rest = lines[0][1][m.end():].strip()
        removed_header = [RemovedLine(lines[0][0], lines[0][1][: m.end()].strip(), "date header")]
        lines = ([(lines[0][0], rest)] if rest else []) + lines[1:]
    else:
        removed_header = []
    shapes = sorted({s for _, line in lines if (s := line_shape(line))})
    kept, removed = clean_lines(lines, outlet_furniture)
    removed = removed_header + removed

    # Title and masthead: the input's, the page's, else the first lines of plain text.
    title = raw.title
    masthead_name = None
    if title:
        metadata["title"] = MetaValue(title, "input", 1.0)
    elif html_meta.get("title"):
        title = html_meta["title"]
        metadata["title"] = MetaValue(title, "html metadata", 0.9)
    if raw.format == "text" and kept:
        first_no = next((no for no, line in lines if line == kept[0]), 0)
        masthead_name = masthead_of(kept)
        if masthead_name:
            removed.append(RemovedLine(first_no, kept.pop(0), "masthead"))
        if (not raw.title and kept and len(kept) > 1 and _looks_like_headline(kept[0])
                and len(kept[0]) < len(kept[1])):
            title = kept.pop(0)
            metadata["title"] = MetaValue(title, "first line", 0.7)
    if title and kept and kept[0].strip() == title.strip():
        kept.pop(0)

    outlet = raw.outlet
    if outlet:
        metadata["outlet"] = MetaValue(outlet, "input", 1.0)
    elif (host := meta.url_outlet(raw.url)):
        outlet = host
        metadata["outlet"] = MetaValue(outlet, "url host", 0.9)
    elif html_meta.get("sitename"):
        outlet = html_meta["sitename"]
        metadata["outlet"] = MetaValue(outlet, "html metadata", 0.8)
    elif masthead_name:
        outlet = masthead_name
        metadata["outlet"] = MetaValue(outlet, "masthead line", 0.6)

    text = "\n\n".join(kept)
    place, dateline_date, dateline_agency = meta.dateline(kept[:4])
    if place:
        metadata["dateline"] = place
    wires = meta.wire_credits(kept, dateline_agency, [r.text for r in removed if r.reason == "photo credit"])
    if wires:
        metadata["wire"] = MetaValue(wires, "dateline, credit lines and (agency) tags",
                                     max(w["confidence"] for w in wires))
    found_authors = meta.authors(kept, html_meta.get("author"))
    if found_authors and found_authors.value:
        metadata["authors"] = found_authors

    language = raw.language
    if language:
        metadata["language"] = MetaValue(language, "input", 1.0)
    else:
        found = meta.language(text)
        if found:
            language = found.value
            metadata["language"] = found

    if crawled:
        metadata["crawled_at"] = MetaValue(crawled.isoformat(), "warc capture date", 1.0)
    markup = html_candidates(raw.body) if raw.format == "html" else []
    published_meta, modified = publication_dates(
        given=raw.published, html_date=html_meta.get("date"), dateline_date=dateline_date,
        url=raw.url, header_date=header_date, page_lines=[] if whole_page else [line for _, line in lines],
        text=text, crawled=crawled, markup=markup, htmldate_extensive=html_meta.get("date_extensive"),
        today=date.today(), plain_text=raw.format == "text",
    )
    published = None
    if published_meta is not None and published_meta.confidence < ESTIMATE:
        # Too weak to date the article by: kept as an estimate for a reader, never its date.
        metadata["published_estimate"] = published_meta
    elif published_meta is not None:
        metadata["published"] = published_meta
        if len(published_meta.value) == 10:
            published = published_meta.value
    if modified is not None:
        metadata["modified"] = modified
    if markup:
        # Every date the markup states, for a reader who wants to see the evidence.
        metadata["date_evidence"] = MetaValue(
            [{"date": c.day.isoformat(), "source": c.source, "kind": c.kind} for c in markup[:20]],
            "page markup", 1.0)

    return CleanArticle(
        id=raw.id, text=text, title=title, outlet=outlet, published=published,
        language=language, removed=sorted(removed, key=lambda r: r.line_no), metadata=metadata,
        outlet_key=outlet_key(raw), line_shapes=tuple(shapes), story_key=_story_key(lines),
        furniture_key=furniture_key(sorted(outlet_furniture & set(shapes))),
    )


def _story_key(lines: list[tuple[int, str]]) -> str:
    """A fingerprint of an article's longest line: copies and updates of one text share it."""
    if not lines:
        return ""
    longest = max((line for _, line in lines), key=len)
    return hashlib.sha1(re.sub(r"\W+", " ", longest.lower()).encode("utf-8")).hexdigest()[:16]


def _crawl_date(value: object) -> date | None:
    if isinstance(value, str) and (m := re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None
