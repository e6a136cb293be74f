"""Online story and storyline clustering: plain functions and one state object, no I/O.

Articles are taken one at a time in a canonical order (publication day where known and not
older than what already arrived, then arrival; see `canonical_keys`), and each joins the most similar existing story or starts a new one. Similarity is
an IDF-weighted cosine between the article's term vector and a story's centroid, with the IDF
taken from the articles seen so far, damped by the gap in days when both sides are dated.

Across languages, where few words are shared, the article's dense multilingual embedding
(stages/stories/embeddings.py) is compared with the story's mean embedding instead (DENSE_ZERO), and
the stories nearest by embedding are candidates besides those its words find.

Signals in the term vector: the words of the clean text (function words of 25 languages
removed, diacritics folded), the headline (boosted), the lead (its first words boosted: the
lead says what happened), and names (capitalized words inside a sentence: actors and places,
boosted). Dates enter as the day-gap damping. Candidate stories come from an inverted index
over each story's rarest terms, bounded posting lists and a bounded candidate list, never
all pairs, so the cost per article does not grow with the corpus.

Storylines are threads of stories: a new story joins the storyline it is closest to as a
whole, the mean of its similarity to the storyline's stories (its LINE_MEMBERS latest), not
by one link to one member, and only within STORYLINE_DAYS of the storyline's days; else it
starts one. A story's storyline is chosen once, when the story is born, and storylines
never merge, so one hub story cannot chain two threads, and a storyline stays as cohesive
as the bar it was built with.

A reprint group counts once: its first member (in canonical order) is compared and added to
a centroid; later copies follow it into its story without weighing on the centroid, unless
dated days away from that story (see FOLLOW_DAYS).

Everything is a function of the articles in canonical order, so the same input gives the
same stories whatever the batches were; the stage replays from scratch only when a setting
or an article's clean text or date changed (see stages/stories/stage.py).
"""

from __future__ import annotations

import hashlib
import heapq
import io
import json
import math
import re
import unicodedata
import zlib
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import itemgetter

import numpy as np

from storyline.text.dates import dates_in

VERSION = 2
HASH_BITS = 21  # terms are hashed into 2M buckets: document frequencies fit one small array
MAX_TOKENS = 600  # an article's lead carries its story; the tail adds noise and time
TITLE_BOOST = 3  # a headline token counts as this many extra body tokens
LEAD_TOKENS = 40  # the first words of the text ...
LEAD_BOOST = 2  # ... count this many extra times
NAME_BOOST = 1  # a capitalized word inside a sentence (a name) counts this many extra times
CENTROID_TERMS = 120  # a story keeps its heaviest terms only (pruned past 1.5 times this)
QUERY_TERMS = 12  # rarest terms of an article used to look up candidate stories
INDEX_TERMS = 24  # rarest terms of an article under which its story is indexed
POSTING_LIMIT = 64  # only the latest stories under a term are candidates
CANDIDATES = 10  # at most this many stories (most shared rare terms) are scored per article
MIN_DF_SHARE = 0.2  # terms in more than this share of articles are not indexed

