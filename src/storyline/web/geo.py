"""A map of a story's places, drawn as SVG from bundled Natural Earth country boundaries.

No tiles and nothing fetched: `data/countries-110m.json` (world-atlas TopoJSON, see
data/PROVENANCE.md) is decoded once, and the countries around the story's places are
projected (equirectangular, x scaled by cos(latitude)) into numbers the template draws.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any

WIDTH, HEIGHT = 640, 400
MIN_SPAN_DEG = 5.0


@cache
def _countries() -> tuple[tuple[str, tuple[tuple[tuple[float, float], ...], ...], tuple[float, float, float, float]], ...]:
    """(name, rings of (lon, lat), bbox) per country, decoded from the TopoJSON."""
    raw = json.loads((resources.files("storyline.web") / "data" / "countries-110m.json").read_text("utf-8"))
    (sx, sy), (tx, ty) = raw["transform"]["scale"], raw["transform"]["translate"]
    arcs = []
    for arc in raw["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indexes: list[int]) -> tuple[tuple[float, float], ...]:
        pts: list[tuple[float, float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(arc[1:] if pts else arc)
        return tuple(pts)

    out = []
    for geom in raw["objects"]["countries"]["geometries"]:
        if geom.get("type") == "Polygon":
            polys = [geom["arcs"]]
        elif geom.get("type") == "MultiPolygon":
            polys = geom["arcs"]
        else:
            continue
        rings = tuple(ring(r) for poly in polys for r in poly)
        xs = [p[0] for r in rings for p in r]
        ys = [p[1] for r in rings for p in r]
        out.append((geom.get("properties", {}).get("name", ""), rings, (min(xs), min(ys), max(xs), max(ys))))
    return tuple(out)


def story_map(places: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Projected countries and points for places with `lat` and `lon`; None when none has both."""
    pts = [p for p in places if isinstance(p.get("lat"), int | float) and isinstance(p.get("lon"), int | float)]
    if not pts:
        return None
    # Fit the view to the main places (mentioned at least a quarter as often as the most
    # mentioned one), so one passing mention of a far country does not zoom out to the world.
    top = max(int(p.get("mentions") or 1) for p in pts)
    focus = [p for p in pts if int(p.get("mentions") or 1) * 4 >= top]
    lons = [float(p["lon"]) for p in focus]
    lats = [float(p["lat"]) for p in focus]
    clat = (min(lats) + max(lats)) / 2
    kx = max(math.cos(math.radians(clat)), 0.2)
    # View box in projected degrees, padded, at least MIN_SPAN_DEG tall, with the SVG aspect.
    x0, x1 = min(lons) * kx, max(lons) * kx
    y0, y1 = min(lats), max(lats)
    span_y = max(y1 - y0, MIN_SPAN_DEG) * 1.4
    span_x = max((x1 - x0) * 1.3, span_y * WIDTH / HEIGHT)
    span_y = max(span_y, span_x * HEIGHT / WIDTH)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left, top = cx - span_x / 2, cy + span_y / 2
    scale = WIDTH / span_x

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon * kx - left) * scale, (top - lat) * scale

    # A country is its shape, filled, not a dot beside its own outline.
    is_country = [p.get("kind") == "country" or p.get("place_kind") == "country" for p in pts]
    named = {_ALIASES.get(n, n) for p, c in zip(pts, is_country, strict=True) if c
             for n in (p.get("name"), p.get("country_name")) if n}
    lon_min, lon_max = left / kx, (left + span_x) / kx
    lat_min, lat_max = top - span_y, top
    countries = []
    for name, rings, (bx0, by0, bx1, by1) in _countries():
        if bx1 < lon_min or bx0 > lon_max or by1 < lat_min or by0 > lat_max:
            continue
        parts = []
        biggest: tuple[float, tuple[float, float]] = (-1.0, (0.0, 0.0))
        for r in rings:
            xy = [project(x, y) for x, y in r]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
            area = abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(xy, xy[1:] + xy[:1], strict=True))) / 2
            if area > biggest[0]:
                biggest = (area, (sum(x for x, _ in xy) / len(xy), sum(y for _, y in xy) / len(xy)))
        lx, ly = biggest[1]
        label = 0 <= lx <= WIDTH and 0 <= ly <= HEIGHT and biggest[0] > 2000
        countries.append({"name": name, "d": "".join(parts), "label": label, "x": round(lx, 1), "y": round(ly, 1),
                          "mentioned": name in named})
    shapes = {c["name"] for c in countries}
    points, outside = [], []
    for p, country in zip(pts, is_country, strict=True):
        if country and ({_ALIASES.get(n, n) for n in (p.get("name"), p.get("country_name")) if n} & shapes):
            continue  # drawn as its shape
        x, y = project(float(p["lon"]), float(p["lat"]))
        if 0 <= x <= WIDTH and 0 <= y <= HEIGHT:
            points.append({**p, "x": round(x, 1), "y": round(y, 1)})
        else:
            outside.append(p)
    place_labels(points, countries)
    return {"width": WIDTH, "height": HEIGHT, "countries": countries, "points": points, "outside": outside}


LABEL_H = 14.0
CHAR_W = 7.4  # 13 px bold system-ui, about
# (dx, dy of the text's baseline start, anchor) around a dot: right, left, above, below
_SPOTS = ((8, 4, "start"), (-8, 4, "end"), (0, -9, "middle"), (0, 18, "middle"))


