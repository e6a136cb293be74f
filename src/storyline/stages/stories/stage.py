"""Stories and storylines (version 3: online clustering, see stages/stories/clustering.py).

Map step: each article's term vector and dense multilingual embedding (pure, per article;
stages/stories/embeddings.py). Reduce (`finish`): the stage
continues from where the last run stopped: articles not yet placed are put in canonical
order (see clustering.canonical_keys) after those already placed, against the
persisted clustering state. New articles always sort after placed ones, so this is exactly
what one run over the whole input gives: batch boundaries never change the stories, and a
rerun with nothing new does nothing. When an article's date or clean text or a clustering
setting changed, or the state is missing, it replays every article from the first.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any, ClassVar

from storyline.stages.stories import clustering as sc
from storyline.stages.stories import embeddings as emb
from storyline.store import Store

SETTINGS_KEY = "settings"
STATE_KEY = "state"
TITLE_CANDIDATES = 24  # a story's title is chosen among its first members and the new ones


def _settings() -> bytes:
    return f"v{sc.VERSION} {sc.settings_fingerprint()}".encode()


def run_online(store: Store, embeddings: bool = True) -> dict[str, Any]:
    """Place every unplaced article; returns stats: placed, replayed (why, or '').
    `embeddings`: whether to embed the articles it must featurize itself."""
    pending = store.unplaced_story_inputs()  # (id, seq, published) in arrival order
    blob = store.story_state(STATE_KEY)
    settings_same = store.story_state(SETTINGS_KEY) == _settings()
    any_placed = store.count_story_assignments() > 0
    if not pending and settings_same and (blob is not None or not any_placed):
        return {"placed": 0, "replayed": ""}
    state = sc.state_from_bytes(blob) if blob is not None and settings_same else None
    if not any_placed:
        replay = "first run"
    elif not settings_same:
        replay = "settings changed"
    elif state is None:
        replay = "an article's text or date changed"  # its new term vector dropped the state
    elif pending and pending[0][1] < state.last_seq:
        replay = "an article arrived before those placed"
    else:
        replay = ""
    if replay:
        store.clear_story_clustering()
        state, pending = sc.ClusterState(), store.story_inputs()
    days = {art_id: sc.day_number(published) for art_id, _, published in pending}
    keys = sc.canonical_keys([_Seq(i, s) for i, s, _ in pending], days, state.watermark)
    todo = [i for i, _, _ in pending]
    groups = store.reprint_groups()
    placed = store.placed_in_groups({groups[i] for i in todo if i in groups}) if not replay else {}
    articles = store.story_briefs(todo)
    features = store.story_features_full(todo)
    missing = [a for a in articles if a.id not in features]
    if missing:  # made in the map step; only a caller skipping it lands here
        full = {a.id: a for a in store.articles_for_grouping([a.id for a in missing])}
        features.update((row[0], row[3:6]) for row in featurize(
            [(a.id, 0, full[a.id].title, full[a.id].text, None) for a in missing], embeddings))
    vectors = {a: sc.vector_from_bytes(ids, weights) for a, (ids, weights, _) in features.items()}
    embeddings = {a: vec for a, (_, _, blob) in features.items() if (vec := emb.from_bytes(blob)) is not None}
    state, out = sc.cluster_articles(articles, groups, state, placed, keys, vectors, embeddings)
    rows = [(a, story, keys[a][0], keys[a][1], a) for a, story in sorted(out.items())]
    new_members: dict[str, list[tuple[int, str, str | None, str]]] = {}
    for art in articles:
        new_members.setdefault(out[art.id], []).append((art.seq, art.id, art.title, art.text[:300]))
    stories = _story_rows(store, state, new_members)
    lines = _line_rows(store, state, {s["id"]: s for s in stories})
    store.save_story_placements(rows, stories, lines,
                                {STATE_KEY: sc.state_to_bytes(state), SETTINGS_KEY: _settings()})
    return {"placed": len(out), "replayed": "" if replay == "first run" else replay}


class _Seq:
    __slots__ = ("id", "seq")

    def __init__(self, art_id: str, seq: int):
        self.id, self.seq = art_id, seq


def _story_rows(store: Store, state: sc.ClusterState, new_members) -> list[dict[str, Any]]:
    touched = sorted(state.touched)
    stored = store.story_titles(touched)
    rows = []
    for sid in touched:
        story = state.stories[sid]
        members = [(a, t, x) for a, t, x in stored.get(sid, [])[:TITLE_CANDIDATES]]
        members += [(a, t, x) for _, a, t, x in sorted(new_members.get(sid, []))]
        title = sc.central_title(state, story, members)
        rows.append({
            "id": sid, "title": title,
            "first_seen": sc.day_iso(story.first_day), "last_seen": sc.day_iso(story.last_day),
            "storyline": story.parent,
        })
    return rows


def _line_rows(store: Store, state: sc.ClusterState, fresh: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the storylines touched: title = its largest story's title (ties: the eldest)."""
    rows = []
    touched = sorted(state.touched_lines)
    lead = {line: max(state.storylines[line], key=lambda s: (state.stories[s].units, -state.stories[s].born))
            for line in touched}
    stored_titles = store.story_title_map([s for s in lead.values() if s not in fresh])
    for line in touched:
        members = [state.stories[s] for s in state.storylines[line]]
        firsts = [c.first_day for c in members if c.first_day is not None]
        lasts = [c.last_day for c in members if c.last_day is not None]
        head = lead[line]
        title = fresh[head]["title"] if head in fresh else stored_titles.get(head, "")
        rows.append({"id": line, "title": title, "first_seen": sc.day_iso(min(firsts, default=None)),
                     "last_seen": sc.day_iso(max(lasts, default=None))})
    return rows


