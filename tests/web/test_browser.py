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


@pytest.fixture(scope="module")
def server(web_db):
    import uvicorn

    from storyline.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(str(web_db)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


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
