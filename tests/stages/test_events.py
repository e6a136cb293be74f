"""Dated events and figures on the bundled seeds: per article, merged per story, through the
real pipeline, store, CLI and export (no mocks)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from storyline.cli import cli
from storyline.evaluation.events import SEED_DATES, seed_checklist
from storyline.export import EVENT_FIELDS, export
from storyline.ingest import ingest
from storyline.pipeline import run_pipeline
from storyline.seeds import seed_files
from storyline.stages.events.mentions import extract_event_mentions, merge_events, place_key
from storyline.stages.events.types import FAMILIES, LEXICON, classify
from storyline.store import Store
from storyline.text.date_mentions import estimate_anchor, resolve_estimated


def seed_text(prefix: str) -> str:
    return next(p for p in seed_files() if p.name.startswith(prefix)).read_text("utf-8")


@pytest.mark.parametrize(
    "text, family",
    [
        ("US warplanes pounded the village, killing 6 civilians", "shelling/airstrike"),
        ("Iraqi forces retook the town of al-Qaim from the militants", "capture of territory"),
        ("Police arrested 12 suspects after the raid", "arrest"),
        ("Thousands of protesters marched peacefully to parliament", "protest"),
        ("The two sides signed a ceasefire agreement", "agreement"),
        ("A magnitude 6.1 earthquake struck the province", "disaster"),
        ("Clashes broke out between the army and rebels", "battle"),
    ],
)
def test_lexicon_types(text, family):
    assert classify(text).family == family


def test_taxonomy_is_complete():
    assert set(LEXICON) == set(FAMILIES) and len(FAMILIES) == 30


def test_place_keys_merge_spellings():
    assert len({place_key(n) for n in ("Boukamal", "Bu Kamal", "Abu Kamal", "Al Bu Kamal")}) == 1
    assert place_key("al-Qaim") == place_key("Qaim") != place_key("Hiri")
    assert place_key("Deir ez-Zor") == place_key("Deir Ezzor") == place_key("Deir el-Zour")


def test_dated_events_of_one_article():
    mentions = extract_event_mentions("003", seed_text("003"), "2017-11-05")
    found = {(m.family, place_key(m.place or ""), m.date_start) for m in mentions}
    assert ("capture of territory", place_key("Qaim"), "2017-11-03") in found
    assert ("capture of territory", place_key("Deir el-Zour"), "2017-11-03") in found
    clash = next(m for m in mentions if "late Friday" in m.date_text)
    assert (clash.family, clash.date_start, clash.date_end) == ("battle", "2017-11-03", "2017-11-04")
    said = next(m for m in mentions if m.date_text == "Saturday")
    assert said.reported  # "an Iraqi official said Saturday" dates the report


def test_one_event_reported_by_three_articles_is_one_event():
    mentions = []
    for prefix, anchor in (("000", "2017-11-04"), ("001", "2017-11-04"), ("003", "2017-11-05")):
        mentions += extract_event_mentions(prefix, seed_text(prefix), anchor)
    events = merge_events("story", mentions)
    qaim = [e for e in events if e.family == "capture of territory" and e.place_key == place_key("Qaim")]
    assert len(qaim) == 1 and qaim[0].sources == ["000", "001", "003"]
    assert qaim[0].date_start == "2017-11-03"


def test_estimated_anchor_uses_wording_and_says_how_sure():
    text = "Troops entered the town late Wednesday. Yesterday they declared it clear."
    # Anchors Nov 8-12 allowed; "yesterday" rules out Wednesday being the day before.
    est = estimate_anchor(text, [f"2017-11-{d:02d}" for d in range(8, 13)], "story estimate")
    assert est.anchor == "2017-11-08"  # Wednesday itself is possible (no "today" in the text)
    est = estimate_anchor(text, [f"2017-11-{d:02d}" for d in range(9, 13)], "story estimate")
    assert est.anchor == "2017-11-10" and est.feasible == ("2017-11-10", "2017-11-11", "2017-11-12")
    dates = {m.text: m for m in resolve_estimated(text, est)}
    assert dates["late Wednesday"].value == "2017-11-08" and dates["late Wednesday"].estimated
    assert dates["Yesterday"].confidence < dates["late Wednesday"].confidence


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("events")
    src = tmp / "seeds.jsonl"
    with src.open("w", encoding="utf-8") as out:
        for path in seed_files():
            out.write(json.dumps({"id": path.stem, "text": path.read_text("utf-8"),
                                  "published": SEED_DATES.get(path.name[:3])}) + "\n")
    db = tmp / "s.db"
    with Store(db) as store:
        ingest(store, [str(src)])
        run_pipeline(store)
    return db


def test_seed_checklist_through_the_pipeline(seeded):
    with Store(seeded) as store:
        results = seed_checklist(store)
    assert all(ok for ok, _, _ in results), [(item, found) for ok, item, found in results if not ok]


def test_undated_article_gets_estimated_anchor(seeded):
    with Store(seeded) as store:
        x = store.extractions()
    reprint = next(v for k, v in x.items() if k.startswith("000"))
    assert (reprint["anchor"], reprint["anchor_source"]) == ("2017-11-04", "reprint group")
    later = next(v for k, v in x.items() if k.startswith("004"))
    assert later["anchor_source"] == "linked events" and later["anchor"] == "2017-11-10"


def test_rerun_is_idempotent(seeded):
    with Store(seeded) as store:
        before = store.events()
        run_pipeline(store)
        assert store.events() == before


def test_cli_and_exports(seeded):
    runner = CliRunner()
    result = runner.invoke(cli, ["events", "--db", str(seeded)])
    assert result.exit_code == 0 and "Qaim" in result.output and "2017-11-03" in result.output
    result = runner.invoke(cli, ["claims", "--disputed", "--db", str(seeded)])
    assert result.exit_code == 0 and "Dillon" in result.output and "5712" not in result.output
    result = runner.invoke(cli, ["events", "--story", "no-such-story", "--db", str(seeded)])
    assert result.exit_code != 0
    # A story shown lists its events (here the fall of al-Qaim on Nov 3, reported by four articles).
    with Store(seeded) as store:
        story = next(e["story"] for e in store.events() if e["place"] in ("Qaim", "al-Qaim", "Al-Qaim")
                     and e["date_start"] == "2017-11-03")
    result = runner.invoke(cli, ["show", story, "--db", str(seeded)], env={"COLUMNS": "240"})
    assert result.exit_code == 0 and "events" in result.output and "2017-11-03" in result.output
    assert "capture of territory" in result.output and f"storyline story {story}" in result.output
    with Store(seeded) as store:
        buf = io.BytesIO()
        n = export(store, "events", "csv", buf)
        rows = list(csv.DictReader(io.StringIO(buf.getvalue().decode("utf-8"))))
        assert n == len(rows) > 0 and list(rows[0]) == EVENT_FIELDS
        buf = io.BytesIO()
        export(store, "claims", "jsonl", buf)
        claims = [json.loads(line) for line in buf.getvalue().splitlines()]
    disputed = {c["article_id"][:3] for c in claims if c["dispute"]}
    assert disputed == {"002", "003", "004"}
    assert not {c["value_low"] for c in claims} & {5712, 9836}


def test_story_and_claims_report_the_same_disputes(seeded):
    """`storyline story --json` and `storyline claims --disputed` read one set of disputes."""
    runner = CliRunner()
    listed = runner.invoke(cli, ["claims", "--disputed", "--db", str(seeded)], env={"COLUMNS": "300"})
    assert listed.exit_code == 0, listed.output
    with Store(seeded) as store:
        stories = [s["id"] for s in store.stories()]
        claims = store.claims(disputed_only=True)
        whats = {d["id"]: d["what"] for d in store.disputes()}
    assert claims, "the seeds' figures 1,500 vs 2,500-3,500 are disputed"
    shown = set()
    for story_id in stories:
        out = runner.invoke(cli, ["story", story_id, "--json", "--db", str(seeded)])
        assert out.exit_code == 0, out.output
        members = set(json.loads(out.output)["story"]["articles"])
        for d in json.loads(out.output)["summary"]["disputes"]:
            figures = {(d["what"], f["article_id"], f["who"]) for f in d["figures"]}
            assert {f[1] for f in figures} & members  # the story reports one of its figures
            shown |= figures
    from_claims = {(whats[c["dispute"]], c["article_id"], c["attributed_to"]) for c in claims}
    assert shown == from_claims
    for _, article_id, who in from_claims:
        assert article_id in listed.output and who in listed.output


def test_shipped_model_re_ranks_only_the_lexicons_candidates():
    from storyline.stages.events.types import classify_event, model_type

    # The model exists and agrees on clear cases; it never picks a type with no cue.
    assert model_type("Israeli warplanes fired a missile at a car in Gaza") == "AIR_STRIKE"
    typing = classify_event("The monitor said the clashes started late Friday.", 2.0)
    assert typing.type == "ARMED_CLASH" and typing.family == "battle"


def test_seed_checklist_from_plain_files(tmp_path):
    # The dates come from cleaning (datelines, page dates) and from the estimates alone.
    with Store(tmp_path / "plain.db") as store:
        ingest(store, [str(p) for p in seed_files()])
        run_pipeline(store)
        results = seed_checklist(store)
    assert all(ok for ok, _, _ in results), [(item, found) for ok, item, found in results if not ok]


def test_an_event_place_is_the_resolved_place_entity():
    from storyline.records import EventMention
    from storyline.stages.events.article import PlaceEntities, _event_row
    from storyline.stages.events.mentions import merge_events

    rows = [
        ("a", "Bu Kamal", "place", "Albu Kamal", 34.45, 40.92, "SY"),
        ("b", "Albu Kamal", "place", "Albu Kamal", 34.45, 40.92, "SY"),
        ("c", "Pfizer", "org", "Pfizer", None, None, None),
    ]
    places = PlaceEntities(rows)

    def mention(article, place):
        return EventMention(article, "ARMED_CLASH", "battle", 0, 10, "clashes in " + place, "Friday",
                            "2017-11-03", "2017-11-03", 0.9, "2017-11-03", "published", False, False,
                            place, None, False, (), ())

    ms = [places.mention(mention("a", "Bu Kamal")), places.mention(mention("b", "Albu Kamal"))]
    assert {m.place for m in ms} == {"Albu Kamal"}
    (event,) = merge_events("st-1", ms)  # one place, one spelling: one event
    row = _event_row(event, None, (), places.where)
    assert (row["lat"], row["lon"], row["country"]) == (34.45, 40.92, "SY")
    assert places.mention(mention("c", "Pfizer")).place is None  # an organisation in its article
    assert places.mention(mention("d", "COVID")).place is None  # a disease
    assert places.mention(mention("d", "Kabul")).place == "Kabul"  # unknown to the entities: as written


def test_pandemic_news_is_no_disaster_event_but_a_flood_is():
    from storyline.stages.events.mentions import extract_event_mentions

    text = ("Britain on Wednesday approved the Pfizer-BioNTech COVID-19 vaccine. "
            "Covid cases remained high on Thursday across the country. "
            "Floods killed 12 people in Kerala on Friday.")
    types = [m.type for m in extract_event_mentions("a", text, "2020-12-05", "published")]
    assert types == ["NATURAL_DISASTER"]
