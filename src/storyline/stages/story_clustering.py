"""Online story and storyline clustering: plain functions and one state object, no I/O.

Articles are taken one at a time in a canonical order (publication day where known, then
arrival), and each joins the most similar existing story or starts a new one; a new story
joins the most similar storyline or starts one. Similarity is an IDF-weighted cosine between
the article's term vector and the story's centroid, with the IDF taken from the articles seen
so far, damped by the gap in days when both sides are dated. Candidate stories come from an
inverted index over each story's rarest terms (bounded posting lists), never all pairs, so
the cost per article does not grow with the corpus.

A reprint group counts once: its first member (in canonical order) is compared and added to
a centroid; later copies follow it into its story without weighing on the centroid.

Everything is a function of the articles in canonical order, so the same input gives the
same stories whatever the batches were; the stage replays from scratch in the rare case
where a late article sorts before ones already placed (see stages/stories.py).
"""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

HASH_BITS = 21  # terms are hashed into 2M buckets: document frequencies fit one small array
MAX_TOKENS = 600  # an article's lead carries its story; the tail adds noise and time
TITLE_BOOST = 3  # a headline token counts as this many body tokens
CENTROID_TERMS = 300  # a story keeps its heaviest terms only
QUERY_TERMS = 12  # rarest terms of an article used to look up candidate stories
INDEX_TERMS = 12  # rarest terms of each unit under which its story is indexed
POSTING_LIMIT = 64  # only the latest stories under a term are candidates
MIN_DF_SHARE = 0.2  # terms in more than this share of articles are not indexed

STORY_SIMILARITY = 0.32  # join a story at or above this (after date damping)
STORYLINE_SIMILARITY = 0.18
SAME_DAY_SPAN = 1  # a story's coverage runs this many days around its dated articles
DAY_DECAY = 0.5  # per extra day apart the similarity is multiplied by this
STORYLINE_DAYS = 800  # stories further apart than this are not one storyline

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without diacritics, so Zürich, Zurich and ZÜRICH are one term."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Function words of every language stop-words ships, folded. Language tags are often
    missing or wrong, and with a few articles per language their IDF cannot tell them apart
    from content words, so that two Spanish articles look alike for being Spanish."""
    import stop_words as sw

    words: set[str] = set()
    for lang in sw.AVAILABLE_LANGUAGES:
        words.update(fold(w) for w in sw.get_stop_words(lang))
    return frozenset(words)


def tokens(text: str) -> list[str]:
    stop = stop_words()
    return [t for t in _WORD.findall(fold(text)) if (len(t) > 1 or t.isdigit()) and t not in stop]


def term_id(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) & ((1 << HASH_BITS) - 1)


def day_number(value: str | None) -> int | None:
    """Ordinal day of an ISO date; a month-only date ('2014-07') is not a day and gives None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


@dataclass(frozen=True)
class Unit:
    """One article, or the first copy of a reprint group, as the clusterer sees it."""

    id: str
    title: str | None
    text: str
    day: int | None
    group: str | None = None  # reprint group id, if any


@dataclass
class TermVector:
    """Sparse term weights: sorted term ids and their weights."""

    ids: np.ndarray
    weights: np.ndarray


def term_vector(title: str | None, text: str) -> TermVector:
    """Sublinear term frequencies of title (boosted) and the lead of the text, unit length."""
    counts = Counter(tokens(text)[:MAX_TOKENS])
    for tok in tokens(title or ""):
        counts[tok] += TITLE_BOOST
    merged: dict[int, float] = {}
    for tok, n in counts.items():
        tid = term_id(tok)
        merged[tid] = merged.get(tid, 0.0) + 1.0 + math.log(n)
    if not merged:
        return TermVector(np.zeros(0, np.int64), np.zeros(0, np.float32))
    ids = np.fromiter(sorted(merged), np.int64, len(merged))
    weights = np.fromiter((merged[i] for i in ids.tolist()), np.float32, len(ids))
    weights /= np.linalg.norm(weights)
    return TermVector(ids, weights)


