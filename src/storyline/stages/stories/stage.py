"""Stories and storylines (version 3: online clustering, see stages/stories/clustering.py).

Map step: each article's term vector (pure, per article), and the embedding stored for the
same text if there is one. Reduce (`finish`): the dense multilingual embeddings
(stages/stories/embeddings.py) of the articles the placement will use and that have none yet
(see `embeddings_used`: a reprint copy that follows its group's story uses none), spread over
the workers; then the stage
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

from storyline.stages.base import MapChunks, serial_map
from storyline.stages.stories import clustering as sc
from storyline.stages.stories import embeddings as emb
from storyline.store import Store

SETTINGS_KEY = "settings"
STATE_KEY = "state"
# b"skipped": the state was built without embeddings because every article was in one language
# (the placement then reads none: see `_one_language`); an article in another language
# replays the stories with them.
DENSE_KEY = "dense"
TITLE_CANDIDATES = 24  # a story's title is chosen among its first members and the new ones


def _settings() -> bytes:
    return f"v{sc.VERSION} {sc.settings_fingerprint()}".encode()


def run_online(store: Store, embeddings: bool = True, map_chunks: MapChunks = serial_map) -> dict[str, Any]:
    """Place every unplaced article; returns stats: placed, replayed (why, or ''), embedded
    (texts the model embedded in this run). `embeddings`: whether articles get a dense
    embedding; those the placement uses are made here, through `map_chunks`."""
    pending = store.unplaced_story_inputs()  # (id, seq, published) in arrival order
    blob = store.story_state(STATE_KEY)
    settings_same = store.story_state(SETTINGS_KEY) == _settings()
    any_placed = store.count_story_assignments() > 0
    if not pending and settings_same and (blob is not None or not any_placed):
        return {"placed": 0, "replayed": "", "embedded": 0}
    state = sc.state_from_bytes(blob) if blob is not None and settings_same else None
    if not any_placed:
        replay = "first run"
    elif not settings_same:
        replay = "settings changed"
    elif state is None:
        replay = "an article's text or date changed"  # its new term vector dropped the state
    elif pending and pending[0][1] < state.last_seq:
        replay = "an article arrived before those placed"
    elif embeddings and store.story_state(DENSE_KEY) == b"skipped" and not _one_language(
            store.story_briefs([i for i, _, _ in pending]), state):
        replay = "an article in a second language arrived (the stories are placed again, with embeddings)"
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
    embedded = 0
    skip_dense = embeddings and _one_language(articles, state)
    if embeddings and not skip_dense:
        used = embeddings_used(articles, groups, placed, keys, state)
        made, embedded = _embed_missing(store, [a for a in used if features[a][2] is None], map_chunks)
        features.update((a, (*features[a][:2], blob)) for a, blob in made.items())
    vectors = {a: sc.vector_from_bytes(ids, weights) for a, (ids, weights, _) in features.items()}
    embeddings = {a: vec for a, (_, _, blob) in features.items() if (vec := emb.from_bytes(blob)) is not None}
    state, out = sc.cluster_articles(articles, groups, state, placed, keys, vectors, embeddings)
    rows = [(a, story, keys[a][0], keys[a][1], a) for a, story in sorted(out.items())]
    new_members: dict[str, list[tuple[int, str, str | None, str]]] = {}
    for art in articles:
        new_members.setdefault(out[art.id], []).append((art.seq, art.id, art.title, art.text[:300]))
    stories = _story_rows(store, state, new_members)
    lines = _line_rows(store, state, {s["id"]: s for s in stories})
    store.save_story_placements(rows, stories, lines, {
        STATE_KEY: sc.state_to_bytes(state), SETTINGS_KEY: _settings(),
        DENSE_KEY: b"skipped" if skip_dense else b"made"})
    return {"placed": len(out), "replayed": "" if replay == "first run" else replay, "embedded": embedded}


def _one_language(articles: Sequence, state: sc.ClusterState) -> bool:
    """Whether these articles and the stories placed so far are in one language at most (the
    language tags as cluster_articles reads them). Then no placement reads an embedding: the
    dense lookup and score are only for stories in a language other than the article's."""
    tags = {lang for a in articles if (lang := (a.language or "").lower()[:2])}
    for story in state.stories.values():
        tags.update(story.languages)
        if len(tags) > 1:
            return False
    return len(tags) <= 1


