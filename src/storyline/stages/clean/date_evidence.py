"""Every date an HTML page gives about itself, each with where it came from.

Plain functions over the page's HTML: JSON-LD `datePublished`/`dateModified`, the meta tags
(`article:published_time`, `og:updated_time`, Dublin Core, ...), `<time>` elements and the
visible date of the byline area. published.py weighs them against the URL, the dateline,
the text and htmldate, and decides.

A timestamp is read as the date its writer's clock showed: "2020-12-25T01:59:50+02:00" is
25 December. A UTC timestamp ("...Z", "+00:00", "GMT") says less: near midnight the
publisher's own day is the day before (the Americas) or after (Europe, Asia), so such a
date is kept with the neighbouring day it may stand for (`alternative`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

from storyline.text.dates import MONTHS, dates_in

# Families of evidence: dates of one family are not independent of each other.
METADATA, URL, VISIBLE, INPUT, HTMLDATE = "metadata", "url", "visible", "input", "htmldate"


@dataclass(frozen=True)
class DateCandidate:
    """One date a source gives: what it claims (published or modified) and how exactly."""

    day: date
    source: str  # what a reader is shown: "json-ld datePublished", "url", "meta article:published_time"
    family: str  # METADATA, URL, VISIBLE, INPUT or HTMLDATE
    kind: str = "published"  # or "modified"
    alternative: date | None = None  # a UTC timestamp near midnight: the publisher's day may be this one
    certainty: float = 1.0  # how sure `day` is rather than `alternative` (1 when there is none)


# Meta tags (name, property or itemprop, lower-cased) that state the publication date, and
# those that state the last update.
PUBLISHED_META = {
    "article:published_time", "og:article:published_time", "og:published_time", "published_time",
    "article:published", "article.published", "datepublished", "date_published", "pubdate", "publishdate",
    "publish-date", "publish_date", "pub_date", "publication_date", "date", "dc.date", "dc.date.issued",
    "dc.date.created", "dcterms.created", "dcterms.issued", "dcterms.date", "sailthru.date", "parsely-pub-date",
    "originalpublicationdate", "article_date_original", "citation_publication_date", "citation_date",
    "displaydate", "date.release", "bt:pubdate", "rnews:datepublished", "og:pubdate", "datecreated",
    "created", "release_date", "article:post_date", "timestamp", "cxenseparse:recs:publishtime",
}
MODIFIED_META = {
    "article:modified_time", "og:updated_time", "og:article:modified_time", "modified_time", "datemodified",
    "date_modified", "last-modified", "lastmod", "dcterms.modified", "dc.date.modified", "article:updated_time",
    "updated_time", "sailthru.lastmodified", "last_updated", "revised", "article.updated", "lastupdated",
}
_JSONLD_PUBLISHED = ("datePublished", "dateCreated", "uploadDate")
_ARTICLE_TYPES = re.compile(r"article|posting|report|webpage|video|creativework|review", re.I)

_TIMESTAMP = re.compile(
    r"((?:19|20)\d\d)-?(\d\d)-?(\d\d)(?:[T |](\d{1,2})[:h](\d{1,2})(?::(\d{1,2})(?:[.,]\d+)?)?\s*"
    r"(Z|UTC|GMT|[+-]\d\d:?\d\d)?)?",
)
_TEXT_TZ = re.compile(r"\b(\d{1,2}):(\d{2})(?::\d{2})?\s*(?:GMT|UTC)([+-]\d{4})?", re.I)
# Months in the languages the pages are in most often (English ones come from text/dates.py).
_MORE_MONTHS = {
    "januar": 1, "janvier": 1, "gennaio": 1, "enero": 1, "janeiro": 1, "februar": 2, "février": 2, "fevrier": 2,
    "febbraio": 2, "febrero": 2, "fevereiro": 2, "märz": 3, "maerz": 3, "mars": 3, "marzo": 3, "março": 3,
    "avril": 4, "aprile": 4, "abril": 4, "mai": 5, "maggio": 5, "mayo": 5, "maio": 5, "juni": 6, "juin": 6,
    "giugno": 6, "junio": 6, "junho": 6, "juli": 7, "juillet": 7, "luglio": 7, "julio": 7, "julho": 7,
    "august": 8, "août": 8, "aout": 8, "agosto": 8, "september": 9, "septembre": 9, "settembre": 9,
    "septiembre": 9, "setembro": 9, "oktober": 10, "octobre": 10, "ottobre": 10, "octubre": 10, "outubro": 10,
    "november": 11, "novembre": 11, "noviembre": 11, "novembro": 11, "dezember": 12, "décembre": 12,
    "decembre": 12, "dicembre": 12, "diciembre": 12, "dezembro": 12,
}
_WORD_DMY = re.compile(r"\b(\d{1,2})\.?\s+(?:de\s+)?([^\W\d_]{3,9})\.?\s+(?:de\s+)?((?:19|20)\d\d)\b", re.I)
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)(?![\d.])")
_SLASHED_YMD = re.compile(r"(?<![\d/])((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?![\d/])")
# Elements whose text is the page's own date line: the byline area.
_BYLINE_CLASS = re.compile(
    r"(^|[\s_-])(date|dateline|time|timestamp|byline|posted|published|pubdate|publish|entry-meta|post-meta|"
    r"article-meta|meta-date|article-date|post-date|entry-date|story-date|date-published)([\s_-]|$)", re.I,
)
_UPDATED_WORD = re.compile(r"\b(updated?|modified|aktualisiert|mis à jour|actualizado|aggiornato)\b", re.I)
_PUBLISHED_CLASS = re.compile(r"publish|pubdate|posted|created|entry-date", re.I)
_MODIFIED_CLASS = re.compile(r"modif|updated|lastmod", re.I)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_timestamp(value: str) -> tuple[date, date | None] | None:
    """(the date as its writer's clock showed it, the neighbouring day a UTC time may mean)."""
    parsed = parse_timestamp_certainty(value)
    return None if parsed is None else parsed[:2]


def parse_timestamp_certainty(value: str) -> tuple[date, date | None, float] | None:
    """(date, neighbouring day it may mean, how sure its own day is: 1, 0.8 or 0.6)."""
    value = value.strip()
    m = _TIMESTAMP.search(value)
    if m and (m[0][4:5] == "-" or len(m[0]) == 8 or m[4]):
        day = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        if day is None:
            return None
        hour, zone = (int(m[4]), m[7]) if m[4] else (None, None)
        return (day, *_utc_neighbour(day, hour, zone))
    found = [d for d in dates_in(value) if d.year is not None and d.day is not None]
    if not found:
        return None
    day = _safe_date(found[0].year, found[0].month, found[0].day)  # type: ignore[arg-type]
    if day is None:
        return None
    t = _TEXT_TZ.search(value)
    zone = None if t is None else (t[3] or "Z")
    return (day, *_utc_neighbour(day, int(t[1]) if t else None, zone))


def _utc_neighbour(day: date, hour: int | None, zone: str | None) -> tuple[date | None, float]:
    """For a UTC time, the day the publisher's clock may have shown instead, and how sure the day is.

    Publishers' clocks run from about UTC-8 to UTC+9: between 08:00 and 15:00 UTC all of them
    show the same day (sure: 1). Within three hours of midnight the Americas (before 03:00) or
    Europe (from 21:00) already show another day: a coin flip between two (0.6). In between,
    only the farthest zones differ: the UTC day is likely (0.8). A time without a zone may be
    the server's UTC clock: it is as uncertain.
    """
    if hour is None or (zone is not None and zone.replace(":", "") not in ("Z", "UTC", "GMT", "+0000", "-0000")):
        return None, 1.0
    if 8 <= hour < 15:
        return None, 1.0
    neighbour = day - timedelta(days=1) if hour < 8 else day + timedelta(days=1)
    return neighbour, 0.6 if hour < 3 or hour >= 21 else 0.8


def visible_date(text: str) -> date | None:
    """The one full date written in a short line ("06 Dicembre 2020", "03.04.2019", "Nov 5, 2017")."""
    found: list[date] = []
    for m in _WORD_DMY.finditer(text):
        month = _MORE_MONTHS.get(m[2].lower()) or MONTHS.get(m[2].lower()[:3])
        if month and (d := _safe_date(int(m[3]), month, int(m[1]))):
            found.append(d)
    for m in _DOTTED.finditer(text):
        if d := _safe_date(int(m[3]), int(m[2]), int(m[1])):
            found.append(d)
    for m in _SLASHED_YMD.finditer(text):
        if d := _safe_date(int(m[1]), int(m[2]), int(m[3])):
            found.append(d)
    if not found:
        for d in dates_in(text):
            if d.year is not None and d.day is not None and d.alternative is None:
                if day := _safe_date(d.year, d.month, d.day):
                    found.append(day)
    return found[0] if len(set(found)) == 1 else None


def html_candidates(html: str) -> list[DateCandidate]:
    """The dates a page's markup states: JSON-LD, meta tags, <time> elements, the byline area."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises several types on junk; a page that will not parse states no date
        return []
    out: list[DateCandidate] = []
    seen: set[tuple[date, str, str]] = set()

    def add(value: object, source: str, family: str, kind: str) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        parsed = parse_timestamp_certainty(value[:80])
        if parsed is None or (parsed[0], source, kind) in seen:
            return
        seen.add((parsed[0], source, kind))
        out.append(DateCandidate(parsed[0], source, family, kind, parsed[1], parsed[2]))

    for script in root.xpath('//script[@type="application/ld+json"]'):
        for obj in _json_objects(script.text_content()):
            if not _ARTICLE_TYPES.search(" ".join(_types(obj))):
                continue
            for key in _JSONLD_PUBLISHED:
                add(obj.get(key), f"json-ld {key}", METADATA, "published")
            add(obj.get("dateModified"), "json-ld dateModified", METADATA, "modified")
    for el in root.xpath("//meta"):
        name = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
        if name in PUBLISHED_META:
            add(el.get("content"), f"meta {name}", METADATA, "published")
        elif name in MODIFIED_META:
            add(el.get("content"), f"meta {name}", METADATA, "modified")
    for el in root.xpath("//time|//*[@itemprop='datePublished' or @itemprop='dateModified']"):
        marker = " ".join(filter(None, (el.get("class"), el.get("itemprop"), el.get("id"))))
        kind = "modified" if _MODIFIED_CLASS.search(marker) else "published"
        published_marked = el.get("pubdate") is not None or bool(_PUBLISHED_CLASS.search(marker))
        if kind == "published" and not published_marked:
            continue  # a bare <time> may date a comment, a teaser, a tweet
        value = el.get("datetime") or el.get("content") or el.text_content()
        add(value, f"<time> {marker or 'pubdate'}".strip(), METADATA, kind)
    for el in root.xpath("//body//*[@class or @id]"):
        marker = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not _BYLINE_CLASS.search(marker) or el.tag in ("script", "style", "time"):
            continue
        text = " ".join(el.text_content().split())
        if not text or len(text) > 80:
            continue
        if (d := visible_date(text)) is not None:
            kind = "modified" if _UPDATED_WORD.search(text) else "published"
            if (d, "byline area", kind) not in seen:
                seen.add((d, "byline area", kind))
                out.append(DateCandidate(d, "byline area", VISIBLE, kind))
    return out


def _json_objects(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    out: list[dict] = []
    stack = [data]
    while stack and len(out) < 200:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            out.append(item)
            if isinstance(item.get("@graph"), list):
                stack.extend(item["@graph"])
            if isinstance(item.get("mainEntity"), dict):
                stack.append(item["mainEntity"])
    return out


def _types(obj: dict) -> list[str]:
    kind = obj.get("@type")
    return [k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)]