def featurizer_settings(embeddings: bool) -> int:
    """Fingerprint of the term-vector settings and the embedding model (or none): features
    are remade when it changes."""
    model = f"{emb.MODEL} {emb.EMBED_CHARS}" if embeddings else "no embeddings"
    return zlib.crc32(f"{sc.featurizer_settings()} {model}".encode()) & 0x7FFFFFFF


def featurize(
    batch: Sequence[tuple], embeddings: bool
) -> list[tuple[str, int, int, bytes, bytes, bytes | None, bytes | None]]:
    """The map step: (article id, clean revision, title, text, stored embedding of the same
    text or None) -> stored rows of its term vector, its dense embedding (None without
    `embeddings`) and the embedded text's key. An embedding given is used as is: only new
    texts are embedded."""
    settings = featurizer_settings(embeddings)
    rows = []
    if embeddings:
        texts = [emb.embedding_text(item[2], item[3]) for item in batch]
        known = [item[4] for item in batch]
        todo = [i for i, blob in enumerate(known) if blob is None]
        made = dict(zip(todo, emb.embed([texts[i] for i in todo]), strict=True))
        dense = [known[i] if known[i] is not None else emb.to_bytes(made[i]) for i in range(len(batch))]
        keys = [emb.text_key(t) for t in texts]
    else:
        dense = keys = [None] * len(batch)
    for (art_id, rev, title, text, _), blob, key in zip(batch, dense, keys, strict=True):
        rows.append((art_id, rev, settings, *sc.vector_to_bytes(sc.term_vector(title, text)), blob, key))
    return rows


def feature_inputs(store: Store, ids: Sequence[str], embeddings: bool) -> list[tuple]:
    """The map step's input: (article id, clean revision, title, text, the stored embedding
    of the same text or None)."""
    rows = store.story_feature_inputs(ids)
    if not embeddings:
        return [(*row, None) for row in rows]
    keys = [emb.text_key(emb.embedding_text(title, text)) for _, _, title, text in rows]
    known = store.embeddings_by_text_key(keys)
    return [(*row, known.get(key)) for row, key in zip(rows, keys, strict=True)]


class StoryStage:
    """Map: each article's term vector (parallel-safe, pure). Reduce (`finish`): the online
    placement, sequential in canonical order. `embeddings`: whether articles get a dense
    embedding; an attribute, so the stage sent to a worker process carries it."""

    name: ClassVar[str] = "stories"
    version: ClassVar[int] = 3

    def __init__(self, embeddings: bool = True):
        self.embeddings = embeddings

    @property
    def batch_size(self) -> int:
        # The embedding makes about 3.6 articles/s per core: small batches keep the workers
        # evenly busy. Term vectors alone take milliseconds: larger batches, fewer commits.
        return 20 if self.embeddings else 500

    def pending(self, store: Store) -> list[str]:
        return store.pending_story_features(featurizer_settings(self.embeddings))

    def load(self, store: Store, ids: Sequence[str]) -> list:
        return feature_inputs(store, ids, self.embeddings)

    def process(self, batch: list) -> list:
        return featurize(batch, self.embeddings)

    def save(self, store: Store, results: list) -> None:
        store.save_story_features(results)

    def finish(self, store: Store) -> dict:
        stats = run_online(store, self.embeddings)
        if not stats["replayed"]:
            del stats["replayed"]  # the run report shows why only when it replayed
        return {**stats, "stories": store.count_stories(), "storylines": store.count_storylines()}
