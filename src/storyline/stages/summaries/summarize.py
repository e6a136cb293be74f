"""Cited extractive story summaries.

Faithful by construction: every summary sentence is a sentence of one of the story's
articles, copied verbatim, and it cites every article that carries it or a close paraphrase
(`paraphrase_similarity` >= PARAPHRASE_SIMILARITY), not only the one it was taken from.

How sentences are chosen:
1. Split each article into sentences and merge near-identical sentences across articles
   into one *claim* (a reprinted or lightly edited wire sentence is one claim, not five).
2. A claim's *sources* are the distinct texts carrying it: all copies in one reprint group
   count as one source, so syndication does not buy centrality.
3. Score = centrality (mean TF-IDF cosine to the claims of the *other* sources: what the
   coverage agrees on) + a lead bonus (news puts the point first) + cross-source support.
4. Greedy selection by score with redundancy control: a claim too similar to one already
   chosen is skipped, so no sentence (or its paraphrase) appears twice.

Photo captions ("This frame grab from a video released on Nov. 2 ...", "(AP Photo/...)",
"Iraqi soldiers advance toward al-Qaim, ..., on Friday.") are not summary material and are
left out. The story's headline is the most central of its articles' titles.

The weights and lengths were tuned on the NeuS train split (`storyline eval summaries
--split train`) and are reported on val; see evaluation/summaries.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from storyline.records import ArticleForGrouping
from storyline.text.sentences import paragraph_sentences

# Two sentences are "the same claim" (cited together, shown once) when the Dice coefficient
# of their content-word sets reaches this. Measured on the seeds' clean text: the sentences of
# 000 (AP copy house-styled "IS" -> "Daesh", "Boukamal" -> "Bu Kamal") against their best
# match in 003 (the fullest AP copy) score 0.70-1.0; the AFP story 002 on the same fighting
# against 003 scores at most 0.35.
PARAPHRASE_SIMILARITY = 0.6


# A candidate whose TF-IDF cosine to an already chosen sentence reaches this is redundant.
REDUNDANCY_COSINE = 0.5


DEFAULT_SENTENCES = 5


# At most this many claims are ranked per story (see `summarize`).
MAX_CLAIMS = 1500


# Sentences outside these bounds are captions, datelines or fragments, not summary material.
MIN_WORDS, MAX_WORDS = 6, 80


# A caption paragraph longer than this is prose that happens to open like a caption.
MAX_CAPTION_SENTENCES = 3


# Scoring weights (tuned on NeuS train).
LEAD_WEIGHT = 0.1


SUPPORT_WEIGHT = 0.1


# Tuned on NeuS train (flat from 0.08 to 0.3); on a story with many outlets it keeps the
# summary from quoting one source five times.
COVERAGE_WEIGHT = 0.1


_CAPTION = re.compile(
    r"\((?:AP|AFP|Reuters|EPA|Getty)\b[^)]*Photo|\bPhotos?:|\bframe grab\b|\bfile photo\b"
    r"|^(?:In this|This|FILE)\b[^.]{0,40}\b(?:photo|image|picture|frame|video)\b"
    # A caption's tail: a present-tense scene dated after a comma ("..., on Nov 2.").
    r"|,\s+on\s+(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?)\.?$",
    re.I,
)


_REPORTING = re.compile(r"\b(?:said|says|told|according)\b", re.I)


_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


_STOP = frozenset(
    "a an the and or but of to in on at for from by with as is are was were be been has have had "
    "it its this that these those he she they his her their said says not no".split()
)


@dataclass(frozen=True)
class Sentence:
    article_id: str
    index: int  # position in the article, from 0
    text: str


@dataclass
class Claim:
    """One sentence and its near-identical copies in other articles."""

    text: str  # the copy shown: the first seen in the lead-most position
    article_id: str  # where `text` was taken from
    index: int
    carriers: list[Sentence] = field(default_factory=list)


@dataclass
class SummaryLine:
    text: str
    article_id: str
    cites: list[str]  # every article carrying the sentence or a close paraphrase, sorted


def split_paragraphs(text: str) -> list[list[str]]:
    """The sentences of each paragraph of `text`, stripped (text.sentences: blingfire keeps
    "U.S.", "Col.", "Nov. 2" inside one sentence)."""
    return [[s for a, b in para if (s := text[a:b].strip())] for para in paragraph_sentences(text)]


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, paragraph by paragraph."""
    return [s for para in split_paragraphs(text) for s in para]


def caption_paragraph(sentences: Sequence[str]) -> bool:
    """A paragraph that is a photo caption: its first sentence is one by a caption marker
    ("This frame grab ...", "(AP Photo/...)"), not by the weaker dated tail alone. Agency
    captions add a sentence or two of context ("The Syrian army announced on Friday ...");
    those belong to the caption, not to the story's prose."""
    if not sentences or len(sentences) > MAX_CAPTION_SENTENCES:
        return False
    m = _CAPTION.search(sentences[0])
    return bool(m) and not m.group().lstrip(", ").lower().startswith("on ")


