"""Reprints: articles that carry mostly the same source text, and partial reuse of text.

Map (`process`, per batch, no I/O): each article's word-5-shingle sketch (shingling.py):
all shingle hashes, and a consistent 1-in-8 sample of them used as index keys.

Reduce (`finish`, over the whole store, incremental):
1. Candidates: articles sharing at least MIN_SHARED_SAMPLES sample keys, found by sorting all
   keys in memory (read from the stored sketches into one buffer), one slice of the key space
   at a time in each of CANDIDATE_THREADS threads, each slice's pair counts merged into one
   sorted array of distinct pairs: a few seconds per million articles, and nothing per-band
   to store. Only pairs touching a new or changed article are considered; never all pairs.
   A key in more than MAX_KEY_ARTICLES articles (a story carried by many outlets, or
   boilerplate) pairs each article only with the next one holding it.
2. Verification on the exact shingle sets: containment = shared shingles / shingles of the
   shorter article.
3. The rule, tuned on news_dev (`storyline eval reprints`): a pair is a *reprint link* when
   containment >= REPRINT_CONTAINMENT and the shorter article has >= MIN_SHINGLES shingles;
   a *reuse link* when containment >= REUSE_CONTAINMENT. On news_dev the gold reprint pairs
   have containment 0.36 or more (one chained pair 0.21), the closest non-reprint pairs (same
   story, shared quotes) 0.28, 0.28, 0.24: the threshold sits in that gap.
4. Groups (`reprint_groups`): reprint links with containment >= STRONG_CONTAINMENT join their
   articles; weaker ones join two multi-article groups only when they tie two or more
   articles on each side, and attach an article with no strong link through its best weak
   link alone, so one borderline link never chains two stories. Identified by their smallest
   member id, so the same whatever order articles arrive in. Per group the fullest copy (most
   shingles) and the earliest (earliest known publication date; unknown when none known).
5. Alignment (alignment.py): each member against its group's fullest copy (what it
   removed, changed and added) and each reuse link (the longer article as reference).

Steps 2 and 5 are pure functions over chunks (`verify_pairs`, `align_many`) that `finish`
runs through the executor's `map_chunks` (worker processes under `storyline run --workers
N`), reading each chunk's inputs and storing its results, in order, in this process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

import numpy as np

from storyline.records import ArticleForGrouping, Link
from storyline.stages.base import MapChunks, serial_map
from storyline.stages.reprints.alignment import align_many
from storyline.stages.reprints.links import (
    alignment_pairs,
    candidate_pairs_flat,
    describe_groups,
    reprint_groups,
    verify_pairs,
)
from storyline.stages.reprints.shingling import (
    Sketch,
    sketch_many,
)
from storyline.store import Store


class ReprintStage:
    name: ClassVar[str] = "reprints"
    version: ClassVar[int] = 4   # 4: 32-bit sample keys (a subset of the hashes)
    batch_size: ClassVar[int] = 2000
    verify_chunk: ClassVar[int] = 20_000   # candidate pairs verified per call (their hashes read once)
    align_chunk: ClassVar[int] = 2_000     # pairs aligned (and stored) per transaction

    def pending(self, store: Store) -> list[str]:
        return store.pending_sketches(self.version)

    def load(self, store: Store, ids: Sequence[str]) -> list[ArticleForGrouping]:
        return store.articles_for_grouping(ids)

    def process(self, batch: list[ArticleForGrouping]) -> list[Sketch]:
        return sketch_many([a.id for a in batch], [a.text for a in batch])

    def save(self, store: Store, results: list[Sketch]) -> None:
        store.save_sketches(results, self.version)

    def finish(self, store: Store, map_chunks: MapChunks = serial_map) -> dict:
        linked = self.link_new(store, map_chunks)
        shingles = store.sketch_sizes()
        fingerprint = store.table_fingerprint("reprint_links")
        if not store.stage_done(self.name + ":groups", self.version, fingerprint):
            groups = reprint_groups((a, b, c) for a, b, c, _, _ in store.reprint_links(reprint=True))
            infos = describe_groups(groups, shingles, store.published_dates(list(groups)))
            store.replace_reprint_groups(groups, infos)
            store.mark_stage_done(self.name + ":groups", self.version, fingerprint)
        aligned = self.align_needed(store, map_chunks, shingles)
        groups = store.reprint_groups()
        return {"linked": linked, "aligned": aligned, "groups": len(set(groups.values())),
                "articles_in_groups": len(groups)}

    def link_new(self, store: Store, map_chunks: MapChunks = serial_map) -> int:
        """Find, verify and store the links of every article not linked yet. The exact check
        runs chunk by chunk through `map_chunks` (`verify_pairs`: pure)."""
        ids, keys, lengths, new_mask = store.sketch_samples()
        new_ids = [ids[i] for i in np.flatnonzero(new_mask).tolist()]
        if not new_ids:
            return 0
        pairs = candidate_pairs_flat(keys, lengths, new_mask)
        del keys

        def inputs() -> Iterator[tuple[list[tuple[str, str]], dict[str, bytes]]]:
            for start in range(0, len(pairs), self.verify_chunk):
                chunk = pairs[start : start + self.verify_chunk]
                named = [(ids[i], ids[j]) for i, j in chunk.tolist()]
                yield named, store.sketch_hashes(sorted({ids[i] for i in np.unique(chunk).tolist()}))

        found = [link for links in map_chunks(verify_pairs, inputs()) for link in links]
        store.replace_links_of(new_ids, found)
        return len(new_ids)

    def align_needed(self, store: Store, map_chunks: MapChunks = serial_map,
                     shingles: dict[str, int] | None = None) -> int:
        """Store the alignments now needed and drop those no longer needed; returns how many
        pairs were aligned. Chunks are aligned through `map_chunks` (`align_many`: pure) and
        stored in order, one transaction each. `shingles`: `store.sketch_sizes()`, if read."""
        shingles = store.sketch_sizes() if shingles is None else shingles
        infos = store.reprint_group_infos()
        reuse = [Link(*row) for row in store.reprint_links(reprint=False)]
        needed = alignment_pairs(infos, reuse, shingles)
        stored = store.aligned_pairs()
        store.drop_alignments(sorted(stored - needed))
        todo = sorted(needed - stored)
        chunks = [todo[start : start + self.align_chunk] for start in range(0, len(todo), self.align_chunk)]
        inputs = ((chunk, store.clean_texts(sorted({x for pair in chunk for x in pair}))) for chunk in chunks)
        for chunk, alignments in zip(chunks, map_chunks(align_many, inputs), strict=True):
            store.save_alignments(list(zip(chunk, alignments, strict=True)))
        return len(todo)
