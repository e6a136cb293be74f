"""The entities-and-places part of the seeds checklist (data/seeds/EXPECTED.md).

Each item is what a careful reader finds in the five bundled seed articles: one place under
many spellings, one group under many names, the people, and where the places are. The
pipeline runs on the seeds in a temporary database; every item must pass.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from storyline.geo.gazetteer import haversine_km

# From EXPECTED.md, "Entities and places". Alias groups list the spellings the seeds use.
ALIAS_GROUPS = {
    "Boukamal": ["Boukamal", "Bu Kamal", "Abu Kamal", "Al Bu Kamal"],
    "al-Qaim": ["Qaim", "al-Qaim", "Al-Qaim"],
    "Deir Ezzor": ["Deir el-Zour", "Deir Ezzor", "Deir Al Zor"],
    "Islamic State": ["Islamic State", "IS", "ISIS", "Daesh"],
    "Popular Mobilization Forces": [
        "Popular Mobilization Forces", "PMF", "Popular Mobilisation units", "Hashed al-Shaabi",
    ],
}
PLACES = {  # name: (country, lat, lon or None, within km)
    "Boukamal": ("SY", 34.45, 40.92, 25.0),
    "al-Qaim": ("IQ", 34.37, 41.05, 25.0),
    "Deir Ezzor": ("SY", 35.33, 40.14, 25.0),
    "Hiri": (None, 34.45, 40.92, 25.0),  # on the border next to al-Qaim and Boukamal
}
PEOPLE = [
    "Jaafar al-Husseini", "Haider al-Abadi", "Bashar Assad", "Ryan Dillon", "Rami Abdel Rahman",
    "Sonia Khush", "Jean-Pierre Filiu", "Ali Mayhoub",
]


@dataclass
class Check:
    item: str
    ok: bool
    detail: str


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("-", " ").split())


def checklist(entities: list[dict]) -> list[Check]:
    """Check `entities` (Store.entities() rows) against the EXPECTED.md items."""
    by_alias: dict[str, list[dict]] = {}
    for e in entities:
        for alias in {e["name"], *e["aliases"]}:
            by_alias.setdefault(_norm(alias), []).append(e)
    checks = []
    for label, spellings in ALIAS_GROUPS.items():
        ids = {e["id"] for s in spellings for e in by_alias.get(_norm(s), [])}
        missing = [s for s in spellings if _norm(s) not in by_alias]
        ok = len(ids) == 1 and not missing
        detail = "one entity" if ok else f"{len(ids)} entities; missing {missing}"
        checks.append(Check(f"alias group {label}: {' = '.join(spellings)}", ok, detail))
    for label, (country, lat, lon, km) in PLACES.items():
        found = [e for e in by_alias.get(_norm(label), []) if e["kind"] == "place" and e["place"]]
        if not found:
            checks.append(Check(f"place {label}", False, "not found as a geocoded place"))
            continue
        p = found[0]["place"]
        dist = haversine_km(lat, lon, p["lat"], p["lon"])
        ok = dist <= km and (country is None or p["country"] == country)
        checks.append(Check(f"place {label} ({country or 'border'})", ok,
                            f"{p['lat']:.2f}N {p['lon']:.2f}E {p['country']}, {dist:.0f} km from expected"))
    people = {_norm(a) for e in entities if e["kind"] == "person" for a in [e["name"], *e["aliases"]]}
    for name in PEOPLE:
        checks.append(Check(f"person {name}", _norm(name) in people, "found" if _norm(name) in people else "missing"))
    return checks


def run_seeds() -> list[dict]:
    """Ingest the bundled seeds into a temporary database, run the pipeline, return entities."""
    from storyline.ingest import ingest
    from storyline.pipeline import run_pipeline
    from storyline.seeds import seed_files
    from storyline.store import Store

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "seeds.db") as store:
        ingest(store, [str(p) for p in seed_files()])
        run_pipeline(store)
        return list(store.entities())


def print_checklist(entities: list[dict] | None = None) -> bool:
    checks = checklist(entities if entities is not None else run_seeds())
    passed = sum(c.ok for c in checks)
    click.echo(f"seeds checklist (entities, aliases, places): {passed}/{len(checks)} pass")
    for c in checks:
        click.echo(f"  [{'x' if c.ok else ' '}] {c.item}: {c.detail}")
    return passed == len(checks)
