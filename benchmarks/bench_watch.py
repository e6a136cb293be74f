"""Following feeds: entries/s fetched and stored, and the whole poll + run, against a local server.

    python -m benchmarks.run watch [-- --feeds 20 --entries 2000 --no-run --no-embeddings --data DIR]

A server in another process on 127.0.0.1 serves `--feeds` RSS feeds holding `--entries`
entries in all, each linking to an HTML page (the synthetic syndication corpus of
benchmarks/corpus.py, made from the real labelled articles, with page furniture), and a
robots.txt per host. The politeness delay is 0 (localhost). Measured in one run:
- the first poll: every feed fetched, every page fetched (robots.txt read) and stored;
- the same pages ingested from HTML files on disk (`storyline ingest`): the baseline, so
  the ratio is what HTTP and the watch's bookkeeping cost over reading files;
- a second poll with nothing changed (every feed answers 304);
- `storyline run` over what the poll stored (unless --no-run), and an alert check.
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import tempfile
import time
from pathlib import Path


def _pages(n: int, feeds: int, data: str | None) -> list[dict]:
    from benchmarks.corpus import generate

    out = []
    for i, row in enumerate(generate(n, 0, data)):
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in row["text"].split("\n") if p.strip())
        body = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(row['title'] or '')}</title>"
                f"</head><body><nav>Home | World | Business | Sport</nav><article><h1>{html.escape(row['title'] or '')}"
                f"</h1>{paragraphs}</article><footer>Copyright {html.escape(row['outlet'])}</footer></body></html>")
        out.append({"feed": i % feeds, "path": f"/f{i % feeds}/{i}", "title": row["title"] or f"Article {i}",
                    "published": row["published"], "body": body})
    return out


def _serve(pages: list[dict], feeds: int, ready) -> None:
    from datetime import datetime
    from email.utils import format_datetime

    from tests.ingest.feed_server import FeedServer, rss

    server = FeedServer()
    server.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    for p in pages:
        server.set(p["path"], p["body"])
    for f in range(feeds):
        items = [{"guid": p["path"], "link": server.url(p["path"]), "title": p["title"],
                  "pubDate": format_datetime(datetime.fromisoformat(p["published"] + "T12:00:00+00:00"))}
                 for p in pages if p["feed"] == f]
        server.set(f"/feed{f}.xml", rss(f"Outlet {f}", items), content_type="application/rss+xml", etag=f'"{f}"')
    ready.put(server.base)
    while True:
        time.sleep(3600)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.run watch")
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--data", default=None)
    parser.add_argument("--no-run", dest="run", action="store_false")
    parser.add_argument("--no-embeddings", dest="embeddings", action="store_false")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)

    from storyline.ingest import ingest
    from storyline.ingest.fetch import Fetcher, FetchPolicy
    from storyline.ingest.watch import poll
    from storyline.store import Store
    from storyline.views.alerts import check_alerts

    pages = _pages(args.entries, args.feeds, args.data)
    ready = multiprocessing.get_context("fork").Queue()
    proc = multiprocessing.get_context("fork").Process(target=_serve, args=(pages, args.feeds, ready), daemon=True)
    proc.start()
    base = ready.get(timeout=120)
    feeds = [f"{base}/feed{f}.xml" for f in range(args.feeds)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "pages"
            folder.mkdir()
            for i, p in enumerate(pages):
                (folder / f"{i:05d}.html").write_text(p["body"], encoding="utf-8")
            with Store(Path(tmp) / "files.db") as store:
                started = time.perf_counter()
                ingest(store, [str(folder)])
                files_s = time.perf_counter() - started

            with Store(Path(tmp) / "watch.db") as store, Fetcher(FetchPolicy(delay=0)) as fetcher:
                alerts_file = Path(tmp) / "alerts.jsonl"
                store.add_alert("bench", "the", str(alerts_file))
                started = time.perf_counter()
                first = poll(store, fetcher, feeds)
                poll_s = time.perf_counter() - started
                requests = fetcher.requests
                started = time.perf_counter()
                second = poll(store, fetcher, feeds)
                again_s = time.perf_counter() - started
                print(f"feeds {args.feeds}, entries {first.new_entries}, stored {first.stored}, "
                      f"failures {first.failures}, requests {requests}")
                print(f"first poll:  {poll_s:7.2f}s  {first.stored / poll_s:7.1f} entries/s fetched and stored")
                print(f"from files:  {files_s:7.2f}s  {len(pages) / files_s:7.1f} pages/s (`ingest` of the same HTML)"
                      f"  -> fetching costs {poll_s / files_s:.2f}x reading files")
                print(f"second poll: {again_s:7.2f}s  {second.not_modified} of {second.feeds} feeds 304, "
                      f"{second.stored} stored")
                if args.run:
                    from storyline.pipeline import run_pipeline

                    started = time.perf_counter()
                    run_pipeline(store, workers=args.workers, embeddings=args.embeddings)
                    run_s = time.perf_counter() - started
                    started = time.perf_counter()
                    told = check_alerts(store).sent["bench"]
                    alert_s = time.perf_counter() - started
                    print(f"run:         {run_s:7.2f}s  ({args.workers} worker(s), embeddings "
                          f"{'on' if args.embeddings else 'off'}); alert check {alert_s:.2f}s, {told} stories told")
                    print(f"poll + run:  {poll_s + run_s:7.2f}s")
    finally:
        proc.terminate()
        proc.join()
