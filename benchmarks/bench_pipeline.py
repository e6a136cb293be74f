"""Ingest + run throughput of the default pipeline (or some of its stages), at 1 and more
worker processes in the same invocation.

    python -m benchmarks.run pipeline [-- --data DIR --copies N --workers 1,2]
    python -m benchmarks.run pipeline -- --data DIR --synthetic 20000 --stages clean,reprints

The same corpus is run once per worker count, each in a fresh store, so the first count's
run is the baseline of the others. The corpus is news_dev replicated `--copies` times (each
copy gets fresh ids and a one-word edit per article, so the reprint stage sees them as new
near-duplicates, the hard case), or with `--synthetic N` the syndication corpus of
benchmarks/corpus.py. `--stages` runs only those stages, in pipeline order; each stage's
time includes its map step (in the workers) and its `finish` (in this process).
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
from storyline.executor.local import LocalExecutor
from storyline.ingest import ingest
from storyline.pipeline import default_stages
from storyline.store import Store


def _write_corpus(path: Path, args: argparse.Namespace) -> int:
    data = resolve_data_dir(args.data)
    n = 0
    with path.open("w") as out:
        if args.synthetic:
            from benchmarks.corpus import generate

            for row in generate(args.synthetic, 0, data):
                out.write(json.dumps({k: row[k] for k in ("id", "url", "outlet", "title", "published", "text")}) + "\n")
                n += 1
            return n
        rows = [json.loads(line) for line in (data / "news_dev.jsonl").open()]
        for copy in range(args.copies):
            for row in rows:
                text = row["text"] + ("" if copy == 0 else f"\nEdition {copy}.")
                out.write(json.dumps({"id": f"{row['id']}-c{copy}", "url": row["url"] + f"?c={copy}",
                                      "text": text, "published": row["published"] or None}) + "\n")
                n += 1
    return n


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_pipeline")
    parser.add_argument("--data", default=None)
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=0, help="N articles from benchmarks/corpus.py instead")
    parser.add_argument("--stages", default="", help="only these stages, e.g. clean,reprints")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,2")
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    wanted = {s.strip() for s in args.stages.split(",") if s.strip()}
    runs: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        n = _write_corpus(src, args)
        print(f"articles: {n}, cores available: {len(os.sched_getaffinity(0))}")
        for workers in counts:
            stages = [s for s in default_stages() if not wanted or s.name in wanted]
            with Store(Path(tmp) / f"bench{workers}.db") as store:
                t0 = time.perf_counter()
                ingest(store, [str(src)])
                t1 = time.perf_counter()
                reports = LocalExecutor(store, workers=workers).run(stages)
                t2 = time.perf_counter()
            runs[workers] = t2 - t1
            print(f"workers {workers}: ingest {t1 - t0:.2f}s ({n / (t1 - t0):.0f} articles/s)")
            for r in reports:
                print(f"  {r.name:<10} {r.seconds:.2f}s ({r.processed / r.seconds if r.seconds else 0:.0f} articles/s)")
            print(f"  run: {t2 - t1:.2f}s ({n / (t2 - t1):.1f} articles/s)")
    base = counts[0]
    for workers in counts[1:]:
        print(f"workers {workers} vs {base}: {runs[base] / runs[workers]:.2f}x the articles/s")
    # Workers are children of the forkserver, not of this process: only this one is measured.
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
