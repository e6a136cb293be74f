"""The analyst's pages and their API twins: search, entities, storylines, outlets, events."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from storyline.store import Store
from storyline.web.app import create_app


@pytest.fixture(scope="module")
def client(web_db):
    with TestClient(create_app(str(web_db))) as c:
        yield c


@pytest.fixture(scope="module")
def seed_ids(web_db) -> set[str]:
    with Store(web_db) as s:
        return {r[0] for r in s.db.execute("SELECT id FROM articles WHERE id LIKE '00%'")}


def search_ids(client, q: str) -> set[str]:
    body = client.get("/api/search", params={"q": q, "limit": 100}).json()
    return {a["id"] for g in body["groups"] for a in g["articles"]}


def test_search_finds_every_name_of_an_entity(client, seed_ids):
    assert search_ids(client, "Daesh") == seed_ids
    assert search_ids(client, "ISIS OR Daesh") == seed_ids
    town = search_ids(client, "Boukamal")
    assert town == search_ids(client, '"Abu Kamal"') and len(town) >= 4
    body = client.get("/api/search", params={"q": "Daesh"}).json()
    assert body["total"] == len(seed_ids) and body["names"][0]["entities"][0]["name"] == "Islamic State"


def test_search_page_keeps_the_query_groups_by_story_and_links_them(client):
    page = client.get("/search", params={"q": 'ISIS OR "Abu Kamal"'})
    assert page.status_code == 200
    boxes = re.findall(r'<input type="search" name="q" value="([^"]*)"', page.text)
    assert boxes and all(html.unescape(v) == 'ISIS OR "Abu Kamal"' for v in boxes)
    assert page.text.count('class="group"') >= 2
    assert '<a class="story-link" href="/stories/' in page.text and 'href="/entities/' in page.text


@pytest.mark.parametrize("q, says", [('"Abu Kamal', "unclosed quote"), ("ISIS OR", "OR needs a word"),
                                     ("NOT ISIS", "NOT needs a word before")])
def test_a_bad_query_is_a_400_saying_why(client, q, says):
    for path in ("/api/search", "/search.json"):
        resp = client.get(path, params={"q": q})
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "bad_query"
        assert says in resp.json()["error"]["message"]
    page = client.get("/search", params={"q": q})
    assert page.status_code == 400 and says in page.text


@pytest.fixture(scope="module")
def islamic_state(client) -> dict:
    [e] = client.get("/api/entities", params={"name": "daesh", "kind": "org"}).json()["entities"]
    return e


def test_entities_filter_by_kind_and_any_name(client, islamic_state):
    assert islamic_state["name"] == "Islamic State" and "Daesh" in islamic_state["aliases"]
    places = client.get("/api/entities", params={"kind": "place", "limit": 100}).json()
    assert places["computed"] and places["total"] == len(places["entities"]) > 0
    assert {e["kind"] for e in places["entities"]} == {"place"}
    town = client.get("/entities.json", params={"name": "KAMAL"}).json()["entities"]
    assert [e["name"] for e in town] == ["Al Bu Kamal"]
    page = client.get("/entities", params={"kind": "place"})
    assert page.status_code == 200 and 'class="entity-link"' in page.text
    assert client.get("/api/entities", params={"kind": "planet"}).status_code == 400


def test_entity_page_stories_in_time_order_neighbours_and_map(client, islamic_state):
    body = client.get(f"/api/entities/{islamic_state['id']}").json()
    assert body == client.get(f"/entities/{islamic_state['id']}.json").json()
    dated = [s["first_seen"] for s in body["stories"] if s["first_seen"]]
    assert body["stories_total"] == len(body["stories"]) == 2 and dated == sorted(dated)
    assert {"Popular Mobilization Forces", "Al Bu Kamal"} <= {e["name"] for e in body["co_occurring"]}
    town = client.get("/api/entities", params={"name": "Boukamal"}).json()["entities"][0]
    page = client.get(f"/entities/{town['id']}").text
    assert '<svg class="map"' in page and "34.45" in page and 'class="story-link"' in page
    assert client.get("/api/entities/nope").status_code == 404


def test_storyline_page_is_the_full_coverage_view(client, web_db):
    with Store(web_db) as s:
        line = s.db.execute("SELECT storyline_id FROM stories GROUP BY storyline_id ORDER BY count(*) DESC").fetchone()[0]
        n_stories = s.db.execute("SELECT count(*) FROM stories WHERE storyline_id = ?", (line,)).fetchone()[0]
    body = client.get(f"/api/storylines/{line}").json()
    assert len(body["stories"]) == n_stories >= 2
    assert body["articles"] == sum(s["articles"] for s in body["stories"])
    assert any(s["lead"] for s in body["stories"])
    page = client.get(f"/storylines/{line}").text
    assert page.count('class="story-link"') == n_stories and 'class="lead"' in page
    story = client.get(f"/stories/{body['stories'][0]['id']}").text
    assert f'href="/storylines/{line}"' in story  # the breadcrumb is a link


def test_outlets_and_what_an_outlet_carried(client):
    outlets = client.get("/api/outlets").json()["outlets"]
    egypt = next(o for o in outlets if o["outlet"] == "Egypt Today")
    assert egypt["in_reprint_groups"] == 1 and egypt["reprinted_share"] == 1.0
    assert [o["outlet"] for o in client.get("/api/outlets", params={"name": "egypt"}).json()["outlets"]] == [
        "Egypt Today"]
    body = client.get("/api/outlets/Egypt Today").json()
    assert body["total"] == 1 and body["articles"][0]["story"]
    # Egypt Today's copy is a rewrite of the AP text that 001 (dated 4 Nov) carried first.
    assert body["reprints"]["copies"] == 1 and body["reprints"]["originals"] == 0
    assert body["reprints"]["carries_text_of"] and not body["reprints"]["text_carried_by"]
    page = client.get("/outlets/Egypt%20Today")
    assert page.status_code == 200 and "Whose text it carries" in page.text
    assert client.get("/api/outlets/No Such Outlet").status_code == 404


def test_events_filter_table_and_map(client):
    every = client.get("/api/events", params={"limit": 100}).json()
    assert every["computed"] and every["total"] == len(every["events"]) > 0
    town = client.get("/api/events", params={"place": "kamal", "limit": 100}).json()["events"]
    assert town and all("kamal" in e["place"].lower() for e in town)
    clash = client.get("/api/events", params={"type": "ARMED_CLASH"}).json()["events"]
    assert clash and {e["type"] for e in clash} == {"ARMED_CLASH"}
    dated = client.get("/api/events", params={"date_from": "2017-11-08", "limit": 100}).json()["events"]
    assert dated and all((e["date_end"] or e["date"]) >= "2017-11-08" for e in dated)
    who = client.get("/api/events", params={"entity": "islamic state"}).json()["events"]
    assert who and all(any("islamic state" in a.lower() for a in e["actors"]) for e in who)
    assert any(a["entity"] for e in who for a in e["actor_links"])
    page = client.get("/events", params={"place": "kamal"}).text
    assert '<svg class="map"' in page and 'href="/stories/' in page and 'href="/entities/' in page
    bad = client.get("/api/events", params={"date_from": "2017-11-09", "date_to": "2017-11-01"})
    assert bad.status_code == 400


def test_story_list_sorts_pages_and_filters_by_part_of_a_name(client):
    by_size = client.get("/api/stories", params={"sort": "coverage"}).json()["stories"]
    assert [s["articles"] for s in by_size] == sorted((s["articles"] for s in by_size), reverse=True)
    assert all(s["storyline_title"] for s in by_size if s["storyline"])
    assert client.get("/api/stories", params={"outlet": "EGYPT"}).json()["total"] == 1
    assert client.get("/api/stories", params={"place": "kamal"}).json()["total"] >= 1
    assert client.get("/api/stories", params={"sort": "size"}).status_code == 400
    page = client.get("/", params={"limit": 1}).text
    assert 'aria-label="pages"' in page and 'aria-current="page"' in page and 'href="/storylines/' in page


def test_the_original_of_a_reprint_group_is_its_earliest_dated_copy(client, web_db):
    with Store(web_db) as s:
        story = max(s.stories(), key=lambda st: len(st["articles"]))
    body = client.get(f"/api/stories/{story['id']}").json()
    [group] = body["reprint_groups"]
    dates = {a["id"]: a["published"] for a in body["articles"]}
    earliest = min((d, a) for a, d in dates.items() if a in group["articles"] and d)[1]
    assert group["original"] == earliest and group["original_basis"] == "earliest dated copy"
    assert group["fullest"] != group["original"]  # the seeds' fullest copy is a later reprint
    page = client.get(f"/stories/{story['id']}").text
    assert "(earliest dated copy)" in page and "fullest copy)" not in page


def test_every_route_has_a_typed_response_and_declares_400_not_422(client):
    schema = client.get("/api/openapi.json").json()
    for path, item in schema["paths"].items():
        for op in item.values():
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in ok, path  # a named model, not a bare object
            assert "422" not in op["responses"] and "400" in op["responses"], path
    assert {"EntityDetail", "StorylineDetail", "OutletDetail", "EventList", "SearchResult", "ErrorBody"} <= set(
        schema["components"]["schemas"])


def test_map_labels_never_overlap_and_countries_are_shapes(client, web_db):
    from storyline.web import data
    from storyline.web.geo import CHAR_W, _box, _overlaps, story_map

    with Store(web_db) as s:
        story = max(s.stories(), key=lambda st: len(st["articles"]))
        places = data.story_detail(s, story["id"])["places"]["items"]
    m = story_map(places)
    countries = {p["name"] for p in places if p.get("place_kind") == "country"}
    assert countries and not countries & {p["name"] for p in m["points"]}  # no dot for a country
    assert {"Syria", "Iraq"} <= {c["name"] for c in m["countries"] if c["mentioned"]}
    labelled = [p for p in m["points"] if p["label"]]
    assert len(labelled) >= 3
    boxes = [_box(p["lx"], p["ly"], p["anchor"], CHAR_W * len(p["name"])) for p in labelled]
    for i, a in enumerate(boxes):
        assert all(not _overlaps(a, b) for b in boxes[i + 1:])
        assert 0 <= a[0] and a[2] <= m["width"]
    page = client.get(f"/stories/{story['id']}").text
    assert page.count('class="place-label"') == len(labelled)


def test_article_page_names_each_field_once_and_no_install_path(client):
    page = client.get("/articles/000_a4e1b90758e06dd6").text  # Egypt Today's copy has no title
    h1 = re.search(r'<h1 id="article-title">(.*?)</h1>', page, re.S).group(1)
    assert "Untitled article" in h1 and "000_a4e1b90758e06dd6" not in h1
    assert page.count("<dt>Outlet</dt>") == 1 and "<dt>outlet</dt>" not in page and "<dt>language</dt>" not in page
    assert 'href="/outlets/Egypt%20Today"' in page
    source = re.search(r"<dt>Source</dt><dd[^>]*>([^<]*)</dd>", page).group(1)
    assert source.startswith("000_a4e1b90758e06dd6.txt") and "/" not in source
