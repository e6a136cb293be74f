"""A map of a story's places, drawn as SVG from bundled Natural Earth country boundaries.

No tiles and nothing fetched: `data/countries-110m.json` (world-atlas TopoJSON, see
data/PROVENANCE.md) is decoded once, and the countries around the story's places are
projected (equirectangular, x scaled by cos(latitude)) into numbers the template draws.
"""

from __future__ import annotations

import json
import math
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
    lons = [float(p["lon"]) for p in pts]
    lats = [float(p["lat"]) for p in pts]
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
        countries.append({"name": name, "d": "".join(parts), "label": label, "x": round(lx, 1), "y": round(ly, 1)})
    points = []
    for p in pts:
        x, y = project(float(p["lon"]), float(p["lat"]))
        points.append({**p, "x": round(x, 1), "y": round(y, 1)})
    return {"width": WIDTH, "height": HEIGHT, "countries": countries, "points": points}
