"""How far story clustering can go with the signals the story stage has (not a speed figure).

    python -m benchmarks.run story_ceiling [-- --data DIR]

For news_dev (after the real pipeline), ECB+ topics 1-25 and AllSides 2021 it builds every
pair's similarity as the online clusterer sees it: IDF-weighted cosine of the stage's term
vectors (IDF over the whole corpus), the dense multilingual embedding mapped onto that scale
across languages, the day-gap damping where both are dated, reprint copies at 1. Then:

- pairwise AUC: same story against the hard negatives (same storyline or ECB+ topic, another
  story): how well one pair's similarity separates them, whatever the clustering;
- batch average-link over all pairs, and over each article's k nearest only (a sparse graph
  as a scalable clusterer would have), B-cubed F1 at each bar and the best bar. The best bar
  is picked on the answers: an optimistic ceiling, not a result.

The online clusterer's own figures are `storyline eval stories`. What this printed at the
stop that added it: pairwise AUC news_dev 0.901, ECB+ 0.909; all-pairs average-link peaks at
news_dev 0.873 (bar 0.28) and ECB+ 0.889 (0.16); over the 10 nearest, ECB+ reaches 0.935 at
bar 0.12, where news_dev is 0.686, and over the 5 nearest news_dev reaches 0.899 (0.20), where
ECB+ is 0.665. The two gold standards cut stories at different grains: an ECB+ event cluster
keeps follow-ups weeks apart; a news_dev story is one day's act.
"""

from __future__ import annotations

import argparse
import heapq
from collections import defaultdict
from itertools import combinations

import numpy as np

BARS = (0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24, 0.26, 0.28, 0.3, 0.33, 0.36)


def pair_matrix(articles, vectors, embeddings, groups) -> np.ndarray:
    """Similarity of every pair of `articles` (ArticleForGrouping) as the clusterer sees it."""
    import scipy.sparse as sp

    from storyline.stages.stories import clustering as sc

    n = len(articles)
    rows, cols, vals = [], [], []
    for r, art in enumerate(articles):
        vec = vectors[art.id]
        rows += [r] * len(vec.ids)
        cols += vec.ids.tolist()
        vals += vec.weights.tolist()
    x = sp.csr_matrix((vals, (rows, cols)), shape=(n, 1 << sc.HASH_BITS))
    df = np.asarray((x > 0).sum(0)).ravel()
    x = x.multiply(np.log((n + 1) / (df + 1)) + 1).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel())
    x = sp.diags(1 / np.where(norms > 0, norms, 1)) @ x
    sims = (x @ x.T).toarray()
    langs = np.array([a.language or "" for a in articles])
    if embeddings:
        unit = np.stack([embeddings.get(a.id, np.zeros(384, np.float32)) for a in articles])
        dense = unit @ unit.T
        cross = (langs[:, None] != langs[None, :]) & (langs[:, None] != "") & (langs[None, :] != "")
        sims = np.where(cross, np.maximum(sims, np.maximum(0, (dense - sc.DENSE_ZERO) * sc.DENSE_SCALE)), sims)
    days = np.array([sc.day_number(a.published) or -(10**7) for a in articles], float)
    dated = days > 0
    gap = np.abs(days[:, None] - days[None, :])
    both = dated[:, None] & dated[None, :]
    sims = np.where(both & (gap > sc.SAME_DAY_SPAN), sims * sc.DAY_DECAY ** np.maximum(gap - sc.SAME_DAY_SPAN, 0), sims)
    group = [groups.get(a.id) for a in articles]
    for i, j in combinations(range(n), 2):
        if group[i] and group[i] == group[j]:
            sims[i, j] = sims[j, i] = 1.0
    np.fill_diagonal(sims, 0.0)
    return sims


def pair_auc(sims: np.ndarray, story: list[str], line: list[str]) -> float:
    pos, neg = [], []
    for i, j in combinations(range(len(story)), 2):
        if story[i] == story[j]:
            pos.append(sims[i, j])
        elif line[i] == line[j]:
            neg.append(sims[i, j])
    p, q = np.array(pos)[:, None], np.array(neg)[None, :]
    return float((p > q).mean() + 0.5 * (p == q).mean())


