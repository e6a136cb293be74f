"""Online story clustering: batch boundaries never change the stories, reruns add nothing,
reprint copies count once, the work per article is bounded, titles and spans are right."""

from __future__ import annotations

import json
import random
import re

import pytest

from storyline.ingest import ingest
from storyline.pipeline import run_pipeline
from storyline.records import ArticleForGrouping, CleanArticle
from storyline.stages.stories import clustering as sc
from storyline.stages.stories.stage import run_online
from storyline.store import Store


def _paragraphs(seeds) -> list[str]:
    out = []
    for path in seeds:
        for para in re.split(r"\n\s*\n|\n", path.read_text(encoding="utf-8")):
            if len(para.split()) >= 25:
                out.append(para.strip())
    return out


@pytest.fixture(scope="module")
def corpus(seeds) -> list[ArticleForGrouping]:
    """Sixty articles made of real seed paragraphs, dated over three weeks (a third undated),
    in a shuffled arrival order."""
    paras = _paragraphs(seeds)
    rng = random.Random(5)
    arts = []
    for i in range(60):
        text = "\n".join(rng.sample(paras, 3))
        day = None if i % 3 == 0 else f"2017-11-{1 + rng.randrange(21):02d}"
        arts.append(ArticleForGrouping(f"a{i:02d}", i, text, text.split(".")[0][:80], None, day, "en"))
    return arts


def _one_shot(corpus, groups=None):
    state, out = sc.cluster_articles(corpus, groups or {})
    return out, {a: state.stories[s].parent for a, s in out.items()}


@pytest.mark.parametrize("split", [1, 17, 40, 59])
def test_state_round_trip_and_batches_give_the_one_shot_result(corpus, split):
    """Arrival batches placed in order against the persisted state equal one pass."""
    expected, _ = _one_shot(corpus)
    days = {a.id: sc.day_number(a.published) for a in corpus}
    keys = sc.canonical_keys(corpus, days)
    ordered = sorted(corpus, key=lambda a: keys[a.id])
    state, first = sc.cluster_articles(ordered[:split], {}, keys=keys)
    state = sc.state_from_bytes(sc.state_to_bytes(state))
    _, second = sc.cluster_articles(ordered[split:], {}, state, dict(first), keys=keys)
    assert {**first, **second} == expected
    assert len(set(expected.values())) > 1  # not a trivial clustering


def test_work_per_article_is_bounded(corpus, monkeypatch):
    calls = []
    original = sc._similarity
    monkeypatch.setattr(sc, "_similarity", lambda *a: calls.append(1) or original(*a))
    sc.cluster_articles(corpus, {})
    assert max(1, len(calls)) <= sc.CANDIDATES * len(corpus)


def test_reprint_copies_count_once(corpus):
    groups = {"a01": "g", "a02": "g", "a03": "g"}
    same_day = [ArticleForGrouping(a.id, a.seq, a.text, a.title, None, corpus[1].published if a.id == "a02"
                                   else a.published, "en") for a in corpus]  # a03 is undated
    state, out = sc.cluster_articles(same_day, groups)
    assert out["a01"] == out["a02"] == out["a03"]
    assert state.n_docs == len(corpus) - 2  # the two later copies weigh on no centroid


def test_a_copy_dated_days_from_its_groups_story_is_placed_on_its_own(corpus, monkeypatch):
    """A reprint copy a week after its group's story (wire text reused for the next
    development) does not follow the group: it is compared and counted, and the story's
    days do not stretch to it."""
    first, copy, other = corpus[1], corpus[2], corpus[4]
    arts = [ArticleForGrouping(a.id, a.seq, a.text, a.title, None, day, "en") for a, day in (
        (first, "2017-11-03"), (copy, "2017-11-10"), (other, "2017-11-10"))]
    arts[1] = ArticleForGrouping(copy.id, copy.seq, other.text, other.title, None, "2017-11-10", "en")
    state, out = sc.cluster_articles([*arts, *corpus[6:30]], {first.id: "g", copy.id: "g"})
    assert state.stories[out[first.id]].last_day == sc.day_number("2017-11-03")
    assert out[copy.id] == out[other.id] != out[first.id]  # it joined the story its text is about
    monkeypatch.setattr(sc, "FOLLOW_DAYS", -1)  # as before: every copy follows its group
    state, out = sc.cluster_articles([*arts, *corpus[6:30]], {first.id: "g", copy.id: "g"})
    assert out[copy.id] == out[first.id]
    assert state.stories[out[first.id]].last_day == sc.day_number("2017-11-10")


