"""Cleaning throughput: articles/s for plain text and for HTML, on 1 and 2 processes.

    python -m benchmarks.run clean [-- --data DIR --copies N --processes P]

Plain text: the news_dev excerpts (about 2,000 characters of crawled page each). HTML: the
181 full pages of the Zyte benchmark (DIR/aeb). Each is run through `clean_article`, the
stage's pure function (extraction, line classifier, metadata, dates); storage is not timed.
The baseline for HTML is trafilatura's `extract` alone with its defaults, in the same run.
"""

from __future__ import annotations

import argparse
import json
import time
from multiprocessing import get_context

from storyline.evaluation import resolve_data_dir
from storyline.evaluation.clean import load_aeb
from storyline.records import RawArticle
from storyline.stages.clean.article import clean_article


def _clean_all(raws: list[RawArticle]) -> int:
    return sum(len(clean_article(raw).text) for raw in raws)


def _trafilatura_all(pages: list[str]) -> int:
    import trafilatura

    return sum(len(trafilatura.extract(html, include_comments=False) or "") for html in pages)


def _warm(_: int) -> int:
    # Imports and the language model load before the clock starts.
    import trafilatura  # noqa: F401

    return _clean_all([RawArticle(id="w", seq=0, format="text", body="Warm up line one.\nAnd a second line of text here.")])


def _timed(label: str, n: int, func, items: list, processes: int) -> None:
    if processes == 1:
        started = time.perf_counter()
        func(items)
        seconds = time.perf_counter() - started
    else:
        parts = [items[i::processes] for i in range(processes)]
        with get_context("spawn").Pool(processes) as pool:
            pool.map(_warm, range(processes))
            started = time.perf_counter()
            pool.map(func, parts, chunksize=1)
            seconds = time.perf_counter() - started
    print(f"  {label:<36} {processes} process(es): {n / seconds:7.1f} articles/s  ({n} in {seconds:.2f}s)")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_clean")
    parser.add_argument("--data", default=None)
    parser.add_argument("--copies", type=int, default=10, help="copies of news_dev for the plain-text run")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)
    data_dir = resolve_data_dir(args.data)
    rows = [json.loads(line) for line in (data_dir / "news_dev.jsonl").open(encoding="utf-8") if line.strip()]
    texts = [
        RawArticle(id=f"{row['id']}-{c}", seq=0, format="text", body=row["text"], url=row.get("url"))
        for c in range(args.copies) for row in rows
    ]
    pages, truth = load_aeb(data_dir)
    htmls = [
        RawArticle(id=key, seq=0, format="html", body=html, url=truth[key].get("url")) for key, html in pages.items()
    ]
    _clean_all(texts[:5] + htmls[:2])  # warm up: imports, language model
    print(f"plain text: {len(texts)} news_dev excerpts ({sum(len(r.body) for r in texts) // len(texts)} chars avg)")
    for processes in sorted({1, args.processes}):
        _timed("clean_article", len(texts), _clean_all, texts, processes)
    print(f"HTML: {len(htmls)} Zyte benchmark pages ({sum(len(r.body) for r in htmls) // len(htmls) // 1024} KiB avg)")
    for processes in sorted({1, args.processes}):
        _timed("clean_article", len(htmls), _clean_all, htmls, processes)
        _timed("baseline: trafilatura.extract alone", len(htmls), _trafilatura_all, [r.body for r in htmls], processes)
