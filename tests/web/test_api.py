"""The JSON API of `storyline serve`: status codes, the one error shape, filters, pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from storyline.store import Store
from storyline.web.app import create_app

ERROR_KEYS = {"status", "code", "message", "details"}


@pytest.fixture(scope="module")
def client(web_db):
    with TestClient(create_app(str(web_db))) as c:
        yield c


@pytest.fixture(scope="module")
def main_story(web_db) -> dict:
    """The seeds' main story: the one holding the AP reprint group (the most articles)."""
    with Store(web_db) as s:
        return max(s.stories(), key=lambda st: (len(st["articles"]), st["id"]))


def assert_error(resp, status: int, code: str | None = None) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_story_list_is_paged_newest_first(client, web_db):
    with Store(web_db) as s:
        n = len(s.stories())
    body = client.get("/api/stories").json()
    assert body["total"] == n and len(body["stories"]) == n
    assert {"id", "title", "first_seen", "last_seen", "articles", "outlets"} <= set(body["stories"][0])
    page1 = client.get("/api/stories", params={"limit": 1}).json()
    assert len(page1["stories"]) == 1 and page1["next"] and "offset=1" in page1["next"]
    page2 = client.get("/api/stories" + page1["next"]).json()
    assert page2["offset"] == 1 and page2["stories"][0]["id"] != page1["stories"][0]["id"]
    last = client.get("/api/stories", params={"limit": 1, "offset": n - 1}).json()
    assert last["next"] is None
    assert client.get("/api/stories", params={"offset": n + 5}).json()["stories"] == []


def test_story_filters(client, main_story, web_db):
    def ids(**params):
        resp = client.get("/api/stories", params=params)
        assert resp.status_code == 200, resp.text
        return {s["id"] for s in resp.json()["stories"]}

    # Full text (FTS5): a word only the payload article has, and one of the AP wire copy.
    payload_story = ids(q="council budget")
    assert len(payload_story) == 1 and main_story["id"] not in payload_story
    assert main_story["id"] in ids(q="Hashed")
    assert main_story["id"] in ids(q="Kataeb*")  # prefix search
    assert ids(q='"unbalanced quote AND OR (') == set()  # operators are plain words, not errors
    # Outlet (case-insensitive) and date range (only the payload article has a date).
    assert main_story["id"] in ids(outlet="egypt today")
    assert ids(outlet="No Such Outlet") == set()
    dated = ids(date_from="2017-11-04", date_to="2017-11-04")
    assert payload_story <= dated  # the payload article is dated 2017-11-04
    with Store(web_db) as s:
        spans = {r[0]: (r[1], r[2]) for r in s.db.execute("SELECT id, first_seen, last_seen FROM stories")}
    assert dated == {sid for sid, (first, last) in spans.items()
                     if first and last and last >= "2017-11-04" and first <= "2017-11-04"}
    assert ids(date_from="2030-01-01") == set()
    # Place and entity: stories whose text names them while no stage has resolved them.
    assert main_story["id"] in ids(place="Deir el-Zour")
    assert main_story["id"] in ids(entity="Syrian Observatory for Human Rights")
    assert ids(place="Atlantis") == set()
    both = ids(q="Hashed", place="Syria", outlet="Egypt Today")
    assert both == {main_story["id"]}


def test_story_detail_has_cited_summary_groups_and_links(client, main_story):
    body = client.get(f"/api/stories/{main_story['id']}").json()
    members = {a["id"] for a in body["articles"]}
    assert members == set(main_story["articles"])
    assert body["summary"]["computed"] and body["summary"]["sentences"]
    for sentence in body["summary"]["sentences"]:
        assert sentence["citations"], sentence
        assert {c["article"] for c in sentence["citations"]} <= members
        numbers = {a["id"]: a["n"] for a in body["articles"]}
        assert all(c["n"] == numbers[c["article"]] for c in sentence["citations"])
    assert body["timeline"]["computed"]
    for key in ("events", "figures", "disputes", "places", "entities"):
        assert isinstance(body[key]["computed"], bool) and isinstance(body[key]["items"], list)
    # The events stage's figures and disputes: 1,500 (AFP, the coalition) vs 2,500-3,500 (AP, Dillon).
    assert body["figures"]["computed"] and body["figures"]["items"]
    values = {f["value"] for f in body["figures"]["items"]}
    assert {"about 1,500", "between 2,500 and 3,500"} <= values
    assert all(f["citation"]["article"] in members for f in body["figures"]["items"])
    (fighters,) = [d for d in body["disputes"]["items"] if "1,500" in d["note"]]
    said = {(f["value"], f["who"]) for f in fighters["figures"]}
    assert ("between 2,500 and 3,500", "Col. Ryan Dillon") in said
    assert any(v == "about 1,500" and "coalition" in (who or "") for v, who in said)
    assert {f["dispute"] for f in body["figures"]["items"] if f["value"] == "about 1,500"} != {None}
    group = body["reprint_groups"][0]
    assert len(group["articles"]) == 3 and group["fullest"] in group["articles"]
    assert any(link["kind"] == "reprint" for link in body["links"])
    assert sum(len(o["articles"]) for o in body["outlets"]) == len(members)
    places = {p["name"] for p in body["places"]["items"]}
    assert {"Syria", "Iraq"} <= places


