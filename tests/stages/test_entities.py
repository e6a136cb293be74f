"""Entities, aliases and geocoded places: the gazetteer, the geocoder, the stage, the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from storyline.evaluation._seeds_entities import checklist
from storyline.evaluation.places import read_corpus, scores
from storyline.export import ENTITY_FIELDS
from storyline.geo.gazetteer import haversine_km
from storyline.geo.places import GeoContext, geocode, geocode_document
from storyline.records import CleanArticle, EntityMention
from storyline.stages.entities.extract import extract
from storyline.stages.entities.resolve import resolve
from storyline.store import Store
from tests.helpers import FIXTURES, storyline

BOUKAMAL = (34.45, 40.92)


@pytest.mark.parametrize("spelling", ["Boukamal", "Bu Kamal", "Abu Kamal", "Al Bu Kamal", "al-Bukamal"])
def test_transliterations_of_one_town_meet(spelling):
    place = geocode(spelling)
    assert place is not None and place.country == "SY"
    assert haversine_km(*BOUKAMAL, place.lat, place.lon) < 25


def test_context_picks_the_right_saint_petersburg():
    alone = geocode("Saint Petersburg")
    florida = geocode("Saint Petersburg", GeoContext.of(["Florida", "Tampa"]))
    assert alone is not None and alone.country == "RU"
    assert florida is not None and florida.country == "US"
    assert haversine_km(27.77, -82.68, florida.lat, florida.lon) < 25
    in_doc = geocode_document(["St. Petersburg", "Tampa"], dateline="ST. PETERSBURG, Fla.")
    assert in_doc[0] is not None and in_doc[0].country == "US"


def test_curated_village_demonym_country_and_unknown():
    hiri = geocode("Hiri")
    assert hiri is not None and hiri.country == "SY" and hiri.geonameid is None
    syrian = geocode("Syrian")
    assert syrian is not None and syrian.kind == "country" and syrian.country == "SY"
    assert geocode("Iraq").country == "IQ"
    assert geocode("Qxzvbnm Wrtyk") is None
    assert geocode("EU").kind == "continent"  # an acronym is not the French town of Eu
    assert geocode("") is None


def test_wire_abbreviations_and_acronyms_of_places_the_article_spells_out():
    assert geocode("Fla.").name == "Florida" and geocode("N.Y.").kind == "admin1"
    places = geocode_document(["Trinidad and Tobago", "T&T", "Port of Spain"])
    assert places[1] is not None and places[1].country == "TT" and places[1].method == "acronym"


def test_a_name_inside_a_longer_one_and_the_document_focus():
    alone = geocode_document(["Bank of Texas"])[0]
    assert alone is not None and alone.method == "contained" and alone.name == "Texas"
    places = geocode_document(["Texas State Capitol", "Austin", "Congress Avenue"])
    assert places[0] is not None and places[0].name == "Austin" and places[0].method == "context"
    assert places[2] is not None and places[2].method == "context" and places[2].confidence < 0.5
    assert geocode_document(["Congress Avenue"], fallback=False) == [None]


def _m(article, n, text, kind, key, label="ORG"):
    return EntityMention(article, n, 0, len(text), text, label, kind, key)


def test_a_us_county_is_the_county_in_the_state_named_not_a_namesake_town():
    # "Suffolk County" (New York, Massachusetts) is not Suffolk, Virginia.
    riverhead, _, _, county = geocode_document(["Riverhead", "Riverhead", "New York", "Suffolk County"])
    assert county is not None and county.kind == "admin2" and county.admin1 == "NY"
    assert haversine_km(county.lat, county.lon, riverhead.lat, riverhead.lon) < 60
    # 18 states have a Montgomery County: the one in the state the article names.
    iowa = geocode_document(["Red Oak", "Iowa", "Montgomery County"])[2]
    assert iowa is not None and iowa.admin1 == "IA"
    # A county name no US state has is left to the other rules.
    (other,) = geocode_document(["Nowhereshire County"])
    assert other is None or other.method != "county"


def test_counties_and_provinces_outside_the_us():
    # A British story's counties are the counties, not the US towns named after them.
    kent, fife, _ = geocode_document(["Kent", "Fife", "United Kingdom"])
    assert kent.kind == fife.kind == "admin2" and kent.country == fife.country == "GB"
    assert haversine_km(kent.lat, kent.lon, 51.2, 0.7) < 60
    sokoto = geocode("Sokoto State") or geocode("Sokoto")
    assert sokoto is not None and sokoto.country == "NG"
    # A district is not found through a loose spelling, nor an acronym.
    for mention in ("Makeen", "SA"):  # Makin, Kiribati; Sah, Yemen
        place = geocode(mention)
        assert place is None or place.kind != "admin2"


def test_acronyms_join_by_co_occurrence_and_surnames_join_full_names():
    mentions = [
        _m("a", 0, "Kurdistan Democratic Party", "org", "org:kurdistandemokraticparty"),
        _m("a", 1, "KDP", "org", "org:kdp"),
        _m("b", 0, "KDP", "org", "org:kdp"),
        _m("a", 2, "Masoud Barzani", "person", "person:masudbarzani", "PERSON"),
        _m("b", 1, "Barzani", "person", "person:barzani", "PERSON"),
        _m("c", 0, "Kenya Defence Police", "org", "org:kenyadefencepolice"),  # same initials, elsewhere
    ]
    entities, links = resolve(mentions)
    kdp = next(e for e in entities if "KDP" in e.aliases)
    assert kdp.name == "Kurdistan Democratic Party" and kdp.articles == ["a", "b"]
    barzani = next(e for e in entities if "Barzani" in e.aliases)
    assert barzani.name == "Masoud Barzani" and barzani.mentions == 2
    assert links[("b", 1)] == barzani.id and len(links) == len(mentions)
    assert len(entities) == 3


def test_seeds_checklist_all_pass(seeded_db):
    with Store(seeded_db) as store:
        entities = list(store.entities())
    failed = [c for c in checklist(entities) if not c.ok]
    assert not failed, failed
    kinds = {e["kind"] for e in entities}
    assert kinds == {"person", "org", "place"}


def test_mislabelled_arabic_town_is_a_place_and_rerun_is_a_no_op(seeded_db):
    from storyline.executor.local import LocalExecutor
    from storyline.stages.entities.stage import EntityStage

    with Store(seeded_db) as store:
        mentions = [m for a in store.article_ids() for m in store.entity_mentions(a)]
        bu = [m for m in mentions if m.text == "Al Bu Kamal"]
        assert bu and all(m.kind == "place" for m in bu)
        assert any(m.field == "title" and m.text == "ISIS" for m in mentions)
        before = list(store.entities())
        report = LocalExecutor(store).run([EntityStage()])[0]
        assert report.processed == 0 and list(store.entities()) == before


def test_read_gwn_and_geovirus_formats():
    gwn = read_corpus(FIXTURES / "geoparsing" / "gwn_small.xml")
    assert [t.name for t in gwn[0].toponyms] == ["Saint Petersburg", "Cuba", "Tampa", "Florida"]
    virus = read_corpus(FIXTURES / "geoparsing" / "geovirus_small.xml")
    doc = virus[0]
    assert [doc.text[t.start : t.end] for t in doc.toponyms] == ["Moscow", "Saint Petersburg"]
    s = scores([0.0, 100.0, 500.0, 20000.0])
    assert s["acc161"] == 0.5 and 0 < s["auc"] < 1 and s["median"] == 300.0


def test_bad_geoparsing_file_is_a_clear_error(tmp_path):
    from storyline.errors import StorylineError

    bad = tmp_path / "bad.xml"
    bad.write_text("<articles><article>", encoding="utf-8")
    with pytest.raises(StorylineError, match="bad.xml"):
        read_corpus(bad)


@pytest.mark.slow
def test_cli_entities_export_and_eval(tmp_path, seeded_db: Path):
    db = tmp_path / "copy.db"
    db.write_bytes(seeded_db.read_bytes())
    proc = storyline("entities", "--kind", "place", "--limit", "0", db=db, env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert "Bu Kamal" in out and "34.45" in out and "Hiri" in out
    rows = [json.loads(line) for line in storyline("export", "entities", db=db).stdout.splitlines()]
    assert rows and set(rows[0]) == set(ENTITY_FIELDS)
    group = next(r for r in rows if "Boukamal" in r["aliases"])
    assert {"Bu Kamal", "Abu Kamal", "Al Bu Kamal"} <= set(group["aliases"])
    text = storyline("export", "entities", "--format", "csv", db=db).stdout.decode()
    assert len(list(csv.DictReader(io.StringIO(text)))) == len(rows)
    assert storyline("export", "entities", "--format", "parquet", "-o", str(tmp_path / "e.parquet"), db=db).returncode == 0
    assert pq.read_table(tmp_path / "e.parquet").num_rows == len(rows)
    proc = storyline("eval", "places", "--file", str(FIXTURES / "geoparsing" / "gwn_small.xml"), "--gold-only")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Acc@161 1.000" in proc.stdout.decode()
    assert "seeds checklist (entities, aliases, places): 17/17 pass" in proc.stdout.decode()
    missing = storyline("eval", "places", "--file", str(tmp_path / "nope.xml"))
    assert missing.returncode != 0 and "nope.xml" in missing.stderr.decode()


def test_a_byline_ending_in_capitals_does_not_make_a_country_a_person():
    # spaCy reads "By: Henry Lazenby US-based ..." as one PERSON span; "US" is no surname.
    text = ("China said it would take the US to the WTO over tariffs.\n\n"
            "By: Henry Lazenby US-based aluminium producers welcomed the move.\n\n"
            "The Ministry of Commerce said the US measures against it were unfair.")
    (ents,) = extract([CleanArticle(id="x", text=text)])
    kinds = {m.start: m.kind for m in ents.mentions if m.text == "US"}
    assert len(kinds) == 2 and set(kinds.values()) == {"place"}


def test_a_town_s_other_name_far_from_the_story_is_not_taken():
    # "Deir" (a cut "Deir el-Zour") is an alternate name of Győr, Hungary: not in a Syria story.
    places = geocode_document(["Syria", "Iraq", "al-Qaim", "Deir", "Damascus"], fallback=False)
    assert places[3] is None
    # Its own country named, a town's other name stands (Bombay is Mumbai).
    assert geocode_document(["India", "Bombay"], fallback=False)[1].country == "IN"