def _box(x: float, y: float, anchor: str, width: float) -> tuple[float, float, float, float]:
    left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return left, y - LABEL_H + 3, left + width, y + 3


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(points: list[dict[str, Any]], countries: list[dict[str, Any]]) -> None:
    """Give each point a label spot that overlaps no other label and no other dot (most
    mentioned first, trying right, left, above, below), or none (`label` False: the name is
    the dot's tooltip and in the list under the map). Country labels give way too."""
    taken: list[tuple[float, float, float, float]] = []
    dots = [(p["x"] - 6, p["y"] - 6, p["x"] + 6, p["y"] + 6) for p in points]
    for p in sorted(points, key=lambda p: -int(p.get("mentions") or 1)):
        width = CHAR_W * len(str(p.get("name") or ""))
        p["label"] = False
        for dx, dy, anchor in _SPOTS:
            box = _box(p["x"] + dx, p["y"] + dy, anchor, width)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= WIDTH and box[3] <= HEIGHT
            mine = (p["x"] - 6, p["y"] - 6, p["x"] + 6, p["y"] + 6)
            if inside and not any(_overlaps(box, t) for t in taken) and not any(
                    _overlaps(box, d) for d in dots if d != mine):
                p.update(label=True, lx=round(p["x"] + dx, 1), ly=round(p["y"] + dy, 1), anchor=anchor)
                taken.append(box)
                break
    for c in countries:
        if c["label"]:
            width = CHAR_W * 1.1 * len(c["name"])
            box = _box(c["x"], c["y"], "middle", width)
            if any(_overlaps(box, t) for t in taken) or any(_overlaps(box, d) for d in dots):
                c["label"] = False
            else:
                taken.append(box)


# Names the boundary file abbreviates, and common other names of countries in news text.
_ALIASES = {
    "United States": "United States of America", "U.S.": "United States of America",
    "USA": "United States of America",
    "Britain": "United Kingdom", "Great Britain": "United Kingdom", "U.K.": "United Kingdom",
    "UK": "United Kingdom", "England": "United Kingdom", "Scotland": "United Kingdom",
    "Wales": "United Kingdom", "Northern Ireland": "United Kingdom",
    "Bosnia": "Bosnia and Herz.", "Bosnia and Herzegovina": "Bosnia and Herz.",
    "Central African Republic": "Central African Rep.", "Democratic Republic of Congo": "Dem. Rep. Congo",
    "Democratic Republic of the Congo": "Dem. Rep. Congo", "DRC": "Dem. Rep. Congo",
    "Dominican Republic": "Dominican Rep.", "Equatorial Guinea": "Eq. Guinea",
    "South Sudan": "S. Sudan", "Ivory Coast": "Côte d'Ivoire", "Czech Republic": "Czechia",
    "North Macedonia": "Macedonia", "Burma": "Myanmar", "Swaziland": "eSwatini", "Eswatini": "eSwatini",
    "Western Sahara": "W. Sahara", "East Timor": "Timor-Leste", "UAE": "United Arab Emirates",
    "Holland": "Netherlands", "Gaza": "Palestine", "West Bank": "Palestine",
}
# Boundary names that are more often something else in news text (a person, a bird).
_AMBIGUOUS = {"Chad", "Jordan", "Georgia", "Turkey", "Niger", "Guinea", "Congo", "Mali"}


def _ring_centroid(ring: tuple[tuple[float, float], ...]) -> tuple[float, float, float]:
    """(area, lon, lat) of a ring by the shoelace formula; the vertex mean when degenerate."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-9:
        return 0.0, sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


_CAPITAL = re.compile(r"(?<![\w.])[A-Z][A-Za-z]*")


@cache
def _country_index() -> tuple[dict[str, list[str]], dict[str, tuple[float, float]]]:
    """(first word -> names starting with it, longest first; name -> (lat, lon))."""
    centres = {}
    for name, rings, _bbox in _countries():
        if name and rings:
            _area, lon, lat = max((_ring_centroid(r) for r in rings), key=lambda t: t[0])
            centres[name] = (round(lat, 3), round(lon, 3))
    names = [n for n in centres if n not in _AMBIGUOUS and "." not in n] + list(_ALIASES)
    by_first: dict[str, list[str]] = {}
    for n in sorted(names, key=len, reverse=True):
        by_first.setdefault(re.match(r"[A-Za-z]*", n).group(0), []).append(n)
    return by_first, centres


def _find_names(text: str) -> list[str]:
    """Whole-name occurrences of country names and aliases in `text`, case-sensitive."""
    by_first, _ = _country_index()
    found = []
    end = 0
    for m in _CAPITAL.finditer(text):
        if m.start() < end:
            continue
        for name in by_first.get(m.group(0), ()):
            stop = m.start() + len(name)
            if text.startswith(name, m.start()) and not (stop < len(text) and (text[stop].isalnum() or text[stop] == "_")):
                found.append(name)
                end = stop
                break
    return found


def mentioned_countries(texts: dict[str, str], limit: int = 12) -> list[dict[str, Any]]:
    """Countries named in `texts` (article id -> text), most mentioned first, each with the
    centre of its largest landmass: a coarse stand-in for the places stage, from the same
    bundled boundary data as the map. Case-sensitive whole names only ("Syria", "U.S."),
    leaving out names that are more often a person's name or a word ("Jordan", "Chad")."""
    _, centres = _country_index()
    counts: dict[str, int] = {}
    carriers: dict[str, set[str]] = {}
    for article_id, text in texts.items():
        for found in _find_names(text or ""):
            name = _ALIASES.get(found, found)
            counts[name] = counts.get(name, 0) + 1
            carriers.setdefault(name, set()).add(article_id)
    ranked = sorted(counts, key=lambda n: (-counts[n], n))[:limit]
    return [
        {"name": n, "kind": "country", "lat": centres[n][0], "lon": centres[n][1],
         "mentions": counts[n], "articles": sorted(carriers[n])}
        for n in ranked if n in centres
    ]
