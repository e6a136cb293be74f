"""Ingest + run throughput of the whole default pipeline on news_dev, replicated.

    python -m benchmarks.run pipeline [-- --data DIR --copies N --workers 1,2]

The same corpus is run once per worker count, each in a fresh store, so the single-process
run is the baseline of the multi-process ones in the same invocation. Each copy of news_dev gets fresh ids and a one-word edit per article, so the reprint stage
sees them as new near-duplicates (the hard case), not as byte-identical re-ingests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from storyline.evaluation import resolve_data_dir
from storyline.ingest import ingest
from storyline.pipeline import run_pipeline
from storyline.store import Store


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_pipeline")
    parser.add_argument("--data", default=None)
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,2")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in (resolve_data_dir(args.data) / "news_dev.jsonl").open()]
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    runs: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with src.open("w") as out:
            for copy in range(args.copies):
                for row in rows:
                    text = row["text"] + ("" if copy == 0 else f"\nEdition {copy}.")
                    out.write(json.dumps({"id": f"{row['id']}-c{copy}", "url": row["url"] + f"?c={copy}",
                                          "text": text, "published": row["published"] or None}) + "\n")
        n = len(rows) * args.copies
        print(f"articles: {n}, cores available: {len(os.sched_getaffinity(0))}")
        for workers in counts:
            with Store(Path(tmp) / f"bench{workers}.db") as store:
                t0 = time.perf_counter()
                ingest(store, [str(src)])
                t1 = time.perf_counter()
                reports = run_pipeline(store, workers=workers)
                t2 = time.perf_counter()
            runs[workers] = t2 - t1
            print(f"workers {workers}: ingest {t1 - t0:.2f}s ({n / (t1 - t0):.0f} articles/s)")
            for r in reports:
                print(f"  {r.name:<10} {r.seconds:.2f}s")
            print(f"  run: {t2 - t1:.2f}s ({n / (t2 - t1):.1f} articles/s)")
    base = counts[0]
    for workers in counts[1:]:
        print(f"workers {workers} vs {base}: {runs[base] / runs[workers]:.2f}x the articles/s")
    # Workers are children of the forkserver, not of this process: only this one is measured.
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
