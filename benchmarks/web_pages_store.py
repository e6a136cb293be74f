"""A synthetic store of N articles with every table the web UI's browsing pages read, for
`bench_web_pages`.

    python -m benchmarks.web_pages_store /tmp/web100k.db --articles 100000

Running the pipeline (spaCy entities, events) over 100k articles does not fit this
project's shared 2-core machine, and benchmarks/grow_store.py copies no entities or events.
So the rows are written directly, in the shapes the stages write, with skewed sizes as in
real news: outlets, stories and entity mentions Zipf-distributed (a few very large), ~30% of
articles in reprint groups, 8 entity mentions and ~0.5 events per article, summaries for
every story. Texts are drawn from a fixed vocabulary plus the entities' names, so full-text
search has hits. Fixed seed: the same store every time. Builds in about a minute.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import date, timedelta
from pathlib import Path

from storyline.store import Store

WORDS = ("border town forces militants offensive ceasefire talks minister officials said army capture "
         "troops villages desert province rebels government election vote parliament court ruling protest "
         "police flood storm drought harvest prices market bank inflation budget deficit strike union "
         "hospital vaccine outbreak school teachers students bridge road railway port airport").split()
KINDS = ("person", "org", "place")


def zipf_index(rng: random.Random, n: int, s: float = 1.1) -> int:
    """An index in [0, n) with P(i) ~ 1/(i+1)^s (by inverse transform on a coarse table)."""
    return min(n - 1, int(n ** rng.random() ** s) - 1) if n > 1 else 0


def build(path: Path, n_articles: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    if path.exists():
        raise SystemExit(f"{path} exists; remove it first")
    with Store(path):
        pass  # every migration applied
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    t0 = time.perf_counter()
    outlets = [f"Outlet {i:03d} ({rng.choice(['Online News', 'Daily', 'Times', 'Wire'])})" for i in range(300)]
    n_entities = max(50, n_articles // 5)
    entities = []
    for i in range(n_entities):
        kind = KINDS[i % 3]
        name = f"{rng.choice(['Al', 'New', 'San', 'Port', 'Lake', 'Mount'])} {rng.choice(WORDS).title()}{i}"
        aliases = [name, name.upper(), name.replace(" ", "-")]
        lat, lon = (rng.uniform(-50, 60), rng.uniform(-120, 140)) if kind == "place" else (None, None)
        entities.append((f"E{i:07d}", kind, name, aliases, lat, lon))
    start = date(2015, 1, 1)
    db.execute("BEGIN")
    seq = 0
    story_no = line_no = 0
    mentions_of: dict[str, list[str]] = {}
    events = []
    while seq < n_articles:
        line_id = f"sl-{line_no:06d}"
        line_no += 1
        day0 = start + timedelta(days=rng.randrange(3000))
        n_stories = min(int(rng.paretovariate(1.2)), 40)
        line_first = line_last = None
        for _k in range(n_stories):
            if seq >= n_articles:
                break
            story_id = f"st-{story_no:07d}"
            story_no += 1
            size = min(int(rng.paretovariate(1.3)), 300, n_articles - seq)
            first = day0 + timedelta(days=rng.randrange(30))
            cast = [entities[zipf_index(rng, n_entities)] for _ in range(12)]
            group = f"rg-{story_no:07d}" if size > 1 and rng.random() < 0.4 else None
            ids = []
            for j in range(size):
                seq += 1
                aid = f"a{seq:07d}"
                ids.append(aid)
                published = (first + timedelta(days=min(j // 5, 20))).isoformat()
                named = rng.sample(cast, 8)
                text = " ".join(rng.choice(WORDS) for _ in range(120)) + ". " + ". ".join(
                    f"{e[2]} {rng.choice(WORDS)} {rng.choice(WORDS)}" for e in named) + "."
                title = f"{named[0][2]} {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)}"
                outlet = outlets[zipf_index(rng, len(outlets))]
                db.execute(
                    "INSERT INTO articles (seq, id, content_hash, format, raw, encoding, title, outlet, published,"
                    " language, source, locator, ingested_at) VALUES (?, ?, ?, 'text', ?, 'utf-8', ?, ?, ?, 'en',"
                    " 'synthetic', ?, '2026-01-01T00:00:00Z')",
                    (seq, aid, f"h{seq}", text.encode(), title, outlet, published, str(seq)))
                db.execute(
                    "INSERT INTO clean_articles (article_id, source_seq, stage_version, text, title, outlet,"
                    " published, language) VALUES (?, ?, 1, ?, ?, ?, ?, 'en')", (aid, seq, text, title, outlet, published))
                db.execute("INSERT INTO story_members (article_id, story_id) VALUES (?, ?)", (aid, story_id))
                if group and j < max(2, size // 2):
                    db.execute("INSERT INTO reprint_groups (article_id, group_id) VALUES (?, ?)", (aid, group))
                    if j:
                        db.execute("INSERT INTO reprint_links VALUES (?, ?, 0.9, 0.8, 1)", (ids[0], aid))
                for n, e in enumerate(named):
                    db.execute(
                        "INSERT INTO entity_mentions (article_id, n, start, end, text, label, kind, key, entity_id)"
                        " VALUES (?, ?, 0, 1, ?, 'X', ?, ?, ?)", (aid, n, e[2], e[1], e[2], e[0]))
                    mentions_of.setdefault(e[0], []).append(aid)
                if rng.random() < 0.5:
                    place = next((e for e in named if e[1] == "place"), None)
                    actor = next((e for e in named if e[1] != "place"), None)
                    events.append((f"ev-{len(events):08d}", story_id, rng.choice(["ARMED_CLASH", "PROTEST", "AGREEMENT",
                                                                                   "ELECTION", "DISASTER"]),
                                   published, place, actor, aid))
            last = (first + timedelta(days=min((size - 1) // 5, 20))).isoformat()
            db.execute("INSERT INTO stories (id, title, first_seen, last_seen, storyline_id) VALUES (?, ?, ?, ?, ?)",
                       (story_id, f"Story {story_no}: {cast[0][2]} {rng.choice(WORDS)}", first.isoformat(), last,
                        line_id))
            db.execute(
                "INSERT INTO story_summaries (story_id, input_key, sentences, disputes, timeline, made_at)"
                " VALUES (?, 'k', ?, '[]', '[]', '2026-01-01')",
                (story_id, json.dumps([{"text": f"{cast[0][2]} and {cast[1][2]} {rng.choice(WORDS)} on the {rng.choice(WORDS)}.",
                                        "article_id": ids[0], "cites": ids[:3]}])))
            line_first = min(line_first or first.isoformat(), first.isoformat())
            line_last = max(line_last or last, last)
        db.execute("INSERT INTO storylines (id, title, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                   (line_id, f"Storyline {line_no}", line_first, line_last))
    for eid, kind, name, aliases, lat, lon in entities:
        arts = mentions_of.get(eid, [])
        if not arts:
            continue
        db.execute(
            "INSERT INTO entities (id, kind, name, aliases, mentions, articles, lat, lon, country, place)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (eid, kind, name, json.dumps(aliases), len(arts), json.dumps(sorted(set(arts))), lat, lon,
             "XX" if lat is not None else None, json.dumps({"name": name}) if lat is not None else None))
    for ev_id, story_id, etype, day, place, actor, aid in events:
        db.execute(
            "INSERT INTO events (id, story_id, type, family, date_start, date_end, estimated, confidence, place,"
            " lat, lon, actors, sources) VALUES (?, ?, ?, ?, ?, ?, 0, 0.8, ?, ?, ?, ?, ?)",
            (ev_id, story_id, etype, etype.lower().replace("_", " "), day, day, place[2] if place else None,
             place[4] if place else None, place[5] if place else None, json.dumps([actor[2]] if actor else []),
             json.dumps([aid])))
    db.execute("COMMIT")
    db.execute("PRAGMA optimize")
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("articles", "stories", "storylines", "entities", "entity_mentions", "events", "reprint_groups")}
    db.close()
    print(f"{path}: {counts} in {time.perf_counter() - t0:.0f}s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="web_pages_store")
    parser.add_argument("db")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    build(Path(args.db), args.articles, args.seed)


if __name__ == "__main__":
    main()
