"""The source matrix of a story: which article (outlet) carried which passage.

Sentences of the story's articles are grouped into passages by word-shingle containment, so
one wire sentence reprinted with a changed word stays one passage. The fullest article is
read first, so rows follow its order; rows are the passages that two or more articles
carried, each cell saying whether that article printed it verbatim or edited.
"""

from __future__ import annotations

import re
from typing import Any

import blingfire

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_WORDS = 6
MATCH = 0.5
MAX_ARTICLES = 40
MAX_ROWS = 80


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _shingles(words: list[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def source_matrix(articles: list[dict[str, Any]], texts: dict[str, str]) -> dict[str, Any]:
    """articles: the story's members ({id, outlet, chars, ...}); texts: id -> clean text."""
    cols = [a for a in articles if texts.get(a["id"])]
    cols.sort(key=lambda a: -len(texts[a["id"]]))
    truncated = len(cols) > MAX_ARTICLES
    cols = cols[:MAX_ARTICLES]
    passages: list[dict[str, Any]] = []
    index: dict[tuple[str, ...], set[int]] = {}
    sentences_of: dict[str, int] = {}
    for art in cols:
        seen_here: set[int] = set()
        n = 0
        for sentence in blingfire.text_to_sentences(texts[art["id"]].replace("\n", " \n ")).splitlines():
            words = _words(sentence)
            if len(words) < MIN_WORDS:
                continue
            n += 1
            sh = _shingles(words)
            cands: dict[int, int] = {}
            for s in sh:
                for p in index.get(s, ()):
                    cands[p] = cands.get(p, 0) + 1
            best, best_score = None, 0.0
            for p, shared in cands.items():
                score = shared / min(len(sh), len(passages[p]["shingles"]))
                if score > best_score:
                    best, best_score = p, score
            if best is None or best_score < MATCH or best in seen_here:
                best = len(passages)
                passages.append({"text": sentence.strip(), "words": words, "shingles": sh, "cells": {}})
                for s in sh:
                    index.setdefault(s, set()).add(best)
            seen_here.add(best)
            passages[best]["cells"][art["id"]] = "same" if words == passages[best]["words"] else "edited"
        sentences_of[art["id"]] = n
    shared = [p for p in passages if len(p["cells"]) >= 2]
    columns = []
    for art in cols:
        carried = sum(1 for p in shared if art["id"] in p["cells"])
        columns.append({
            "article": art["id"], "n": art.get("n"), "outlet": art.get("outlet"), "title": art.get("title"),
            "sentences": sentences_of[art["id"]], "shared": carried,
            "own": sum(1 for p in passages if list(p["cells"]) == [art["id"]]),
        })
    return {
        "columns": columns,
        "rows": [
            {"passage": p["text"] if len(p["text"]) <= 220 else p["text"][:217].rstrip() + "…",
             "cells": p["cells"]}
            for p in shared[:MAX_ROWS]
        ],
        "shared_passages": len(shared),
        "rows_shown": min(len(shared), MAX_ROWS),
        "articles_truncated": truncated,
    }