def test_undated_articles_still_cluster(corpus):
    undated = [ArticleForGrouping(a.id, 2 * a.seq, a.text, a.title, None, None, "en") for a in corpus[:12]]
    twins = [ArticleForGrouping(a.id + "b", a.seq + 1, a.text, a.title, None, None, "en") for a in undated]
    _, out = sc.cluster_articles(undated + twins, {})
    assert all(out[a.id] == out[a.id + "b"] for a in undated)


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _feed(seeds, tmp_path) -> list:
    """The seeds as feed rows with dates (two of them undated), oldest last."""
    rows = []
    dates = ["", "2017-11-04", "2017-11-05", "2017-11-05", ""]
    for path, day in zip(seeds, dates, strict=True):
        row = {"id": path.stem, "text": path.read_text(encoding="utf-8")}
        if day:
            row["published"] = day
        rows.append(row)
    files = []
    for i, row in enumerate(reversed(rows)):
        f = tmp_path / f"feed{i}.jsonl"
        _write(f, [row])
        files.append(str(f))
    return files


def _snapshot(store: Store):
    return sorted(store.story_of().items()), store.stories(), store.storylines()


def test_pipeline_batches_rerun_and_late_articles(tmp_path, seeds):
    files = _feed(seeds, tmp_path)
    with Store(tmp_path / "whole.db") as whole:
        ingest(whole, files)
        run_pipeline(whole)
        expected = _snapshot(whole)
        features = whole.story_features_full([path.stem for path in seeds])
        # the seeds are all in English: no placement reads an embedding, none is made
        assert len(features) == 5 and not any(blob for _, _, blob in features.values())
        assert run_online(whole) == {"placed": 0, "replayed": "", "embedded": 0}  # rerun adds nothing
        assert _snapshot(whole) == expected
    with Store(tmp_path / "parts.db") as parts:
        replays = []
        for f in files:  # one article a run, the dated ones arriving newest first
            ingest(parts, [f])
            stories = [r for r in run_pipeline(parts) if r.name == "stories"][0]
            replays.append(stories.stats.get("replayed", ""))
        assert not any(replays)  # late, older articles are placed as they arrive: no replay
        assert _snapshot(parts) == expected


def test_story_title_is_a_member_headline_and_span_covers_dates(seeded_db):
    with Store(seeded_db) as store:
        titles = {r["title"] for r in store.export_articles()}
        stories = store.stories()
        lines = {line["id"] for line in store.storylines()}
        assert stories and all(s["storyline"] in lines for s in stories)
        for story in stories:
            assert story["title"] in titles or story["title"].endswith("...")
            arts = {r["id"]: r for r in store.export_articles() if r["id"] in story["articles"]}
            dated = sorted(r["published"] for r in arts.values() if r["published"])
            assert (story["first_seen"], story["last_seen"]) == ((dated[0], dated[-1]) if dated else (None, None))


def test_settings_change_replays(tmp_path, seeds, monkeypatch):
    with Store(tmp_path / "db.sqlite") as store:
        ingest(store, [str(p) for p in seeds])
        run_pipeline(store)
        before = _snapshot(store)
        monkeypatch.setattr(sc, "STORY_SIMILARITY", 0.99)
        stats = run_online(store)
        assert stats["replayed"] and stats["placed"] == 5
        # at 0.99 every article is alone but the three AP copies, which follow their group
        assert len(store.stories()) == 3 < len(before[0])