def embeddings_used(articles: Sequence, groups: dict[str, str], placed: dict[str, str],
                    keys: dict[str, tuple[int, int]], state: sc.ClusterState) -> list[str]:
    """The articles whose embedding `cluster_articles` may read, in canonical order: all but
    the reprint copies sure to follow their group's story (see clustering.place: a copy follows
    when its group has a story and it is undated or within FOLLOW_DAYS of that story's days;
    a follower's embedding is never read). Where that is not sure before placing (the group's
    first article undated, say) the article counts as used: the set is a superset, so the
    placement is the one every article embedded gives."""
    # group -> days of its members sure to be in its story (its first here, and the copies sure
    # to follow): a follower widens the story too, so a copy within FOLLOW_DAYS of any follows
    days_in: dict[str, list[int]] = {}
    prior = {}  # group -> its story from an earlier run
    # the story cluster_articles has each group follow: the same order, the same first pick
    for art_id, story in sorted(placed.items(), key=lambda kv: (keys.get(kv[0], (0, 0)), kv[0])):
        if art_id in groups and story in state.stories:
            prior.setdefault(groups[art_id], state.stories[story])
    used = []
    for art in sorted(articles, key=lambda a: keys[a.id]):
        group, day = groups.get(art.id), sc.day_number(art.published)
        if group is None:
            used.append(art.id)
            continue
        if group in prior or group in days_in:
            near = day is None or any(abs(day - d) <= sc.FOLLOW_DAYS for d in days_in.get(group, []))
            # a story's days only widen while this run places more: today's gap is an upper bound
            follows = sc.FOLLOW_DAYS < 0 or near or (group in prior and prior[group].day_gap(day) <= sc.FOLLOW_DAYS)
        else:
            follows = False  # the group's first: placed as any article
        if follows or group not in days_in and group not in prior:
            days_in.setdefault(group, []).extend([] if day is None else [day])
        if not follows:
            used.append(art.id)
    return used


def _embed_texts(texts: list[str]) -> list[bytes]:
    """Map step of the embeddings (pure: texts in, stored vectors out), in a worker."""
    return [emb.to_bytes(vec) for vec in emb.embed(texts)]


def _embed_missing(store: Store, ids: Sequence[str], map_chunks: MapChunks) -> tuple[dict[str, bytes], int]:
    """Embed the given articles (an embedding stored for the same text is reused), save the
    vectors with their articles' features; returns ({article: vector}, texts embedded)."""
    if not ids:
        return {}, 0
    rows = store.story_feature_inputs(ids)
    texts = {art: emb.embedding_text(title, text) for art, _, title, text in rows}
    keys = {art: emb.text_key(t) for art, t in texts.items()}
    known = store.embeddings_by_text_key(list(keys.values()))
    todo = list(dict.fromkeys(texts[a] for a in texts if keys[a] not in known))
    # Chunks of a few texts: small enough to keep every worker busy, and one call in this
    # process (no pool started) when there are few, as in the demo.
    size = max(1, min(emb.BATCH, len(todo) // 8 or 1))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    mapper = map_chunks if len(chunks) > 2 else serial_map
    by_text = {}
    for chunk, blobs in zip(chunks, mapper(_embed_texts, [(c,) for c in chunks]), strict=True):
        by_text.update(zip(chunk, blobs, strict=True))
    made = {a: known.get(keys[a]) or by_text[texts[a]] for a in texts}
    store.save_story_embeddings([(blob, keys[a], a) for a, blob in made.items()])
    return made, len(todo)


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
    text or None) -> stored rows of its term vector, that embedding (None: not made yet, or
    no `embeddings`) and the embedded text's key. New texts are embedded in `finish`, and
    only those the placement uses (see `embeddings_used`)."""
    settings = featurizer_settings(embeddings)
    rows = []
    for art_id, rev, title, text, known in batch:
        key = emb.text_key(emb.embedding_text(title, text)) if embeddings else None
        rows.append((art_id, rev, settings, *sc.vector_to_bytes(sc.term_vector(title, text)),
                     known if embeddings else None, key))
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

    # Term vectors take milliseconds (the embeddings are made in finish): large batches, few commits.
    batch_size: ClassVar[int] = 500

    def pending(self, store: Store) -> list[str]:
        return store.pending_story_features(featurizer_settings(self.embeddings))

    def load(self, store: Store, ids: Sequence[str]) -> list:
        return feature_inputs(store, ids, self.embeddings)

    def process(self, batch: list) -> list:
        return featurize(batch, self.embeddings)

    def save(self, store: Store, results: list) -> None:
        store.save_story_features(results)

    def finish(self, store: Store, map_chunks: MapChunks = serial_map) -> dict:
        stats = run_online(store, self.embeddings, map_chunks)
        if not stats["replayed"]:
            del stats["replayed"]  # the run report shows why only when it replayed
        return {**stats, "stories": store.count_stories(), "storylines": store.count_storylines()}
