"""What the API returns and the pages render: one dict per page, built from the store.

The HTML pages render exactly these dicts (each page's `.json` twin returns them), so the
UI never shows anything the API does not.
"""

from __future__ import annotations

from typing import Any

from storyline.errors import NotFoundError
from storyline.store import Store
from storyline.store.browse import original_of
from storyline.store.queries import StoryPage, article_page, story_page
from storyline.views.reprints import aligned_pair
from storyline.web.diff import layout
from storyline.web.geo import mentioned_countries
from storyline.web.sources import source_matrix

# Articles whose text is scanned for country names when no places stage has run.
MAX_PLACE_SCAN = 60
_NOT_COMPUTED: dict[str, Any] = {"computed": False, "items": []}


def _cite(ids: list[str] | None, number: dict[str, int], outlet: dict[str, str | None]) -> list[dict[str, Any]]:
    """Article ids -> citations numbered as in the story's article list ([n] on the page)."""
    return [
        {"article": a, "n": number.get(a), "outlet": outlet.get(a)}
        for a in sorted(set(ids or ()), key=lambda a: (number.get(a, 10**9), a))
    ]


def _summary_sections(page: StoryPage, story: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The summary, its timeline, and the story's figures and disputes (the events stage's)."""
    number = {a["id"]: n for n, a in enumerate(story["articles"], start=1)}
    outlet = {a["id"]: a["outlet"] for a in story["articles"]}
    figures = [
        {**f, "citation": _cite([f["article_id"]], number, outlet)[0]} for f in page["figures"]
    ]
    disputes = [
        {"what": d.get("what"), "note": d.get("note"), "citations": _cite(d.get("cites"), number, outlet),
         "figures": [
             {"value": f.get("value"), "who": f.get("who"), "quote": f.get("quote"),
              "citation": _cite([f["article_id"]], number, outlet)[0] if f.get("article_id") else None}
             for f in d.get("figures") or []
         ]}
        for d in page["disputes"]
    ]
    out = {
        "figures": {"computed": True, "items": figures} if figures else dict(_NOT_COMPUTED),
        "disputes": {"computed": True, "items": disputes} if disputes else dict(_NOT_COMPUTED),
    }
    summary = page["summary"]
    if not summary:
        return {"summary": {**_NOT_COMPUTED, "sentences": []}, "timeline": dict(_NOT_COMPUTED), **out}
    if not disputes:  # summarized: the events stage found no dispute among the story's figures
        out["disputes"] = {"computed": True, "items": []}
    sentences = [
        {"text": s["text"], "source": s.get("article_id"), "citations": _cite(s.get("cites"), number, outlet)}
        for s in summary.get("sentences", [])
    ]
    timeline = [
        {"date": e.get("date"), "estimated": bool(e.get("estimated")), "text": e.get("text"),
         "citations": _cite(e.get("cites"), number, outlet)}
        for e in summary.get("timeline", [])
    ]
    return {
        "summary": {"computed": True, "made_at": summary.get("made_at"), "sentences": sentences,
                    "headline": ({"text": summary["headline"].get("text"),
                                  "citations": _cite(summary["headline"].get("cites"), number, outlet)}
                                 if isinstance(summary.get("headline"), dict) else None)},
        "timeline": {"computed": True, "items": timeline},
        **out,
    }


def _stage_sections(store: Store, story: dict[str, Any]) -> None:
    """events and entities (places with coordinates among them) from the stages' tables."""
    number = {a["id"]: a["n"] for a in story["articles"]}
    outlet = {a["id"]: a["outlet"] for a in story["articles"]}
    events = store.web_story_events(story["id"])
    for e in events:
        e["citations"] = _cite(e.pop("cites"), number, outlet)
    story["events"] = {"computed": True, "items": events} if events else dict(_NOT_COMPUTED)
    entities = store.web_story_entities([a["id"] for a in story["articles"]])
    story["entities"] = {"computed": True, "items": entities} if entities else dict(_NOT_COMPUTED)


def _places(store: Store, story: dict[str, Any]) -> dict[str, Any]:
    """The geocoded places of the story (entities stage); else the countries its articles name."""
    if story["entities"]["computed"]:
        places = [e for e in story["entities"]["items"] if e.get("kind") == "place"]
        if places:
            return {"computed": True, "source": "places stage (geocoded mentions)", "items": places}
    # One copy per reprint group is enough: reprints name the same places.
    fullest = {g["fullest"] for g in story["reprint_groups"]}
    ids = [a["id"] for a in story["articles"] if not a["reprint_group"] or a["id"] in fullest][:MAX_PLACE_SCAN]
    found = mentioned_countries(store.clean_texts(ids))
    if not found:
        return {"computed": False, "items": []}
    return {"computed": True, "source": "country names in the text (no places stage has run)", "items": found}


