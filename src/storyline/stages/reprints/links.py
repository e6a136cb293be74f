"""Reprint links and groups, plain functions: the candidate search, the exact check, the rule,
the groups.

See stage.py for the steps and the thresholds' reasons; the thresholds live here.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Sequence
from itertools import islice

import numpy as np

from storyline.records import GroupInfo, Link
from storyline.stages.reprints.shingling import (
    SAMPLE_BITS,
    decode_hashes,
    overlap,
)
from storyline.stages.unionfind import UnionFind

REPRINT_CONTAINMENT = 0.32


REUSE_CONTAINMENT = 0.08


STRONG_CONTAINMENT = 0.5   # a reprint link this strong joins groups; weaker ones only attach loose articles


MIN_SHINGLES = 20          # below this an article is too short to call a reprint of anything


MIN_SHARED_SAMPLES = 2     # ~16 shared shingles expected: containment 0.08 of a 200-shingle text


MAX_KEY_ARTICLES = 64      # a key in more articles pairs neighbours only (bounds memory: pairs per key)


KEY_PARTITIONS = 8         # candidate search in slices of the key space, to bound memory


CANDIDATE_THREADS = 2      # slices counted at once, each in a thread


def classify_pair(a: np.ndarray, b: np.ndarray) -> tuple[float, float, bool] | None:
    """(containment, jaccard, is_reprint) for a pair of shingle sets worth a link, else None."""
    containment, jaccard = overlap(a, b)
    if containment < REUSE_CONTAINMENT:
        return None
    reprint = containment >= REPRINT_CONTAINMENT and min(len(a), len(b)) >= MIN_SHINGLES
    return round(containment, 4), round(jaccard, 4), reprint


def candidate_pairs(
    samples: Sequence[np.ndarray], is_new: np.ndarray, min_shared: int = MIN_SHARED_SAMPLES,
    max_df: int = MAX_KEY_ARTICLES, partitions: int = KEY_PARTITIONS,
) -> np.ndarray:
    """Index pairs (i < j), as an (n, 2) array, of articles sharing >= `min_shared` sample
    keys where i or j is new. `samples[i]` holds article i's distinct keys."""
    lengths = np.fromiter((len(s) for s in samples), np.int64, len(samples))
    if not lengths.sum():
        return np.empty((0, 2), np.int64)
    return candidate_pairs_flat(np.concatenate(samples), lengths, is_new, min_shared, max_df, partitions)


