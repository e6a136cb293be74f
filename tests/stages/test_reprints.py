"""Reprint groups, reuse links, passage alignment and `storyline diff`, on the bundled seeds
and on copies of them edited the way syndication edits (no labelled data needed)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from storyline.cli import cli
from storyline.evaluation.reprints import check_seeds
from storyline.executor.local import LocalExecutor
from storyline.ingest import ingest
from storyline.stages.clean.stage import CleanStage
from storyline.stages.reprints.alignment import align, align_many
from storyline.stages.reprints.links import candidate_pairs, candidate_pairs_flat, reprint_groups
from storyline.stages.reprints.shingling import decode_hashes, sketch_many
from storyline.stages.reprints.stage import ReprintStage
from storyline.stages.unionfind import UnionFind
from storyline.store import Store


def _ids(store: Store) -> dict[str, str]:
    return {a["id"][:3]: a["id"] for a in store.export_articles()}


# -- seeds --------------------------------------------------------------------------------

def test_seeds_checklist(seeded_db: Path) -> None:
    with Store(seeded_db) as store:
        rows = check_seeds(store, _ids(store), store.reprint_groups())
    failed = [(name, detail) for name, ok, detail in rows if not ok]
    assert not failed
    assert len(rows) == 8


def test_seed_group_members_and_changes(seeded_db: Path) -> None:
    with Store(seeded_db) as store:
        ids = _ids(store)
        group = store.reprint_group(store.reprint_group_of(ids["000"])["group"])
        assert {m["id"] for m in group["members"]} == {ids["000"], ids["001"], ids["003"]}
        assert group["fullest"] == ids["003"]
        by_id = {m["id"]: m for m in group["members"]}
        assert by_id[ids["003"]]["changes"] is None
        changes = by_id[ids["000"]]["changes"]
        # 000 cut the photo caption and the Deir el-Zour paragraph, and added AFP paragraphs.
        assert any("frame grab" in text for text in changes["removed"])
        assert any("hunt down" in text for text in changes["added"])
        assert ["replace", "extremist", "terrorist"] in changes["changed"]


def test_reuse_links_are_not_membership(seeded_db: Path) -> None:
    with Store(seeded_db) as store:
        ids = _ids(store)
        reuse = {link["other"]: link for link in store.reuse_links_of(ids["004"])}
        assert ids["003"] in reuse and reuse[ids["003"]]["passages"] >= 1
        assert store.reprint_group_of(ids["004"]) is None
        al = store.alignment_between(ids["004"], ids["003"])
        texts = store.clean_texts([al["ref"], al["copy"]])
        shared = [texts[al["copy"]][p["copy_start"]:p["copy_end"]] for p in al["passages"]]
        assert any("where Syrian troops" in s for s in shared)
        reuse_000 = {link["other"] for link in store.reuse_links_of(ids["000"])}
        assert ids["002"] in reuse_000


# -- order independence -------------------------------------------------------------------

def _variants(seeds: list[Path]) -> dict[str, str]:
    """The seeds plus copies edited as syndication does: cuts, house style, a new lead,
    moved paragraphs, page furniture."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in seeds}
    by_no = {k[:3]: v for k, v in texts.items()}
    paras_002 = [p for p in by_no["002"].split("\n") if p.strip()]
    paras_003 = [p for p in by_no["003"].split("\n") if p.strip()]
    paras_004 = [p for p in by_no["004"].split("\n") if p.strip()]
    texts["x02_short"] = "\n\n".join(paras_002[: len(paras_002) * 2 // 3]).replace("Islamic State", "IS")
    moved = paras_002[:]
    moved[3], moved[5] = moved[5], moved[3]
    texts["x02_lead"] = "PARIS (AFP) - Fighting raged on the border on Sunday.\n\n" + "\n\n".join(moved) + "\n\nAdvertisement"
    texts["x03_cut"] = "\n\n".join(paras_003[: len(paras_003) * 3 // 5]).replace("percent", "per cent")
    texts["x04_half"] = "Share this article\n\n" + "\n\n".join(paras_004[: len(paras_004) // 2 + 2])
    return texts


def _run_in_order(root: Path, texts: dict[str, str], order: list[str], batches: int) -> dict:
    folder = root / "in"
    folder.mkdir(parents=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    with Store(root / "db.sqlite") as store:
        size = -(-len(order) // batches)
        for start in range(0, len(order), size):
            ingest(store, [str(folder / f"{name}.txt") for name in order[start : start + size]])
            LocalExecutor(store).run([CleanStage(), ReprintStage()])  # the stages groups come from
        return {
            "groups": store.reprint_groups(),
            "infos": sorted((g.group_id, g.members, g.fullest, g.earliest) for g in store.reprint_group_infos()),
            "links": sorted((a, b, rep) for a, b, _, _, rep in store.reprint_links()),
            "aligned": sorted(store.aligned_pairs()),
        }


def test_groups_do_not_depend_on_arrival_order(seeds: list[Path], tmp_path: Path) -> None:
    texts = _variants(seeds)
    names = sorted(texts)
    shuffled = names[:]
    random.Random(3).shuffle(shuffled)
    runs = [
        _run_in_order(tmp_path / "a", texts, names, 1),
        _run_in_order(tmp_path / "b", texts, names[::-1], 3),
        _run_in_order(tmp_path / "c", texts, shuffled, 2),
        _run_in_order(tmp_path / "d", texts, shuffled[::-1], len(names)),
    ]
    for other in runs[1:]:
        assert other == runs[0]
    groups = runs[0]["groups"]
    by_group: dict[str, set[str]] = {}
    for article_id, gid in groups.items():
        by_group.setdefault(gid, set()).add(article_id[:3])
    assert {"000", "001", "003", "x03"} in by_group.values()
    assert {"002", "x02"} <= next(g for g in by_group.values() if "002" in g)
    assert {"004", "x04"} <= next(g for g in by_group.values() if "004" in g)


# -- alignment ----------------------------------------------------------------------------

REF = ("Clashes broke out near the border town of Boukamal on Saturday, officials said.\n"
       "The Islamic State group has lost most of the territory it held in Iraq and Syria.\n"
       "Washington is wary of increasing Iran influence in the area and backs the Kurdish forces.\n"
       "A photo caption that only the fullest copy carries and nobody else prints at all.")


def test_align_reports_substitutions_cuts_and_insertions() -> None:
    copy = ("Clashes broke out near the border town of Bu Kamal on Saturday, officials said.\n"
            "The Daesh group has lost most of the territory it held in Iraq and Syria.\n"
            "Washington is wary of increasing Iranian influence in the area and backs the Kurdish forces.\n"
            "An extra paragraph the outlet wrote itself, about something else entirely here.")
    al = align(REF, copy)
    edits = [e.as_list() for p in al.passages for e in p.edits]
    assert ["replace", "Boukamal", "Bu Kamal"] in edits
    assert ["replace", "Islamic State", "Daesh"] in edits
    assert ["replace", "Iran", "Iranian"] in edits
    assert any("photo caption" in REF[a:b] for a, b in al.ref_unmatched)
    assert any("extra paragraph" in copy[a:b] for a, b in al.copy_unmatched)


def test_align_finds_moved_paragraphs_and_trims() -> None:
    lines = REF.split("\n")
    copy = "\n".join([lines[2], lines[1].replace("most of ", "")])
    al = align(REF, copy)
    assert len(al.passages) == 2
    firsts = sorted(REF[p.ref_start : p.ref_start + 10] for p in al.passages)
    assert firsts == ["The Islami", "Washington"]
    assert ["delete", "most of", ""] in [e.as_list() for p in al.passages for e in p.edits]
    assert align_many([("r", "c")], {"r": REF, "c": copy})[0] == al


def test_unrelated_texts_are_not_candidates() -> None:
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(5000)]
    texts = [" ".join(rng.choice(vocab) for _ in range(300)) for _ in range(40)]
    texts.append(texts[0][:900] + " and a new ending for this copy of the first text")
    sketches = sketch_many([str(i) for i in range(len(texts))], texts)
    pairs = candidate_pairs([decode_hashes(s.sample) for s in sketches], np.ones(len(texts), bool))
    assert [tuple(p) for p in pairs.tolist()] == [(0, 40)]


# -- CLI ----------------------------------------------------------------------------------

def test_diff_cli_shows_passages_and_edits(seeded_db: Path) -> None:
    with Store(seeded_db) as store:
        ids = _ids(store)
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", ids["003"], ids["000"], "--db", str(seeded_db)])
    assert result.exit_code == 0, result.output
    assert "reprints of the same source text" in result.output
    assert "- Boukamal" in result.output and "+ Bu Kamal" in result.output
    as_json = runner.invoke(cli, ["diff", ids["000"], ids["002"], "--json", "--db", str(seeded_db)])
    data = json.loads(as_json.output)
    assert data["relation"] == "reuse" and data["passages"]
    assert "hunt down" in data["passages"][0]["copy_text"] + data["passages"][0]["ref_text"]


def test_diff_cli_unknown_article(seeded_db: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", "nope", "nada", "--db", str(seeded_db)])
    assert result.exit_code != 0
    assert "nope" in str(result.exception) or "nope" in result.output


def test_show_lists_group_and_reuse(seeded_db: Path) -> None:
    with Store(seeded_db) as store:
        ids = _ids(store)
    result = CliRunner().invoke(cli, ["show", ids["000"], "--db", str(seeded_db)])
    assert result.exit_code == 0, result.output
    assert "reprint group" in result.output and f"fullest {ids['003']}" in result.output
    assert "reuse links" in result.output and ids["002"] in result.output


@pytest.mark.parametrize("pair", [("000", "004")])
def test_diff_of_unlinked_articles_is_computed(seeded_db: Path, pair: tuple[str, str]) -> None:
    with Store(seeded_db) as store:
        ids = _ids(store)
    result = CliRunner().invoke(cli, ["diff", ids[pair[0]], ids[pair[1]], "--db", str(seeded_db)])
    assert result.exit_code == 0, result.output
    assert "alignment computed now" in result.output or "alignment stored" in result.output


def test_a_story_carried_very_widely_stays_one_group() -> None:
    rng = random.Random(9)
    vocab = [f"w{i}" for i in range(5000)]
    story = [rng.choice(vocab) for _ in range(400)]
    texts = []
    for k in range(60):   # 60 copies, each cut differently, with one word changed
        words = story[: 250 + rng.randrange(150)]
        words[rng.randrange(len(words))] = f"edit{k}"
        texts.append(" ".join(words))
    texts += [" ".join(rng.choice(vocab) for _ in range(300)) for _ in range(20)]
    sketches = sketch_many([str(i) for i in range(len(texts))], texts)
    samples = [decode_hashes(s.sample) for s in sketches]
    wide = candidate_pairs(samples, np.ones(len(texts), bool), max_df=10)
    sets = UnionFind(range(len(texts)))
    for a, b in wide.tolist():
        sets.union(a, b)
    assert len({sets.find(i) for i in range(60)}) == 1
    assert all(b < 60 for _, b in wide.tolist())          # no unrelated text drawn in
    assert len(wide) < 60 * 59 // 2                        # linear, not all pairs


def test_a_single_weak_link_does_not_chain_two_groups() -> None:
    strong_a = [("a1", "a2", 0.9), ("a2", "a3", 0.8)]
    strong_b = [("b1", "b2", 0.95)]
    bridge = [("a3", "b1", 0.36)]                       # e.g. one shared lead paragraph
    loose = [("x", "a1", 0.40), ("x", "b2", 0.35)]     # no strong link: joins its best only
    links = strong_a + strong_b + bridge + loose
    groups = reprint_groups(links)
    assert groups["a1"] == groups["a3"] == groups["x"]
    assert groups["b1"] == groups["b2"] != groups["a1"]
    assert reprint_groups(list(reversed(links))) == groups
    # Two copies of one story each weakly linked to both of two other copies (seed 000 and
    # a duplicate of it against 001 and 003): one group.
    four = reprint_groups([("c1", "c2", 1.0), ("c3", "c4", 0.7), ("c1", "c3", 0.43), ("c1", "c4", 0.37),
                           ("c2", "c3", 0.43), ("c2", "c4", 0.37)])
    assert len(set(four.values())) == 1 and len(four) == 4
    pair = reprint_groups([("p", "q", 0.33)])           # two loose articles: one group
    assert set(pair) == {"p", "q"} and len(set(pair.values())) == 1


def test_candidates_do_not_depend_on_key_slices() -> None:
    rng = random.Random(4)
    vocab = [f"w{i}" for i in range(3000)]
    stories = [[rng.choice(vocab) for _ in range(300)] for _ in range(6)]
    texts = [" ".join(s[rng.randrange(50) :]) for s in stories for _ in range(4)]
    samples = [decode_hashes(s.sample) for s in sketch_many([str(i) for i in range(len(texts))], texts)]
    everyone = np.ones(len(texts), bool)
    whole = candidate_pairs(samples, everyone, partitions=1)
    assert np.array_equal(candidate_pairs(samples, everyone, partitions=8), whole)
    assert {(int(a) // 4, int(b) // 4) for a, b in whole} == {(k, k) for k in range(6)}
    new = np.zeros(len(texts), bool)
    new[5] = True
    assert {tuple(p) for p in candidate_pairs(samples, new).tolist()} == {(4, 5), (5, 6), (5, 7)}



def _pairs_by_brute_force(samples: list[np.ndarray], is_new: np.ndarray, min_shared: int) -> set[tuple[int, int]]:
    return {(i, j) for i in range(len(samples)) for j in range(i + 1, len(samples))
            if (is_new[i] or is_new[j]) and len(np.intersect1d(samples[i], samples[j])) >= min_shared}


def test_threaded_candidates_are_the_serial_ones() -> None:
    """Slices counted in threads: the very same array (pairs, order, dtype) as one at a
    time, whatever the slices, the new articles and the cap on a key's articles."""
    rng = random.Random(11)
    vocab = [f"w{i}" for i in range(2000)]
    stories = [[rng.choice(vocab) for _ in range(250)] for _ in range(8)]
    texts = [" ".join(s[rng.randrange(60) :]) for s in stories for _ in range(rng.randrange(2, 9))]
    texts += [" ".join(rng.choice(vocab) for _ in range(200)) for _ in range(10)]
    samples = [decode_hashes(s.sample) for s in sketch_many([str(i) for i in range(len(texts))], texts)]
    lengths = np.array([len(s) for s in samples], np.int64)
    keys = np.concatenate(samples)
    some = np.array([rng.random() < 0.3 for _ in texts])
    for is_new in (np.ones(len(texts), bool), some):
        for max_df in (64, 3):
            for partitions in (1, 3, 8):
                serial = candidate_pairs_flat(keys, lengths, is_new, max_df=max_df, partitions=partitions, threads=1)
                assert serial.dtype == np.int64 and serial.shape[1] == 2
                for threads in (2, 3, 8):
                    threaded = candidate_pairs_flat(keys, lengths, is_new, max_df=max_df, partitions=partitions, threads=threads)
                    assert threaded.dtype == serial.dtype and threaded.tobytes() == serial.tobytes()
        every = candidate_pairs_flat(keys, lengths, is_new, threads=2)
        assert {tuple(p) for p in every.tolist()} == _pairs_by_brute_force(samples, is_new, 2)
        assert every.tolist() == sorted(every.tolist())

# -- workers ------------------------------------------------------------------------------

def _reprint_tables(store: Store) -> dict:
    tables = {
        "reprint_links": "a, b, containment, jaccard, is_reprint",
        "reprint_groups": "article_id, group_id",
        "reprint_group_info": "group_id, fullest, earliest, size",
        "reprint_alignments": "ref, copy, removed, added",
        "reprint_passages": "ref, copy, n, ref_start, ref_end, copy_start, copy_end, similarity, edits",
    }
    return {t: store.db.execute(f"SELECT {cols} FROM {t} ORDER BY {cols}").fetchall() for t, cols in tables.items()}


def test_finish_in_worker_processes_gives_the_same_results(seeds: list[Path], tmp_path: Path, monkeypatch) -> None:
    """With workers the exact check and the alignment run through the executor's pool
    (`map_chunks`), several chunks at once: the stored links, groups and alignments are
    those of one process."""

    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in _variants(seeds).items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(ReprintStage, "batch_size", 3)
    monkeypatch.setattr(ReprintStage, "verify_chunk", 2)   # several chunks of each kind
    monkeypatch.setattr(ReprintStage, "align_chunk", 2)
    results = []
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}.db") as store:
            ingest(store, sorted(str(p) for p in folder.iterdir()))
            reports = LocalExecutor(store, workers=workers).run([CleanStage(), ReprintStage()])
            assert reports[1].stats["aligned"] > 4 and reports[1].stats["groups"] >= 3
            results.append(_reprint_tables(store))
    assert results[0] == results[1]
    assert all(results[0].values())


def test_union_find_roots_at_the_smallest_member_in_first_seen_order() -> None:
    sets = UnionFind()
    for a, b in [("c", "d"), ("b", "a"), ("d", "b"), ("x", "y")]:
        sets.union(a, b)
    assert sets.groups() == {"a": ["c", "d", "b", "a"], "x": ["x", "y"]}