def test_story_sources_matrix(client, main_story):
    body = client.get(f"/api/stories/{main_story['id']}/sources").json()
    assert body["shared_passages"] > 0
    cols = {c["article"] for c in body["columns"]}
    assert cols == set(main_story["articles"])
    for row in body["rows"]:
        assert len(row["cells"]) >= 2 and set(row["cells"].values()) <= {"same", "edited"}


def test_article_detail_has_text_removed_lines_and_sources(client, main_story):
    seen_removed = False
    for article_id in main_story["articles"]:
        body = client.get(f"/api/articles/{article_id}").json()
        assert body["id"] == article_id and body["cleaned"] and body["text"]
        assert body["story"] == main_story["id"] and body["source"].endswith(".txt")
        for r in body["removed"]:
            assert {"text", "reason"} <= set(r)
        seen_removed |= bool(body["removed"])
        for m in body["metadata"].values():
            assert {"value", "source"} <= set(m)
    assert seen_removed, "the seed pages carry furniture that cleaning removes"


def test_article_page_shows_wire_credits_readably(client, main_story):
    # 002 (Taipei Times) credits AFP through its photo credit: shown as words, not a Python repr.
    afp = next(a for a in main_story["articles"] if a.startswith("002_"))
    html = client.get(f"/articles/{afp}").text
    assert "AFP (photo credit)" in html and "{&#39;agency&#39;" not in html and "{'agency'" not in html


def test_search_entities_events_outlets_and_schema(client):
    hits = client.get("/api/search", params={"q": "Boukamal"}).json()
    assert hits["total"] >= 1 and all(a["snippet"] for a in hits["articles"])
    assert any(p["hit"] for a in hits["articles"] for p in a["snippet"])
    for path in ("/api/entities", "/api/events"):
        body = client.get(path).json()
        items = body[path.rsplit("/", 1)[1]]
        assert isinstance(body["computed"], bool) and len(items) == min(body["total"], body["limit"])
    assert {("Egypt Today", 1)} <= {(o["outlet"], o["articles"]) for o in client.get("/api/outlets").json()["outlets"]}
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in ("/api/stories", "/api/stories/{story_id}", "/api/articles/{article_id}", "/api/search",
              "/api/entities", "/api/events"):
        assert p in paths


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/stories?limit=0", 400, "bad_parameter"),
        ("/api/stories?limit=1000", 400, "bad_parameter"),
        ("/api/stories?limit=ten", 400, "bad_parameter"),
        ("/api/stories?offset=-1", 400, "bad_parameter"),
        ("/api/stories?date_from=yesterday", 400, "bad_parameter"),
        ("/api/stories?date_from=2017-12-01&date_to=2017-11-01", 400, "bad_request"),
        ("/api/stories?q=", 400, "bad_request"),
        ("/api/stories?q=%20%20", 400, "bad_request"),
        ("/api/stories?place=", 400, "bad_request"),
        ("/api/stories?colour=red", 400, "unknown_parameter"),
        ("/api/stories?q=" + "x" * 501, 400, "bad_parameter"),
        ("/api/stories/st-nope", 404, "not_found"),
        ("/api/stories/st-nope/sources", 404, "not_found"),
        ("/api/articles/no-such-article", 404, "not_found"),
        ("/api/diff?a=no-such", 400, "bad_parameter"),
        ("/api/diff?a=x&b=y", 404, "not_found"),
        ("/api/search", 400, "bad_parameter"),
        ("/api/search?q=", 400, "bad_parameter"),
        ("/api/nowhere", 404, "not_found"),
        ("/stories/st-nope.json", 404, "not_found"),
    ],
)
def test_bad_requests_get_one_error_shape(client, url, status, code):
    err = assert_error(client.get(url), status, code)
    if status == 400 and code != "bad_request":
        assert err["details"] and all("parameter" in d and d["message"] for d in err["details"])


