"""Online clustering alone, in memory: articles/s of `cluster_articles` (stories and storylines).

    python -m benchmarks.run clustering [-- --data DIR --articles 20000]

The synthetic corpus of bench_stories (news_dev's sentences, syndicated copies, a third
undated), term vectors made beforehand, no embeddings, no store: what placing costs per
article, best of three runs. To compare two versions, run it in a checkout of each, one
right after the other (the file only needs `cluster_articles`, `term_vector` and
bench_stories.generate).
"""

from __future__ import annotations

import argparse
import time

from benchmarks.bench_stories import generate
from storyline.evaluation import resolve_data_dir
from storyline.records import ArticleForGrouping
from storyline.stages.stories import clustering as sc


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_clustering")
    parser.add_argument("--data", default=None)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = generate(resolve_data_dir(args.data), args.articles)
    articles = [ArticleForGrouping(r["id"], i, r["text"], r["title"], None, r["published"] or None, "en")
                for i, r in enumerate(rows)]
    vectors = {a.id: sc.term_vector(a.title, a.text) for a in articles}
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        state, placed = sc.cluster_articles(articles, {}, vectors=vectors)
        best = min(best, time.perf_counter() - started)
    lines = {state.stories[s].parent for s in placed.values()}
    print(f"clustering {len(articles)} articles in memory: {len(articles) / best:,.0f} articles/s (best of "
          f"{args.repeat}); {len(set(placed.values()))} stories, {len(lines)} storylines")
