"""Latency of the web UI's browsing routes on a large store: entities, entity, storyline,
outlets, outlet, events, the alias-aware search and the story list's new sort and filters.

    python -m benchmarks.web_pages_store /tmp/web100k.db --articles 100000   # once, ~1 min
    python -m benchmarks.run web_pages -- --db /tmp/web100k.db [--requests 100] [--cores 0,1]

Starts `storyline serve` on loopback (as bench_serve does), sends sequential keep-alive
requests per scenario after a warm-up, ids and names sampled from the store with a fixed
seed, and prints p50/p95/p99/max in milliseconds against the 100 ms p95 target. Detail
routes are timed on random items and on the largest ones (most mentioned entity, biggest
storyline, outlet with most articles), list routes on pages and filters.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
from pathlib import Path
from urllib.parse import quote, urlencode

from benchmarks.bench_serve import percentile, served


def sample(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    one = lambda sql: [r[0] for r in con.execute(sql)]  # noqa: E731
    out = {
        "articles": con.execute("SELECT count(*) FROM articles").fetchone()[0],
        "entities": one("SELECT id FROM entities ORDER BY id"),
        "top_entities": one("SELECT id FROM entities ORDER BY mentions DESC LIMIT 50"),
        "names": one("SELECT name FROM entities ORDER BY id LIMIT 5000"),
        "storylines": one("SELECT id FROM storylines ORDER BY id"),
        "big_storylines": one("SELECT storyline_id FROM stories GROUP BY storyline_id ORDER BY count(*) DESC LIMIT 20"),
        "outlets": one("SELECT outlet FROM clean_articles WHERE outlet IS NOT NULL GROUP BY outlet ORDER BY outlet"),
        "big_outlets": one("SELECT outlet FROM clean_articles WHERE outlet IS NOT NULL GROUP BY outlet"
                           " ORDER BY count(*) DESC LIMIT 10"),
        "types": one("SELECT DISTINCT type FROM events") or ["ARMED_CLASH"],
        "days": one("SELECT DISTINCT date_start FROM events WHERE date_start IS NOT NULL ORDER BY 1") or ["2017-01-01"],
    }
    con.close()
    return out


def scenarios(info: dict, rng: random.Random) -> list[tuple[str, object]]:
    pick = rng.choice

    def part(name: str) -> str:  # a fragment of a name, as a user types it
        word = pick(name.split())
        return word[: max(3, len(word) // 2)].lower()

    n_ent = len(info["entities"])
    return [
        ("/api/entities (pages)", lambda: "/api/entities?" + urlencode({"offset": rng.randrange(0, min(n_ent, 5000))})),
        ("/api/entities?kind&name", lambda: "/api/entities?" + urlencode(
            {"kind": pick(["person", "org", "place"]), "name": part(pick(info["names"]))})),
        ("/api/entities/{id} (random)", lambda: f"/api/entities/{pick(info['entities'])}"),
        ("/api/entities/{id} (50 most named)", lambda: f"/api/entities/{pick(info['top_entities'])}"),
        ("/entities/{id} (HTML, 50 most named)", lambda: f"/entities/{pick(info['top_entities'])}"),
        ("/api/storylines/{id} (random)", lambda: f"/api/storylines/{pick(info['storylines'])}"),
        ("/api/storylines/{id} (20 largest)", lambda: f"/api/storylines/{pick(info['big_storylines'])}"),
        ("/api/outlets", lambda: "/api/outlets"),
        ("/api/outlets?name", lambda: "/api/outlets?" + urlencode({"name": part(pick(info["outlets"]))})),
        ("/api/outlets/{o} (random)", lambda: "/api/outlets/" + quote(pick(info["outlets"]), safe="")),
        ("/api/outlets/{o} (10 largest)", lambda: "/api/outlets/" + quote(pick(info["big_outlets"]), safe="")),
        ("/outlets/{o} (HTML, 10 largest)", lambda: "/outlets/" + quote(pick(info["big_outlets"]), safe="")),
        ("/api/events (pages)", lambda: "/api/events?" + urlencode({"offset": rng.randrange(0, 2000)})),
        ("/api/events (filters)", lambda: "/api/events?" + urlencode(pick([
            {"type": pick(info["types"])}, {"place": part(pick(info["names"]))},
            {"entity": part(pick(info["names"]))}, {"date_from": pick(info["days"]), "date_to": pick(info["days"][-50:])},
        ]))),
        ("/events (HTML, map)", lambda: "/events?" + urlencode({"type": pick(info["types"])})),
        ("/api/search?q=NAME (aliases)", lambda: "/api/search?" + urlencode({"q": pick(info["names"])})),
        ("/api/search?q=A OR B", lambda: "/api/search?" + urlencode(
            {"q": f'"{pick(info["names"])}" OR "{pick(info["names"])}"'})),
        ("/api/stories?sort=coverage", lambda: "/api/stories?" + urlencode(
            {"sort": "coverage", "offset": rng.randrange(0, 2000)})),
        # A distinctive part of one outlet's name ("fox news"), and a word most outlets share.
        ("/api/stories?outlet=PART (one outlet)", lambda: "/api/stories?" + urlencode(
            {"outlet": pick(info["outlets"]).split()[1]})),
        ("/api/stories?outlet=PART (~80 outlets)", lambda: "/api/stories?" + urlencode(
            {"outlet": pick(["Online", "Daily", "Times", "Wire"])})),
        ("/api/stories?entity=NAME", lambda: "/api/stories?" + urlencode({"entity": pick(info["names"])})),
    ]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_web_pages")
    parser.add_argument("--db", required=True, help="a store from benchmarks/web_pages_store.py (read only)")
    parser.add_argument("--requests", type=int, default=100, help="requests per scenario")
    parser.add_argument("--cores", default="0,1", help="CPU list for the server (taskset); '' for none")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    db = Path(args.db)
    if not db.is_file():
        raise SystemExit(f"no database at {db}")
    rng = random.Random(args.seed)
    info = sample(db)
    print(f"store: {db} ({db.stat().st_size / 2**20:.0f} MiB), {info['articles']} articles, "
          f"{len(info['entities'])} entities, {len(info['storylines'])} storylines, {len(info['outlets'])} outlets")
    with served(db, args.cores) as get:
        runs = scenarios(info, rng)
        first_ms = {name: get(make())[0] for name, make in runs}  # cold: includes the outlet table's one scan
        for _name, make in runs:  # warm-up
            for _ in range(3):
                get(make())
        print(f"{'scenario':<42} {'n':>4} {'first':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'KiB':>6}")
        results = {}
        for name, make in runs:
            times, sizes = [], []
            for _ in range(args.requests):
                ms, size = get(make())
                times.append(ms)
                sizes.append(size)
            r = results[name] = {"first": first_ms[name], "p50": percentile(times, 50), "p95": percentile(times, 95),
                                 "p99": percentile(times, 99), "max": max(times)}
            flag = "" if r["p95"] < 100 else "  over target"
            print(f"{name:<42} {len(times):>4} {r['first']:>7.1f} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f}"
                  f" {r['max']:>7.1f} {statistics.mean(sizes) / 1024:>6.1f}{flag}")
        print(json.dumps({"target_p95_ms": 100, "results": results}))
