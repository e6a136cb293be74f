"""The terminal story table and `show` of a storyline, on the seeds' database."""

from __future__ import annotations

from rich.console import Console

from storyline.store import Store
from storyline.store.queries import storyline_page
from storyline.views.tables import show_item, stories_table


def _rows(table) -> list[list[str]]:
    columns = [list(c.cells) for c in table.columns]
    return [list(r) for r in zip(*columns, strict=True)]


def test_stories_sort_by_coverage_and_show_their_storyline(seeded_db):
    with Store(seeded_db) as store:
        header = [c.header for c in stories_table(store).columns]
        assert header == ["story", "first", "last", "articles", "outlets", "storyline", "title"]
        coverage = _rows(stories_table(store, "coverage"))
        recent = _rows(stories_table(store, "recent"))
    counts = [int(r[3]) for r in coverage]
    assert counts == sorted(counts, reverse=True) and counts[0] == 4  # the four reprints and rewrites
    assert sorted(map(tuple, coverage)) == sorted(map(tuple, recent))  # the same rows, ordered otherwise
    assert all(r[5].startswith("sl-") for r in coverage)


def test_show_a_storyline_lists_its_stories_in_time_order(seeded_db):
    with Store(seeded_db) as store:
        line_id = store.stories()[0]["storyline"]
        page = storyline_page(store, line_id)
        console = Console(record=True, width=200)
        show_item(store, line_id, console)
    dated = [s["first_seen"] for s in page["stories"] if s["first_seen"]]
    assert dated == sorted(dated) and len(page["stories"]) == 2  # the seeds: two stories, one storyline
    shown = console.export_text()
    assert f"storyline {line_id}" in shown and all(s["id"] in shown for s in page["stories"])
