"""Passage alignment: which sentences of one article reappear in another, and how edited.

Texts are split into paragraphs (lines) and sentences (text.sentences, blingfire). Sentences with the same
words (case and punctuation aside) match first, by dictionary lookup; each remaining
sentence is then matched to the unmatched sentence of the other text sharing most word
trigrams, if they share at least half of the shorter one's. Matches may come in any order
(reordered paragraphs). Runs of consecutive matches become one passage; per passage the
word-level edits (substitutions such as "IS" -> "Daesh", deletions, insertions) come from
difflib on the original words. Sentences left unmatched are what one side added or the
other removed.

Plain functions over strings: no store, no I/O.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from storyline.stages.reprints.alignment import Alignment, Edit, Passage
from storyline.text.sentences import sentences as sentence_spans

MIN_SENTENCE_WORDS = 4   # shorter sentences ("Photo: AFP") match only exactly
FUZZY_SHARE = 0.5        # trigram share of the shorter sentence for a fuzzy match

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    words: tuple[str, ...]     # original case
    key: str                   # lower-cased words, for exact matching


def sentences(text: str) -> list[Sentence]:
    out = []
    for start, end in sentence_spans(text):
        words = tuple(_WORD.findall(text[start:end]))
        if words:
            out.append(Sentence(start, end, words, " ".join(w.lower() for w in words)))
    return out


def _trigrams(sentence: Sentence) -> set[str]:
    low = sentence.key.split(" ")
    if len(low) < 3:
        return {sentence.key}
    return {" ".join(low[i : i + 3]) for i in range(len(low) - 2)}


def _match_sentences(ref: list[Sentence], copy: list[Sentence]) -> list[tuple[int, int]]:
    """(ref index, copy index) pairs, one-to-one."""
    by_key: dict[str, list[int]] = {}
    for j, s in enumerate(copy):
        by_key.setdefault(s.key, []).append(j)
    pairs: list[tuple[int, int]] = []
    used_copy: set[int] = set()
    left: list[int] = []
    for i, s in enumerate(ref):
        candidates = by_key.get(s.key)
        if candidates:
            j = candidates.pop(0)
            pairs.append((i, j))
            used_copy.add(j)
        else:
            left.append(i)
    rest = [j for j in range(len(copy)) if j not in used_copy and len(copy[j].words) >= MIN_SENTENCE_WORDS]
    if left and rest:
        grams = {j: _trigrams(copy[j]) for j in rest}
        index: dict[str, list[int]] = {}
        for j, gs in grams.items():
            for g in gs:
                index.setdefault(g, []).append(j)
        scored = []
        for i in left:
            if len(ref[i].words) < MIN_SENTENCE_WORDS:
                continue
            mine = _trigrams(ref[i])
            counts: dict[int, int] = {}
            for g in mine:
                for j in index.get(g, ()):
                    counts[j] = counts.get(j, 0) + 1
            for j, shared in counts.items():
                share = shared / min(len(mine), len(grams[j]))
                if share >= FUZZY_SHARE:
                    scored.append((share, -i, -j))
        taken_ref: set[int] = set()
        for _share, ni, nj in sorted(scored, reverse=True):
            i, j = -ni, -nj
            if i not in taken_ref and j not in used_copy:
                taken_ref.add(i)
                used_copy.add(j)
                pairs.append((i, j))
    return sorted(pairs)


def _edits(ref: tuple[str, ...], copy: tuple[str, ...]) -> tuple[list[Edit], int]:
    """Word edits from `ref` to `copy`, and the number of ref words kept."""
    matcher = difflib.SequenceMatcher(None, [w.lower() for w in ref], [w.lower() for w in copy], autojunk=False)
    edits, kept = [], 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            kept += i2 - i1
        else:
            edits.append(Edit(op, " ".join(ref[i1:i2]), " ".join(copy[j1:j2])))
    return edits, kept


def align(ref_text: str, copy_text: str) -> Alignment:
    """Passages of `ref_text` found in `copy_text`, with the edits the copy made."""
    ref, copy = sentences(ref_text), sentences(copy_text)
    pairs = _match_sentences(ref, copy)
    result = Alignment()
    run: list[tuple[int, int]] = []

    def close() -> None:
        if not run:
            return
        edits: list[Edit] = []
        kept = total = 0
        for i, j in run:
            if ref[i].key != copy[j].key:
                more, k = _edits(ref[i].words, copy[j].words)
                edits += more
                kept += k
            else:
                kept += len(ref[i].words)
            total += max(len(ref[i].words), len(copy[j].words))
        (i0, j0), (i1, j1) = run[0], run[-1]
        result.passages.append(Passage(ref[i0].start, ref[i1].end, copy[j0].start, copy[j1].end,
                                       round(kept / total, 3) if total else 1.0, tuple(edits)))
        run.clear()

    for i, j in pairs:
        if run and not (i == run[-1][0] + 1 and j == run[-1][1] + 1):
            close()
        run.append((i, j))
    close()
    matched_ref = {i for i, _ in pairs}
    matched_copy = {j for _, j in pairs}
    result.ref_unmatched = [(s.start, s.end) for i, s in enumerate(ref) if i not in matched_ref]
    result.copy_unmatched = [(s.start, s.end) for j, s in enumerate(copy) if j not in matched_copy]
    return result
