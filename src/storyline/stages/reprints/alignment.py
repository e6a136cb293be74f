"""Passage alignment: which stretches of one article reappear in another, and how edited.

Seed and extend, over words (the same lower-cased `\\w+` words the shingles are made of,
hashed in numpy; stages/reprints/shingling.py):

1. Anchors: every word 4-gram of the copy found in the reference (4-grams that occur more
   than once in the reference anchor at their first occurrence).
2. Blocks: anchors on one diagonal at consecutive positions merge into an exact match
   block. Short blocks (fewer than MIN_BLOCK words) are kept only where they fit in order
   between their neighbours: a lone common phrase elsewhere is chance, not reuse.
3. Passages: blocks taken in the copy's order chain into one passage while both texts move
   forward by at most MAX_GAP words between blocks; a jump back or a long gap starts a new
   passage, so passages may come in any order (moved paragraphs). Passages with fewer than
   MIN_PASSAGE matched words are dropped.
4. Edits: inside a passage, the words between two blocks are an edit: `replace` (both sides
   have words: "IS" -> "Daesh"), `delete` (only the reference: a trim) or `insert` (only the
   copy). The reference words outside every passage are what the copy removed; the copy's
   words outside every passage are what it added.

Plain functions over strings: no store, no I/O. `align_many` tokenizes each text once for
many pairs (a group's fullest copy is the reference of every other member).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from storyline.stages.reprints.shingling import Tokens, word_tokens

ANCHOR_WORDS = 4
MIN_BLOCK = 6        # words in an exact block that stands on its own
MAX_GAP = 20         # words skipped on either side within one passage
MIN_PASSAGE = 8      # matched words for a passage to count

_MIX = [np.uint64(c) for c in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5)]


@dataclass(frozen=True)
class Edit:
    """One word-level change from the reference text to the copy."""

    op: str                 # "replace", "delete" (in reference, not in copy) or "insert"
    before: str             # the reference's words ("" for insert)
    after: str              # the copy's words ("" for delete)

    def as_list(self) -> list[str]:
        return [self.op, self.before, self.after]


@dataclass(frozen=True)
class Passage:
    """Shared text: character spans in the reference and in the copy, and the copy's edits."""

    ref_start: int
    ref_end: int
    copy_start: int
    copy_end: int
    similarity: float            # share of the passage's words unchanged, 0..1
    edits: tuple[Edit, ...] = ()


@dataclass
class Alignment:
    passages: list[Passage] = field(default_factory=list)
    ref_unmatched: list[tuple[int, int]] = field(default_factory=list)   # removed in the copy
    copy_unmatched: list[tuple[int, int]] = field(default_factory=list)  # added by the copy

def _grams(h: np.ndarray) -> np.ndarray:
    m = len(h) - ANCHOR_WORDS + 1
    if m <= 0:
        return np.empty(0, np.uint64)
    with np.errstate(over="ignore"):
        g = h[:m] * _MIX[0]
        for i in range(1, ANCHOR_WORDS):
            g = g + h[i : i + m] * _MIX[i]
    return g


class _RefIndex:
    """A reference text's word 4-grams, sorted for lookup (built once per reference)."""

    __slots__ = ("order", "sorted")

    def __init__(self, hashes: np.ndarray):
        grams = _grams(hashes)
        self.order = np.argsort(grams, kind="stable")
        self.sorted = grams[self.order]


def _blocks(ref: _RefIndex, copy: np.ndarray) -> list[tuple[int, int, int]]:
    """Exact match blocks (ref word, copy word, length in words), in the copy's order."""
    cg = _grams(copy)
    if not len(ref.sorted) or not len(cg):
        return []
    at = np.minimum(np.searchsorted(ref.sorted, cg), len(ref.sorted) - 1)
    hit = ref.sorted[at] == cg
    j = np.flatnonzero(hit)
    if not len(j):
        return []
    i = ref.order[at[hit]]
    diag = i - j
    brk = np.flatnonzero((np.diff(j) != 1) | (np.diff(diag) != 0)) + 1
    first = np.concatenate(([0], brk))
    last = np.concatenate((brk - 1, [len(j) - 1]))
    lengths = j[last] - j[first] + ANCHOR_WORDS
    return list(zip(i[first].tolist(), j[first].tolist(), lengths.tolist(), strict=True))


