"""Latency of `storyline serve` on a large store: /api/stories and /api/stories/{id}.

    python -m benchmarks.run serve -- --db STORE [--requests 300] [--cores 0,1]

Starts `storyline serve` on loopback (pinned to `--cores` with taskset when available),
sends a bounded number of sequential keep-alive requests per scenario after a warm-up, and
prints p50/p95/p99/max in milliseconds. Story ids and filter values are sampled from the
store with a fixed seed. Build a store first, e.g. (see benchmarks/web_corpus.py):

    python -m benchmarks.web_corpus --data ../shared/data --articles 100000 -o c.jsonl
    storyline ingest c.jsonl --db big.db && storyline run --db big.db
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(db: Path, cores: str) -> Iterator[Callable[[str], tuple[float, int]]]:
    """`storyline serve` on db in a child process (pinned to `cores` with taskset, when given
    and available), and a timed GET against it: path -> (ms, body bytes). A non-200 answer
    stops the benchmark; the server is ended on the way out."""
    port = free_port()
    cmd = [sys.executable, "-m", "storyline", "serve", "--db", str(db), "--port", str(port)]
    if cores and shutil.which("taskset"):
        cmd = ["taskset", "-c", cores, *cmd]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"server did not start: {server.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def get(path: str) -> tuple[float, int]:
            t0 = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            ms = (time.perf_counter() - t0) * 1000
            if resp.status != 200:
                raise SystemExit(f"GET {path} -> {resp.status}: {body[:300]!r}")
            return ms, len(body)

        yield get
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def sample_store(db: Path, rng: random.Random) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    story_ids = [r[0] for r in con.execute("SELECT id FROM stories ORDER BY id")]
    sizes = dict(con.execute("SELECT story_id, count(*) FROM story_members GROUP BY story_id"))
    outlets = [r[0] for r in con.execute(
        "SELECT outlet FROM clean_articles WHERE outlet IS NOT NULL GROUP BY outlet ORDER BY outlet")]
    days = [r[0] for r in con.execute(
        "SELECT DISTINCT first_seen FROM stories WHERE first_seen IS NOT NULL ORDER BY first_seen")]
    titles = [r[0] for r in con.execute("SELECT title FROM stories WHERE title IS NOT NULL LIMIT 2000")]
    con.close()
    words = sorted({w for t in titles for w in t.split() if w.isalpha() and len(w) > 5})
    return {"articles": n_articles, "stories": story_ids, "sizes": sizes, "outlets": outlets,
            "days": days, "words": words or ["the"]}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_serve")
    parser.add_argument("--db", required=True, help="an existing storyline database (read only)")
    parser.add_argument("--requests", type=int, default=300, help="requests per scenario (bounded)")
    parser.add_argument("--cores", default="0,1", help="CPU list for the server (taskset); '' for none")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--q", action="append", default=[], help="also time /api/stories?q=WORD (repeatable)")
    args = parser.parse_args(argv)
    db = Path(args.db)
    if not db.is_file():
        raise SystemExit(f"no database at {db}")
    rng = random.Random(args.seed)
    info = sample_store(db, rng)
    n_stories = len(info["stories"])
    sizes = sorted(info["sizes"].values())
    print(f"store: {db} ({db.stat().st_size / 2**20:.0f} MiB), {info['articles']} articles, {n_stories} stories; "
          f"story size median {statistics.median(sizes) if sizes else 0}, max {sizes[-1] if sizes else 0}")

    with served(db, args.cores) as get:
        def stories_page() -> str:
            return "/api/stories?" + urlencode({"offset": rng.randrange(0, max(1, min(n_stories, 5000))), "limit": 20})

        def filtered() -> str:
            kind = rng.randrange(4)
            if kind == 0 and info["outlets"]:
                params = {"outlet": rng.choice(info["outlets"])}
            elif kind == 1 and info["days"]:
                d = rng.choice(info["days"])
                params = {"date_from": d, "date_to": d}
            elif kind == 2:
                params = {"q": rng.choice(info["words"])}
            else:
                params = {"q": rng.choice(info["words"]), "outlet": rng.choice(info["outlets"] or [""])}
            return "/api/stories?" + urlencode(params)

        def story() -> str:
            return f"/api/stories/{rng.choice(info['stories'])}"

        def big_story() -> str:
            top = sorted(info["sizes"], key=lambda s: -info["sizes"][s])[:50]
            return f"/api/stories/{rng.choice(top)}"

        scenarios = [("/api/stories (pages)", stories_page), ("/api/stories/{id} (random)", story),
                     ("/api/stories (filters)", filtered), ("/api/stories/{id} (50 largest)", big_story)]
        scenarios += [(f"/api/stories?q={w}", lambda w=w: "/api/stories?" + urlencode({"q": w})) for w in args.q]
        for _ in range(20):  # warm-up: imports, page cache
            get(stories_page())
            get(story())
        print(f"{'scenario':<34} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  {'KiB/resp':>8}")
        results = {}
        for name, make in scenarios:
            times, sizes_b = [], []
            for _ in range(args.requests):
                ms, size = get(make())
                times.append(ms)
                sizes_b.append(size)
            results[name] = {"p50": percentile(times, 50), "p95": percentile(times, 95),
                             "p99": percentile(times, 99), "max": max(times)}
            r = results[name]
            print(f"{name:<34} {len(times):>5} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} {r['max']:>8.1f}"
                  f"  {statistics.mean(sizes_b) / 1024:>8.1f}")
        print(json.dumps({"target_p95_ms": 100, "results": results}))