def story_detail(store: Store, story_id: str) -> dict[str, Any]:
    page = story_page(store, story_id)
    if page is None:
        raise NotFoundError(f"no story {story_id!r}")
    row = page["story"]
    articles = [
        {"id": m["id"], "url": m["url"], "outlet": m["outlet"], "title": m["title"], "published": m["published"],
         "language": m["language"], "chars": m["chars"], "reprint_group": m["reprint_group"], "n": m["n"]}
        for m in page["members"]
    ]
    story: dict[str, Any] = {
        "id": row["id"], "title": row["title"], "first_seen": row["first_seen"], "last_seen": row["last_seen"],
        "storyline": {"id": row["storyline"], "title": page["storyline_title"]} if row["storyline"] else None,
        "articles": articles, "links": store.web_links([a["id"] for a in articles]),
    }
    by_outlet: dict[str, list[str]] = {}
    groups: dict[str, list[dict[str, Any]]] = {}
    for a in articles:
        by_outlet.setdefault(a["outlet"] or "(outlet unknown)", []).append(a["id"])
        if a["reprint_group"]:
            groups.setdefault(a["reprint_group"], []).append(a)
    story["outlets"] = [{"outlet": o, "articles": ids} for o, ids in sorted(by_outlet.items())]
    story["reprint_groups"] = []
    for gid, members in sorted(groups.items()):
        original, basis = original_of(members)
        story["reprint_groups"].append({
            "id": gid, "articles": [m["id"] for m in members], "original": original, "original_basis": basis,
            "fullest": max(members, key=lambda m: (m["chars"] or 0, m["id"]))["id"]})
    # Coverage: the days the story ran and which articles appeared each day.
    by_day: dict[str, list[dict[str, Any]]] = {}
    for a in sorted((a for a in articles if a["published"]), key=lambda a: (a["published"], a["n"])):
        by_day.setdefault(a["published"], []).append({"article": a["id"], "n": a["n"], "outlet": a["outlet"]})
    story["coverage"] = [{"date": day, "articles": arts} for day, arts in by_day.items()]
    story.update(_summary_sections(page, story))
    _stage_sections(store, story)
    story["places"] = _places(store, story)
    if story["places"].get("source", "").startswith("country names"):
        # Counted over one copy per reprint group, not over every article.
        story["places"]["counted_over"] = "one copy per reprint group"
    return story


def story_sources(store: Store, story: dict[str, Any]) -> dict[str, Any]:
    texts = store.clean_texts([a["id"] for a in story["articles"]])
    return source_matrix(story["articles"], texts)


def story_diffs(store: Store, story: dict[str, Any], limit: int = 6) -> list[dict[str, Any]]:
    """Each reprint group's original (its earliest dated copy, else its fullest) against each
    other copy (at most `limit` pairs): what each copy left out and added, read forwards."""
    out = []
    for group in story["reprint_groups"]:
        for other in group["articles"]:
            if other != group["original"] and len(out) < limit:
                d = article_diff(store, group["original"], other, a_is_ref=True)
                d["a_label"] = group["original_basis"]
                out.append(d)
    return out


def article_diff(store: Store, a: str, b: str, a_is_ref: bool = False) -> dict[str, Any]:
    """The reprint stage's alignment of `a` and `b` laid out side by side (the reference, `a`
    unless a stored alignment made `b` the reference and not `a_is_ref`, on the left)."""
    arts = {}
    for article_id in (a, b):
        art = article_page(store, article_id)
        if art is None:
            raise NotFoundError(f"no article {article_id!r}")
        if not art["cleaned"]:
            raise NotFoundError(f"article {article_id!r} is not cleaned yet: run `storyline run`")
        arts[article_id] = art
    pair = aligned_pair(store, a, b, a_is_ref)
    return {
        "a": {k: arts[pair["ref"]][k] for k in ("id", "outlet", "title", "published")},  # type: ignore[literal-required]
        "b": {k: arts[pair["copy"]][k] for k in ("id", "outlet", "title", "published")},  # type: ignore[literal-required]
        "a_label": "reference", **layout(pair),
    }


def article_detail(store: Store, article_id: str) -> dict[str, Any]:
    page = article_page(store, article_id)
    if page is None:
        raise NotFoundError(f"no article {article_id!r}")
    art: dict[str, Any] = {k: v for k, v in page.items() if k != "storyline"}  # the API's fields
    # The text as delivered, line by line, with the lines cleaning removed marked: the page
    # shows them dimmed in place. Only plain-text inputs have lines to put them back into.
    # A removed line is found by its line number, or by its text when cleaning did not know
    # the number (line_no 0, e.g. a masthead found after the split); the headline taken out
    # of the text as the title is marked as such, not as furniture.
    removed_at = {r["line_no"]: r for r in art["removed"] if r.get("line_no")}
    unplaced: dict[str, list[dict[str, Any]]] = {}
    for r in art["removed"]:
        if not r.get("line_no"):
            unplaced.setdefault(r["text"].strip(), []).append(r)
    title = (art["title"] or "").strip()
    title_seen = False
    lines = []
    if art["format"] == "text":
        for no, line in enumerate(art["body"].splitlines(), start=1):
            text = line.strip()
            r = removed_at.get(no)
            if r is not None and r["text"].strip() == text:
                lines.append({"line_no": no, "text": line, "removed": True, "reason": r["reason"]})
            elif text and unplaced.get(text):
                r = unplaced[text].pop(0)
                lines.append({"line_no": no, "text": line, "removed": True, "reason": r["reason"]})
            elif text and text == title and not title_seen:
                title_seen = True
                lines.append({"line_no": no, "text": line, "removed": False, "reason": None, "title": True})
            elif text:
                lines.append({"line_no": no, "text": line, "removed": False, "reason": None})
    art["delivered"] = lines
    art["links"] = store.web_links([article_id])
    del art["body"]
    return art
