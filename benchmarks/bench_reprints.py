"""Reprint stage throughput and memory on a synthetic syndication corpus, against a
datasketch baseline measured in the same run.

    python -m benchmarks.run reprints [-- --n 100000 --data DIR --workers 2 --no-baseline]

The corpus comes from benchmarks/corpus.py (real articles with syndication edits), made on
the fly; nothing is written but temporary files. Each side runs in its own child process
(so each peak RSS is its own) over the same articles, and times only the stage's work, not
making the corpus:

- ours: word-5-shingle sketches (stages/reprints/shingling.py), candidates from the consistent
  sample keys, exact containment check, groups, and word-level alignment of every member
  with its group's fullest copy and of every reuse link (stages/reprints/stage.py, alignment.py).
- baseline: datasketch MinHash (128 permutations) over the same shingles, MinHashLSH
  (Jaccard threshold 0.2) candidates, the same exact check and groups, and the sentence
  alignment with difflib edits that storyline used before (benchmarks/baseline_alignment.py).

Sketches and texts go to temporary files and are read back per chunk, as the stage reads
them from the store; only the sample keys stay in memory. With --workers N the chunked
steps (sketches, the exact check of candidate pairs, alignment) run the stage's functions in
N forked processes that read their own chunk's hashes or texts, as a parallel executor
would; candidate search and grouping run in one process. (`storyline run` itself runs the
stage in one process.) Pair precision/recall/F1 of the groups against the corpus's gold
(`wire`) is printed for both sides.
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
from array import array
from collections import Counter
from collections.abc import Iterator
from multiprocessing import get_context
from pathlib import Path

import numpy as np

BATCH = 2000
VERIFY_CHUNK = 20_000
ALIGN_CHUNK = 2000


def _now() -> tuple[float, float]:
    """(wall clock, CPU seconds of this process and its reaped children)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), time.process_time() + children.ru_utime + children.ru_stime


def _add(timings: dict[str, float], name: str, since: tuple[float, float]) -> None:
    wall, cpu = _now()
    timings[name] = timings.get(name, 0.0) + wall - since[0]
    timings[name + "_cpu"] = timings.get(name + "_cpu", 0.0) + cpu - since[1]


class _Spill:
    """Append-only byte records in a temp file, read back by index (like the store's rows)."""

    def __init__(self, path: Path):
        self.f = open(path, "w+b")  # noqa: SIM115 - closed by the process ending
        self.offsets = array("q", [0])

    def add(self, blob: bytes) -> None:
        self.f.write(blob)
        self.offsets.append(self.offsets[-1] + len(blob))

    def get(self, i: int) -> bytes:
        return os.pread(self.f.fileno(), self.offsets[i + 1] - self.offsets[i], self.offsets[i])

    def flush(self) -> None:
        self.f.flush()