@dataclass
class Cluster:
    """A story or a storyline: a centroid (summed unit vectors, heaviest terms) and its span."""

    id: str
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sums: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    units: int = 0
    first_day: int | None = None
    last_day: int | None = None
    parent: str | None = None  # a story's storyline
    norm_at: tuple[int, float] | None = None  # (documents seen, IDF-weighted norm) when computed

    def add(self, vec: TermVector, day: int | None) -> None:
        merged, inverse = np.unique(np.concatenate([self.ids, vec.ids]), return_inverse=True)
        sums = np.bincount(inverse, weights=np.concatenate([self.sums, vec.weights]))
        if len(merged) > 2 * CENTROID_TERMS:
            keep = np.sort(np.lexsort((merged, -sums))[:CENTROID_TERMS])
            merged, sums = merged[keep], sums[keep]
        self.ids, self.sums = merged, sums.astype(np.float32)
        self.units += 1
        self.norm_at = None
        if day is not None:
            self.first_day = day if self.first_day is None else min(self.first_day, day)
            self.last_day = day if self.last_day is None else max(self.last_day, day)

    def day_gap(self, day: int | None) -> int:
        if day is None or self.first_day is None:
            return 0
        return max(self.first_day - day, day - self.last_day, 0)


@dataclass
class ClusterState:
    """Everything the online clusterer knows; `to_arrays`/`from_arrays` persist it."""

    df: np.ndarray = field(default_factory=lambda: np.zeros(1 << HASH_BITS, np.int32))
    n_docs: int = 0
    stories: dict[str, Cluster] = field(default_factory=dict)
    storylines: dict[str, Cluster] = field(default_factory=dict)
    story_index: dict[int, list[str]] = field(default_factory=dict)
    line_index: dict[int, list[str]] = field(default_factory=dict)
    group_story: dict[str, str] = field(default_factory=dict)  # reprint group -> its story
    touched: set[str] = field(default_factory=set)  # stories changed since loaded

    def idf(self, ids: np.ndarray) -> np.ndarray:
        return np.log((self.n_docs + 1) / (self.df[ids] + 1)).astype(np.float32) + 1.0


def _centroid_norm(state: ClusterState, c: Cluster) -> float:
    """Norm of the IDF-weighted centroid, recomputed when the cluster or the IDF moved enough."""
    if c.norm_at and c.norm_at[0] * 1.1 >= state.n_docs:
        return c.norm_at[1]
    c.norm_at = (state.n_docs, float(np.linalg.norm(c.sums * state.idf(c.ids))) or 1.0)
    return c.norm_at[1]


def _similarity(state: ClusterState, q_ids: np.ndarray, q_w: np.ndarray, qnorm: float, c: Cluster) -> float:
    """IDF-weighted cosine between an article (q_w: weight x idf^2) and a centroid."""
    if not len(c.ids):
        return 0.0
    pos = np.minimum(np.searchsorted(c.ids, q_ids), len(c.ids) - 1)
    hit = c.ids[pos] == q_ids
    dot = float(np.dot(q_w[hit], c.sums[pos[hit]]))
    if dot <= 0.0:
        return 0.0
    return dot / (qnorm * _centroid_norm(state, c))


def _damped(sim: float, gap: int) -> float:
    if gap <= SAME_DAY_SPAN:
        return sim
    return sim * DAY_DECAY ** (gap - SAME_DAY_SPAN)


def _rare_terms(state: ClusterState, vec: TermVector, idf: np.ndarray, k: int) -> list[int]:
    """The k terms of highest weight x idf, leaving out near-universal ones."""
    if not len(vec.ids):
        return []
    limit = max(2.0, MIN_DF_SHARE * state.n_docs)
    score = vec.weights * idf
    order = np.lexsort((vec.ids, -score))
    out = []
    for i in order.tolist():
        if state.df[vec.ids[i]] <= limit:
            out.append(int(vec.ids[i]))
            if len(out) == k:
                break
    return out