# The bar to join a story (after date damping) depends on which sides have a date (a day or
# a month): STORY_SIMILARITY when neither has one; lower by BOTH_DATED_EASE when both have
# (the day-gap damping already keeps a wrong day's story out); higher by UNDATED_MARGIN for an
# undated article and a dated story (no date to tell a later development apart), and by
# UNDATED_STORY_MARGIN for a dated article and a story with no date yet (nothing damps a
# wrong day, and the story takes the article's date from then on). Set on news_dev (mean of
# 10 arrival orders); ECB+ and AllSides carry no dates, so they cannot check it.
STORY_SIMILARITY = 0.26
BOTH_DATED_EASE = 0.04
UNDATED_MARGIN = 0.1
UNDATED_STORY_MARGIN = 0.04
# ... unless its headline or first LEAD_DATE_CHARS characters name one of the story's days
# (see _names_story_day). 300: what the stage reads of each article (store.story_briefs).
LEAD_DAY_WAIVES = 1
LEAD_DATE_CHARS = 300
# An article in a language none of a story's articles is in shares mostly names and numbers
# with it: within the story's days (or undated), its similarity is divided by this share
# before the threshold (language tags as given; untagged articles are never scaled).
CROSS_LANGUAGE_SHARE = 0.35
# Across languages the dense multilingual embedding (stages/stories/embeddings.py) speaks instead:
# the cosine of the article's embedding with the story's mean embedding is mapped onto the
# word-similarity scale, DENSE_ZERO -> 0 and DENSE_ZERO + 1/DENSE_SCALE -> 1, and the higher
# of the two counts (then the same date damping and bars). Unrelated stories sit at about
# 0.80-0.84 on news_dev, the right story at 0.86-0.92.
DENSE_ZERO = 0.80
DENSE_SCALE = 4.0
# Stories whose mean embedding is kept, most recently joined first: an article is compared
# with the DENSE_CANDIDATES nearest of them in other languages besides the stories its rare
# words find (words find no story in another language). Bounded, so the cost per article
# stays flat.
RECENT_STORIES = 1024
DENSE_CANDIDATES = 4
SAME_DAY_SPAN = 1  # a story's coverage runs this many days around its dated articles
DAY_DECAY = 0.5  # per extra day apart the similarity is multiplied by this
# A new story joins the storyline whose stories its first article resembles this much on
# average (raw similarity, undamped: a thread runs over weeks and years): half what it takes
# to join a story. On news_dev (mean of 10 orders) storyline F1 0.969, on ECB+ topic
# precision 0.977, NeuS val precision 0.700 with each gold story its own storyline.
LINE_SIMILARITY = STORY_SIMILARITY / 2
LINE_MEMBERS = 8  # a storyline is compared through its latest stories (bounded work)
STORYLINE_DAYS = 800  # a story further than this from a storyline's days starts its own
# An article with only a month ('2016-07', from its URL or feed) is compared with a story as
# an interval: the gap is the days between the month and the story's days. It never widens
# a story's days (a story of month-only articles keeps their hull until it gets a day), and
# it still needs UNDATED_MARGIN to join a dated story when COARSE_MARGIN is 1.
COARSE_MARGIN = 1
# A later copy of a reprint group follows the group's story without being compared, unless
# it is dated more than FOLLOW_DAYS from the story's days: wire copy is reused for the next
# development ("Daesh retakes ..." on the text of last week's "clashes near ..."), and a copy
# that followed blindly would stretch the story's days over both, so that every article in
# between joins undamped. Such a copy is placed as any article (and counted). -1: always follow.
FOLLOW_DAYS = SAME_DAY_SPAN

_MONTH_ONLY = re.compile(r"^((?:19|20)\d\d)-(\d{2})$")
_WORD = re.compile(r"\w+", re.UNICODE)
# A capitalized word not opening a sentence: names of people, places, organisations.
_NAME = re.compile(r"(?<![.!?\n:\"“]\s)(?<![.!?\n])(?<=\s)[^\W\d_a-z][\w'’-]*", re.UNICODE)


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold_case(text: str) -> str:
    """Lower case without diacritics, so Zürich, Zurich and ZÜRICH are one term. Unlike
    text.names.fold (the key of a name), punctuation stays: the term tokenizer cuts words."""
    text = text.lower()
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Function words of 25 languages (data/stopwords.txt), folded. Language tags are often
    missing or wrong, and with a few articles per language their IDF cannot tell them apart
    from content words, so that two Spanish articles would look alike for being Spanish."""
    from importlib.resources import files

    text = files("storyline").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(fold_case(w) for w in text.split("\n") if w and not w.startswith("#"))


def tokens(text: str) -> list[str]:
    stop = stop_words()
    return [t for t in _WORD.findall(fold_case(text)) if (len(t) > 1 or t.isdigit()) and t not in stop]


def name_tokens(text: str) -> list[str]:
    """Folded tokens of the capitalized words inside sentences (a light name extraction)."""
    stop = stop_words()
    return [t for t in _WORD.findall(fold_case(" ".join(_NAME.findall(text)))) if len(t) > 1 and t not in stop]


@lru_cache(maxsize=1 << 18)
def term_id(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) & ((1 << HASH_BITS) - 1)


def day_number(value: str | None) -> int | None:
    """Ordinal day of an ISO date; a month-only date ('2014-07') is not a day and gives None
    (see `day_span`)."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def day_span(value: str | None) -> tuple[int, int] | None:
    """(first, last) ordinal day a date names: one day for 'YYYY-MM-DD', the month for 'YYYY-MM'."""
    if not value:
        return None
    if len(value) >= 10:
        day = day_number(value)
        return None if day is None else (day, day)
    m = _MONTH_ONLY.match(value)
    if not m or not 1 <= int(m[2]) <= 12:
        return None
    year, month = int(m[1]), int(m[2])
    last = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)).toordinal() - 1
    return date(year, month, 1).toordinal(), last


def day_iso(day: int | None) -> str | None:
    return None if day is None else date.fromordinal(day).isoformat()


@dataclass(frozen=True)
class Unit:
    """One article as the clusterer sees it."""

    id: str
    title: str | None
    text: str
    day: int | None
    follow: str | None = None  # the story of an earlier copy of its reprint group, if any
    language: str | None = None
    span: tuple[int, int] | None = None  # (first, last) day of a month-only date, when `day` is None
    embedding: np.ndarray | None = None  # unit-length dense vector (stages/stories/embeddings.py), if made


