"""Speed of each step of the events-and-figures stage, in articles per second.

    python -m benchmarks.run events [-- --data DIR --copies N]

Steps, each timed alone over the same clean texts of news_dev (replicated N times): date
resolution, event typing of every sentence (lexicon, then the sub-type model), dated event mentions (dates +
typing + places + actors), figures and attribution; then the whole stage inside the
pipeline (map over articles, then the per-story reduce), from an already cleaned store.
One process: on a 2-core machine the second core is left to SQLite and the OS.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from storyline.evaluation import resolve_data_dir
from storyline.executor.local import LocalExecutor
from storyline.ingest import ingest
from storyline.pipeline import default_stages
from storyline.stages.events.figures import extract_figures
from storyline.stages.events.mentions import extract_event_mentions
from storyline.stages.events.types import classify_event
from storyline.store import Store
from storyline.text.date_mentions import resolve_dates
from storyline.text.sentences import sentences


def _rate(label: str, n: int, fn) -> None:
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:7.2f}s  {n / seconds:8.0f} articles/s")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_events")
    parser.add_argument("--data", default=None)
    parser.add_argument("--copies", type=int, default=5)
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in (resolve_data_dir(args.data) / "news_dev.jsonl").open()]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with src.open("w") as out:
            for copy in range(args.copies):
                for row in rows:
                    text = row["text"] + ("" if copy == 0 else f"\nEdition {copy}.")
                    out.write(json.dumps({"id": f"{row['id']}-c{copy}", "url": row["url"] + f"?c={copy}",
                                          "text": text, "published": row["published"] or None}) + "\n")
        with Store(Path(tmp) / "bench.db") as store:
            ingest(store, [str(src)])
            stages = default_stages()
            event_stage = stages[-1]
            LocalExecutor(store).run(stages[:-1])
            articles = store.articles_for_events(store.pending_extractions(event_stage.version))
            n = len(articles)
            dated = sum(1 for a in articles if a.published)
            print(f"articles: {n} ({dated} with a publication date)")
            _rate("dates (resolve every expression)", n,
                  lambda: [resolve_dates(a.text, a.published) for a in articles])
            _rate("event typing (lexicon+model, every sentence)", n,
                  lambda: [classify_event(a.text[s:e]) for a in articles for s, e in sentences(a.text)])
            _rate("dated event mentions", n,
                  lambda: [extract_event_mentions(a.id, a.text, a.published or "2000-01-01") for a in articles])
            _rate("figures + attribution", n, lambda: [extract_figures(a.id, a.text) for a in articles])
            started = time.perf_counter()
            (report,) = LocalExecutor(store).run([event_stage])
            seconds = time.perf_counter() - started
            print(f"  {'whole stage (map + reduce)':<34} {seconds:7.2f}s  {n / seconds:8.0f} articles/s  {report.stats}")