def _filter_blocks(blocks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Drop short blocks that do not sit in order between their long neighbours."""
    long_idx = [k for k, b in enumerate(blocks) if b[2] >= MIN_BLOCK]
    keep = []
    li = 0
    for k, (i, j, n) in enumerate(blocks):
        if n >= MIN_BLOCK:
            keep.append((i, j, n))
            continue
        while li < len(long_idx) and long_idx[li] < k:
            li += 1
        prev = blocks[long_idx[li - 1]] if li > 0 else None
        nxt = blocks[long_idx[li]] if li < len(long_idx) else None
        if prev is None or nxt is None:
            continue
        if prev[0] + prev[2] <= i and i + n <= nxt[0] and nxt[0] - prev[0] <= 3 * MAX_GAP:
            keep.append((i, j, n))
    return keep


def _align_tokens(ref_text: str, ref: Tokens, copy_text: str, copy: Tokens,
                  index: _RefIndex | None = None, found: list[tuple[int, int, int]] | None = None) -> Alignment:
    blocks = _filter_blocks(found if found is not None else _blocks(index or _RefIndex(ref.hashes), copy.hashes))
    result = Alignment()
    ref_cov: list[tuple[int, int]] = []     # word ranges inside passages
    copy_cov: list[tuple[int, int]] = []

    def words(text: str, tok: Tokens, a: int, b: int) -> str:
        return text[tok.starts[a] : tok.ends[b - 1]] if b > a else ""

    run: list[tuple[int, int, int]] = []

    def close() -> None:
        if not run:
            return
        edits: list[Edit] = []
        matched = changed = 0
        for (i0, j0, n0), (i1, j1, _) in zip(run, run[1:], strict=False):
            n = min(n0, i1 - i0, j1 - j0)     # overlapping blocks: clip the first
            matched += n
            ri, cj = i0 + n, j0 + n
            if i1 > ri and j1 > cj:
                edits.append(Edit("replace", words(ref_text, ref, ri, i1), words(copy_text, copy, cj, j1)))
            elif i1 > ri:
                edits.append(Edit("delete", words(ref_text, ref, ri, i1), ""))
            elif j1 > cj:
                edits.append(Edit("insert", "", words(copy_text, copy, cj, j1)))
            changed += max(i1 - ri, j1 - cj)
        i_last, j_last, n_last = run[-1]
        matched += n_last
        if matched >= MIN_PASSAGE:
            i_first, j_first = run[0][0], run[0][1]
            i_end, j_end = i_last + n_last, j_last + n_last
            ref_cov.append((i_first, i_end))
            copy_cov.append((j_first, j_end))
            result.passages.append(Passage(
                int(ref.starts[i_first]), int(ref.ends[i_end - 1]), int(copy.starts[j_first]),
                int(copy.ends[j_end - 1]), round(matched / (matched + changed), 3), tuple(edits)))
        run.clear()

    for block in blocks:
        if run:
            pi, pj, pn = run[-1]
            i, j, _ = block
            if not (i > pi and j > pj and i - (pi + pn) <= MAX_GAP and j - (pj + pn) <= MAX_GAP):
                close()
        run.append(block)
    close()
    result.ref_unmatched = _uncovered(ref, ref_cov)
    result.copy_unmatched = _uncovered(copy, copy_cov)
    return result


def _uncovered(tok: Tokens, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans of the maximal runs of words outside every covered word range."""
    out = []
    pos = 0
    for a, b in sorted(covered) + [(len(tok.hashes), len(tok.hashes))]:
        if a > pos:
            out.append((int(tok.starts[pos]), int(tok.ends[a - 1])))
        pos = max(pos, b)
    return out


def align(ref_text: str, copy_text: str) -> Alignment:
    """Passages of `ref_text` found in `copy_text`, with the edits the copy made."""
    ref, copy = word_tokens([ref_text, copy_text])
    return _align_tokens(ref_text, ref, copy_text, copy)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(concatenated indices start..start+length-1 of every range, offset within its range)."""
    first = np.concatenate(([0], np.cumsum(lengths)))[:-1]
    within = np.arange(int(lengths.sum())) - np.repeat(first, lengths)
    return np.repeat(starts, lengths) + within, within


def _blocks_many(hashes: Sequence[np.ndarray], pair_ref: np.ndarray,
                 pair_copy: np.ndarray) -> list[list[tuple[int, int, int]]]:
    """`_blocks` for many pairs at once: pair k aligns text `pair_copy[k]` against text
    `pair_ref[k]` (indices into `hashes`, each text's word hashes). The 4-grams of all the
    texts are hashed in one pass; every reference's go into one sorted array of (reference
    slot << 40 | top 40 bits of the 4-gram hash), and every pair's copy 4-grams, keyed the
    same way, are looked up in one call: a few numpy passes per batch instead of a dozen
    calls per pair. (A false 40-bit match inside one reference is a lone 4-word anchor,
    which the block filter drops.)"""
    out: list[list[tuple[int, int, int]]] = [[] for _ in range(len(pair_ref))]
    n_tokens = np.fromiter((len(h) for h in hashes), np.int64, len(hashes))
    gram_len = np.maximum(n_tokens - ANCHOR_WORDS + 1, 0)
    if not len(pair_ref) or not gram_len.sum():
        return out
    grams = _grams(np.concatenate(hashes))          # some span two texts: never indexed
    gram_start = np.concatenate(([0], np.cumsum(n_tokens)))[:-1]
    shift = np.uint64(24)
    refs = np.unique(pair_ref)
    slot = np.searchsorted(refs, pair_ref)
    at_ref, i_ref = _ranges(gram_start[refs], gram_len[refs])
    ref_keys = (grams[at_ref] >> shift) | (np.repeat(np.arange(len(refs), dtype=np.uint64), gram_len[refs]) << np.uint64(40))
    order = np.argsort(ref_keys, kind="stable")
    sorted_keys = ref_keys[order]
    sorted_pos = i_ref[order]                       # word position in its reference
    q_len = gram_len[pair_copy]
    at_copy, j = _ranges(gram_start[pair_copy], q_len)   # j: word position in the copy
    q_pair = np.repeat(np.arange(len(pair_ref)), q_len)
    query = (grams[at_copy] >> shift) | (slot.astype(np.uint64)[q_pair] << np.uint64(40))
    if not len(sorted_keys) or not len(query):
        return out
    at = np.minimum(np.searchsorted(sorted_keys, query), len(sorted_keys) - 1)
    hit = sorted_keys[at] == query
    j, q_pair = j[hit], q_pair[hit]
    if not len(j):
        return out
    i = sorted_pos[at[hit]]
    diag = i - j
    brk = np.flatnonzero((np.diff(j) != 1) | (np.diff(diag) != 0) | (np.diff(q_pair) != 0)) + 1
    first = np.concatenate(([0], brk))
    last = np.concatenate((brk - 1, [len(j) - 1]))
    lengths = j[last] - j[first] + ANCHOR_WORDS
    bounds = np.searchsorted(q_pair[first], np.arange(len(pair_ref) + 1)).tolist()
    blocks = list(zip(i[first].tolist(), j[first].tolist(), lengths.tolist(), strict=True))
    for k in range(len(pair_ref)):
        out[k] = blocks[bounds[k] : bounds[k + 1]]
    return out


def align_many(pairs: Sequence[tuple[str, str]], texts: dict[str, str]) -> list[Alignment]:
    """`align(texts[ref], texts[copy])` for each (ref, copy) pair, tokenizing each text once
    and finding every pair's match blocks in one batch (`_blocks_many`)."""
    if not pairs:
        return []
    ids = sorted({x for pair in pairs for x in pair})
    slot = {x: k for k, x in enumerate(ids)}
    tokens = word_tokens([texts[i] for i in ids])
    pair_ref = np.fromiter((slot[r] for r, _ in pairs), np.int64, len(pairs))
    pair_copy = np.fromiter((slot[c] for _, c in pairs), np.int64, len(pairs))
    found = _blocks_many([t.hashes for t in tokens], pair_ref, pair_copy)
    return [
        _align_tokens(texts[r], tokens[slot[r]], texts[c], tokens[slot[c]], found=blocks)
        for (r, c), blocks in zip(pairs, found, strict=True)
    ]
