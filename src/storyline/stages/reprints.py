"""Reprints: articles that carry mostly the same source text.

Candidates come from MinHash LSH over word shingles with many small bands, so that pairs of
low whole-document Jaccard but high containment (a short copy of a long story, a copy with
added paragraphs) still meet; never all pairs. Each candidate pair is then verified on the
exact shingle sets. A pair whose shorter text is mostly found in the longer one is a reprint
link; reprint groups are the connected components of those links, so they do not depend on
the order articles arrive in. Weaker overlap is kept as a reuse link.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rensa import RMinHash

from storyline.records import ArticleForGrouping
from storyline.store import Store

SHINGLE_WORDS = 5
NUM_PERM = 128
ROWS_PER_BAND = 2  # 64 bands of 2 rows: a pair of Jaccard 0.15 meets with probability ~0.77
SEED = 42
# Share of the shorter article's shingles found in the longer one.
REPRINT_CONTAINMENT = 0.30
REUSE_CONTAINMENT = 0.08
MIN_SHINGLES = 20  # below this an article is too short to call a reprint of anything

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    tokens = words(text)
    if len(tokens) < k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


def signature(text: str) -> tuple[int, bytes, list[int]]:
    """(number of shingles, MinHash digest as bytes, one LSH bucket per band)."""
    grams = shingles(text)
    mh = RMinHash(num_perm=NUM_PERM, seed=SEED)
    mh.update(sorted(grams))
    digest = mh.digest()
    packed = struct.pack(f"<{NUM_PERM}I", *digest)
    buckets = []
    for band in range(NUM_PERM // ROWS_PER_BAND):
        part = packed[band * ROWS_PER_BAND * 4 : (band + 1) * ROWS_PER_BAND * 4]
        buckets.append(int.from_bytes(hashlib.blake2b(part, digest_size=8).digest(), "little", signed=True))
    return len(grams), packed, buckets


def overlap(a: set[str], b: set[str]) -> tuple[float, float]:
    """(containment of the smaller set in the larger, Jaccard)."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / min(len(a), len(b)), common / len(a | b)


def classify_pair(a: set[str], b: set[str]) -> tuple[float, float, bool] | None:
    """(containment, jaccard, is_reprint) for a pair worth a link, else None."""
    containment, jaccard = overlap(a, b)
    if containment < REUSE_CONTAINMENT:
        return None
    reprint = containment >= REPRINT_CONTAINMENT and min(len(a), len(b)) >= MIN_SHINGLES
    return containment, jaccard, reprint


def connected_groups(links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """article id -> group id, for every article in a component of two or more.

    The group id derives from the smallest member id, so it is the same whatever order the
    links were found in.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, list[str]] = {}
    for x in parent:
        members.setdefault(find(x), []).append(x)
    out = {}
    for root, group in members.items():
        gid = "rg-" + hashlib.sha1(root.encode()).hexdigest()[:10]
        for x in group:
            out[x] = gid
    return out


class ReprintStage:
    name: ClassVar[str] = "reprints"
    version: ClassVar[int] = 1
    batch_size: ClassVar[int] = 1000

    def pending(self, store: Store) -> list[str]:
        return store.pending_signatures(self.version)

    def load(self, store: Store, ids: Sequence[str]) -> list[ArticleForGrouping]:
        return store.articles_for_grouping(ids)

    def process(self, batch: list[ArticleForGrouping]) -> list[tuple[str, int, bytes, list[int]]]:
        return [(art.id, *signature(art.text)) for art in batch]

    def save(self, store: Store, results: list[tuple[str, int, bytes, list[int]]]) -> None:
        store.save_signatures(results, self.version)

    def finish(self, store: Store) -> dict:
        new = store.unlinked_articles()
        cache: dict[str, set[str]] = {}

        def grams(ids: Sequence[str]) -> None:
            missing = [i for i in ids if i not in cache]
            for art_id, text in store.clean_texts(missing).items():
                cache[art_id] = shingles(text)

        for article_id in new:
            candidates = store.lsh_candidates(article_id)
            grams([article_id, *candidates])
            links = []
            for other in candidates:
                found = classify_pair(cache.get(article_id, set()), cache.get(other, set()))
                if found:
                    links.append((other, *found))
            store.save_reprint_links(article_id, links)
        fingerprint = store.table_fingerprint("reprint_links")
        if not store.stage_done(self.name + ":groups", self.version, fingerprint):
            groups = connected_groups((a, b) for a, b, _, _, rep in store.reprint_links() if rep)
            store.replace_reprint_groups(groups)
            store.mark_stage_done(self.name + ":groups", self.version, fingerprint)
        groups = store.reprint_groups()
        return {"linked": len(new), "groups": len(set(groups.values())), "articles_in_groups": len(groups)}
