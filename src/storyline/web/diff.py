"""Side-by-side comparison of two copies of one text (a reprint and its source).

Paragraphs are aligned first (reprints reorder, drop and add paragraphs), then each aligned
pair is compared word by word. The result is plain data (segments with an operation) that
the API returns and the template renders; no HTML is built here.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

_TOKEN = re.compile(r"\w+|[^\w\s]|\s+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)
MIN_PAIR_SCORE = 0.3


def paragraphs(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"\n\s*\n", text or "")]
    if len(parts) <= 1:  # no blank lines: one paragraph per line
        parts = [p.strip() for p in (text or "").splitlines()]
    return [p for p in parts if p]


def _shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _containment(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _lis(seq: list[int]) -> set[int]:
    """Positions (in seq) of one longest strictly increasing subsequence."""
    import bisect

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


def word_diff(a: str, b: str) -> tuple[list[dict[str, str]], list[dict[str, str]], dict[str, int]]:
    """(left segments, right segments, counts): op is 'same', 'del' (left only) or 'ins' (right only)."""
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    left: list[dict[str, str]] = []
    right: list[dict[str, str]] = []
    counts = {"same": 0, "removed": 0, "added": 0}

    def push(side: list[dict[str, str]], op: str, text: str) -> None:
        if not text:
            return
        if side and side[-1]["op"] == op:
            side[-1]["text"] += text
        else:
            side.append({"op": op, "text": text})

    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        ca, cb = "".join(ta[i1:i2]), "".join(tb[j1:j2])
        if tag == "equal":
            push(left, "same", ca)
            push(right, "same", cb)
            counts["same"] += len(_WORD.findall(ca))
        else:
            # Whitespace-only changes are not edits a reader cares about.
            if ca.strip() or cb.strip():
                push(left, "del", ca)
                push(right, "ins", cb)
                counts["removed"] += len(_WORD.findall(ca))
                counts["added"] += len(_WORD.findall(cb))
            else:
                push(left, "same", ca)
                push(right, "same", cb)
    return left, right, counts


def compare(text_a: str, text_b: str) -> dict[str, Any]:
    """Align the paragraphs of `text_a` (the base, e.g. the fullest copy) and `text_b`.

    Rows follow A's order. A row is 'pair' (both sides, word diff), 'only_a' (B left it
    out) or 'only_b' (B added it, shown after the row of B's previous aligned paragraph).
    A pair whose paragraph B printed out of A's order is flagged `moved`.
    """
    pa, pb = paragraphs(text_a), paragraphs(text_b)
    sa = [_shingles(p) for p in pa]
    sb = [_shingles(p) for p in pb]
    index: dict[tuple[str, ...], set[int]] = {}
    for i, sh in enumerate(sa):
        for s in sh:
            index.setdefault(s, set()).add(i)
    scored = []
    for j, sh in enumerate(sb):
        cands: set[int] = set()
        for s in sh:
            cands |= index.get(s, set())
        for i in cands:
            score = _containment(sa[i], sh)
            if score >= MIN_PAIR_SCORE:
                scored.append((score, i, j))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    a_of_b: dict[int, int] = {}
    used_a: set[int] = set()
    for _score, i, j in scored:
        if i in used_a or j in a_of_b:
            continue
        a_of_b[j] = i
        used_a.add(i)

    matched_b = sorted(a_of_b)
    in_order = {matched_b[k] for k in _lis([a_of_b[j] for j in matched_b])}
    # B paragraphs with no partner go after the row of B's previous matched paragraph.
    after_a: dict[int, list[int]] = {}
    last_a = -1
    for j in range(len(pb)):
        if j in a_of_b:
            last_a = a_of_b[j]
        else:
            after_a.setdefault(last_a, []).append(j)

    rows: list[dict[str, Any]] = []
    totals = {"same": 0, "removed": 0, "added": 0}
    stats = {"paragraphs_a": len(pa), "paragraphs_b": len(pb), "aligned": len(a_of_b), "moved": 0,
             "only_a": len(pa) - len(a_of_b), "only_b": len(pb) - len(a_of_b)}
    b_of_a = {i: j for j, i in a_of_b.items()}

    def add_only_b(j: int) -> None:
        rows.append({"kind": "only_b", "b_index": j, "right": [{"op": "ins", "text": pb[j]}], "left": []})
        totals["added"] += len(_WORD.findall(pb[j]))

    for j in after_a.get(-1, []):
        add_only_b(j)
    for i in range(len(pa)):
        if i in b_of_a:
            j = b_of_a[i]
            left, right, counts = word_diff(pa[i], pb[j])
            moved = j not in in_order
            stats["moved"] += moved
            for k, v in counts.items():
                totals[k] += v
            rows.append({"kind": "pair", "a_index": i, "b_index": j, "moved": moved,
                         "changed": bool(counts["removed"] or counts["added"]), "left": left, "right": right})
        else:
            rows.append({"kind": "only_a", "a_index": i, "left": [{"op": "del", "text": pa[i]}], "right": []})
            totals["removed"] += len(_WORD.findall(pa[i]))
        for j in after_a.get(i, []):
            add_only_b(j)
    stats.update({"words_same": totals["same"], "words_removed": totals["removed"],
                  "words_added": totals["added"]})
    return {"rows": rows, "stats": stats}
