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
