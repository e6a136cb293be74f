"""Ingest + run throughput of the default pipeline (or some of its stages), at 1 and more
worker processes in the same invocation, optionally against an earlier commit.

    python -m benchmarks.run pipeline [-- --data DIR --copies N --workers 1,2]
    python -m benchmarks.run pipeline -- --data DIR --synthetic 20000 --stages clean,reprints
    python -m benchmarks.run pipeline -- --data DIR --copies 3 --workers 1,2 --baseline f7ea8a6

The same corpus is run once per worker count, each in a fresh store, so the first count's
run is the baseline of the others. The corpus is news_dev replicated `--copies` times (each
copy gets fresh ids and a one-word edit per article, so the reprint stage sees them as new
near-duplicates, the hard case), or with `--synthetic N` the syndication corpus of
benchmarks/corpus.py. `--stages` runs only those stages, in pipeline order; each stage's
time includes its map step (in the workers) and its `finish` (in this process).

`--baseline COMMIT`: the same corpus also goes through that commit's storyline (its `src/`,
taken with `git archive` into a temporary folder; this checkout and its git metadata are
left alone), in the same venv, in the same invocation: each run is a fresh process with
PYTHONPATH at one side's `src/`, the sides alternating per worker count (baseline first),
so the machine's load falls on both alike. The figures are then ratios: this checkout's
articles/s over the baseline's, per stage and for the whole run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _write_corpus(path: Path, args: argparse.Namespace) -> int:
    from storyline.evaluation import resolve_data_dir

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


def _run_once(src: Path, db: Path, workers: int, wanted: set[str]) -> dict:
    """Ingest `src` into a fresh store at `db` and run the stages; timings as a dict."""
    from storyline.executor.local import LocalExecutor
    from storyline.ingest import ingest
    from storyline.pipeline import default_stages
    from storyline.store import Store

    stages = [s for s in default_stages() if not wanted or s.name in wanted]
    with Store(db) as store:
        t0 = time.perf_counter()
        ingest(store, [str(src)])
        t1 = time.perf_counter()
        reports = LocalExecutor(store, workers=workers).run(stages)
        t2 = time.perf_counter()
    return {"ingest": t1 - t0, "run": t2 - t1,
            "stages": [[r.name, r.seconds, r.processed] for r in reports],
            # Workers are children of the forkserver, not of this process: only this one is measured.
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _print_run(label: str, n: int, workers: int, run: dict) -> None:
    print(f"{label}workers {workers}: ingest {run['ingest']:.2f}s ({n / run['ingest']:.0f} articles/s)")
    for name, seconds, processed in run["stages"]:
        print(f"  {name:<10} {seconds:.2f}s ({processed / seconds if seconds else 0:.0f} articles/s)")
    print(f"  run: {run['run']:.2f}s ({n / run['run']:.1f} articles/s)")


def _checkout(commit: str, into: Path) -> Path:
    """`commit`'s src/ under `into` (git archive: no worktree, nothing written to .git)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "src.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit, "src"], stdout=fh, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    return into / "src"


def _run_in_subprocess(src_dir: Path, corpus: Path, db: Path, workers: int, stages: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src_dir), str(REPO)])}
    cmd = [sys.executable, "-m", "benchmarks.bench_pipeline", "--one", str(corpus), "--db", str(db),
           "--workers", str(workers), "--stages", stages]
    done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"run with {src_dir} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _compare(args: argparse.Namespace, counts: list[int], tmp: Path, src: Path, n: int) -> None:
    base_src = _checkout(args.baseline, tmp / "baseline")
    sides = {"baseline": base_src, "current": REPO / "src"}
    runs: dict[tuple[str, int], dict] = {}
    for workers in counts:
        for side, src_dir in sides.items():
            runs[side, workers] = run = _run_in_subprocess(
                src_dir, src, tmp / f"{side}{workers}.db", workers, args.stages)
            _print_run(f"{side} ({args.baseline if side == 'baseline' else 'this checkout'}) ", n, workers, run)
    print(f"current vs baseline {args.baseline} (articles/s ratio, >1: faster):")
    for workers in counts:
        base, cur = runs["baseline", workers], runs["current", workers]
        base_stages = {name: s for name, s, _ in base["stages"]}
        parts = [f"{name} {base_stages[name] / s:.2f}x" for name, s, _ in cur["stages"] if s and name in base_stages]
        print(f"  workers {workers}: run {base['run'] / cur['run']:.2f}x "
              f"({n / base['run']:.1f} -> {n / cur['run']:.1f} articles/s); " + ", ".join(parts))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_pipeline")
    parser.add_argument("--data", default=None)
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=0, help="N articles from benchmarks/corpus.py instead")
    parser.add_argument("--stages", default="", help="only these stages, e.g. clean,reprints")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,2")
    parser.add_argument("--baseline", default="", help="also run an earlier commit's storyline (ratios)")
    parser.add_argument("--one", default="", help=argparse.SUPPRESS)  # a corpus file: one run, JSON out
    parser.add_argument("--db", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    wanted = {s.strip() for s in args.stages.split(",") if s.strip()}
    if args.one:
        print(json.dumps(_run_once(Path(args.one), Path(args.db), counts[0], wanted)))
        return
    runs: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        n = _write_corpus(src, args)
        print(f"articles: {n}, cores available: {len(os.sched_getaffinity(0))}")
        if args.baseline:
            _compare(args, counts, Path(tmp), src, n)
            return
        for workers in counts:
            run = _run_once(src, Path(tmp) / f"bench{workers}.db", workers, wanted)
            runs[workers] = run["run"]
            _print_run("", n, workers, run)
    base = counts[0]
    for workers in counts[1:]:
        print(f"workers {workers} vs {base}: {runs[base] / runs[workers]:.2f}x the articles/s")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