@dataclass
class TermVector:
    """Sparse term weights: sorted term ids and their weights (unit length)."""

    ids: np.ndarray
    weights: np.ndarray


def _vector(counts: Counter) -> TermVector:
    merged: dict[int, float] = {}
    for tok, n in counts.items():
        tid = term_id(tok)
        merged[tid] = merged.get(tid, 0.0) + 1.0 + math.log(n)
    if not merged:
        return TermVector(np.zeros(0, np.int64), np.zeros(0, np.float32))
    ids = np.fromiter(sorted(merged), np.int64, len(merged))
    weights = np.fromiter((merged[i] for i in ids.tolist()), np.float32, len(ids))
    weights /= np.linalg.norm(weights)
    return TermVector(ids, weights)


def term_vector(title: str | None, text: str) -> TermVector:
    """Sublinear term frequencies of the text's first MAX_TOKENS words, with the headline,
    the lead and the names boosted; unit length."""
    words = tokens(text)[:MAX_TOKENS]
    counts = Counter(words)
    for tok in words[:LEAD_TOKENS]:
        counts[tok] += LEAD_BOOST
    for tok in tokens(title or ""):
        counts[tok] += TITLE_BOOST
    if NAME_BOOST:
        for tok in name_tokens(text[: MAX_TOKENS * 8]):
            if tok in counts:
                counts[tok] += NAME_BOOST
    return _vector(counts)


def featurizer_settings() -> int:
    """Fingerprint of what shapes a term vector: stored vectors are remade when it changes."""
    names = ("VERSION", "HASH_BITS", "MAX_TOKENS", "TITLE_BOOST", "LEAD_TOKENS", "LEAD_BOOST", "NAME_BOOST")
    return zlib.crc32(json.dumps([globals()[n] for n in names]).encode()) & 0x7FFFFFFF


def vector_to_bytes(vec: TermVector) -> tuple[bytes, bytes]:
    return vec.ids.astype(np.uint32).tobytes(), vec.weights.astype(np.float32).tobytes()


def vector_from_bytes(ids: bytes, weights: bytes) -> TermVector:
    return TermVector(np.frombuffer(ids, np.uint32).astype(np.int64), np.frombuffer(weights, np.float32).copy())


def title_vector(title: str | None, text: str) -> TermVector:
    """The headline's terms (or the first words of the text when there is none)."""
    return _vector(Counter(tokens(title or "") or tokens(text)[:LEAD_TOKENS]))


@dataclass
class Cluster:
    """A story: a centroid (summed unit vectors, heaviest terms), its span and storyline."""

    id: str
    born: int  # position of its first unit in canonical order
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sums: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    units: int = 0
    first_day: int | None = None
    last_day: int | None = None
    parent: str = ""  # its storyline
    norm_at: tuple[int, float] | None = None  # (documents seen, IDF-weighted norm) when computed
    languages: list[str] = field(default_factory=list)  # languages of its articles (tagged ones)
    coarse_lo: int | None = None  # hull of its month-only members' months (used while it has no day)
    coarse_hi: int | None = None
    dense: np.ndarray | None = None  # sum of its members' embeddings, while among the recent stories

    def add(self, vec: TermVector, day: int | None, span: tuple[int, int] | None = None,
            embedding: np.ndarray | None = None) -> None:
        if embedding is not None:
            self.dense = embedding.astype(np.float32) if self.dense is None else self.dense + embedding
        merged, inverse = np.unique(np.concatenate([self.ids, vec.ids]), return_inverse=True)
        sums = np.bincount(inverse, weights=np.concatenate([self.sums, vec.weights]))
        if len(merged) > CENTROID_TERMS + CENTROID_TERMS // 2:
            keep = np.sort(np.lexsort((merged, -sums))[:CENTROID_TERMS])
            merged, sums = merged[keep], sums[keep]
        self.ids, self.sums = merged, sums.astype(np.float32)
        self.units += 1
        self.norm_at = None
        self.widen(day, span)

    def widen(self, day: int | None, span: tuple[int, int] | None = None) -> None:
        if day is not None:
            self.first_day = day if self.first_day is None else min(self.first_day, day)
            self.last_day = day if self.last_day is None else max(self.last_day, day)
        elif span is not None:
            self.coarse_lo = span[0] if self.coarse_lo is None else min(self.coarse_lo, span[0])
            self.coarse_hi = span[1] if self.coarse_hi is None else max(self.coarse_hi, span[1])

    def day_gap(self, day: int | None, span: tuple[int, int] | None = None) -> int:
        """Days between the article's day (or month span) and the story's days (or, while it
        has none, its month hull); 0 when either side has no date at all."""
        lo, hi = (day, day) if day is not None else span or (None, None)
        if lo is None or hi is None:
            return 0
        if self.first_day is not None and self.last_day is not None:
            first, last = self.first_day, self.last_day
        elif self.coarse_lo is not None and self.coarse_hi is not None:
            first, last = self.coarse_lo, self.coarse_hi
        else:
            return 0
        return max(first - hi, lo - last, 0)