def _candidates(index: dict[int, list[str]], terms: list[int]) -> list[str]:
    seen: dict[str, None] = {}
    for t in terms:
        for cid in index.get(t, ()):
            seen[cid] = None
    return list(seen)


def _index(index: dict[int, list[str]], terms: list[int], cid: str) -> None:
    """Put `cid` last under each term, keeping the POSTING_LIMIT latest: bounded work per article."""
    for t in terms:
        posting = index.setdefault(t, [])
        if posting and posting[-1] == cid:
            continue
        if cid in posting:
            posting.remove(cid)
        posting.append(cid)
        if len(posting) > POSTING_LIMIT:
            del posting[0]


def _best(state, index, q_ids, q_w, qnorm, terms, clusters, day, max_gap=None):
    best_id, best_sim = None, 0.0
    for cid in _candidates(index, terms):
        c = clusters[cid]
        gap = c.day_gap(day)
        if max_gap is not None and gap > max_gap:
            continue
        sim = _similarity(state, q_ids, q_w, qnorm, c)
        if max_gap is None:
            sim = _damped(sim, gap)
        if sim > best_sim or (sim == best_sim and best_id is not None and cid < best_id):
            best_id, best_sim = cid, sim
    return best_id, best_sim


def place(state: ClusterState, unit: Unit, new_id: str) -> tuple[str, bool]:
    """Put one unit into a story (existing or new, id `new_id`). Returns (story id, counted).

    A later copy of a reprint group already placed follows its group and is not counted.
    """
    if unit.group is not None and unit.group in state.group_story:
        return state.group_story[unit.group], False
    vec = term_vector(unit.title, unit.text)
    # This document's own terms count in the IDF it is compared with, as in batch TF-IDF.
    state.n_docs += 1
    if len(vec.ids):
        state.df[vec.ids] += 1
    idf = state.idf(vec.ids)
    qw = vec.weights * idf
    qnorm = float(np.linalg.norm(qw)) or 1.0
    q_w = qw * idf
    terms = _rare_terms(state, vec, idf, max(QUERY_TERMS, INDEX_TERMS))

    story_id, sim = _best(state, state.story_index, vec.ids, q_w, qnorm, terms, state.stories, unit.day)
    if story_id is None or sim < STORY_SIMILARITY:
        story_id = new_id
        line_id, line_sim = _best(
            state, state.line_index, vec.ids, q_w, qnorm, terms, state.storylines, unit.day, STORYLINE_DAYS
        )
        if line_id is None or line_sim < STORYLINE_SIMILARITY:
            line_id = "sl-" + new_id.removeprefix("st-")
            state.storylines[line_id] = Cluster(line_id)
        state.stories[story_id] = Cluster(story_id, parent=line_id)
    story = state.stories[story_id]
    line = state.storylines[story.parent]
    story.add(vec, unit.day)
    line.add(vec, unit.day)
    _index(state.story_index, terms[:INDEX_TERMS], story_id)
    _index(state.line_index, terms[:INDEX_TERMS], line.id)
    state.touched.add(story_id)
    if unit.group is not None:
        state.group_story[unit.group] = story_id
    return story_id, True


def canonical_keys(articles, days: dict[str, int | None]) -> dict[str, tuple[int, int]]:
    """Order key of each article: (its day, arrival) where dated; an undated article takes the
    latest day among articles that arrived before it, so it never sorts before them."""
    keys: dict[str, tuple[int, int]] = {}
    latest = 0
    for art in sorted(articles, key=lambda a: a.seq):
        day = days.get(art.id)
        if day is not None:
            latest = max(latest, day)
        keys[art.id] = (day if day is not None else latest, art.seq)
    return keys


