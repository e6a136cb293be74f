"""What merging split-off stories after clustering would give (an experiment, not a stage).

    python -m benchmarks.run story_consolidation [-- --data DIR]

After the online clusterer (with embeddings, as `storyline eval stories`), a one-article
story joins another whose IDF-weighted centroid cosine is at least T (within a day of it when
both are dated). Story B-cubed F1 on NeuS val, AllSides 2021 (without and with its dates) and
ECB+ topics 1-25, for a few T around the story bar (STORY_SIMILARITY).
"""

from __future__ import annotations

import argparse

import numpy as np

from storyline.evaluation import resolve_data_dir
from storyline.evaluation import stories as ev
from storyline.evaluation.metrics import bcubed
from storyline.stages.stories import clustering as sc
from storyline.stages.unionfind import UnionFind

BARS = (0.20, 0.25, 0.30)


def consolidated(state: sc.ClusterState, placed: dict[str, str], bar: float) -> dict[str, str]:
    import scipy.sparse as sp

    ids = list(state.stories)
    cols, vals, lens = [], [], []
    for sid in ids:
        c = state.stories[sid]
        w = c.sums * state.idf(c.ids)
        cols.append(c.ids)
        vals.append(w / (np.linalg.norm(w) or 1.0))
        lens.append(len(c.ids))
    m = sp.csr_matrix((np.concatenate(vals), (np.repeat(np.arange(len(ids)), lens), np.concatenate(cols))),
                      shape=(len(ids), 1 << sc.HASH_BITS))
    sims = (m @ m.T).toarray()
    groups = UnionFind()
    for i, j in zip(*np.nonzero(np.triu(sims >= bar, k=1)), strict=True):
        a, b = state.stories[ids[i]], state.stories[ids[j]]
        if min(a.units, b.units) > 1:
            continue
        if a.first_day is not None and b.first_day is not None and a.day_gap(b.first_day) > 1:
            continue
        groups.union(ids[i], ids[j])
    return {art: groups.find(story) for art, story in placed.items()}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_story_consolidation")
    parser.add_argument("--data", default=None)
    data = resolve_data_dir(parser.parse_args(argv).data)
    corpora = [("NeuS val", ev.load_neus(data, "val"), "neus-val"), ("AllSides 2021", ev.load_allsides(data), "allsides"),
               ("AllSides dated", ev.load_allsides(data, dated=True), "allsides"), ("ECB+ 1-25", ev.load_ecbplus(data), "ecbplus")]
    for name, (articles, truth), cache in corpora:
        embeddings = ev.corpus_embeddings(cache, articles)[0]
        state, placed = sc.cluster_articles(articles, {}, embeddings=embeddings)
        scores = [f"T {bar:.2f} {bcubed(consolidated(state, placed, bar), truth)[2]:.3f}" for bar in BARS]
        print(f"{name:<15} story F1 {bcubed(placed, truth)[2]:.3f}; singletons merged at " + ", ".join(scores))