def _batches(n: int, seed: int, data: str) -> Iterator[list[dict]]:
    from benchmarks.corpus import generate

    batch: list[dict] = []
    for row in generate(n, seed, data):
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _scores(groups: dict[int, int], wires: list[str]) -> dict[str, float]:
    """Pair precision/recall/F1 of predicted groups against the gold wire stories, from
    counts (a million articles make too many pairs to list)."""
    def pairs(sizes) -> int:
        return sum(k * (k - 1) // 2 for k in sizes)

    predicted = pairs(Counter(groups.values()).values())
    gold = pairs(Counter(wires).values())
    both = pairs(Counter((g, wires[i]) for i, g in groups.items()).values())
    p = both / predicted if predicted else 1.0
    r = both / gold if gold else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


_HASHES: _Spill | None = None  # the sketches' hashes, for forked verification workers


def _verify_chunk(chunk: np.ndarray) -> list[tuple[int, int, float, float, bool]]:
    """The stage's exact check (`classify_pair`) over one chunk of candidate pairs, reading
    the chunk's hashes as the stage reads them from the store."""
    from storyline.stages.reprints.links import verify_pairs

    return verify_pairs(chunk.tolist(), {i: _HASHES.get(i) for i in np.unique(chunk).tolist()})


_EXACT: list[np.ndarray] = []  # the baseline's exact shingle sets, for its forked workers


def _verify_exact_chunk(chunk: np.ndarray) -> list[tuple[int, int, float, float, bool]]:
    from storyline.stages.reprints.links import classify_pair

    links = []
    for i, j in chunk.tolist():
        verdict = classify_pair(_EXACT[i], _EXACT[j])
        if verdict:
            links.append((i, j, *verdict))
    return links


_TEXTS: _Spill | None = None   # the texts, for forked alignment workers to read themselves


def _align_chunk(args: tuple[str, list[tuple[int, int]]]) -> int:
    side, pairs = args
    needed = sorted({x for pair in pairs for x in pair})
    texts = {i: _TEXTS.get(i).decode() for i in needed}   # as the stage reads its chunk from the store
    if side == "ours":
        from storyline.stages.reprints.alignment import align_many

        out = align_many(pairs, texts)
    else:
        from benchmarks.baseline_alignment import align

        out = [align(texts[a], texts[b]) for a, b in pairs]
    return sum(len(a.passages) for a in out)


def _groups_and_alignment(side: str, ids: list[str], links: list[tuple[int, int, float, float, bool]],
                          sizes: np.ndarray, published: list[str], texts: _Spill, workers: int,
                          timings: dict[str, float]) -> tuple[dict[int, int], int]:
    from storyline.records import Link
    from storyline.stages.reprints.links import alignment_pairs, describe_groups, reprint_groups

    t = _now()
    groups_by_id = reprint_groups((ids[a], ids[b], c) for a, b, c, _, rep in links if rep)
    index = {x: i for i, x in enumerate(ids)}
    size_of = {ids[i]: int(sizes[i]) for i in range(len(ids))}
    infos = describe_groups(groups_by_id, size_of, {x: published[index[x]] for x in groups_by_id})
    reuse = [Link(ids[a], ids[b], c, j, rep) for a, b, c, j, rep in links if not rep]
    todo = sorted((index[r], index[c]) for r, c in alignment_pairs(infos, reuse, size_of))
    _add(timings, "groups", t)
    t = _now()

    global _TEXTS
    _TEXTS = texts
    chunks = [(side, todo[start : start + ALIGN_CHUNK]) for start in range(0, len(todo), ALIGN_CHUNK)]
    if workers > 1:
        with get_context("fork").Pool(workers) as pool:
            for _ in pool.imap_unordered(_align_chunk, chunks):
                pass
    else:
        for _ in map(_align_chunk, chunks):
            pass
    _add(timings, "alignment", t)
    gid = {g: k for k, g in enumerate(sorted(set(groups_by_id.values())))}
    return {index[x]: gid[g] for x, g in groups_by_id.items()}, len(todo)


def _sketch_batch(texts_ids: tuple[list[str], list[str]]):
    from storyline.stages.reprints.shingling import sketch_many

    return sketch_many(*texts_ids)


def run_ours(n: int, seed: int, data: str, workers: int, tmp: Path) -> dict:
    from storyline.stages.reprints.links import candidate_pairs_flat

    timings: dict[str, float] = {}
    ids: list[str] = []
    wires: list[str] = []
    published: list[str] = []
    sample_keys = bytearray()      # every article's sample keys, concatenated (uint32)
    lengths = array("q")
    sizes = array("q")
    hashes, texts = _Spill(tmp / "ours.hashes"), _Spill(tmp / "ours.texts")
    pool = get_context("fork").Pool(workers) if workers > 1 else None
    pending: list[list[dict]] = []

    def sketch(batches: list[list[dict]]) -> None:
        t = _now()
        jobs = [([r["id"] for r in b], [r["text"] for r in b]) for b in batches]
        results = pool.map(_sketch_batch, jobs) if pool else list(map(_sketch_batch, jobs))
        for sketches in results:
            for s in sketches:
                sample_keys.extend(s.sample)
                lengths.append(len(s.sample) // 4)
                sizes.append(s.shingles)
                hashes.add(s.hashes)
        _add(timings, "signatures", t)

    for batch in _batches(n, seed, data):
        for r in batch:
            ids.append(r["id"])
            wires.append(r["wire"])
            published.append(r["published"])
            texts.add(r["text"].encode())
        pending.append(batch)
        if len(pending) == max(workers, 1):
            sketch(pending)
            pending = []
    if pending:
        sketch(pending)
    if pool:
        t = _now()
        pool.close()
        pool.join()
        _add(timings, "signatures", t)
    hashes.flush()
    texts.flush()
    t = _now()
    keys = np.frombuffer(sample_keys, "<u4")
    pairs = candidate_pairs_flat(keys, np.frombuffer(lengths, np.int64), np.ones(len(ids), bool))
    del keys
    sample_keys.clear()
    global _HASHES
    _HASHES = hashes
    chunks = [pairs[start : start + VERIFY_CHUNK] for start in range(0, len(pairs), VERIFY_CHUNK)]
    links = []
    if workers > 1:
        with get_context("fork").Pool(workers) as pool:
            for found in pool.imap(_verify_chunk, chunks):
                links += found
    else:
        for chunk in chunks:
            links += _verify_chunk(chunk)
    _add(timings, "candidates", t)
    groups, aligned = _groups_and_alignment("ours", ids, links, np.frombuffer(sizes, np.int64), published, texts, workers, timings)
    return {"timings": timings, "candidates": len(pairs), "links": len(links), "aligned_pairs": aligned,
            "groups": len(set(groups.values())), "quality": _scores(groups, wires),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _baseline_sketch(texts: list[str]):
    from datasketch import MinHash

    from storyline.stages.reprints.shingling import normal_words

    out = []
    for text in texts:
        words = normal_words(text).split(" ")
        grams = {" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)}
        m = MinHash(num_perm=128)
        m.update_batch(list(grams))
        exact = np.unique(np.fromiter((hash(g) for g in grams), np.int64, len(grams)))
        out.append((m.hashvalues, exact))
    return out


def run_baseline(n: int, seed: int, data: str, workers: int, tmp: Path) -> dict:
    from datasketch import LeanMinHash, MinHash, MinHashLSH


    timings: dict[str, float] = {}
    ids, wires, published, sizes = [], [], [], []
    signatures: list[np.ndarray] = []
    exact_sets: list[np.ndarray] = []
    texts = _Spill(tmp / "base.texts")
    pool = get_context("fork").Pool(workers) if workers > 1 else None
    pending: list[list[dict]] = []

    def sketch(batches: list[list[dict]]) -> None:
        t = _now()
        jobs = [[r["text"] for r in b] for b in batches]
        for result in (pool.map(_baseline_sketch, jobs) if pool else map(_baseline_sketch, jobs)):
            for hv, exact in result:
                signatures.append(hv)
                exact_sets.append(exact)
                sizes.append(len(exact))
        _add(timings, "signatures", t)

    for batch in _batches(n, seed, data):
        for r in batch:
            ids.append(r["id"])
            wires.append(r["wire"])
            published.append(r["published"])
            texts.add(r["text"].encode())
        pending.append(batch)
        if len(pending) == max(workers, 1):
            sketch(pending)
            pending = []
    if pending:
        sketch(pending)
    if pool:
        t = _now()
        pool.close()
        pool.join()
        _add(timings, "signatures", t)
    texts.flush()
    t = _now()
    lsh = MinHashLSH(threshold=0.2, num_perm=128)
    seed_mh = MinHash(num_perm=128)
    lean = []
    for i, hv in enumerate(signatures):
        m = LeanMinHash(seed=seed_mh.seed, hashvalues=hv)
        lean.append(m)
        lsh.insert(i, m)
    candidates = set()
    for i, m in enumerate(lean):
        for j in lsh.query(m):
            if j != i:
                candidates.add((min(i, j), max(i, j)))
    global _EXACT
    _EXACT = exact_sets
    pairs = np.asarray(sorted(candidates), np.int64).reshape(-1, 2)
    chunks = [pairs[start : start + VERIFY_CHUNK] for start in range(0, len(pairs), VERIFY_CHUNK)]
    links = []
    if workers > 1:    # in worker processes, as ours
        with get_context("fork").Pool(workers) as pool:
            for found in pool.imap(_verify_exact_chunk, chunks):
                links += found
    else:
        for chunk in chunks:
            links += _verify_exact_chunk(chunk)
    _add(timings, "candidates", t)
    groups, aligned = _groups_and_alignment("baseline", ids, links, np.asarray(sizes), published, texts, workers, timings)
    return {"timings": timings, "candidates": len(candidates), "links": len(links), "aligned_pairs": aligned,
            "groups": len(set(groups.values())), "quality": _scores(groups, wires),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(argv: list[str]) -> None:
    side, n, seed, data, workers = argv[0], int(argv[1]), int(argv[2]), argv[3], int(argv[4])
    with tempfile.TemporaryDirectory(prefix="bench-reprints-") as tmp:
        run = run_ours if side == "ours" else run_baseline
        print("RESULT " + json.dumps(run(n, seed, data, workers, Path(tmp))))


PHASES = ("signatures", "candidates", "groups", "alignment")


def _report(name: str, n: int, res: dict) -> None:
    t = res["timings"]
    wall = sum(t[p] for p in PHASES)
    cpu = sum(t[p + "_cpu"] for p in PHASES)
    print(f"{name:<9} articles/s (wall clock): signatures {n / t['signatures']:.0f}, candidates+check "
          f"{n / t['candidates']:.0f}, groups {n / t['groups']:.0f}, alignment {n / t['alignment']:.0f}; "
          f"whole stage {n / wall:.0f} ({wall:.1f}s)")
    print(f"{'':<9} articles per CPU-second: signatures {n / t['signatures_cpu']:.0f}, candidates+check "
          f"{n / t['candidates_cpu']:.0f}, alignment {n / t['alignment_cpu']:.0f}; whole stage {n / cpu:.0f} "
          f"({cpu:.1f} CPU-s); peak RSS {res['peak_rss_mb']:.0f} MB")
    q = res["quality"]
    print(f"{'':<9} {res['candidates']} candidate pairs, {res['links']} links, {res['groups']} groups, "
          f"{res['aligned_pairs']} pairs aligned; pairs vs gold P {q['precision']:.3f} R {q['recall']:.3f} F1 {q['f1']:.3f}")


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--child":
        _child(argv[1:])
        return
    parser = argparse.ArgumentParser(prog="bench_reprints")
    parser.add_argument("--n", type=int, default=20_000, help="articles (default 20,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=None, help="labelled data folder (default ../shared/data)")
    parser.add_argument("--workers", type=int, default=2, help="processes for sketches and alignment")
    parser.add_argument("--no-baseline", action="store_true", help="skip datasketch (e.g. at 1M)")
    args = parser.parse_args(argv)
    from storyline.evaluation import resolve_data_dir

    data = str(resolve_data_dir(args.data).resolve())
    sides = ["ours"] + ([] if args.no_baseline else ["baseline"])
    results = {}
    print(f"{args.n} synthetic articles (seed {args.seed}) from {data}; {args.workers} worker(s); "
          f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    for side in sides:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_reprints", "--child", side, str(args.n),
                               str(args.seed), data, str(args.workers)], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(f"{side} failed:\n{proc.stderr[-3000:]}")
            return
        results[side] = json.loads(lines[-1][7:])
        _report(side, args.n, results[side])
    if "baseline" in results:
        ours, base = results["ours"]["timings"], results["baseline"]["timings"]
        for kind, suffix in (("wall clock", ""), ("CPU time", "_cpu")):
            ratio = {p: base[p + suffix] / ours[p + suffix] for p in PHASES if ours[p + suffix] > 0}
            total = sum(base[p + suffix] for p in PHASES) / sum(ours[p + suffix] for p in PHASES)
            print(f"speed-up over baseline ({kind}): " + ", ".join(f"{k} {v:.1f}x" for k, v in ratio.items())
                  + f"; whole stage {total:.1f}x")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
