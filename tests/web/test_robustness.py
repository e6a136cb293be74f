"""The server under hostile requests: a costly search is a quick 400, every response (a 500
too) carries the security headers, and ids holding `/`, `?`, `#` make working links."""

from __future__ import annotations

import json
import re
import time

import pytest
from fastapi.testclient import TestClient

from storyline.errors import BadQuery
from storyline.executor.local import LocalExecutor
from storyline.ingest import ingest
from storyline.stages.clean.stage import CleanStage
from storyline.stages.reprints.stage import ReprintStage
from storyline.stages.stories.stage import StoryStage
from storyline.store import Store
from storyline.store.web import MAX_PREFIX_TERMS, time_limit
from storyline.web.app import SECURITY_HEADERS, create_app


@pytest.fixture(scope="module")
def client(web_db):
    with TestClient(create_app(str(web_db)), raise_server_exceptions=False) as c:
        yield c


def test_a_search_of_160_one_letter_prefixes_is_a_400_in_under_a_second(client):
    q = " ".join(f"{chr(97 + i % 26)}*" for i in range(160))  # 480 characters, under the length limit
    for path in ("/api/search", "/search.json", "/api/stories"):
        started = time.perf_counter()
        resp = client.get(path, params={"q": q})
        assert time.perf_counter() - started < 1.0
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "query_too_costly", resp.text


def test_too_many_prefixes_or_words_are_refused_and_a_few_are_fine(client):
    many = " ".join(f"bo{chr(97 + i)}*" for i in range(MAX_PREFIX_TERMS + 1))
    assert client.get("/api/search", params={"q": many}).status_code == 400
    assert client.get("/api/search", params={"q": " ".join(["border"] * 40)}).status_code == 400
    ok = client.get("/api/search", params={"q": "bord* Syri*"})
    assert ok.status_code == 200 and ok.json()["total"] > 0


def test_a_query_still_running_after_the_time_limit_is_stopped(store):
    slow = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000)"
            " SELECT count(*) FROM n")
    started = time.perf_counter()
    with pytest.raises(BadQuery, match="took over"), time_limit(store.db, 0.2):
        store.db.execute(slow).fetchone()
    assert time.perf_counter() - started < 2.0
    assert store.db.execute("SELECT 1").fetchone() == (1,)  # the handler is gone afterwards


def test_a_500_carries_the_security_headers(web_db):
    app = create_app(str(web_db))

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        resp = c.get("/api/boom")
    assert resp.status_code == 500 and resp.json()["error"]["code"] == "internal_error"
    for name, expected in SECURITY_HEADERS.items():
        assert resp.headers[name] == expected
    missing = TestClient(app).get("/no/such/page")
    assert missing.status_code == 404 and missing.headers["Content-Security-Policy"] == SECURITY_HEADERS[
        "Content-Security-Policy"]


def test_ids_with_slash_question_mark_and_hash_make_working_links(tmp_path):
    db = tmp_path / "ids.db"
    text = "Flooding closed the coastal road on Monday, the mayor of the town said in a statement."
    with Store(db) as store:
        path = tmp_path / "odd.jsonl"
        path.write_text(json.dumps({"id": "a/b?c#d", "title": "Coastal road closed by floods",
                                    "text": text, "published": "2021-03-04"}) + "\n")
        ingest(store, [str(path)])
        LocalExecutor(store).run([CleanStage(), ReprintStage(), StoryStage(embeddings=False)])
        [story] = store.stories()
    with TestClient(create_app(str(db))) as c:
        page = c.get(f"/stories/{story['id']}")
        assert page.status_code == 200
        links = set(re.findall(r'href="(/articles/[^"]+)"', page.text))
        assert links == {"/articles/a%2Fb%3Fc%23d"}
        article = c.get(links.pop())
        assert article.status_code == 200 and "Coastal road closed by floods" in article.text
