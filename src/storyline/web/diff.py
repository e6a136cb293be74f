"""Side-by-side layout of the reprint stage's alignment of two articles.

Nothing is compared here: the passages, their word edits and the unmatched stretches are the
aligner's (stages/reprints/alignment.py, as `views.reprints.aligned_pair` reads or computes
them, the same data `storyline diff --json` prints). This module only lays them out as rows
of segments that the API returns and the template renders; no HTML is built here.

Rows follow the reference's order. A row is 'pair' (a passage: both sides, with the copy's
edits marked), 'only_a' (reference text outside every passage: the copy left it out) or
'only_b' (copy text outside every passage: added, shown after the row of the copy's
previous passage). A passage the copy printed out of the reference's order is `moved`.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

import numpy as np

from storyline.stages.reprints.shingling import word_tokens

Segment = dict[str, str]


def _lis(seq: list[int]) -> set[int]:
    """Positions (in seq) of one longest strictly increasing subsequence."""
    tails: list[int] = []
    tails_pos: list[int] = []
    prev = [-1] * len(seq)
    for i, v in enumerate(seq):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tails_pos.append(i)
        else:
            tails[k] = v
            tails_pos[k] = i
        prev[i] = tails_pos[k - 1] if k else -1
    out: set[int] = set()
    i = tails_pos[-1] if tails_pos else -1
    while i != -1:
        out.add(i)
        i = prev[i]
    return out


def _place_edits(ref: np.ndarray, copy: np.ndarray, edits: Sequence[tuple[np.ndarray, np.ndarray]]
                 ) -> list[tuple[int, int]] | None:
    """Word positions (in the passage's reference and copy words) where each edit starts.

    Between two edits both sides carry the same words (the aligner's exact blocks), so an
    edit sits where its words follow a stretch both sides share; the first placement that
    lets every later edit fit too is the aligner's. None when the edits do not fit."""
    out: list[tuple[int, int]] = []

    def fit(e: int, i: int, j: int) -> bool:
        if e == len(edits):
            return len(ref) - i == len(copy) - j and bool(np.array_equal(ref[i:], copy[j:]))
        before, after = edits[e]
        k = 0
        while i + k <= len(ref) and j + k <= len(copy):
            if (np.array_equal(ref[i + k : i + k + len(before)], before)
                    and np.array_equal(copy[j + k : j + k + len(after)], after)):
                out.append((i + k, j + k))
                if fit(e + 1, i + k + len(before), j + k + len(after)):
                    return True
                out.pop()
            if i + k == len(ref) or j + k == len(copy) or ref[i + k] != copy[j + k]:
                return False
            k += 1
        return False

    return out if fit(0, 0, 0) else None


def _passage_segments(ref_text: str, copy_text: str, edits: Sequence[Sequence[str]]
                      ) -> tuple[list[Segment], list[Segment], dict[str, int]]:
    """(left segments, right segments, word counts) of one passage: op 'same', 'del' (the
    reference's words an edit replaced or deleted) or 'ins' (the copy's words)."""
    toks = word_tokens([ref_text, copy_text, *(e[1] for e in edits), *(e[2] for e in edits)])
    ref, copy = toks[0], toks[1]
    pairs = [(toks[2 + k].hashes, toks[2 + len(edits) + k].hashes) for k in range(len(edits))]
    at = _place_edits(ref.hashes, copy.hashes, pairs)
    left: list[Segment] = []
    right: list[Segment] = []
    counts = {"same": 0, "removed": 0, "added": 0}

    def push(side: list[Segment], op: str, text: str) -> None:
        if not text:
            return
        if side and side[-1]["op"] == op:
            side[-1]["text"] += text
        else:
            side.append({"op": op, "text": text})

    if at is None:  # not the aligner's edits of these texts: show both sides unmarked
        push(left, "same", ref_text)
        push(right, "same", copy_text)
        counts["same"] = len(ref.hashes)
        return left, right, counts
    ri = ci = 0  # character offsets laid out so far
    rw = 0       # reference words laid out so far
    for (i, j), (before, after) in zip(at, pairs, strict=True):
        r_start = int(ref.starts[i]) if len(before) else (int(ref.ends[i - 1]) if i else 0)
        c_start = int(copy.starts[j]) if len(after) else (int(copy.ends[j - 1]) if j else 0)
        push(left, "same", ref_text[ri:r_start])
        push(right, "same", copy_text[ci:c_start])
        counts["same"] += i - rw
        r_end = int(ref.ends[i + len(before) - 1]) if len(before) else r_start
        c_end = int(copy.ends[j + len(after) - 1]) if len(after) else c_start
        push(left, "del", ref_text[r_start:r_end])
        push(right, "ins", copy_text[c_start:c_end])
        counts["removed"] += len(before)
        counts["added"] += len(after)
        ri, ci, rw = r_end, c_end, i + len(before)
    push(left, "same", ref_text[ri:])
    push(right, "same", copy_text[ci:])
    counts["same"] += len(ref.hashes) - rw
    return left, right, counts


def layout(pair: dict[str, Any]) -> dict[str, Any]:
    """Rows and counts for the side-by-side page from `aligned_pair`'s alignment (the
    reference on the left). Counts: `paragraphs_a`/`paragraphs_b` are the rows with text on
    the left/right side, `aligned` the passages, `only_a`/`only_b` the unmatched stretches."""
    ref_text, copy_text = pair["ref_text"], pair["copy_text"]
    passages = sorted(pair["passages"], key=lambda p: (p["ref_start"], p["copy_start"]))
    in_order = _lis([p["copy_start"] for p in passages])
    removed = [(s, e) for s, e in pair["removed"] if ref_text[s:e].strip()]
    added = [(s, e) for s, e in pair["added"] if copy_text[s:e].strip()]
    # An added stretch goes after the row of the copy's previous passage (-1: before all).
    by_copy = sorted(range(len(passages)), key=lambda k: passages[k]["copy_start"])
    copy_ends = [passages[k]["copy_end"] for k in by_copy]
    after: dict[int, list[tuple[int, int]]] = {}
    for s, e in added:
        before = bisect.bisect_right(copy_ends, s) - 1
        after.setdefault(by_copy[before] if before >= 0 else -1, []).append((s, e))

    rows: list[dict[str, Any]] = []
    totals = {"same": 0, "removed": 0, "added": 0}

    def add_only_b(k: int) -> None:
        for s, e in after.get(k, []):
            text = copy_text[s:e]
            rows.append({"kind": "only_b", "b_index": s, "right": [{"op": "ins", "text": text}], "left": []})
            totals["added"] += len(word_tokens([text])[0].hashes)

    add_only_b(-1)
    pieces = [(p["ref_start"], "pair", k) for k, p in enumerate(passages)] + \
             [(s, "only_a", (s, e)) for s, e in removed]
    moved = 0
    for _, kind, item in sorted(pieces, key=lambda x: (x[0], x[1])):
        if kind == "only_a":
            s, e = item
            rows.append({"kind": "only_a", "a_index": s, "left": [{"op": "del", "text": ref_text[s:e]}], "right": []})
            totals["removed"] += len(word_tokens([ref_text[s:e]])[0].hashes)
            continue
        p = passages[item]
        left, right, counts = _passage_segments(ref_text[p["ref_start"]:p["ref_end"]],
                                                copy_text[p["copy_start"]:p["copy_end"]], p["edits"])
        is_moved = item not in in_order
        moved += is_moved
        for key, v in counts.items():
            totals[key] += v
        rows.append({"kind": "pair", "a_index": p["ref_start"], "b_index": p["copy_start"], "moved": is_moved,
                     "changed": bool(p["edits"]), "left": left, "right": right})
        add_only_b(item)
    # a_index / b_index: the row's rank among the rows with text on that side, in that text's order.
    for side in ("a_index", "b_index"):
        rank = {start: n for n, start in enumerate(sorted(r[side] for r in rows if side in r))}
        for r in rows:
            if side in r:
                r[side] = rank[r[side]]
    stats = {"paragraphs_a": len(passages) + len(removed), "paragraphs_b": len(passages) + len(added),
             "aligned": len(passages), "moved": moved, "only_a": len(removed), "only_b": len(added),
             "words_same": totals["same"], "words_removed": totals["removed"], "words_added": totals["added"]}
    return {"rows": rows, "stats": stats}
