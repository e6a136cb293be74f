"""The typed records that cross module boundaries.

One record type per boundary (see STYLE.md lesson 1): ingest produces `RawArticle`,
cleaning produces `CleanArticle`, the corpus stages produce assignments. Stage logic is
plain functions over these, so the local executor and a distributed one call the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawArticle:
    """An input item exactly as ingested. `body` is the decoded text or HTML."""

    id: str
    seq: int
    format: str  # "text" or "html"
    body: str
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    locator: str = ""


@dataclass(frozen=True)
class Rejection:
    """An input item that could not become an article, and why. Never silently dropped."""

    source: str
    locator: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class RemovedLine:
    """A line taken out of an article's text as page furniture; kept so it can be shown."""

    line_no: int
    text: str
    reason: str


@dataclass(frozen=True)
class MetaValue:
    """A metadata value with where it came from and how much to trust it (0..1)."""

    value: Any
    source: str
    confidence: float


@dataclass
class CleanArticle:
    """An article's clean text and metadata, as the cleaning stage made it."""

    id: str
    text: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # YYYY-MM-DD, or None when not known reliably
    language: str | None = None
    removed: list[RemovedLine] = field(default_factory=list)
    # name -> MetaValue for every metadata field found (title, outlet, published, dateline,
    # wire, authors, ...), each with its source and confidence.
    metadata: dict[str, MetaValue] = field(default_factory=dict)
    # For the outlet repetition signal (stored, not exported): the outlet the article's lines
    # are counted under, its short line shapes, a fingerprint of its text, and a fingerprint
    # of the outlet furniture that was applied to it.
    outlet_key: str | None = None
    line_shapes: tuple[str, ...] = ()
    story_key: str = ""  # fingerprint of the longest line: copies of one text share it
    furniture_key: str = ""


@dataclass(frozen=True)
class ArticleForGrouping:
    """What the corpus stages (reprints, stories, storylines) see of one article."""

    id: str
    seq: int
    text: str
    title: str | None
    outlet: str | None
    published: str | None
    language: str | None


@dataclass(frozen=True)
class Figure:
    """A quantity an article reports: what it counts, who said it, and where in the text.

    `value_high` equals `value_low` for a single number; a range ("between 2,500 and 3,500")
    has both ends. `approximate` marks hedged values ("about", "an estimated").
    """

    article_id: str
    value_low: float
    value_high: float
    what: str  # what it counts, as written ("Islamic State fighters", "percent")
    quote: str  # the sentence it came from
    attributed_to: str | None  # who said it ("Col. Ryan Dillon"), None when the article says it
    start: int  # character span of the number phrase in the article text
    end: int
    approximate: bool = False
    qualifier: str = ""  # "about", "between", "more than", ... as written
    key: str = ""  # normalized "what" used to compare figures across articles ("IS|fighters")


@dataclass(frozen=True)
class Dispute:
    """Figures about the same thing that disagree across sources."""

    what: str
    figures: list[Figure]
    note: str


@dataclass(frozen=True)
class ArticleForEvents:
    """What the events-and-figures stage sees of one article."""

    id: str
    text: str
    published: str | None
    outlet: str | None = None


@dataclass
class ArticleExtraction:
    """One article's dates, dated event mentions and figures (the events stage's map output).

    An undated article's `dates` and `mentions` are filled in by the stage's corpus step from
    an estimate.
    """

    article_id: str
    anchor: str | None
    anchor_source: str
    dates: list[DateMention] = field(default_factory=list)
    mentions: list[EventMention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    anchor_estimate: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EntityMention:
    """A person, organisation or place named in an article.

    `kind` is "person", "org" or "place" after the gazetteer check (spaCy's `label` is kept:
    it often calls an Arabic town a PERSON). `key` is the spelling-folded name the corpus-wide
    step groups by; `place` is the geocoded place as a dict (`Place.to_dict`).
    """

    article_id: str
    n: int  # order in the article
    start: int
    end: int
    text: str
    label: str  # spaCy label (PERSON, ORG, GPE, LOC, NORP, FAC) or "ALIAS" for a curated name
    kind: str
    key: str
    place: dict[str, Any] | None = None
    field: str = "text"  # "text", or "title" when it is in the headline (offsets into the title)


@dataclass
class ArticleEntities:
    """The entity mentions of one article, as the entities stage made them."""

    article_id: str
    mentions: list[EntityMention] = field(default_factory=list)


@dataclass(frozen=True)
class Link:
    """Two articles that share text: containment of the shorter in the longer, and whether
    that makes a reprint (else it is partial reuse)."""

    a: str
    b: str
    containment: float
    jaccard: float
    is_reprint: bool


@dataclass(frozen=True)
class GroupInfo:
    """A reprint group: its members, the fullest copy (most shingles) and the earliest known."""

    group_id: str
    members: tuple[str, ...]
    fullest: str
    earliest: str | None


@dataclass(frozen=True)
class DateMention:
    """One date expression and the day (or days) it means."""

    text: str
    start: int
    end: int
    value: str | None  # YYYY-MM-DD, None when it cannot be resolved (no anchor)
    value_end: str | None  # last day of a span ("last weekend"), else same as value
    anchor: str | None  # the date it was resolved against
    anchor_source: str  # "published", "story estimate", "absolute" or "none"
    confidence: float
    estimated: bool
    part: str = ""  # "late", "early" as written


@dataclass(frozen=True)
class EventMention:
    """One article's report of a dated event."""

    article_id: str
    type: str  # CASE 2021 / ACLED-like type (types.TYPES)
    family: str  # battle, capture of territory, ...
    start: int  # clause span in the article text
    end: int
    text: str  # the clause
    date_text: str  # the date expression(s) as written
    date_start: str | None
    date_end: str | None
    date_confidence: float
    anchor: str | None
    anchor_source: str
    estimated: bool
    reported: bool  # the date is that of the statement reporting it
    place: str | None
    place_key: str | None
    place_inferred: bool
    actors: tuple[str, ...]
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """A resolved place: where it is and how sure we are."""

    name: str  # the gazetteer's name ("Ālbū Kamāl")
    lat: float
    lon: float
    country: str | None  # ISO 3166-1 alpha-2 ("SY"), None for regions spanning countries
    country_name: str | None
    kind: str  # country, continent, admin1, region, city, village, ...
    geonameid: int | None
    population: int
    confidence: float  # 0..1
    method: str = "gazetteer"  # gazetteer, demonym, acronym, county, contained, context
    admin1: str | None = None  # GeoNames first-level division code ("FL")

    def to_dict(self) -> dict:
        return {
            "name": self.name, "lat": round(self.lat, 5), "lon": round(self.lon, 5),
            "country": self.country, "country_name": self.country_name, "kind": self.kind,
            "geonameid": self.geonameid, "population": self.population,
            "confidence": round(self.confidence, 3), "method": self.method, "admin1": self.admin1,
        }