def test_the_filter_form_with_empty_fields_is_not_an_error(client):
    empty = client.get("/?q=&date_from=&date_to=&outlet=&place=&entity=")
    assert empty.status_code == 200 and "story-link" in empty.text
    assert client.get("/stories.json?q=Syria&date_from=&date_to=").json()["total"] >= 1
    assert_error(client.get("/stories.json?date_from=tomorrow"), 400, "bad_parameter")
    blank = client.get("/search?q=")
    assert blank.status_code == 200 and "Type one or more words" in blank.text
    assert_error(client.get("/search.json"), 400, "bad_parameter")


def test_wrong_method_is_405_in_the_same_shape(client):
    assert_error(client.post("/api/stories"), 405, "method_not_allowed")


def test_html_errors_are_pages_and_every_response_has_a_csp(client):
    resp = client.get("/stories/st-nope")
    assert resp.status_code == 404 and resp.headers["content-type"].startswith("text/html")
    for url in ("/", "/api/stories", "/stories/st-nope", "/static/style.css"):
        csp = client.get(url).headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_untrusted_text_is_escaped_in_html(client):
    html = client.get("/articles/xss-article").text
    assert "<script>window" not in html and "onerror=\"window" not in html and "<svg onload" not in html
    assert "&lt;script&gt;window.__pwned" in html
    assert 'href="javascript:' not in html
    assert "<script" not in html.lower().replace("&lt;script", "")
    listing = client.get("/", params={"q": "council"}).text
    assert "&lt;script&gt;window.__pwned=&#39;title&#39;&lt;/script&gt;" in listing or "Payload headline" in listing
    assert "<script>window" not in listing


def test_pages_render_the_api_dicts(client, main_story):
    page = client.get(f"/stories/{main_story['id']}")
    assert page.status_code == 200
    for section in ('id="summary"', 'id="timeline"', 'id="map"', 'id="sources"', 'id="diff"', "<del>", "<ins>"):
        assert section in page.text
    figures = page.text[page.text.index('id="figures"'):page.text.index('id="sources"')]
    assert 'class="figures"' in figures and "2,500 and 3,500" in figures and "not computed" not in figures
    twin = client.get(f"/stories/{main_story['id']}.json").json()
    assert twin["story"]["id"] == main_story["id"] and twin["diffs"]


@pytest.mark.slow
def test_serve_command_serves_the_api_and_refuses_a_missing_database(web_db, tmp_path):
    import json
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    env = {k: v for k, v in os.environ.items() if k != "STORYLINE_DB"}
    missing = subprocess.run([sys.executable, "-m", "storyline", "serve", "--db", str(tmp_path / "none.db")],
                             capture_output=True, env=env, timeout=60)
    assert missing.returncode != 0 and b"no database at" in missing.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "serve", "--db", str(web_db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stories", timeout=5) as resp:
                    body = json.load(resp)
                    assert resp.headers["Content-Security-Policy"]
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.1)
        assert body["total"] >= 1
    finally:
        proc.terminate()
        proc.wait(10)


def test_fts_story_map_follows_the_pipeline(web_db, tmp_path):
    """web_fts_story (migration 0015_web) matches story_members x clean_articles, also after
    the stories are rebuilt and a clean row is replaced."""
    import shutil

    from storyline.pipeline import run_pipeline

    def consistent(s: Store) -> None:
        want = set(s.db.execute(
            "SELECT c.rowid, m.story_id FROM story_members m JOIN clean_articles c ON c.article_id = m.article_id"))
        assert want and set(s.db.execute("SELECT fts_rowid, story_id FROM web_fts_story")) == want

    path = tmp_path / "copy.db"
    shutil.copyfile(web_db, path)
    with Store(path) as s:
        consistent(s)
        row = s.db.execute("SELECT * FROM clean_articles LIMIT 1").fetchone()
        marks = ",".join("?" * len(row))
        s.db.execute(f"INSERT OR REPLACE INTO clean_articles VALUES ({marks})", row)
        consistent(s)
        s.db.execute("UPDATE story_members SET story_id = 'st-moved' WHERE article_id = ?", (row[0],))
        consistent(s)
        s.db.execute("DELETE FROM stage_state")
        run_pipeline(s)
        consistent(s)


def test_demo_ends_by_saying_how_to_open_the_ui(tmp_path):
    from rich.console import Console

    from storyline.demo import run_demo

    console = Console(record=True, width=200)
    run_demo(tmp_path / "demo.db", console)
    last = console.export_text().strip().splitlines()[-1]
    assert f"storyline serve --db {tmp_path / 'demo.db'}" in last and "http://127.0.0.1:8000/" in last


