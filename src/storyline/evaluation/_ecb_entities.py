"""ECB+ named mentions of people, organisations and places with their coreference chains.

Gold: the HUMAN_PART_PER, HUMAN_PART_ORG and LOC_* markables whose tokens form a proper name
(every content word capitalized, no pronoun; a lone sentence-initial word counts only if the
corpus also writes it capitalized mid-sentence). A mention's chain is its CROSS_DOC_COREF
instance, else its INTRA_DOC_COREF group, else itself. The URL line of *ecbplus.xml is
dropped, as in `eval stories`.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click

KINDS = {"HUMAN_PART_PER": "person", "HUMAN_PART_ORG": "org", "LOC_GEO": "place", "LOC_FAC": "place",
         "LOC_OTHER": "place"}
_TOKEN = re.compile(r'<token t_id="(\d+)" sentence="(\d+)" number="\d+">([^<]*)</token>')
_MARKABLE = re.compile(r'<([A-Z_]+) m_id="(\d+)"\s*>(.*?)</\1>', re.S)
_ANCHOR = re.compile(r'<token_anchor t_id="(\d+)"/>')
_RELATION = re.compile(r'<(CROSS_DOC_COREF|INTRA_DOC_COREF) r_id="(\d+)"(?: note="([^"]*)")?\s*>(.*?)</\1>', re.S)
_SOURCE = re.compile(r'<source m_id="(\d+)"\s*/>')
_FUNCTION = {"of", "the", "and", "for", "de", "la", "du", "von", "van", "al", "el", "on", "in", "at", "'s", "&", "-"}
_PRONOUNS = {"i", "we", "he", "she", "it", "they", "you", "his", "her", "its", "their", "our", "my", "him",
             "them", "us", "this", "that", "these", "those", "who", "which", "there", "here", "one"}
_NO_SPACE_BEFORE = re.compile(r"^(?:[.,;:!?%)\]}]|'s|'|n't|'re|'ve|'ll|'d|'m)$", re.I)


@dataclass
class GoldMention:
    doc: str
    start: int  # character offsets into the document text
    end: int
    text: str
    kind: str
    chain: str


@dataclass
class Document:
    id: str
    text: str


def _name_like(tokens: list[tuple[str, int]], mid_capitalized: set[str]) -> bool:
    words = [w for w, _ in tokens]
    if not words or any(w.lower() in _PRONOUNS for w in words):
        return False
    content = [w for w in words if w.lower() not in _FUNCTION and any(c.isalpha() for c in w)]
    if not content or not all(w[0].isupper() for w in content):
        return False
    if len(content) == 1 and tokens[0][1] == 0:  # sentence-initial: "Police said" is no name
        return content[0] in mid_capitalized
    return True


def load(data_dir: Path, topics: range = range(1, 26)) -> tuple[list[Document], list[GoldMention]]:
    root = data_dir / "ecbplus" / "ECB+"
    if not root.is_dir():
        raise click.ClickException(f"{root} not found: --data must hold ecbplus/ECB+/<topic>/*.xml")
    raw = []
    mid_capitalized: Counter[str] = Counter()
    lower: set[str] = set()
    for topic in topics:
        for path in sorted((root / str(topic)).glob("*.xml")):
            xml = path.read_text(encoding="utf-8")
            tokens = [(int(t), int(s), html.unescape(w)) for t, s, w in _TOKEN.findall(xml)]
            raw.append((path.stem, xml, tokens))
            position: dict[int, int] = {}
            for _, s, w in tokens:
                position[s] = position.get(s, -1) + 1
                if position[s] > 0 and w[:1].isupper():
                    mid_capitalized[w] += 1
                elif w[:1].islower():
                    lower.add(w.lower())
    capitalized = {w for w in mid_capitalized if w.lower() not in lower}
    docs, gold = [], []
    for stem, xml, tokens in raw:
        first = tokens[0][1] if tokens else 0
        url_line = stem.endswith("ecbplus") and re.match(r"https?|www", tokens[0][2] if tokens else "")
        offsets: dict[int, tuple[int, int, int]] = {}  # t_id -> (start, end, position in sentence)
        parts: list[str] = []
        length, sentence, position = 0, None, 0
        for t_id, s, w in tokens:
            if url_line and s == first:
                continue
            if sentence is not None and s != sentence:
                parts.append("\n")
                length += 1
                position = 0
            elif sentence is not None and not _NO_SPACE_BEFORE.match(w):
                parts.append(" ")
                length += 1
            sentence = s
            offsets[t_id] = (length, length + len(w), position)
            parts.append(w)
            length += len(w)
            position += 1
        text = "".join(parts)
        chains: dict[str, str] = {}
        for rel, r_id, note, body in _RELATION.findall(xml):
            for m_id in _SOURCE.findall(body):
                if rel == "CROSS_DOC_COREF" and note:
                    chains[m_id] = note
                else:
                    chains.setdefault(m_id, f"{stem}/intra{r_id}")
        for tag, m_id, body in _MARKABLE.findall(xml):
            if tag not in KINDS:
                continue
            ids = [int(t) for t in _ANCHOR.findall(body) if int(t) in offsets]
            if not ids or ids != list(range(ids[0], ids[0] + len(ids))):
                continue  # discontinuous or URL-line mentions
            span = [(text[offsets[t][0]:offsets[t][1]], offsets[t][2]) for t in ids]
            if not _name_like(span, capitalized):
                continue
            start, end = offsets[ids[0]][0], offsets[ids[-1]][1]
            gold.append(GoldMention(stem, start, end, text[start:end], KINDS[tag],
                                    chains.get(m_id, f"{stem}/m{m_id}")))
        docs.append(Document(stem, text))
    return docs, gold