def story_id_for(article_id: str) -> str:
    import hashlib

    return "st-" + hashlib.sha1(article_id.encode()).hexdigest()[:10]


def cluster_articles(articles, reprint_group: dict[str, str], state: ClusterState | None = None):
    """Place `articles` (ArticleForGrouping) in canonical order. Returns (state, {id: story})."""
    state = state or ClusterState()
    days = {a.id: day_number(a.published) for a in articles}
    keys = canonical_keys(articles, days)
    out: dict[str, str] = {}
    for art in sorted(articles, key=lambda a: keys[a.id]):
        unit = Unit(art.id, art.title, art.text, days[art.id], reprint_group.get(art.id))
        out[art.id], _ = place(state, unit, story_id_for(art.id))
    return state, out


# -- persistence: the state as a few flat arrays (no pickle: a database may come from anyone) --


def _pack_clusters(clusters: dict[str, Cluster], prefix: str) -> dict[str, np.ndarray]:
    items = list(clusters.values())
    lengths = np.array([len(c.ids) for c in items], np.int64)
    return {
        f"{prefix}_meta": np.array(json.dumps([[c.id, c.parent] for c in items]).encode()),
        f"{prefix}_nums": np.array(
            [[c.units, -1 if c.first_day is None else c.first_day, -1 if c.last_day is None else c.last_day]
             for c in items], np.int64).reshape(-1, 3),
        f"{prefix}_len": lengths,
        f"{prefix}_ids": np.concatenate([c.ids for c in items]) if items else np.zeros(0, np.int64),
        f"{prefix}_sums": np.concatenate([c.sums for c in items]) if items else np.zeros(0, np.float32),
    }


def _unpack_clusters(arrays, prefix: str) -> dict[str, Cluster]:
    meta = json.loads(bytes(arrays[f"{prefix}_meta"]).decode())
    nums = arrays[f"{prefix}_nums"]
    ends = np.cumsum(arrays[f"{prefix}_len"])
    ids, sums = arrays[f"{prefix}_ids"], arrays[f"{prefix}_sums"]
    out = {}
    start = 0
    for (cid, parent), (units, first, last), end in zip(meta, nums.tolist(), ends.tolist(), strict=True):
        out[cid] = Cluster(cid, ids[start:end].copy(), sums[start:end].copy(), units,
                           None if first < 0 else first, None if last < 0 else last, parent)
        start = end
    return out


def _pack_index(index: dict[int, list[str]], prefix: str) -> dict[str, np.ndarray]:
    return {f"{prefix}_index": np.array(json.dumps(sorted(index.items())).encode())}


def state_to_bytes(state: ClusterState) -> bytes:
    arrays = {
        "df": state.df, "n_docs": np.array([state.n_docs], np.int64),
        "groups": np.array(json.dumps(sorted(state.group_story.items())).encode()),
        **_pack_clusters(state.stories, "story"), **_pack_clusters(state.storylines, "line"),
        **_pack_index(state.story_index, "story"), **_pack_index(state.line_index, "line"),
    }
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def state_from_bytes(blob: bytes) -> ClusterState:
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        return ClusterState(
            df=arrays["df"].copy(), n_docs=int(arrays["n_docs"][0]),
            stories=_unpack_clusters(arrays, "story"), storylines=_unpack_clusters(arrays, "line"),
            story_index={t: p for t, p in json.loads(bytes(arrays["story_index"]).decode())},
            line_index={t: p for t, p in json.loads(bytes(arrays["line_index"]).decode())},
            group_story=dict(json.loads(bytes(arrays["groups"]).decode())),
        )


def settings_fingerprint() -> str:
    """Changes when a setting that shapes the clustering changes: stored state is then replayed."""
    names = sorted(n for n, v in globals().items() if n.isupper() and isinstance(v, int | float))
    return json.dumps({n: globals()[n] for n in names}, sort_keys=True)
