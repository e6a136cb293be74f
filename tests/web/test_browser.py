"""End to end in a real browser: `storyline serve` on the seeds, driven in headless Chromium.

Uses the system Chromium (Debian package `chromium`, /usr/bin/chromium, or
$STORYLINE_CHROMIUM) through pip `playwright`; it never downloads a browser. CI installs
Chromium and sets STORYLINE_REQUIRE_BROWSER=1, so there a missing browser fails these
tests; on a developer's machine without Chromium they are skipped, saying why.
Screenshots go to $STORYLINE_SCREENSHOTS (a folder) when set, else the test's tmp folder.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from storyline.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("STORYLINE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set STORYLINE_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "pip package playwright is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def serving(db: Path):
    import uvicorn

    from storyline.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server(web_db):
    with serving(web_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("STORYLINE_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(f"browser tests are required here: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.errors = errors
    yield pg
    context.close()


def screenshot_dir(tmp_path: Path) -> Path:
    out = Path(os.environ.get("STORYLINE_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_story_page_shows_summary_timeline_map_and_diff(server, page, web_db, tmp_path):
    with Store(web_db) as s:
        main = max(s.stories(), key=lambda st: (len(st["articles"]), st["id"]))
    page.goto(server + "/")
    rows = page.locator("table.stories tbody tr")
    assert rows.count() >= 2
    page.locator(f'a.story-link[href="/stories/{main["id"]}"]').click()
    page.wait_for_url(f"**/stories/{main['id']}")
    assert page.locator("h1").inner_text().strip()

    sentences = page.locator("#summary .summary-sentence")
    assert sentences.count() >= 1 and sentences.first.is_visible()
    cites = page.locator("#summary a.cite")
    assert cites.count() >= 1
    assert all(h.startswith("/articles/") for h in cites.evaluate_all("els => els.map(e => e.getAttribute('href'))"))

    assert page.locator("#timeline ol.timeline li").count() >= 1

    svg = page.locator("#map svg.map")
    assert svg.is_visible() and svg.bounding_box()["width"] > 300
    assert page.locator("#map path.country").count() >= 3
    assert page.locator("#map circle.place").count() >= 1

    assert page.locator("#sources table.matrix tbody tr").count() >= 1
    diff = page.locator("#diff details[open] table.sidebyside")
    assert diff.is_visible()
    assert diff.locator("del").count() >= 1 and diff.locator("ins").count() >= 1
    # Removed and added words are highlighted in colour, not just marked up.
    bg = diff.locator("ins").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent")

    page.screenshot(path=str(screenshot_dir(tmp_path) / "story.png"), full_page=True)
    assert page.errors == []

    # A citation leads to the cited article, with its removed furniture dimmed in place.
    cites.first.click()
    page.wait_for_url("**/articles/**")
    assert page.locator("#article-text").is_visible()
    page.screenshot(path=str(screenshot_dir(tmp_path) / "article.png"), full_page=True)


def test_filter_form_with_empty_fields(server, page):
    page.goto(server + "/")
    everything = page.locator("table.stories tbody tr").count()
    page.fill('form.filters input[name="q"]', "Syria")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**q=Syria**")
    rows = page.locator("table.stories tbody tr a.story-link")
    assert 1 <= rows.count() <= everything
    page.fill('form.filters input[name="q"]', "zzzunfindable")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**q=zzzunfindable**")
    assert "No story matches" in page.locator("table.stories").inner_text()
    assert page.errors == []


def test_removed_boilerplate_is_shown_dimmed(server, page, web_db):
    with Store(web_db) as s:
        ids = [a["id"] for a in s.export_articles() if a["removed_lines"]]
    assert ids, "the seeds carry page furniture"
    page.goto(f"{server}/articles/{ids[0]}")
    removed = page.locator("#article-text .removed")
    assert removed.count() >= 1
    opacity = float(removed.first.evaluate("e => getComputedStyle(e).opacity"))
    assert opacity < 0.8
    kept = page.locator("#article-text p:not(.removed)").first
    assert float(kept.evaluate("e => getComputedStyle(e).opacity")) == 1.0


def test_script_payloads_in_an_article_render_inert(server, page, tmp_path):
    for path in ("/articles/xss-article", "/search?q=council", "/?q=council"):
        page.goto(server + path)
        assert page.evaluate("() => window.__pwned") is None, path
        assert page.locator("script").count() == 0, path
        assert page.locator("main img, main svg[onload], main b[onmouseover]").count() == 0, path
    page.goto(server + "/articles/xss-article")
    text = page.locator("#article-text").inner_text()
    assert "<script>window.__pwned='script'</script>" in text
    assert "onerror=" in text
    assert "<script>" in page.locator("h1").inner_text()
    # The javascript: URL is shown as text, never as a link.
    assert page.locator('a[href^="javascript"]').count() == 0
    page.locator("dl.meta").hover()
    assert page.evaluate("() => window.__pwned") is None
    page.screenshot(path=str(screenshot_dir(tmp_path) / "payloads.png"), full_page=True)
    assert page.errors == []


# -- the browsing pages ---------------------------------------------------------------------

PAYLOAD = {
    "entity": "<img src=x onerror=\"window.__pwned='entity'\">Evil Name",
    "alias": "<script>window.__pwned='alias'</script>",
    "place": "\"><svg onload=\"window.__pwned='place'\"></svg>Evil Town",
    "actor": "<b onmouseover=\"window.__pwned='actor'\">Evil Actor</b>",
    "storyline": "<script>window.__pwned='storyline'</script>Evil storyline",
}


@pytest.fixture(scope="module")
def hostile(web_db, tmp_path_factory):
    """The web db plus an entity, an event and a storyline title made of script payloads, all
    on the payload article (whose own title, outlet and URL are payloads too)."""
    import json
    import shutil

    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    shutil.copyfile(web_db, path)
    with Store(path) as s:
        story, line = s.db.execute("SELECT m.story_id, s.storyline_id FROM story_members m JOIN stories s"
                                   " ON s.id = m.story_id WHERE m.article_id = 'xss-article'").fetchone()
        s.db.execute("UPDATE storylines SET title = ? WHERE id = ?", (PAYLOAD["storyline"], line))
        s.db.execute("INSERT INTO entities (id, kind, name, aliases, mentions, articles, lat, lon, country)"
                     " VALUES ('evil<1>', 'place', ?, ?, 1, '[\"xss-article\"]', 39.8, -89.6, 'US')",
                     (PAYLOAD["entity"], json.dumps([PAYLOAD["entity"], PAYLOAD["alias"]])))
        s.db.execute("INSERT INTO entity_mentions (article_id, n, start, end, text, label, kind, key, entity_id)"
                     " VALUES ('xss-article', 999, 0, 1, 'x', 'X', 'place', 'k', 'evil<1>')")
        s.db.execute("INSERT INTO events (id, story_id, type, family, date_start, estimated, confidence, place, lat,"
                     " lon, actors, sources) VALUES ('ev-evil', ?, 'ARMED_CLASH', 'battle', '2017-11-04', 0, 0.9, ?,"
                     " 39.8, -89.6, ?, '[\"xss-article\"]')", (story, PAYLOAD["place"], json.dumps([PAYLOAD["actor"]])))
        s.add_feed("javascript:window.__pwned='feed'")
        s.update_feed("javascript:window.__pwned='feed'", title=PAYLOAD["storyline"], failures=1,
                      last_error=PAYLOAD["actor"])
    return {"db": path, "story": story, "storyline": line}


@pytest.fixture(scope="module")
def hostile_server(hostile):
    with serving(hostile["db"]) as url:
        yield url


def browsing_pages(hostile) -> list[tuple[str, str]]:
    from urllib.parse import quote

    outlet = "<b onmouseover=\"window.__pwned='outlet'\">Evil Gazette</b>"
    return [
        ("/entities", "table.entities a.entity-link"),
        ("/entities?kind=place&name=evil", "table.entities a.entity-link"),
        ("/entities/" + quote("evil<1>", safe=""), "#entity-stories a.story-link"),
        ("/storylines/" + quote(hostile["storyline"], safe=""), "#storyline-timeline a.story-link"),
        ("/outlets", "table.outlets a.outlet-link"),
        ("/outlets/" + quote(outlet, safe=""), "#outlet-articles a[href^='/articles/']"),
        ("/events", "table.events tbody tr"),
        ("/events?place=evil", "table.events tbody tr"),
        ("/search?q=" + quote('Daesh OR "Evil Name"'), "ol.groups li.group"),
        ("/?sort=coverage", "table.stories a.story-link"),
        ("/feeds", "table.feeds tbody tr"),
        ("/stories/" + quote(hostile["story"], safe=""), "#entities, #map"),
    ]


def test_every_browsing_page_renders_with_data_and_its_links_work(hostile_server, hostile, page, tmp_path):
    for path, rows in browsing_pages(hostile):
        resp = page.goto(hostile_server + path)
        assert resp.status == 200, path
        assert page.locator(rows).count() >= 1, path
        hrefs = page.locator("main a[href^='/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert hrefs or path == "/feeds", path  # a feed links out only (when its URL is http)
        name = path.strip("/").split("?")[0].replace("/", "_")[:40] or "stories"
        page.screenshot(path=str(screenshot_dir(tmp_path) / f"browse_{name}.png"), full_page=True)
    # Links lead somewhere: from an entity's page to a story, its storyline, and back to an entity.
    page.goto(hostile_server + "/entities?name=Daesh")
    page.locator("table.entities a.entity-link").first.click()
    page.wait_for_url("**/entities/**")
    assert page.locator("#entity-name").inner_text() == "Islamic State"
    page.locator("#entity-stories a.story-link").first.click()
    page.wait_for_url("**/stories/**")
    page.locator("p.crumbs a[href^='/storylines/']").click()
    page.wait_for_url("**/storylines/**")
    assert page.locator("#storyline-timeline .lead").count() >= 1
    assert page.errors == []


def test_search_keeps_the_query_and_finds_every_name(server, page):
    page.goto(server + "/")
    page.fill("header form.search input[name=q]", "Daesh")
    page.press("header form.search input[name=q]", "Enter")
    page.wait_for_url("**/search?q=Daesh")
    assert page.locator("header form.search input[name=q]").input_value() == "Daesh"
    assert page.locator("#search-q").input_value() == "Daesh"
    seeds = page.locator("ol.groups a[href^='/articles/00']").count()
    assert seeds == 5
    assert page.errors == []
    page.fill("#search-q", '"Abu Kamal')
    page.press("#search-q", "Enter")
    assert "unclosed quote" in page.locator("#search-error").inner_text()
    assert page.locator("#search-q").input_value() == '"Abu Kamal'  # kept, to correct


def test_script_payloads_in_entities_events_storylines_and_outlets_render_inert(hostile_server, hostile, page):
    for path, _rows in browsing_pages(hostile):
        page.goto(hostile_server + path)
        assert page.evaluate("() => window.__pwned") is None, path
        assert page.locator("script").count() == 0, path
        assert page.locator("main img, main svg[onload], main b[onmouseover]").count() == 0, path
        # Every element's mouseover fired (an inline onmouseover payload would run).
        page.locator("main *").evaluate_all(
            "els => els.forEach(e => e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))")
        assert page.evaluate("() => window.__pwned") is None, path
    page.goto(hostile_server + "/entities/" + "evil%3C1%3E")
    assert page.locator("#entity-name").inner_text() == PAYLOAD["entity"]
    assert page.errors == []


def test_every_page_fits_a_400_px_screen(hostile_server, hostile, browser, tmp_path):
    context = browser.new_context(viewport={"width": 400, "height": 800})
    pg = context.new_page()
    try:
        for path, _rows in browsing_pages(hostile) + [("/articles/xss-article", "h1")]:
            pg.goto(hostile_server + path)
            width = pg.evaluate("() => document.documentElement.scrollWidth")
            wide = pg.evaluate("() => [...document.querySelectorAll('main *')].filter(e => !e.closest('.scroll, svg')"
                               " && e.getBoundingClientRect().right > 401).slice(0, 5).map(e => e.outerHTML.slice(0, 120))")
            assert width <= 401, f"{path} is {width} px wide at 400 px: {wide}"
        pg.screenshot(path=str(screenshot_dir(tmp_path) / "story_400px.png"), full_page=True)
    finally:
        context.close()