def word_set(text: str) -> frozenset[str]:
    return frozenset(w for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOP)


def paraphrase_similarity(a: str, b: str) -> float:
    """Dice coefficient of the content-word sets of two sentences (0..1)."""
    wa, wb = word_set(a), word_set(b)
    if not wa or not wb:
        return 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))


def is_caption(sentence: str) -> bool:
    """A photo or video caption, not a sentence of the story."""
    m = _CAPTION.search(sentence)
    if not m:
        return False
    # The dated tail alone is weaker evidence: a reported sentence ("..., he said, on Friday.") stays.
    return not (m.group().lstrip(", ").lower().startswith("on ") and _REPORTING.search(sentence))


def summary_material(sentence: str) -> bool:
    """Long enough to say something, short enough not to be a run-on page fragment, no caption."""
    return MIN_WORDS <= len(sentence.split()) <= MAX_WORDS and not is_caption(sentence)


def headline(articles: Sequence[ArticleForGrouping], title: str | None = None) -> dict | None:
    """The story's headline ({"text", "cites"}): `title` when given (the stories stage's,
    a member's headline or lead sentence), citing the articles whose title paraphrases it or
    whose opening carries it; else the most central of the articles' titles, or None.

    Central = the highest summed TF-IDF cosine to the other titles and to all article texts,
    so a house-style title no other source echoes loses to the one the coverage agrees on.
    """
    if title and title.strip():
        text = title.strip()
        core = " ".join(text.removesuffix("...").split())
        cites = sorted(a.id for a in articles
                       if (a.title and paraphrase_similarity(a.title, text) >= PARAPHRASE_SIMILARITY)
                       or core in " ".join(a.text[:1000].split()))
        return {"text": text, "cites": cites}
    titled = [a for a in articles if a.title and a.title.strip()]
    if not titled:
        return None
    titles = [a.title.strip() for a in titled]
    vectors = _tfidf(titles + [a.text for a in articles])
    sim = (vectors @ vectors.T).toarray()
    best = max(range(len(titles)), key=lambda i: (sim[i].sum(), -i))
    text = titles[best]
    cites = sorted(a.id for a in titled if paraphrase_similarity(a.title, text) >= PARAPHRASE_SIMILARITY)
    return {"text": text, "cites": cites}


def article_sentences(articles: Sequence[ArticleForGrouping]) -> list[Sentence]:
    """Each article's sentences with their position, caption paragraphs left out."""
    out = []
    for art in articles:
        i = 0
        for para in split_paragraphs(art.text):
            if not caption_paragraph(para):
                out.extend(Sentence(art.id, i + k, s) for k, s in enumerate(para))
            i += len(para)
    return out


def group_claims(sentences: Sequence[Sentence]) -> list[Claim]:
    """Merge near-identical sentences (across and within articles) into claims.

    Greedy single pass in (position, article) order, so the lead-most copy represents a claim.
    """
    claims: list[Claim] = []
    sizes: list[int] = []
    index: dict[str, list[int]] = {}  # word -> claims whose first sentence has it
    for s in sorted(sentences, key=lambda s: (s.index, s.article_id)):
        ws = word_set(s.text)
        overlap: dict[int, int] = {}
        for w in ws:
            for i in index.get(w, ()):
                overlap[i] = overlap.get(i, 0) + 1
        best, best_sim = -1, 0.0
        for i, shared in overlap.items():
            sim = 2 * shared / (len(ws) + sizes[i])
            if sim > best_sim or (sim == best_sim and i < best):
                best, best_sim = i, sim
        if best >= 0 and best_sim >= PARAPHRASE_SIMILARITY:
            claims[best].carriers.append(s)
        else:
            for w in ws:
                index.setdefault(w, []).append(len(claims))
            claims.append(Claim(s.text, s.article_id, s.index, [s]))
            sizes.append(len(ws))
    return claims


def claim_sources(claim: Claim, source_of: Mapping[str, str]) -> set[str]:
    """The distinct sources carrying a claim: one per reprint group, one per other article."""
    return {source_of.get(s.article_id, s.article_id) for s in claim.carriers}


def source_count(claim: Claim, source_of: Mapping[str, str]) -> int:
    return len(claim_sources(claim, source_of))


def _tfidf(texts: Sequence[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(sublinear_tf=True, token_pattern=r"(?u)\b\w\w+\b").fit_transform(texts)
    except ValueError:  # only stop-words or empty
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 1))