def test_text_filter_pages_match_one_big_page(client):
    whole = client.get("/api/stories", params={"q": "Syria", "limit": 100}).json()
    assert whole["total"] == len(whole["stories"]) >= 2
    paged = [client.get("/api/stories", params={"q": "Syria", "limit": 1, "offset": i}).json()["stories"][0]["id"]
             for i in range(whole["total"])]
    assert paged == [s["id"] for s in whole["stories"]]
    everything = [s["id"] for s in client.get("/api/stories", params={"limit": 100}).json()["stories"]]
    assert paged == [sid for sid in everything if sid in set(paged)]  # same order as the unfiltered list


def test_pages_light_up_with_the_entities_and_events_stages(web_db, main_story, tmp_path):
    """With the issue-6 stages' tables filled (their schema, written here by hand), the story
    shows their entities, geocoded places and events, and place/entity filters use them."""
    import json
    import shutil

    path = tmp_path / "staged.db"
    shutil.copyfile(web_db, path)
    first = main_story["articles"][0]
    with Store(path) as s:
        s.db.executescript("""
            CREATE TABLE IF NOT EXISTS entity_mentions (article_id TEXT NOT NULL, n INTEGER NOT NULL,
                start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL, label TEXT NOT NULL,
                kind TEXT NOT NULL, key TEXT NOT NULL, place TEXT, field TEXT NOT NULL DEFAULT 'text',
                entity_id TEXT, PRIMARY KEY (article_id, n));
            CREATE TABLE IF NOT EXISTS entities (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
                aliases TEXT NOT NULL, mentions INTEGER NOT NULL, articles TEXT NOT NULL, lat REAL, lon REAL,
                country TEXT, place TEXT);
            CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, story_id TEXT NOT NULL, type TEXT NOT NULL,
                family TEXT NOT NULL, date_start TEXT, date_end TEXT, estimated INTEGER NOT NULL,
                confidence REAL NOT NULL, place TEXT, place_key TEXT, lat REAL, lon REAL, country TEXT,
                actors TEXT NOT NULL DEFAULT '[]', sources TEXT NOT NULL DEFAULT '[]',
                mentions TEXT NOT NULL DEFAULT '[]');
            DELETE FROM entity_mentions;  -- the entities stage's own rows, replaced by these
            DELETE FROM entities;
        """)
        s.db.execute("INSERT INTO entities (id, kind, name, aliases, mentions, articles, lat, lon, country)"
                     " VALUES ('p1', 'place', 'Abu Kamal', ?, 2, ?, 34.45, 40.92, 'SY')",
                     (json.dumps(["Boukamal", "Bu Kamal"]), json.dumps([first])))
        s.db.execute("INSERT INTO entities (id, kind, name, aliases, mentions, articles)"
                     " VALUES ('e1', 'person', 'Haider al-Abadi', '[]', 1, ?)", (json.dumps([first]),))
        for n, (eid, kind) in enumerate([("p1", "place"), ("p1", "place"), ("e1", "person")]):
            s.db.execute("INSERT INTO entity_mentions (article_id, n, start, end, text, label, kind, key, entity_id)"
                         " VALUES (?, ?, 0, 1, 'x', 'X', ?, 'k', ?)", (first, n, kind, eid))
        s.db.execute("INSERT INTO events (id, story_id, type, family, date_start, estimated, confidence, place,"
                     " actors, sources) VALUES ('ev1', ?, 'clash', 'conflict', '2017-11-04', 0, 0.9, 'Abu Kamal',"
                     " '[\"PMF\"]', ?)", (main_story["id"], json.dumps([first])))
    with TestClient(create_app(str(path))) as c:
        body = c.get(f"/api/stories/{main_story['id']}").json()
        mine = [e for e in body["events"]["items"] if e["id"] == "ev1"]
        assert body["events"]["computed"] and mine and mine[0]["type"] == "clash"
        assert mine[0]["citations"][0]["article"] == first
        assert {e["name"] for e in body["entities"]["items"]} == {"Abu Kamal", "Haider al-Abadi"}
        assert body["places"]["source"].startswith("places stage")
        assert [p["name"] for p in body["places"]["items"]] == ["Abu Kamal"]
        ids = {x["id"] for x in c.get("/api/stories", params={"place": "boukamal"}).json()["stories"]}
        assert ids == {main_story["id"]}
        assert c.get("/api/stories", params={"entity": "Nobody Atall"}).json()["total"] == 0
        listing = c.get("/api/entities", params={"name": "abadi"}).json()
        assert listing["computed"] and [e["name"] for e in listing["entities"]] == ["Haider al-Abadi"]
        assert "ev1" in {e["id"] for e in c.get("/api/events", params={"type": "clash"}).json()["events"]}
        page = c.get(f"/stories/{main_story['id']}").text
        assert "Haider al-Abadi" in page and "clash" in page and 'class="place"' in page