def test_changed_article_replays_to_the_one_shot_result(tmp_path, seeds):
    """An article cleaned again with another text drops the state; the next run replays and
    ends where one run over the final input ends."""
    files = _feed(seeds, tmp_path)
    with Store(tmp_path / "a.db") as store:
        ingest(store, files)
        run_pipeline(store)
        first = store.articles_for_grouping()[0]
        store.save_clean([CleanArticle(first.id, first.text[: len(first.text) // 2], first.title,
                                       first.outlet, first.published, first.language)], 99)
        stories = [r for r in run_pipeline(store) if r.name == "stories"][0]
        assert stories.stats["replayed"] and stories.stats["placed"] == 5
        again = _snapshot(store)
    with Store(tmp_path / "b.db") as store:
        ingest(store, files)
        run_pipeline(store)
        store.save_clean([CleanArticle(first.id, first.text[: len(first.text) // 2], first.title,
                                       first.outlet, first.published, first.language)], 99)
        store.clear_story_clustering()
        run_pipeline(store)
        assert _snapshot(store) == again


def test_a_same_day_article_in_another_language_joins_on_shared_names(monkeypatch):
    """Names and numbers are most of what an article in another language shares with a story:
    tagged with a language the story lacks, it joins at a lower bar; the same text tagged as
    the story's own language (no such excuse) stays apart, and the state keeps the languages.
    (At the plain bar: the Spanish text scores 0.245, between the both-dated bar and the plain one.)"""
    monkeypatch.setattr(sc, "BOTH_DATED_EASE", 0.0)
    en = ("Rescuers in Copiapo said on Sunday that all 33 miners trapped in the San Jose mine "
          "were alive, after a drill reached the shelter where they had waited since the collapse. "
          "President Sebastian Pinera read their note aloud to the families gathered at Camp Esperanza.")
    es = ("Los 33 mineros atrapados en la mina San Jose de Copiapo estan vivos, confirmo el "
          "presidente Sebastian Pinera, que leyo la nota a las familias del Campamento Esperanza "
          "tras llegar la sonda al refugio.")
    filler = [ArticleForGrouping(f"f{i}", i, t, None, None, "2010-08-22", "en") for i, t in enumerate([
        "The central bank raised interest rates by a quarter point to curb inflation on Sunday.",
        "A storm closed schools and airports across the northern provinces on Sunday.",
        "The football club signed a new striker for a record fee on Sunday."])]
    first = ArticleForGrouping("a-en", 10, en, "Trapped Chilean miners alive", None, "2010-08-22", "en")
    tagged = ArticleForGrouping("a-es", 11, es, "Los 33 mineros estan vivos", None, "2010-08-22", "es")
    untagged_as_en = ArticleForGrouping("a-es", 11, es, "Los 33 mineros estan vivos", None, "2010-08-22", "en")
    state, out = sc.cluster_articles([*filler, first, tagged], {})
    assert out["a-es"] == out["a-en"]
    assert sc.state_from_bytes(sc.state_to_bytes(state)).stories[out["a-en"]].languages == ["en", "es"]
    _, apart = sc.cluster_articles([*filler, first, untagged_as_en], {})
    assert apart["a-es"] != apart["a-en"]


def test_day_span_reads_days_and_months():
    assert sc.day_span("2016-07-06") == (sc.day_number("2016-07-06"),) * 2
    assert sc.day_span("2016-07") == (sc.day_number("2016-07-01"), sc.day_number("2016-07-31"))
    assert sc.day_span("2016-12") == (sc.day_number("2016-12-01"), sc.day_number("2016-12-31"))
    assert sc.day_span("2016-13") is None and sc.day_span(None) is None and sc.day_span("2016") is None


def test_a_month_only_article_is_kept_apart_from_a_story_years_away(corpus):
    """The same text, given only a month: two years after the story's days it starts its own
    story (a later development: a resentencing, a second announcement); in the story's own
    month it joins; never does it widen the story's days."""
    base = corpus[1]
    others = [ArticleForGrouping(a.id, i, a.text, a.title, None, None, "en") for i, a in enumerate(corpus[2:20])]
    dated = ArticleForGrouping("d", 20, base.text, base.title, None, "2014-09-11", "en")
    later = ArticleForGrouping("m-later", 21, base.text, base.title, None, "2016-07", "en")
    same = ArticleForGrouping("m-same", 22, base.text, base.title, None, "2014-09", "en")
    state, out = sc.cluster_articles([dated, later, same, *others], {})
    assert out["m-same"] == out["d"] != out["m-later"]
    story = state.stories[out["d"]]
    assert (story.first_day, story.last_day) == (sc.day_number("2014-09-11"),) * 2
    alone = sc.state_from_bytes(sc.state_to_bytes(state)).stories[out["m-later"]]
    assert (alone.first_day, alone.coarse_lo, alone.coarse_hi) == (None, *sc.day_span("2016-07"))


def test_month_only_dates_keep_batches_equal_to_one_pass(corpus):
    months = [ArticleForGrouping(a.id, a.seq, a.text, a.title, None, "2017-11" if a.seq % 6 == 0 else a.published,
                                 "en") for a in corpus]
    expected, _ = _one_shot(months)
    days = {a.id: sc.day_number(a.published) for a in months}
    keys = sc.canonical_keys(months, days)
    ordered = sorted(months, key=lambda a: keys[a.id])
    state, first = sc.cluster_articles(ordered[:23], {}, keys=keys)
    state = sc.state_from_bytes(sc.state_to_bytes(state))
    _, second = sc.cluster_articles(ordered[23:], {}, state, dict(first), keys=keys)
    assert {**first, **second} == expected


def test_the_story_stage_sees_a_month_only_feed_date(tmp_path, seeds):
    feed = tmp_path / "feed.jsonl"
    _write(feed, [{"id": "x", "url": "https://example.com/news/x", "published": "2016-07",
                   "text": seeds[0].read_text(encoding="utf-8")}])
    with Store(tmp_path / "db.sqlite") as store:
        ingest(store, [str(feed)])
        run_pipeline(store)
        assert [p for _, _, p in store.story_inputs()] == ["2016-07"]
        assert [a.published for a in store.story_briefs(["x"])] == ["2016-07"]
        assert store.export_articles().__next__()["published"] is None  # a day only, as before


def test_an_undated_lead_naming_the_storys_day_waives_the_undated_margin(corpus, monkeypatch):
    """An undated article needs a margin to join a dated story, for want of a date to tell a
    later development apart; a lead naming one of the story's days ('Geneva, July 4 (IANS)')
    is that date. Another day, or none: the margin stands."""
    base = corpus[1]
    dated = ArticleForGrouping("d", 0, base.text, base.title, None, "2012-07-04", "en")
    monkeypatch.setattr(sc, "_similarity", lambda *a: 0.3)  # above the bar, below bar + margin
    for lead, joins in (("Geneva, July 4 (IANS) ", True), ("Geneva, July 5, 2012 ", True),
                        ("Geneva, March 14 (IANS) ", False), ("", False)):
        undated = ArticleForGrouping("u", 1, lead + base.text, base.title, None, None, "en")
        _, out = sc.cluster_articles([dated, undated], {})
        assert (out["u"] == out["d"]) is joins, lead


def test_an_article_in_another_script_joins_its_story_through_the_embedding():
    """A Bengali report shares no word with the English coverage: words alone leave it on its
    own; the multilingual embedding (the real bundled model) finds the story and it joins,
    not the unrelated stories of the same day. The state keeps what it needs for the next run."""
    from storyline.stages.stories import embeddings as emb

    day = "2021-03-29"
    english = [
        ("e1", "Ship blocking Suez Canal is freed",
         "Salvage teams on Monday freed the giant container ship Ever Given that had blocked the Suez "
         "Canal for nearly a week, and traffic through the waterway began to resume."),
        ("e2", "Crews free container ship from Suez",
         "The Ever Given container ship was refloated and freed on Monday after tugboats and dredgers "
         "worked for days; hundreds of vessels waiting at both ends of the Suez Canal could move again."),
        ("f1", "Central bank raises rates",
         "The central bank raised interest rates by a quarter point on Monday to curb inflation, its "
         "third increase this year, and signalled more to come."),
        ("f2", "Storm closes schools",
         "A winter storm closed schools and airports across the northern provinces on Monday as heavy "
         "snow cut power to thousands of homes."),
    ]
    arts = [ArticleForGrouping(i, n, text, title, None, day, "en") for n, (i, title, text) in enumerate(english)]
    bengali = ArticleForGrouping("b1", 9, "সুয়েজ খালে প্রায় এক সপ্তাহ আটকে থাকা বিশাল কন্টেইনার জাহাজ এভার গিভেন "
                                 "সোমবার মুক্ত হয়েছে এবং খালে জাহাজ চলাচল আবার শুরু হয়েছে।",
                                 "সুয়েজ খালে আটকে থাকা জাহাজ মুক্ত", None, day, "bn")
    arts.append(bengali)
    vectors = dict(zip([a.id for a in arts], emb.embed_articles([(a.title, a.text) for a in arts]), strict=True))

    _, words_only = sc.cluster_articles(arts, {})
    assert words_only["b1"] not in {words_only["e1"], words_only["e2"]}
    state, out = sc.cluster_articles(arts, {}, embeddings=vectors)
    assert out["e1"] == out["e2"] == out["b1"]
    assert out["f1"] != out["b1"] and out["f2"] != out["b1"]
    # batches: the state after the English articles, persisted, gives the same placement
    first_state, first = sc.cluster_articles(arts[:4], {}, embeddings=vectors)
    restored = sc.state_from_bytes(sc.state_to_bytes(first_state))
    assert list(restored.recent.slots) == list(first_state.recent.slots)
    _, second = sc.cluster_articles(arts[4:], {}, restored, dict(first), embeddings=vectors)
    assert {**first, **second} == out


def test_recent_stories_keep_embeddings_of_the_latest_joined_only(monkeypatch):
    """The dense candidate lookup is bounded: past RECENT_STORIES, the story joined longest ago
    drops its embedding, in one pass and across a persisted state alike."""
    import numpy as np

    monkeypatch.setattr(sc, "RECENT_STORIES", 3)
    rng = np.random.default_rng(3)
    arts, vectors = [], {}
    for i in range(6):
        vec = rng.normal(size=384).astype(np.float32)
        vectors[f"a{i}"] = vec / np.linalg.norm(vec)
        arts.append(ArticleForGrouping(f"a{i}", i, f"topic{i} words{i} thing{i}", f"Title {i}", None, None, "en"))
    state, out = sc.cluster_articles(arts, {}, embeddings=vectors)
    assert len(set(out.values())) == 6
    assert list(state.recent.slots) == [out["a3"], out["a4"], out["a5"]]
    assert state.stories[out["a0"]].dense is None and state.stories[out["a5"]].dense is not None
    half, first = sc.cluster_articles(arts[:4], {}, embeddings=vectors)
    half = sc.state_from_bytes(sc.state_to_bytes(half))
    again, _ = sc.cluster_articles(arts[4:], {}, half, dict(first), embeddings=vectors)
    assert list(again.recent.slots) == list(state.recent.slots)
    assert np.array_equal(again.recent.matrix, state.recent.matrix)


def test_embeddings_can_be_switched_off_and_on_again(tmp_path, seeds, monkeypatch):
    """STORYLINE_EMBEDDINGS=off stores no embedding (the English seeds cluster as before);
    switching it back on remakes the features and replays to the stories of a run with them."""
    ids = [path.stem for path in seeds]
    with Store(tmp_path / "on.db") as on:
        ingest(on, [str(p) for p in seeds])
        run_pipeline(on)
        expected = _snapshot(on)
    monkeypatch.setenv("STORYLINE_EMBEDDINGS", "off")
    with Store(tmp_path / "off.db") as off:
        ingest(off, [str(p) for p in seeds])
        run_pipeline(off)
        assert all(blob is None for _, _, blob in off.story_features_full(ids).values())
        assert _snapshot(off) == expected
        monkeypatch.setenv("STORYLINE_EMBEDDINGS", "on")
        stories = [r for r in run_pipeline(off) if r.name == "stories"][0]
        assert stories.processed == 5 and stories.stats["replayed"]
        # the seeds are in one language: the placement reads no embedding, none is made
        assert stories.stats["embedded"] == 0
        assert _snapshot(off) == expected


def test_a_text_already_embedded_is_not_embedded_again(tmp_path, seeds, monkeypatch):
    """A term-vector setting that changes remakes every article's features but not their
    embeddings (same text, same model); an exact copy arriving later reuses its twin's."""
    import numpy as np

    from storyline.stages.stories import embeddings as emb

    with Store(tmp_path / "db.sqlite") as store:
        ingest(store, [str(p) for p in seeds])
        run_pipeline(store)
        before = store.story_features_full([p.stem for p in seeds])
        embedded: list[int] = []
        real_embed = emb.embed
        monkeypatch.setattr(emb, "embed", lambda texts: embedded.append(len(texts)) or real_embed(texts))
        monkeypatch.setattr(sc, "MAX_TOKENS", sc.MAX_TOKENS + 1)
        stories = [r for r in run_pipeline(store) if r.name == "stories"][0]
        assert stories.processed == 5 and sum(embedded) == 0
        after = store.story_features_full([p.stem for p in seeds])
        assert all(after[a][2] == before[a][2] for a in before)  # the very same stored vectors
        copy = tmp_path / "copy.jsonl"
        # the same article at another address: other raw input, the same clean text
        _write(copy, [{"id": "copy-of-003", "url": "https://mirror.example/003",
                       "text": seeds[3].read_text(encoding="utf-8") + "\n\nThis post has been read 12 times!\n"}])
        ingest(store, [str(copy)])
        run_pipeline(store)
        assert sum(embedded) == 0
        (new_id,) = [i for i, _, _ in store.story_inputs() if i not in before]
        twin = store.story_features_full([new_id, seeds[3].stem])
        assert np.array_equal(emb.from_bytes(twin[new_id][2]), emb.from_bytes(twin[seeds[3].stem][2]))


def _art(art_id: str, seq: int, title: str, text: str, day: str) -> ArticleForGrouping:
    return ArticleForGrouping(art_id, seq, text, title, None, day, "en")


HUB_CORPUS = [
    _art("x1", 0, "Kelud volcano erupts on Java", "The Kelud volcano on Java erupted on Friday, sending an ash "
         "column over Kediri and Malang; villagers fled the slopes of Kelud as ash fell on Java.", "2014-02-14"),
    _art("x2", 1, "Kelud villagers return after eruption", "Villagers who fled the Kelud volcano returned to the "
         "slopes above Kediri and Malang, clearing ash from roofs a week after Kelud erupted on Java.", "2014-02-24"),
    _art("y1", 2, "Madrid beat Barcelona in cup final", "Real Madrid beat Barcelona in the Copa del Rey final in "
         "Valencia, Bale scoring the winner as Madrid lifted the cup against Barcelona.", "2014-04-16"),
    _art("y2", 3, "Madrid parade the cup", "Real Madrid paraded the Copa del Rey through Madrid, Bale and the "
         "squad cheered by fans who saw Madrid beat Barcelona in Valencia.", "2014-04-26"),
    # a hub: like both threads, one of neither
    _art("h", 4, "Kelud ash and a Madrid Barcelona final", "Ash from Kelud on Java grounded flights; fans of "
         "Real Madrid and Barcelona watched the Copa del Rey final from Kediri and Malang.", "2014-03-20"),
]


def test_a_hub_story_cannot_chain_two_storylines():
    """Storylines are joined as a whole and never merge: once two threads have begun, a story
    like both joins one of them (or starts its own); it never pulls the two together."""
    state, placed = sc.cluster_articles(HUB_CORPUS, {})
    line = {a: state.stories[s].parent for a, s in placed.items()}
    assert len(set(placed.values())) == 5  # five stories ...
    assert line["x1"] == line["x2"] and line["y1"] == line["y2"]  # ... in two threads
    assert line["x1"] != line["y1"]
    for order in ([0, 2, 4, 1, 3], [2, 0, 4, 3, 1]):  # the hub between the threads' stories
        arts = [HUB_CORPUS[i] for i in order]
        state, placed = sc.cluster_articles([sc_replace(a, seq=n) for n, a in enumerate(arts)], {})
        line = {a: state.stories[s].parent for a, s in placed.items()}
        assert line["x1"] != line["y1"]


def sc_replace(art: ArticleForGrouping, **changes) -> ArticleForGrouping:
    from dataclasses import replace

    return replace(art, **changes)


@pytest.mark.parametrize("title, problem", [
    ("November 9, 2020", "a date"), ("Wednesday , September 28 2022", "a date"), ("- Joined", "furniture"),
    ("By Tim Nudd", "furniture"), ("Photographs: Matthias Hangst/Getty Images", "furniture"),
    ("Atacama (Chile)", "too short"), ("Germany crush Brazil", None),
    ("Video Doesn't Show 'Suitcases' of Illegal Ballots in Georgia", None),
])
def test_what_is_not_a_headline(title, problem):
    assert sc.headline_problem(title) == problem


def test_a_story_title_is_a_real_headline_or_a_lead_never_furniture():
    arts = [
        _art("a", 0, "November 9, 2020", "The New Paper\n\nPfizer announces interim results from its coronavirus "
             "vaccine study, saying the vaccine was more than 90 percent effective.", "2020-11-09"),
        _art("b", 1, "Law and Regulations", "Pfizer and BioNTech said their coronavirus vaccine was more than 90 "
             "percent effective in preventing COVID-19 in an interim analysis.", "2020-11-09"),
    ]
    state, placed = sc.cluster_articles(arts, {})
    (sid,) = set(placed.values())
    title = sc.central_title(state, state.stories[sid], [(a.id, a.title, a.text) for a in arts])
    # neither "title" is a headline of this story: the most central lead sentence stands in
    assert title in {"Pfizer announces interim results from its coronavirus vaccine study, saying the vaccine "
                     "was more than 90 percent effective.",
                     "Pfizer and BioNTech said their coronavirus vaccine was more than 90 percent effective in "
                     "preventing COVID-19 in an interim analysis."}


def test_an_article_that_cleans_to_nothing_joins_no_story(tmp_path):
    """A page of nothing but furniture would be a story of its own, untitled and empty."""
    import json as _json

    from storyline.executor.local import LocalExecutor
    from storyline.ingest import ingest as _ingest
    from storyline.stages.clean.stage import CleanStage
    from storyline.stages.reprints.stage import ReprintStage
    from storyline.stages.stories.stage import StoryStage
    from storyline.store import Store as _Store

    path = tmp_path / "in.jsonl"
    path.write_text(
        _json.dumps({"id": "empty", "html": "<html><body><nav>Home</nav><script>x()</script></body></html>"}) + "\n"
        + _json.dumps({"id": "good", "title": "Council raises school budget",
                       "text": "The council met on Monday and voted to raise the school budget, the mayor said."}) + "\n")
    with _Store(tmp_path / "t.db") as store:
        _ingest(store, [str(path)])
        LocalExecutor(store).run([CleanStage(), ReprintStage(), StoryStage(embeddings=False)])
        assert store.clean_articles(["empty"])[0].text == ""
        assert [s["articles"] for s in store.stories()] == [["good"]]


def test_only_the_embeddings_the_placement_reads_are_made_and_the_stories_are_the_same(seeded_db):
    from dataclasses import replace

    from storyline.stages.stories import embeddings as emb
    from storyline.stages.stories.stage import embeddings_used

    with Store(seeded_db) as store:
        ids = [i for i, _, _ in store.story_inputs()]
        articles, groups = store.story_briefs(ids), store.reprint_groups()
        store_inputs = store.story_feature_inputs(ids)
    keys = sc.canonical_keys(articles, {a.id: sc.day_number(a.published) for a in articles})
    copies = sorted((a for a in articles if a.id in groups), key=lambda a: keys[a.id])
    assert len(copies) == 3  # the AP reprints

    def dated(*days: str | None) -> list[ArticleForGrouping]:
        by_id = {a.id: d for a, d in zip(copies, days, strict=True)}
        return [replace(a, published=by_id[a.id]) if a.id in by_id else a for a in articles]

    def used(arts: list[ArticleForGrouping]) -> list[str]:
        return embeddings_used(arts, groups, {}, keys, sc.ClusterState())

    first, second, third = (a.id for a in copies)
    far = sc.day_iso(sc.day_number("2017-11-04") + sc.FOLLOW_DAYS + 1)
    # the group's first is always used; an undated copy, or one dated near a day of the
    # story, follows; one dated further may be placed on its own; an undated first tells nothing
    assert {first, second, third} & set(used(dated("2017-11-04", None, "2017-11-05"))) == {first}
    assert {first, second, third} & set(used(dated("2017-11-04", far, "2017-11-04"))) == {first, second}
    assert {first, second, third} & set(used(dated(None, "2017-11-04", "2017-11-04"))) == {first, second, third}

    full = store_inputs
    every = dict(zip([r[0] for r in full], emb.embed_articles([(r[2], r[3]) for r in full]), strict=True))
    vectors = {x[0]: sc.term_vector(x[2], x[3]) for x in full}
    for arts in (articles, dated("2017-11-04", None, "2017-11-05"), dated("2017-11-04", far, "2017-11-04")):
        keys = sc.canonical_keys(arts, {a.id: sc.day_number(a.published) for a in arts})
        _, with_all = sc.cluster_articles(arts, groups, keys=keys, vectors=vectors, embeddings=every)
        some = {a: every[a] for a in embeddings_used(arts, groups, {}, keys, sc.ClusterState())}
        _, with_used = sc.cluster_articles(arts, groups, keys=keys, vectors=vectors, embeddings=some)
        assert with_used == with_all


SPANISH = ("Las fuerzas iraquíes y sirias avanzaron el domingo hacia Abu Kamal, el último bastión urbano del "
           "Estado Islámico en la frontera entre Siria e Irak, según el Observatorio Sirio de Derechos Humanos. "
           "Los combatientes de las Fuerzas de Movilización Popular atacaron las posiciones de los yihadistas "
           "cerca de Al Qaim, la ciudad fronteriza que el ejército iraquí recuperó el viernes.")


def test_one_language_needs_no_embedding_and_a_second_one_replays_with_them(tmp_path, seeds):
    from storyline.stages.stories.stage import DENSE_KEY

    spanish = tmp_path / "es.jsonl"
    _write(spanish, [{"id": "es-1", "url": "https://example.es/1", "title": "Fuerzas avanzan hacia Abu Kamal",
                      "published": "2017-11-05", "text": SPANISH}])
    with Store(tmp_path / "parts.db") as parts:
        ingest(parts, [str(p) for p in seeds])
        stories = [r for r in run_pipeline(parts) if r.name == "stories"][0]
        assert stories.stats["embedded"] == 0 and parts.story_state(DENSE_KEY) == b"skipped"
        ingest(parts, [str(spanish)])
        stories = [r for r in run_pipeline(parts) if r.name == "stories"][0]
        assert "second language" in stories.stats["replayed"] and stories.stats["embedded"] >= 3
        assert parts.story_state(DENSE_KEY) == b"made"
        got = _snapshot(parts)
    with Store(tmp_path / "whole.db") as whole:
        ingest(whole, [str(p) for p in seeds])
        ingest(whole, [str(spanish)])
        run_pipeline(whole)
        assert _snapshot(whole) == got