def average_link(sims: np.ndarray, bar: float, knn: int | None = None) -> list[int]:
    """Average-link agglomeration down to `bar`; with knn, over each article's knn nearest
    only (a missing pair counts 0, as a sparse graph has it)."""
    n = len(sims)
    edges: dict[tuple[int, int], float] = {}
    for i in range(n):
        nearest = np.argsort(-sims[i])[:knn] if knn else np.nonzero(sims[i] > 0)[0]
        for j in nearest:
            if sims[i, j] > 0 and i != j:
                edges[(min(i, j), max(i, j))] = float(sims[i, j])
    size = dict.fromkeys(range(n), 1)
    links: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), s in edges.items():
        links[i][j] = links[j][i] = s
    heap = [(-s, i, j) for (i, j), s in edges.items()]
    heapq.heapify(heap)
    parent = list(range(n))
    while heap:
        neg, i, j = heapq.heappop(heap)
        if i not in links or j not in links or j not in links[i]:
            continue
        score = links[i][j] / (size[i] * size[j])
        if abs(score + neg) > 1e-12:
            continue  # stale
        if score < bar:
            break
        parent[j] = i
        for k, s in links.pop(j).items():
            if k != i:
                links[i][k] = links[i].get(k, 0.0) + s
                links[k][i] = links[i][k]
                del links[k][j]
        links[i].pop(j, None)
        size[i] += size[j]
        for k, s in links[i].items():
            heapq.heappush(heap, (-(s / (size[i] * size[k])), min(i, k), max(i, k)))

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    return [root(i) for i in range(n)]


def report(name: str, articles, sims, story, line) -> None:
    from storyline.evaluation.metrics import bcubed

    ids = [a.id for a in articles]
    truth = dict(zip(ids, story, strict=True))
    against = "any other story" if len(set(line)) == 1 else "hard negatives"
    print(f"{name}: {len(ids)} articles; pairwise AUC same story vs {against} {pair_auc(sims, story, line):.3f}")
    for label, knn in (("all pairs", None), ("10 nearest", 10), ("5 nearest", 5)):
        scores = [(bcubed(dict(zip(ids, average_link(sims, bar, knn), strict=True)), truth)[2], bar) for bar in BARS]
        best = max(scores)
        row = " ".join(f"{bar:.2f}:{f:.3f}" for f, bar in scores)
        print(f"  average-link, {label:10} best F1 {best[0]:.3f} at {best[1]:.2f} | {row}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_story_ceiling")
    parser.add_argument("--data", default=None)
    args = parser.parse_args(argv)

    from storyline.evaluation import resolve_data_dir
    from storyline.evaluation.news_dev import news_dev_store
    from storyline.evaluation.stories import corpus_embeddings, load_allsides, load_ecbplus
    from storyline.stages.stories import clustering as sc
    from storyline.stages.stories import embeddings as emb

    data = resolve_data_dir(args.data)
    with news_dev_store(data) as (gold, store, _):
        ids = [i for i, _, _ in store.story_inputs()]
        articles = store.story_briefs(ids)
        features = store.story_features_full(ids)
        groups = store.reprint_groups()
    vectors = {a: sc.vector_from_bytes(i, w) for a, (i, w, _) in features.items()}
    dense = {a: v for a, (_, _, b) in features.items() if (v := emb.from_bytes(b)) is not None}
    by_id = {r["id"]: r for r in gold}
    report("news_dev", articles, pair_matrix(articles, vectors, dense, groups),
           [by_id[a.id]["story"] for a in articles], [by_id[a.id]["storyline"] for a in articles])
    for name, loader in (("ecbplus", load_ecbplus), ("allsides", load_allsides)):
        arts, truth = loader(data)
        dense, _, _ = corpus_embeddings(name, arts)
        vectors = {a.id: sc.term_vector(a.title, a.text) for a in arts}
        story = [truth[a.id] for a in arts]
        # AllSides has no storylines: any other story is the negative there
        line = [s.split("/")[0] for s in story] if name == "ecbplus" else ["any"] * len(story)
        report(name, arts, pair_matrix(arts, vectors, dense, {}), story, line)
