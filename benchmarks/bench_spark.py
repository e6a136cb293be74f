"""The pipeline on Spark at each executor count, beside the local executor, on one corpus.

    python -m benchmarks.run spark -- --synthetic 2000 --master local[1],local[2]
    python -m benchmarks.run spark -- --copies 5 --master local[1],local[2] --embeddings

Each configuration (the local executor with one process, then each Spark master) runs in
its own Python process on the same corpus file, in a fresh store, so each one's peak
memory is its own: the driver's (the Python process that holds the store; the JVM and the
executors' Python workers are apart). Per stage: the map step (articles/s, in the
executors for Spark) and the corpus-wide finish (seconds, on the driver). The ratios
compare each master with the first, and each with the local executor. Embeddings are off
unless --embeddings (they are 3-4 articles/s per core: a long run).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_pipeline import _write_corpus


def _timed_finish(stage, timings: dict) -> None:
    """Wrap `stage.finish` (on the instance) to time it; signature kept for map_chunks."""
    import functools

    original = stage.finish

    @functools.wraps(original)
    def finish(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            timings[stage.name] = time.perf_counter() - started

    stage.finish = finish


def run_one(mode: str, corpus: str, work: str, embeddings: bool) -> dict:
    """One configuration: 'local' or a Spark master. Returns its figures."""
    from storyline.executor.local import LocalExecutor
    from storyline.pipeline import default_stages
    from storyline.store import Store

    stages = default_stages(embeddings)
    out: dict = {"mode": mode, "stages": {}}
    with Store(Path(work) / "bench.db") as store:
        if mode == "local":
            from storyline.ingest import ingest

            t0 = time.perf_counter()
            ingest(store, [corpus])
            out["ingest"] = time.perf_counter() - t0
            finishes: dict[str, float] = {}
            for stage in stages:
                _timed_finish(stage, finishes)
            reports = LocalExecutor(store, workers=1).run(stages)
            for r in reports:
                out["stages"][r.name] = {"processed": r.processed, "map": r.seconds - finishes[r.name],
                                         "finish": finishes[r.name]}
        else:
            from storyline.executor.spark import SparkExecutor, spark_session
            from storyline.ingest.distributed import ingest_spark

            t0 = time.perf_counter()
            session = spark_session(mode, "storyline-bench")
            out["start"] = time.perf_counter() - t0
            out["cores"] = session.sparkContext.defaultParallelism
            t0 = time.perf_counter()
            ingest_spark(store, [corpus], session)
            out["ingest"] = time.perf_counter() - t0
            executor = SparkExecutor(store, session)
            reports = executor.run(stages)
            for r in reports:
                out["stages"][r.name] = {"processed": r.processed, **executor.timings[r.name]}
            session.stop()
        out["articles"] = store.count_articles()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:7.1f}/s" if seconds > 0 else "      -"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_spark")
    parser.add_argument("--data", default=None)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--synthetic", type=int, default=0, help="N articles from benchmarks/corpus.py")
    parser.add_argument("--master", default="local[1],local[2]", help="Spark masters to compare")
    parser.add_argument("--embeddings", action="store_true", help="embed articles (slow)")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # mode, run in a child
    parser.add_argument("--corpus", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--work", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.corpus, args.work, args.embeddings)))
        return
    masters = [m.strip() for m in args.master.split(",") if m.strip()]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "in.jsonl"
        n = _write_corpus(corpus, args)
        print(f"articles: {n}, cores available: {len(os.sched_getaffinity(0))}, embeddings {'on' if args.embeddings else 'off'}")
        for mode in ["local", *masters]:
            work = Path(tmp) / mode.replace("[", "_").replace("]", "").replace("/", "_").replace(":", "_")
            work.mkdir()
            cmd = [sys.executable, "-m", "benchmarks.bench_spark", "--one", mode, "--corpus", str(corpus),
                   "--work", str(work)] + (["--embeddings"] if args.embeddings else [])
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode:
                print(f"{mode}: failed\n{done.stderr[-3000:]}")
                return
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    stage_names = list(results[0]["stages"])
    header = f"{'stage':<10}" + "".join(f"{r['mode']:>22}" for r in results)
    print("\nmap step, articles/s (finish on the driver, s)")
    print(header)
    for name in stage_names:
        cells = []
        for r in results:
            s = r["stages"][name]
            cells.append(f"{_rate(s['processed'], s['map'])} ({s['finish']:6.2f}s)")
        print(f"{name:<10}" + "".join(f"{c:>22}" for c in cells))
    totals = [sum(s["map"] + s["finish"] for s in r["stages"].values()) for r in results]
    print(f"{'ingest':<10}" + "".join(f"{_rate(r['articles'], r['ingest']):>22}" for r in results))
    print(f"{'all stages':<10}" + "".join(f"{_rate(r['articles'], t):>22}" for r, t in zip(results, totals, strict=True)))
    print(f"{'peak RSS':<10}" + "".join(f"{r['peak_rss_mb']:>19.0f} MB" for r in results) + "  (the driver's Python process)")
    for r in results[1:]:
        if "start" in r:
            print(f"{r['mode']}: Spark started in {r['start']:.1f}s, {r['cores']} cores")
    spark = results[1:]
    for r in spark:
        maps = {name: results[0]["stages"][name]["map"] / r["stages"][name]["map"]
                for name in stage_names if r["stages"][name]["map"] > 0}
        print(f"{r['mode']} vs local executor, map steps: " + ", ".join(f"{k} {v:.2f}x" for k, v in maps.items()))
    for r in spark[1:]:
        base = spark[0]
        maps = {name: base["stages"][name]["map"] / r["stages"][name]["map"]
                for name in stage_names if r["stages"][name]["map"] > 0}
        total = sum(s["map"] + s["finish"] for s in base["stages"].values()) / sum(
            s["map"] + s["finish"] for s in r["stages"].values())
        print(f"{r['mode']} vs {base['mode']}, map steps: " + ", ".join(f"{k} {v:.2f}x" for k, v in maps.items())
              + f"; all stages {total:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