class RecentStories:
    """The RECENT_STORIES stories joined last, with their unit mean embeddings in one matrix
    (a slot per story), for the dense candidate lookup. A story that falls out loses its
    embedding sum (`Cluster.dense`); one that is joined again starts a new sum. So what is kept
    is a function of the canonical order alone, whatever the batches were."""

    def __init__(self, dim: int = 384, capacity: int | None = None):
        self.capacity = RECENT_STORIES if capacity is None else capacity
        self.matrix = np.zeros((self.capacity, dim), np.float32)
        self.slots: OrderedDict[str, int] = OrderedDict()  # story id -> slot, least recent first
        self.slot_ids: dict[int, str] = {}  # slot -> story id

    def touch(self, story: Cluster, stories: dict[str, Cluster]) -> None:
        if story.dense is None:
            return
        slot = self.slots.pop(story.id, None)
        if slot is None:
            if len(self.slots) < self.capacity:
                slot = len(self.slots)
            else:
                gone, slot = self.slots.popitem(last=False)
                stories[gone].dense = None
        self.slots[story.id] = slot
        self.slot_ids[slot] = story.id
        norm = float(np.linalg.norm(story.dense))
        self.matrix[slot] = story.dense / norm if norm else 0.0

    def nearest(self, vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k stories whose mean embedding is closest to vec (ties: the lower slot)."""
        used = len(self.slots)
        if not used or k <= 0:
            return []
        sims = self.matrix[:used] @ vec  # slots 0..used-1 are the ones taken (they are never freed)
        top = np.argpartition(-sims, k - 1)[:k] if used > k else np.arange(used)
        top = top[np.lexsort((top, -sims[top]))]
        return [(self.slot_ids[int(i)], float(sims[i])) for i in top]


def dense_similarity(vec: np.ndarray | None, c: Cluster) -> float | None:
    """Cosine between an article's embedding and story c's mean embedding (None: either lacks one)."""
    if vec is None or c.dense is None:
        return None
    norm = float(np.linalg.norm(c.dense))
    return float(vec @ c.dense) / norm if norm else None


def dense_as_words(cosine: float | None) -> float:
    """A dense cosine on the word-similarity scale (see DENSE_ZERO)."""
    return 0.0 if cosine is None else max(0.0, (cosine - DENSE_ZERO) * DENSE_SCALE)


@dataclass
class ClusterState:
    """Everything the online clusterer knows; `state_to_bytes`/`state_from_bytes` persist it."""

    df: np.ndarray = field(default_factory=lambda: np.zeros(1 << HASH_BITS, np.int32))
    n_docs: int = 0
    placed: int = 0  # units placed (reprint copies included): the canonical position
    watermark: int = 0  # the latest publication day among the articles placed
    last_seq: int = 0  # arrival number of the last article placed
    stories: dict[str, Cluster] = field(default_factory=dict)
    storylines: dict[str, list[str]] = field(default_factory=dict)  # line id -> its story ids
    story_index: dict[int, list[str]] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)  # stories changed since loaded
    touched_lines: set[str] = field(default_factory=set)
    recent: RecentStories = field(default_factory=lambda: RecentStories())

    def idf(self, ids: np.ndarray) -> np.ndarray:
        return np.log((self.n_docs + 1) / (self.df[ids] + 1)).astype(np.float32) + 1.0


def _centroid_norm(state: ClusterState, c: Cluster) -> float:
    """Norm of the IDF-weighted centroid, recomputed when the cluster or the IDF moved enough."""
    if c.norm_at and c.norm_at[0] * 1.1 >= state.n_docs:
        return c.norm_at[1]
    c.norm_at = (state.n_docs, float(np.linalg.norm(c.sums * state.idf(c.ids))) or 1.0)
    return c.norm_at[1]


def _similarity(state: ClusterState, q_ids: np.ndarray, q_w: np.ndarray, qnorm: float, c: Cluster) -> float:
    """IDF-weighted cosine between an article (q_w: weight x idf^2) and a centroid."""
    if not len(c.ids) or not len(q_ids):
        return 0.0
    pos = c.ids.searchsorted(q_ids)
    pos[pos == len(c.ids)] = 0
    hit = c.ids[pos] == q_ids
    dot = float(q_w[hit] @ c.sums[pos[hit]])
    if dot <= 0.0:
        return 0.0
    return dot / (qnorm * _centroid_norm(state, c))


def _damped(sim: float, gap: int) -> float:
    if gap <= SAME_DAY_SPAN:
        return sim
    return sim * DAY_DECAY ** (gap - SAME_DAY_SPAN)


def _names_story_day(unit: Unit, c: Cluster) -> bool:
    """Whether the headline or the opening of an undated article names a day of the dated
    story c (within a day; a date without a year takes the story's): 'Geneva, July 4 (IANS)'
    for a story of July 4. That is the date evidence UNDATED_MARGIN asks for."""
    if not LEAD_DAY_WAIVES or c.first_day is None or c.last_day is None:
        return False
    years = {date.fromordinal(c.first_day).year, date.fromordinal(c.last_day).year}
    for found in dates_in(f"{unit.title or ''}\n{unit.text[:LEAD_DATE_CHARS]}"):
        if found.day is None:
            continue
        for year in ([found.year] if found.year else sorted(years)):
            try:
                day = date(year, found.month, found.day).toordinal()
            except ValueError:
                continue
            if c.first_day - 1 <= day <= c.last_day + 1:
                return True
    return False


def _rare_terms(state: ClusterState, vec: TermVector, idf: np.ndarray, k: int) -> list[int]:
    """The k terms of highest weight x idf, leaving out near-universal ones."""
    if not len(vec.ids):
        return []
    ok = state.df[vec.ids] <= max(2.0, MIN_DF_SHARE * state.n_docs)
    ids = vec.ids[ok]
    order = np.lexsort((ids, -(vec.weights * idf)[ok]))[:k]
    return ids[order].tolist()


def _candidates(index: dict[int, list[str]], terms: list[int]) -> list[str]:
    """The CANDIDATES stories sharing most of `terms` (ties: the one met first)."""
    counts: Counter = Counter()
    for t in terms:
        counts.update(index.get(t, ()))
    return [cid for cid, _ in heapq.nlargest(CANDIDATES, counts.items(), key=itemgetter(1))]


def _index(index: dict[int, list[str]], terms: list[int], cid: str) -> None:
    """Put `cid` last under each term, keeping the POSTING_LIMIT latest: bounded work per article."""
    for t in terms:
        posting = index.setdefault(t, [])
        if posting and posting[-1] == cid:
            continue
        if cid in posting:
            posting.remove(cid)
        posting.append(cid)
        if len(posting) > POSTING_LIMIT:
            del posting[0]


def _days_of(stories: Iterable[Cluster]) -> tuple[int, int] | None:
    days = [(c.first_day, c.last_day) for c in stories if c.first_day is not None and c.last_day is not None]
    return (min(d[0] for d in days), max(d[1] for d in days)) if days else None


def _storyline_for(state: ClusterState, unit: Unit, scored: dict[str, float], similarity) -> str | None:
    """The storyline a new story of `unit` joins: among the storylines of the stories it
    resembles (`scored`: story -> raw similarity), the one whose latest LINE_MEMBERS stories
    it resembles most on average, if that is LINE_SIMILARITY or more and their days are
    within STORYLINE_DAYS (ties: the smaller id). `similarity(story)` scores the others."""
    best, best_score = None, 0.0
    for line in sorted({state.stories[cid].parent for cid, raw in scored.items() if raw >= LINE_SIMILARITY}):
        members = state.storylines[line][-LINE_MEMBERS:]
        if unit.day is not None and (span := _days_of(state.stories[m] for m in members)) is not None \
                and max(span[0] - unit.day, unit.day - span[1]) > STORYLINE_DAYS:
            continue
        score = sum(scored[m] if m in scored else similarity(state.stories[m]) for m in members) / len(members)
        if score >= LINE_SIMILARITY and score > best_score:
            best, best_score = line, score
    return best


def _bar(unit: Unit, story: Cluster) -> float:
    """The similarity `unit` needs to join `story`: STORY_SIMILARITY moved by what each side's
    dates can tell (see the settings above)."""
    need = STORY_SIMILARITY
    if (unit.day is None and story.first_day is not None and (unit.span is None or COARSE_MARGIN)
            and not _names_story_day(unit, story)):
        need += UNDATED_MARGIN
    dated = unit.day is not None or unit.span is not None
    story_dated = story.first_day is not None or story.coarse_lo is not None
    if dated and story_dated:
        need -= BOTH_DATED_EASE
    elif dated:
        need += UNDATED_STORY_MARGIN  # no date to tell a later development apart: ask for more
    return need


def place(state: ClusterState, unit: Unit, new_id: str, vec: TermVector | None = None) -> tuple[str, bool]:
    """Put one unit into a story (existing or new, id `new_id`). Returns (story id, counted).

    A later copy of a reprint group already placed follows its group and is not counted
    (unless dated more than FOLLOW_DAYS from the group's story: then it is placed as any article).
    """
    state.placed += 1
    if (unit.follow is not None and unit.follow in state.stories
            and (FOLLOW_DAYS < 0 or state.stories[unit.follow].day_gap(unit.day) <= FOLLOW_DAYS)):
        story = state.stories[unit.follow]
        story.widen(unit.day, unit.span)
        state.touched.add(story.id)
        state.touched_lines.add(story.parent)
        return story.id, False
    if vec is None:
        vec = term_vector(unit.title, unit.text)
    # This document's own terms count in the IDF it is compared with, as in batch TF-IDF.
    state.n_docs += 1
    if len(vec.ids):
        state.df[vec.ids] += 1
    idf = state.idf(vec.ids)
    qw = vec.weights * idf
    qnorm = float(np.linalg.norm(qw)) or 1.0
    q_w = qw * idf
    terms = _rare_terms(state, vec, idf, max(QUERY_TERMS, INDEX_TERMS))

    best_id, best_sim = None, 0.0
    scored: dict[str, float] = {}  # candidate story -> raw similarity (words, or dense across languages)
    heavy = _rare_terms(state, vec, np.ones_like(idf), QUERY_TERMS // 2)  # its most frequent terms
    query = terms[:QUERY_TERMS] + [t for t in heavy if t not in terms[:QUERY_TERMS]]
    candidates = _candidates(state.story_index, query)
    if unit.embedding is not None and unit.language:
        # words find the stories in the article's language; the embedding looks in the others
        foreign = [cid for cid, _ in state.recent.nearest(unit.embedding, 4 * DENSE_CANDIDATES)
                   if cid not in candidates and state.stories[cid].languages
                   and unit.language not in state.stories[cid].languages]
        candidates += foreign[:DENSE_CANDIDATES]

    def raw_similarity(c: Cluster) -> tuple[float, float, bool]:
        """(raw similarity, words alone, whether c is in other languages) of the unit with story c."""
        words = _similarity(state, vec.ids, q_w, qnorm, c)
        foreign = bool(unit.language and c.languages and unit.language not in c.languages)
        return (max(words, dense_as_words(dense_similarity(unit.embedding, c))) if foreign else words), words, foreign

    for cid in candidates:
        c = state.stories[cid]
        gap = c.day_gap(unit.day, unit.span)
        raw, words, foreign = raw_similarity(c)
        scored[cid] = raw
        sim = _damped(raw, gap)
        if foreign and gap <= SAME_DAY_SPAN:
            sim = max(sim, words / CROSS_LANGUAGE_SHARE)
        if sim > best_sim or (sim == best_sim and best_id is not None and cid < best_id):
            best_id, best_sim = cid, sim
    need = _bar(unit, state.stories[best_id]) if best_id is not None else STORY_SIMILARITY
    if best_id is None or best_sim < need:
        best_id = new_id
        line_id = (_storyline_for(state, unit, scored, lambda c: raw_similarity(c)[0])
                   or "sl-" + new_id.removeprefix("st-"))
        state.stories[best_id] = Cluster(best_id, state.placed, parent=line_id)
        state.storylines.setdefault(line_id, []).append(best_id)
    story = state.stories[best_id]
    story.add(vec, unit.day, unit.span, unit.embedding)
    state.recent.touch(story, state.stories)
    if unit.language and unit.language not in story.languages:
        story.languages = sorted([*story.languages, unit.language])
    _index(state.story_index, terms[:INDEX_TERMS], best_id)
    state.touched.add(best_id)
    state.touched_lines.add(story.parent)
    return best_id, True


def canonical_keys(
    articles: Iterable, days: dict[str, int | None], watermark: int = 0
) -> dict[str, tuple[int, int]]:
    """Order key of each article: (day, arrival). Its day is its publication day, but never
    earlier than the latest day among the articles that arrived before it (the watermark);
    an undated article takes the watermark. So a feed's articles are placed in publication
    order, a late one is placed when it arrives, and no article ever sorts before those that
    arrived earlier: each key depends on earlier arrivals only, never on how the arrivals were
    split into runs, and a new run never has to undo what an earlier one placed.
    `watermark`: the latest day among the articles placed before these."""
    keys: dict[str, tuple[int, int]] = {}
    latest = watermark
    for art in sorted(articles, key=lambda a: a.seq):
        day = days.get(art.id)
        keys[art.id] = (latest if day is None else max(day, latest), art.seq)
        if day is not None:
            latest = max(latest, day)
    return keys


def story_id_for(article_id: str) -> str:
    return "st-" + hashlib.sha1(article_id.encode()).hexdigest()[:10]


def cluster_articles(
    articles: Sequence,
    reprint_group: dict[str, str],
    state: ClusterState | None = None,
    placed: dict[str, str] | None = None,
    keys: dict[str, tuple[int, int]] | None = None,
    vectors: dict[str, TermVector] | None = None,
    embeddings: dict[str, np.ndarray] | None = None,
) -> tuple[ClusterState, dict[str, str]]:
    """Place `articles` (ArticleForGrouping) in canonical order after what `state` holds.

    placed: article -> story of the articles already in `state` (their reprint copies follow
    them); vectors: article -> its term vector where already made (see `term_vector`);
    embeddings: article -> its unit dense vector (stages/stories/embeddings.py), where made.
    Returns (state, {article id: story id}) for the articles given.
    """
    state = state or ClusterState()
    days = {a.id: day_number(a.published) for a in articles}
    keys = keys or canonical_keys(articles, days, state.watermark)
    state.watermark = max([state.watermark] + [d for d in days.values() if d is not None])
    state.last_seq = max([state.last_seq] + [a.seq for a in articles])
    group_story: dict[str, str] = {}
    for art_id, story in sorted((placed or {}).items(), key=lambda kv: (keys.get(kv[0], (0, 0)), kv[0])):
        group = reprint_group.get(art_id)
        if group is not None and story in state.stories:
            group_story.setdefault(group, story)
    out: dict[str, str] = {}
    for art in sorted(articles, key=lambda a: keys[a.id]):
        group = reprint_group.get(art.id)
        unit = Unit(art.id, art.title, art.text, days[art.id], group_story.get(group) if group else None,
                    (art.language or "").lower()[:2] or None,
                    day_span(art.published) if days[art.id] is None else None,
                    (embeddings or {}).get(art.id))
        out[art.id], _ = place(state, unit, story_id_for(art.id), (vectors or {}).get(art.id))
        if group is not None:
            group_story.setdefault(group, out[art.id])
    return state, out


HEADLINE_MIN_WORDS = 3  # "Germany crush Brazil"; fewer is a section name, a place, a date
TITLE_MAX_WORDS = 20  # a lead sentence standing in for a headline is cut here, at a word
LEAD_MIN_WORDS = 6  # a lead is a sentence: a shorter line is a masthead or a label
_NOT_HEADLINE_START = re.compile(r"^(?:[-•|*·–—>]|[Bb]y\s+[A-Z]|(?i:photos?|photographs?|video|image|file)\s*[:|/–-])")


def headline_problem(title: str) -> str | None:
    """Why `title` is not a real headline (None when it can be one): too few words, a date,
    a byline or credit, a list or menu item."""
    words = [w for w in _WORD.findall(title) if not w.isdigit()]
    if _NOT_HEADLINE_START.match(title.strip()):
        return "furniture"
    if dates_in(title) and len(words) - sum(1 for w in words if fold_case(w)[:3] in _MONTH_DAY_WORDS) < 2:
        return "a date"
    if len(words) < HEADLINE_MIN_WORDS:
        return "too short"
    return None


_MONTH_DAY_WORDS = frozenset(w[:3] for w in ("january february march april may june july august september"
                                             " october november december monday tuesday wednesday thursday"
                                             " friday saturday sunday").split())


def lead_sentence(text: str) -> str:
    """The article's first sentence that could be a headline, cut at TITLE_MAX_WORDS words."""
    from storyline.text.sentences import sentences

    for start, end in sentences(text):
        sentence = " ".join(text[start:end].split())
        if headline_problem(sentence) is None and len(sentence.split()) >= LEAD_MIN_WORDS:
            words = sentence.split()
            return " ".join(words[:TITLE_MAX_WORDS]) + (" ..." if len(words) > TITLE_MAX_WORDS else "")
    return _first_words(text)


def central_title(state: ClusterState, story: Cluster, members: Sequence[tuple[str, str | None, str]]) -> str:
    """The most central of the members' real headlines (by similarity to the story's
    centroid; ties: the earliest member): a title that is not a headline (see
    `headline_problem`), or shares no word with its own article's opening (a section name,
    a site's label), does not count. With none, the most central lead sentence.
    members: (article id, title, text) in arrival order."""
    def centrality(candidate: str) -> float:
        vec = title_vector(candidate, "")
        if not len(vec.ids):
            return 0.0
        idf = state.idf(vec.ids)
        qw = vec.weights * idf
        return _similarity(state, vec.ids, qw * idf, float(np.linalg.norm(qw)) or 1.0, story)

    for offers in (
        [t for _, title, text in members if (t := " ".join((title or "").split()))
         and headline_problem(t) is None and not set(tokens(t)).isdisjoint(tokens(text))],
        [lead_sentence(text) for _, _, text in members],
    ):
        best, best_sim = None, 0.0
        for candidate in offers:
            sim = centrality(candidate)
            if sim > best_sim:
                best, best_sim = candidate, sim
        if best is not None:
            return best
    return (members[0][1] or _first_words(members[0][2])) if members else ""


def _first_words(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" ..." if len(words) > n else "")


# -- persistence: the state as a few flat arrays (no pickle: a database may come from anyone) --


def state_to_bytes(state: ClusterState) -> bytes:
    items = list(state.stories.values())
    ordinal = {c.id: i for i, c in enumerate(items)}
    terms = sorted(state.story_index)
    postings = [state.story_index[t] for t in terms]
    arrays = {
        "df": state.df,
        "counts": np.array([state.n_docs, state.placed, state.watermark, state.last_seq], np.int64),
        "meta": np.array(json.dumps([[c.id, c.parent, c.languages] for c in items]).encode()),
        "nums": np.array([[c.born, c.units, *(-1 if d is None else d for d in
                                                (c.first_day, c.last_day, c.coarse_lo, c.coarse_hi))]
                          for c in items], np.int64).reshape(-1, 6),
        "norms": np.array([c.norm_at or (-1, 0.0) for c in items], np.float64).reshape(-1, 2),
        "len": np.array([len(c.ids) for c in items], np.int64),
        "ids": np.concatenate([c.ids for c in items]).astype(np.uint32) if items else np.zeros(0, np.uint32),
        "sums": np.concatenate([c.sums for c in items]) if items else np.zeros(0, np.float32),
        "index_terms": np.array(terms, np.int64),
        "index_len": np.array([len(p) for p in postings], np.int64),
        "index_flat": np.array([ordinal[c] for p in postings for c in p], np.int64),
        # the recent stories, least recent first, their slots and embedding sums (float32: a
        # replay from these must give the very numbers one uninterrupted run has)
        "recent_story": np.array([ordinal[c] for c in state.recent.slots], np.int64),
        "recent_slot": np.array(list(state.recent.slots.values()), np.int64),
        "recent_sums": (np.stack([state.stories[c].dense for c in state.recent.slots]).astype(np.float32)
                        if state.recent.slots else np.zeros((0, state.recent.matrix.shape[1]), np.float32)),
    }
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def state_from_bytes(blob: bytes) -> ClusterState:
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        meta = json.loads(bytes(arrays["meta"]).decode())
        ends = np.cumsum(arrays["len"]).tolist()
        ids, sums = arrays["ids"].astype(np.int64), arrays["sums"]
        norms = arrays["norms"].tolist()
        stories: dict[str, Cluster] = {}
        lines: dict[str, list[str]] = {}
        start = 0
        for (cid, parent, languages), (born, units, first, last, lo, hi), (at, norm), end in zip(
            meta, arrays["nums"].tolist(), norms, ends, strict=True
        ):
            stories[cid] = Cluster(cid, born, ids[start:end].copy(), sums[start:end].copy(), units,
                                   None if first < 0 else first, None if last < 0 else last, parent,
                                   None if at < 0 else (int(at), norm), languages,
                                   None if lo < 0 else lo, None if hi < 0 else hi)
            lines.setdefault(parent, []).append(cid)
            start = end
        names = [m[0] for m in meta]
        flat = [names[i] for i in arrays["index_flat"].tolist()]
        index: dict[int, list[str]] = {}
        start = 0
        for term, n in zip(arrays["index_terms"].tolist(), arrays["index_len"].tolist(), strict=True):
            index[term] = flat[start : start + n]
            start += n
        n_docs, placed, watermark, last_seq = arrays["counts"].tolist()
        recent = RecentStories()
        if "recent_story" in arrays.files:
            for ordinal, slot, dense in zip(arrays["recent_story"].tolist(), arrays["recent_slot"].tolist(),
                                            arrays["recent_sums"], strict=True):
                story = stories[names[ordinal]]
                story.dense = dense.copy()
                recent.slots[story.id] = slot
                recent.slot_ids[slot] = story.id
                norm = float(np.linalg.norm(story.dense))
                recent.matrix[slot] = story.dense / norm if norm else 0.0
        return ClusterState(df=arrays["df"].copy(), n_docs=n_docs, placed=placed, watermark=watermark,
                            last_seq=last_seq, stories=stories,
                            storylines=lines, story_index=index, recent=recent)


def settings_fingerprint() -> str:
    """Changes when a setting that shapes the clustering changes: stored state is then replayed."""
    names = sorted(n for n, v in globals().items() if n.isupper() and isinstance(v, int | float))
    return json.dumps({n: globals()[n] for n in names}, sort_keys=True)