def test_diff_lays_out_the_reprint_stages_alignment(client, main_story, web_db):
    """The diff page shows the aligner's passages and edits (what `storyline diff --json` prints)."""
    from storyline.views.reprints import diff_data

    body = client.get(f"/api/stories/{main_story['id']}").json()
    group = body["reprint_groups"][0]
    other = next(a for a in group["articles"] if a != group["fullest"])
    diff = client.get("/api/diff", params={"a": group["fullest"], "b": other}).json()
    with Store(web_db) as s:
        aligned = diff_data(s, group["fullest"], other)
    assert (diff["a"]["id"], diff["b"]["id"]) == (aligned["ref"], aligned["copy"])
    pairs = [r for r in diff["rows"] if r["kind"] == "pair"]
    assert diff["stats"]["aligned"] == len(pairs) == len(aligned["passages"])
    by_start = sorted(aligned["passages"], key=lambda p: p["ref_start"])
    for row, passage in zip(pairs, by_start, strict=True):
        assert "".join(x["text"] for x in row["left"]) == passage["ref_text"]
        assert "".join(x["text"] for x in row["right"]) == passage["copy_text"]
        edits = [e for e in passage["edits"] if e[0] != "insert"]
        assert [x["text"] for x in row["left"] if x["op"] == "del"] == [e[1] for e in edits]
        inserted = [e[2] for e in passage["edits"] if e[0] != "delete"]
        assert [x["text"] for x in row["right"] if x["op"] == "ins"] == inserted
    assert sum(r["kind"] == "only_a" for r in diff["rows"]) == len([t for t in aligned["removed"] if t.strip()])
    assert sum(r["kind"] == "only_b" for r in diff["rows"]) == len([t for t in aligned["added"] if t.strip()])
    html = client.get("/diff", params={"a": group["fullest"], "b": other}).text
    assert "<del>" in html and "<ins>" in html and "passages aligned" in html


def test_the_input_records_own_fields_in_the_article_json_page_and_story_filter(tmp_path):
    """User fields (an input record's extra keys) and ingest's warnings: in the article JSON,
    on the article page (escaped), and `?meta.stance=left` filters the stories."""
    import json as _json

    from storyline.executor.local import LocalExecutor
    from storyline.ingest import ingest
    from storyline.stages.clean.stage import CleanStage
    from storyline.stages.reprints.stage import ReprintStage
    from storyline.stages.stories.stage import StoryStage
    from storyline.store import Store

    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(_json.dumps(r) + "\n" for r in [
        {"id": "l-1", "body": "Iraqi forces retook the border town of al-Qaim on Friday, officials said.",
         "date": "Fri, 03 Nov 2017 16:15:00 +0300", "stance": "left", "note": "<script>alert(1)</script>"},
        {"id": "r-1", "body": "Wildfires burned across the hills of California for a third week.",
         "date": "soonish", "stance": "right"},
    ]))
    db = tmp_path / "meta.db"
    with Store(db) as s:
        ingest(s, [str(feed)])
        LocalExecutor(s, None, 1).run([CleanStage(), ReprintStage(), StoryStage(embeddings=False)])
    with TestClient(create_app(str(db))) as c:
        art = c.get("/api/articles/l-1").json()
        assert art["meta"] == {"stance": "left", "note": "<script>alert(1)</script>"}
        assert art["published_at"] == "2017-11-03T16:15:00+03:00" and art["warnings"] == []
        warned = c.get("/api/articles/r-1").json()
        assert warned["warnings"] and "soonish" in warned["warnings"][0]
        page = c.get("/articles/l-1").text
        assert "stance" in page and "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
        assert "soonish" in c.get("/articles/r-1").text
        left = c.get("/api/stories?meta.stance=left").json()
        members = [c.get(f"/api/stories/{s['id']}").json() for s in left["stories"]]
        assert left["total"] == 1 and "l-1" in _json.dumps(members) and "r-1" not in _json.dumps(members)
        assert c.get("/api/stories?meta.stance=centre").json()["total"] == 0
        assert c.get("/api/stories?meta.no%22pe=1").json()["total"] == 0  # a quote in the name is a value
