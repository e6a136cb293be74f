"""Story clustering throughput with a large corpus already stored.

    python -m benchmarks.run stories [-- --data DIR --stored 100000 --new 10000 --batches 5]

A syndicated corpus is generated from news_dev's real sentences: each synthetic story takes
its storyline's sentences (a core it repeats, plus background it shares with its sibling
stories), an event-specific name and number, a date (a third of the articles undated), and
4 copies on average with reshuffled, partly different sentences. Articles go straight into
the store as clean articles (cleaning and reprints are benchmarked elsewhere), `stored` of
them are clustered first, then `new` more arrive in `batches` runs, newest dates last, as a
feed delivers them. Figures: articles/s of the story stage for the stored corpus and for the
increments (state load, placement, saving included), and the B-cubed F1 of the synthetic
stories as a sanity check.

Embeddings are measured apart: the real model embeds `--embed-sample` of the generated
articles (articles/s printed on its own line); the big corpus is featurized without
embeddings (as with STORYLINE_EMBEDDINGS=off) and then given stand-in unit vectors (random,
one direction per synthetic story plus noise), so the placement pays the dense candidate
lookup it pays in a real run; the stand-ins measure its cost, not its quality (that is
`storyline eval stories`).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from storyline.evaluation import resolve_data_dir
from storyline.evaluation.metrics import bcubed
from storyline.records import CleanArticle
from storyline.stages.stories.stage import StoryStage, run_online
from storyline.store import Store

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def generate(data_dir: Path, n: int, seed: int = 1) -> list[dict]:
    rows = [json.loads(line) for line in (data_dir / "news_dev.jsonl").open(encoding="utf-8")]
    pools: dict[str, list[str]] = {}
    for row in rows:
        for s in _SENTENCE.split(row["text"].replace("\n", " ")):
            if len(s.split()) >= 8:
                pools.setdefault(row["storyline"], []).append(s.strip())
    lines = sorted(pools)
    rng = random.Random(seed)
    start = date(2015, 1, 1)
    out: list[dict] = []
    story = 0
    while len(out) < n:
        pool = pools[lines[story % len(lines)]]
        core = rng.sample(pool, min(6, len(pool)))
        name = "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)).title()
        number = rng.randrange(2, 999)
        day = start + timedelta(days=story * 3650 // max(1, n // 4))
        for _ in range(max(1, int(rng.expovariate(1 / 4)))):
            body = rng.sample(core, 4) + rng.sample(pool, 3)
            rng.shuffle(body)
            body.insert(1, f"{name} said {number} people were involved.")
            published = None if rng.random() < 0.33 else (day + timedelta(days=rng.randrange(2))).isoformat()
            out.append({"id": f"b{len(out):07d}", "story": f"s{story}", "title": f"{name}: {core[0][:60]}",
                        "text": " ".join(body), "published": published})
        story += 1
    return out[:n]


def _store(store: Store, rows: list[dict]) -> None:
    with store.transaction():
        for row in rows:
            store.add_article(article_id=row["id"], fmt="text", raw=row["text"].encode(), encoding="utf-8",
                              source="bench", locator=row["id"], title=row["title"], published=row["published"])
        store.save_clean([CleanArticle(r["id"], r["text"], r["title"], None, r["published"], "en") for r in rows], 1)


def _featurize(store: Store) -> tuple[int, float]:
    """The stage's map step over everything pending: (articles, seconds)."""
    stage = StoryStage(embeddings=False)  # the big corpus gets stand-ins (see the module doc)
    t0 = time.perf_counter()
    ids = stage.pending(store)
    for i in range(0, len(ids), stage.batch_size):
        stage.save(store, stage.process(stage.load(store, ids[i : i + stage.batch_size])))
    return len(ids), time.perf_counter() - t0


def _stand_in_embeddings(store: Store, rows: list[dict], seed: int = 2) -> None:
    """Unit vectors near one random direction per synthetic story (see the module doc)."""
    import numpy as np

    from storyline.stages.stories import embeddings as emb

    rng = np.random.default_rng(seed)
    directions: dict[str, np.ndarray] = {}
    updates = []
    for row in rows:
        base = directions.setdefault(row["story"], rng.normal(size=emb.DIM))
        vec = base + 0.5 * rng.normal(size=emb.DIM)
        updates.append((emb.to_bytes(vec / np.linalg.norm(vec)), row["id"]))
    with store.transaction():
        store.db.executemany("UPDATE story_features SET embedding = ? WHERE article_id = ?", updates)


def _embedding_speed(rows: list[dict]) -> None:
    from storyline.stages.stories import embeddings as emb

    texts = [emb.embedding_text(r["title"], r["text"]) for r in rows]
    t0 = time.perf_counter()
    emb.embed(texts)
    took = time.perf_counter() - t0
    print(f"embeddings ({emb.MODEL}, {emb.EMBED_CHARS} characters each): {len(texts)} articles in {took:.1f}s,"
          f" {len(texts) / took:,.1f} articles/s (this process, all cores)")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_stories")
    parser.add_argument("--data", default=None)
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--embed-sample", type=int, default=300, help="articles the real model embeds (0: none)")
    args = parser.parse_args(argv)
    rows = generate(resolve_data_dir(args.data), args.stored + args.new)
    if args.embed_sample:
        _embedding_speed(random.Random(3).sample(rows, min(args.embed_sample, len(rows))))
    stored, new = rows[: args.stored], rows[args.stored :]
    for row in new:  # a feed delivers them after the stored ones: no date older than those
        if row["published"]:
            row["published"] = (date.fromisoformat(row["published"]) + timedelta(days=2)).isoformat()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        _store(store, stored)
        n, feat = _featurize(store)
        _stand_in_embeddings(store, stored)
        t0 = time.perf_counter()
        run_online(store, embeddings=False)
        first = time.perf_counter() - t0
        print(f"stored corpus: {n} articles: term vectors (map step) {n / feat:,.0f} articles/s;"
              f" placement {n / first:,.0f} articles/s; both {n / (feat + first):,.0f} articles/s")
        size = -(-len(new) // args.batches)
        spent = feat_spent = 0.0
        for i in range(0, len(new), size):
            _store(store, new[i : i + size])
            n, feat = _featurize(store)
            _stand_in_embeddings(store, new[i : i + size])
            t0 = time.perf_counter()
            stats = run_online(store, embeddings=False)
            took = time.perf_counter() - t0
            spent += took
            feat_spent += feat
            print(f"  +{stats['placed']} new with {i + len(stored)} stored: vectors {feat:.2f}s,"
                  f" placement {took:.2f}s ({stats['placed'] / took:,.0f} articles/s, replayed: {stats['replayed']})")
        print(f"increments: {len(new)} articles with {len(stored):,}+ already stored:"
              f" placement {len(new) / spent:,.0f} articles/s; term vectors {len(new) / feat_spent:,.0f} articles/s;"
              f" both {len(new) / (spent + feat_spent):,.0f} articles/s (one process)")
        placed = store.story_of()
        gold = {r["id"]: r["story"] for r in rows}
        p, r, f = bcubed({a: s for a, (s, _) in placed.items()}, gold)
        print(f"synthetic stories B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}"
              f" ({len(set(s for s, _ in placed.values()))} predicted, {len(set(gold.values()))} generated)")
