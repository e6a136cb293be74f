"""Sentence spans, shared by the extraction stages and the summaries."""

from __future__ import annotations

import blingfire


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`.

    blingfire keeps "U.S.", "Col." and "Nov. 2, 2017" inside one sentence. Its offsets are
    in characters of the text as given.
    """
    return [span for para in paragraph_sentences(text) for span in para]


def paragraph_sentences(text: str) -> list[list[tuple[int, int]]]:
    """The sentence spans of each paragraph (non-blank line) of `text`, paragraph by paragraph."""
    out = []
    for block_start, block in _blocks(text):
        _, offsets = blingfire.text_to_sentences_and_offsets(block)
        out.append([(block_start + a, block_start + b) for a, b in offsets])
    return out


def _blocks(text: str):
    """Paragraphs: blingfire joins lines, and a headline must not run into its first sentence."""
    start = 0
    for part in text.split("\n"):
        if part.strip():
            yield start, part
        start += len(part) + 1
