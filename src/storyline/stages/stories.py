"""Stories and storylines (version 0.1: batch average-link clustering).

Each reprint group counts once (its longest copy stands for it). Articles are compared by
TF-IDF cosine over title and text, damped by the gap between their dates when both are
known; average-link clustering under a distance threshold forms stories. Stories are then
clustered again, with a looser threshold and no date damping, into storylines.

The whole corpus is reclustered when its inputs change, so the result does not depend on
batch boundaries; that is quadratic in the number of distinct texts, fine for thousands of
articles. Online clustering for large corpora replaces it (issue: stories and storylines).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

import numpy as np

from storyline.records import ArticleForGrouping
from storyline.store import Store

STORY_DISTANCE = 0.80  # average-link cosine distance under which articles share a story
STORYLINE_DISTANCE = 0.93
DATE_GAP_DAYS = 2  # beyond this gap two dated articles are unlikely to be one story
DATE_DAMPING = 0.5


def _days(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def tfidf_vectors(texts: Sequence[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True, max_df=0.5, min_df=1, token_pattern=r"(?u)\b\w\w+\b")
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # every text empty or only stop-words
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 1))


def average_link(distance: np.ndarray, threshold: float) -> list[int]:
    """Cluster labels from a square distance matrix by average linkage."""
    n = distance.shape[0]
    if n == 1:
        return [0]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    np.fill_diagonal(distance, 0.0)
    condensed = squareform(np.clip(distance, 0.0, None), checks=False)
    tree = linkage(condensed, method="average")
    return [int(x) for x in fcluster(tree, t=threshold, criterion="distance")]


def cluster_stories(
    articles: Sequence[ArticleForGrouping], reprint_group: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(stories, storylines) for the given articles."""
    if not articles:
        return [], []
    # One representative per reprint group: its longest text.
    units: dict[str, list[ArticleForGrouping]] = {}
    for art in articles:
        units.setdefault(reprint_group.get(art.id, art.id), []).append(art)
    keys = sorted(units, key=lambda k: min(a.seq for a in units[k]))
    reps = [max(units[k], key=lambda a: (len(a.text), -a.seq)) for k in keys]
    texts = [f"{r.title or ''}\n{r.title or ''}\n{r.text}" for r in reps]
    vectors = tfidf_vectors(texts)
    similarity = (vectors @ vectors.T).toarray()
    days = [min((d for d in (_days(a.published) for a in units[k]) if d is not None), default=None) for k in keys]
    known = np.array([d is not None for d in days])
    day_arr = np.array([d if d is not None else 0 for d in days], dtype=float)
    gap = np.abs(day_arr[:, None] - day_arr[None, :])
    damp = np.where(known[:, None] & known[None, :] & (gap > DATE_GAP_DAYS), DATE_DAMPING, 1.0)
    labels = average_link(1.0 - similarity * damp, STORY_DISTANCE)

    clusters: dict[int, list[int]] = {}
    for idx, label in enumerate(labels):
        clusters.setdefault(label, []).append(idx)
    stories = []
    centroids = []
    for unit_idx in sorted(clusters.values(), key=lambda c: min(c)):
        members = sorted((a for i in unit_idx for a in units[keys[i]]), key=lambda a: a.seq)
        central = max(unit_idx, key=lambda i: similarity[i, unit_idx].sum())
        dated = sorted(a.published[:10] for a in members if a.published)
        stories.append({
            "id": "st-" + hashlib.sha1(members[0].id.encode()).hexdigest()[:10],
            "title": reps[central].title or _first_words(reps[central].text),
            "articles": [a.id for a in members],
            "first_seen": dated[0] if dated else None,
            "last_seen": dated[-1] if dated else None,
        })
        centroids.append(np.asarray(vectors[unit_idx].mean(axis=0)).ravel())

    matrix = np.vstack(centroids)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms == 0, 1, norms)
    line_labels = average_link(1.0 - matrix @ matrix.T, STORYLINE_DISTANCE)
    lines: dict[int, list[dict[str, Any]]] = {}
    for story, label in zip(stories, line_labels, strict=True):
        lines.setdefault(label, []).append(story)
    storylines = []
    for group in sorted(lines.values(), key=lambda g: g[0]["id"]):
        line_id = "sl-" + hashlib.sha1(group[0]["articles"][0].encode()).hexdigest()[:10]
        biggest = max(group, key=lambda s: len(s["articles"]))
        dated = sorted(d for s in group for d in (s["first_seen"], s["last_seen"]) if d)
        for story in group:
            story["storyline"] = line_id
        storylines.append({
            "id": line_id, "title": biggest["title"],
            "first_seen": dated[0] if dated else None, "last_seen": dated[-1] if dated else None,
        })
    return stories, storylines


def _first_words(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" ..." if len(words) > n else "")


class StoryStage:
    """A corpus stage with no per-article map step: all of its work is in `finish`."""

    name: ClassVar[str] = "stories"
    version: ClassVar[int] = 1
    batch_size: ClassVar[int] = 1

    def pending(self, store: Store) -> list[str]:
        return []

    def load(self, store: Store, ids: Sequence[str]) -> list:
        return []

    def process(self, batch: list) -> list:
        return batch

    def save(self, store: Store, results: list) -> None:
        pass

    def finish(self, store: Store) -> dict:
        fingerprint = store.table_fingerprint("clean_articles") + "/" + store.table_fingerprint("reprint_groups")
        if not store.stage_done(self.name, self.version, fingerprint):
            stories, storylines = cluster_stories(store.articles_for_grouping(), store.reprint_groups())
            store.replace_stories(stories, storylines)
            store.mark_stage_done(self.name, self.version, fingerprint)
        return {"stories": len(store.stories()), "storylines": len(store.storylines())}