def candidate_pairs_flat(
    keys: np.ndarray, lengths: np.ndarray, is_new: np.ndarray, min_shared: int = MIN_SHARED_SAMPLES,
    max_df: int = MAX_KEY_ARTICLES, partitions: int = KEY_PARTITIONS, threads: int = CANDIDATE_THREADS,
) -> np.ndarray:
    """`candidate_pairs` over every article's keys concatenated (`lengths[i]` keys of article
    i): what a caller holding a million sketches passes, to avoid a copy.

    Memory stays near the keys' own size: the key space is cut into `partitions` slices;
    each slice's keys are sorted, its pairs counted, and the counts merged into one sorted
    array of distinct pairs (code lo * n + hi, count), so no list of every (key, pair)
    occurrence is ever held. Slices are counted in `threads` threads (numpy's sorts and
    array operations run without the GIL), at most `threads` slices at a time; the result
    is the same for any number of threads."""
    n = len(lengths)
    if not len(keys):
        return np.empty((0, 2), np.int64)
    docs = np.repeat(np.arange(n, dtype=np.uint32), lengths)   # 4 bytes a key
    if partitions > 1:
        if partitions & (partitions - 1) == 0 and partitions <= 256:
            part = (keys >> np.uint32(SAMPLE_BITS)).astype(np.uint8) & np.uint8(partitions - 1)
        else:
            part = ((keys >> np.uint32(SAMPLE_BITS)) % np.uint32(partitions)).astype(np.uint8)
    else:
        part = np.zeros(len(keys), np.uint8)

    touching = None if is_new.all() else is_new   # None: every pair touches a new article

    def counted(p: int) -> tuple[np.ndarray, np.ndarray]:
        return _partition_counts(keys, docs, part, p, touching, n, max_df)

    acc_codes = np.empty(0, np.int64)
    acc_counts = np.empty(0, np.int32)
    if threads > 1 and partitions > 1:
        from concurrent.futures import Future, ThreadPoolExecutor

        with ThreadPoolExecutor(min(threads, partitions)) as pool:
            upcoming = iter(range(partitions))
            in_flight: deque[Future] = deque(pool.submit(counted, p) for p in islice(upcoming, threads))
            while in_flight:
                codes, counts = in_flight.popleft().result()
                # the next slice starts before this one is merged (in this thread)
                in_flight.extend(pool.submit(counted, p) for p in islice(upcoming, 1))
                acc_codes, acc_counts = _merge_counts(acc_codes, acc_counts, codes, counts)
                del codes, counts
    else:
        for p in range(partitions):
            acc_codes, acc_counts = _merge_counts(acc_codes, acc_counts, *counted(p))
    keep = acc_codes[acc_counts >= min_shared]
    return np.stack([keep // n, keep % n], axis=1)


def _partition_counts(keys: np.ndarray, docs: np.ndarray, part: np.ndarray, p: int,
                      is_new: np.ndarray | None, n: int, max_df: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct pair codes, and how many keys each pair shares, of slice `p`: the
    keys (uint32) where `part == p`, held by articles `docs` (uint32)."""
    sel = np.flatnonzero(part == p)
    # Sorting (key, article) as one 64-bit value: the order of a stable argsort by key (an
    # article holds a key once), several times faster, with no index array.
    kd = keys[sel].astype(np.uint64)
    kd <<= np.uint64(32)
    kd |= docs[sel]
    del sel
    kd.sort()
    d = (kd & np.uint64(0xFFFFFFFF)).astype(np.int32)
    kd >>= np.uint64(32)
    codes = _partition_pairs(kd, d, is_new, n, max_df)
    del kd, d
    if not len(codes):
        return codes, np.empty(0, np.int32)
    codes.sort()
    start = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    counts = np.diff(np.append(start, len(codes))).astype(np.int32)
    return codes[start], counts


def _partition_pairs(k: np.ndarray, d: np.ndarray, is_new: np.ndarray | None, n: int, max_df: int) -> np.ndarray:
    """Pair codes (lo * n + hi), one per (key, pair of its articles) touching a new article
    (`is_new`: None when every article is), for sorted keys `k` held by articles `d`, in
    no particular order."""
    run_start = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    run_len = np.diff(np.append(run_start, len(k)))
    shared = np.flatnonzero(run_len > 1)
    run_start, run_len = run_start[shared], run_len[shared]
    pair_codes = []
    big = run_len > max_df
    if big.any():
        # A key in very many articles: a wire story carried by hundreds of outlets, or
        # boilerplate. All its pairs would be quadratic; each article is paired with the
        # next one holding the key instead (linear), which keeps a big group connected
        # and costs boilerplate one cheap rejected check per article.
        starts, lens = run_start[big], run_len[big]
        owner = np.repeat(np.arange(len(starts)), lens - 1)
        at = starts[owner] + np.arange(int((lens - 1).sum())) - np.repeat(np.cumsum(lens - 1) - (lens - 1), lens - 1)
        pair_codes.append(_codes(d[at], d[at + 1], is_new, n))
        run_start, run_len = run_start[~big], run_len[~big]
    # Runs grouped by length: all pairs of each length's runs in one step.
    small = run_len.astype(np.uint16) if max_df < 1 << 16 else run_len   # 16 bits: a radix sort
    run_start = run_start[np.argsort(small, kind="stable")]
    per_size = np.bincount(run_len)
    ends = np.cumsum(per_size)
    for size in np.flatnonzero(per_size).tolist():
        starts = run_start[ends[size] - per_size[size] : ends[size]]
        ii, jj = np.triu_indices(size, 1)
        pair_codes.append(_codes(d[starts[:, None] + ii[None, :]].ravel(), d[starts[:, None] + jj[None, :]].ravel(), is_new, n))
    return np.concatenate(pair_codes) if pair_codes else np.empty(0, np.int64)


def _codes(left: np.ndarray, right: np.ndarray, is_new: np.ndarray | None, n: int) -> np.ndarray:
    if is_new is not None:
        touch = is_new[left] | is_new[right]
        left, right = left[touch], right[touch]
    left, right = left.astype(np.int64), right.astype(np.int64)
    return np.minimum(left, right) * n + np.maximum(left, right)


def _merge_counts(codes: np.ndarray, counts: np.ndarray, new_codes: np.ndarray,
                  new_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted arrays of distinct codes with counts -> one, counts added."""
    if not len(codes):
        return new_codes, new_counts
    at = np.searchsorted(codes, new_codes)
    found = at < len(codes)
    found[found] = codes[at[found]] == new_codes[found]
    counts[at[found]] += new_counts[found]
    fresh = ~found
    return np.insert(codes, at[fresh], new_codes[fresh]), np.insert(counts, at[fresh], new_counts[fresh])


def connected_groups(links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """article id -> group id, for every article in a component of two or more.

    The group id derives from the smallest member id, so it is the same whatever order the
    links were found in.
    """
    sets = UnionFind()
    for a, b in links:
        sets.union(a, b)
    out = {}
    for root, group in sets.groups().items():
        gid = "rg-" + hashlib.sha1(root.encode()).hexdigest()[:10]
        for x in group:
            out[x] = gid
    return out


def reprint_groups(links: Iterable[tuple[str, str, float]]) -> dict[str, str]:
    """Groups from reprint links (a, b, containment), guarded against chaining.

    Links with containment >= STRONG_CONTAINMENT join their articles outright. Weaker
    reprint links join two groups of several articles only when they tie at least two
    articles on each side (copies of one story cut or edited differently); a single weak
    link, such as one shared lead paragraph, does not (at a million articles such links
    chained stories into giant groups). An article with no strong link joins through its
    best weak link (highest containment, then smallest id) alone. A function of the set of
    links, so the same in any arrival order."""
    links = list(links)
    strong = [(a, b) for a, b, c in links if c >= STRONG_CONTAINMENT]
    core = connected_groups(strong)
    between: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    best: dict[str, tuple[float, str]] = {}
    for a, b, c in links:
        if c >= STRONG_CONTAINMENT:
            continue
        ga, gb = core.get(a), core.get(b)
        if ga and gb:
            if ga != gb:
                (ga, a), (gb, b) = sorted(((ga, a), (gb, b)))
                sides = between.setdefault((ga, gb), (set(), set()))
                sides[0].add(a)
                sides[1].add(b)
            continue
        for x, y, loose in ((a, b, ga is None), (b, a, gb is None)):
            if loose and (x not in best or (-c, y) < (-best[x][0], best[x][1])):
                best[x] = (c, y)
    joins = strong + [(x, y) for x, (_, y) in best.items()]
    joins += [(min(sa), min(sb)) for sa, sb in between.values() if len(sa) >= 2 and len(sb) >= 2]
    return connected_groups(joins)


def describe_groups(
    groups: dict[str, str], shingles: dict[str, int], published: dict[str, str | None]
) -> list[GroupInfo]:
    """Fullest copy (most shingles, then smallest id) and earliest copy (earliest known date,
    then fullest, then smallest id; None when no member has a date) of each group."""
    members: dict[str, list[str]] = {}
    for article_id, gid in groups.items():
        members.setdefault(gid, []).append(article_id)
    out = []
    for gid, ids in sorted(members.items()):
        ids.sort()
        fullest = min(ids, key=lambda i: (-shingles.get(i, 0), i))
        dated = [i for i in ids if published.get(i)]
        earliest = min(dated, key=lambda i: (published[i], -shingles.get(i, 0), i)) if dated else None
        out.append(GroupInfo(gid, tuple(ids), fullest, earliest))
    return out


def alignment_pairs(infos: Iterable[GroupInfo], reuse: Iterable[Link], shingles: dict[str, int]) -> set[tuple[str, str]]:
    """(reference, copy) pairs whose passages are stored: every member against its group's
    fullest copy, and every reuse link with the fuller article as reference."""
    pairs = {(g.fullest, m) for g in infos for m in g.members if m != g.fullest}
    for link in reuse:
        ref, copy = sorted((link.a, link.b), key=lambda i: (-shingles.get(i, 0), i))
        pairs.add((ref, copy))
    return pairs


def verify_pairs(pairs: Sequence[tuple[str, str]], hashes: dict[str, bytes]) -> list[tuple[str, str, float, float, bool]]:
    """The links among candidate `pairs` of article ids, as (a, b, containment, jaccard,
    is_reprint) with a < b, from each article's stored shingle hashes (`Sketch.hashes`)."""
    sets = {k: decode_hashes(v) for k, v in hashes.items()}
    out = []
    for x, y in pairs:
        a, b = (x, y) if x < y else (y, x)
        verdict = classify_pair(sets[a], sets[b])
        if verdict:
            out.append((a, b, *verdict))
    return out