def rank_claims(
    claims: Sequence[Claim], source_of: Mapping[str, str], lead_weight: float = LEAD_WEIGHT,
    support_weight: float = SUPPORT_WEIGHT,
) -> tuple[list[float], np.ndarray]:
    """(score per claim, claim-by-claim TF-IDF cosine matrix)."""
    if not claims:
        return [], np.zeros((0, 0))
    vectors = _tfidf([c.text for c in claims])
    sim = (vectors @ vectors.T).toarray()
    sources = [claim_sources(c, source_of) for c in claims]
    n_sources = len(set().union(*sources))
    scores = []
    for i, claim in enumerate(claims):
        others = [j for j in range(len(claims)) if not sources[j] <= sources[i]]
        centrality = float(sim[i, others].mean()) if others else 0.0
        lead = 1.0 / (1 + min(s.index for s in claim.carriers))
        support = (len(sources[i]) - 1) / (n_sources - 1) if n_sources > 1 else 0.0
        scores.append(centrality + lead_weight * lead + support_weight * support)
    return scores, sim


def summarize(
    articles: Sequence[ArticleForGrouping],
    reprint_group: Mapping[str, str],
    max_sentences: int = DEFAULT_SENTENCES,
    max_words: int | None = None,
    lead_weight: float = LEAD_WEIGHT,
    support_weight: float = SUPPORT_WEIGHT,
    coverage_weight: float = COVERAGE_WEIGHT,
) -> list[SummaryLine]:
    """The story's summary: up to `max_sentences` sentences (and `max_words` words), each cited.

    `reprint_group` maps article id -> reprint group id (articles not in it stand alone).
    """
    claims = [
        c for c in group_claims(article_sentences(articles)) if summary_material(c.text)
    ]
    if len(claims) > MAX_CLAIMS:
        # A very large story: rank only the best-carried, lead-most claims (news puts the
        # point first), which keeps the claim-by-claim similarity matrix small.
        claims = sorted(claims, key=lambda c: (-len(c.carriers), c.index))[:MAX_CLAIMS]
    source_of = {a.id: reprint_group.get(a.id, a.id) for a in articles}
    scores, sim = rank_claims(claims, source_of, lead_weight, support_weight)
    chosen: list[int] = []
    words = 0
    used: dict[str, int] = {}  # source -> sentences chosen that it carries
    sources = [claim_sources(c, source_of) for c in claims]
    candidates = set(range(len(claims)))
    while candidates and len(chosen) < max_sentences and (max_words is None or words < max_words):
        # Coverage across sources: a source already quoted weighs on its further claims.
        i = min(candidates, key=lambda i: (
            -(scores[i] - coverage_weight * min(used.get(x, 0) for x in sources[i])), claims[i].index, i))
        candidates.discard(i)
        if any(sim[i, j] >= REDUNDANCY_COSINE for j in chosen):
            continue
        chosen.append(i)
        for x in sources[i]:
            used[x] = used.get(x, 0) + 1
        words += len(claims[i].text.split())
    order = {a.id: n for n, a in enumerate(articles)}
    # Reading order: lead-most first, then by the article the story saw first.
    chosen.sort(key=lambda i: (claims[i].index, order.get(claims[i].article_id, 0)))
    index = index_sentences(articles)
    return [
        SummaryLine(claims[i].text, claims[i].article_id, citations(claims[i].text, index))
        for i in chosen
    ]


SentenceIndex = dict[str, list[tuple[str, frozenset[str]]]]


def index_sentences(articles: Sequence[ArticleForGrouping]) -> SentenceIndex:
    """article id -> its sentences with their content-word sets (what `citations` compares)."""
    return {a.id: [(s, word_set(s)) for s in split_sentences(a.text)] for a in articles}


def citations(sentence: str, index: SentenceIndex) -> list[str]:
    """Every article with `sentence` itself or a close paraphrase of it
    (`paraphrase_similarity` >= PARAPHRASE_SIMILARITY).

    Checked against every article of `index`, not only the claim's carriers, so a copy that
    the greedy claim grouping put elsewhere is still cited.
    """
    ws = word_set(sentence)
    out = []
    for aid, sents in index.items():
        for text, other in sents:
            if text == sentence or (ws and other and 2 * len(ws & other) / (len(ws) + len(other))
                                    >= PARAPHRASE_SIMILARITY):
                out.append(aid)
                break
    return sorted(out)


def best_match(sentence: str, text: str | Sequence[str]) -> tuple[str, float]:
    """The sentence of `text` (a text, or its sentences) closest to `sentence`, and its
    `paraphrase_similarity`."""
    best, best_sim = "", 0.0
    for s in split_sentences(text) if isinstance(text, str) else text:
        sim = 1.0 if s == sentence else paraphrase_similarity(sentence, s)
        if sim > best_sim:
            best, best_sim = s, sim
    return best, best_sim
