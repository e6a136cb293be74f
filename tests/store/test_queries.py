"""The read models of store/queries.py on the seeds through the real pipeline: one lookup by
id per page kind, and what every view of a story reads."""

from __future__ import annotations

from pathlib import Path

from storyline.store import Store
from storyline.store.queries import article_page, entity_page, story_page, storyline_page


def test_story_page_has_members_figures_and_the_events_stages_disputes(seeded_db: Path):
    with Store(seeded_db) as store:
        main = max(store.stories(), key=lambda s: len(s["articles"]))
        page = story_page(store, main["id"])
        assert story_page(store, "st-nope") is None
        assert page is not None and page["story"] == main  # the same row `storyline stories` lists
        assert [m["id"] for m in page["members"]] == main["articles"]
        assert [m["n"] for m in page["members"]] == list(range(1, len(main["articles"]) + 1))
        assert page["summary"] is not None and page["disputes"] == page["summary"]["disputes"]
        assert page["disputes"] == store.story_disputes(main["id"])
        disputed = {(f["value"], f["article_id"][:3]) for f in page["figures"] if f["dispute"]}
        assert ("about 1,500", "002") in disputed and ("between 2,500 and 3,500", "003") in disputed
        assert not {f["value"] for f in page["figures"]} & {"5,712", "9,836"}  # page counters are no claims


def test_article_storyline_and_entity_pages(seeded_db: Path):
    with Store(seeded_db) as store:
        article_id = next(a for a in store.article_ids() if a.startswith("003_"))
        art = article_page(store, article_id)
        assert art is not None and art["cleaned"] and art["text"] and art["story"] and art["storyline"]
        assert art["reprint_group"] and "Dillon" in art["body"]
        assert article_page(store, "nope") is None
        line = storyline_page(store, art["storyline"])
        assert line is not None and art["story"] in {s["id"] for s in line["stories"]}
        assert sum(s["articles"] for s in line["stories"]) == 5
        assert storyline_page(store, "sl-nope") is None
        place = next(e for e in store.entities("place") if e["articles"])
        entity = entity_page(store, place["id"])
        assert entity is not None and entity["name"] == place["name"] and entity["stories"]
        assert set(entity["articles"]) == set(place["articles"])
        assert entity_page(store, "nope") is None
