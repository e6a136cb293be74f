"""What the API returns and the pages render: one dict per page, built from the store.

The HTML pages render exactly these dicts (each page's `.json` twin returns them), so the
UI never shows anything the API does not.
"""

from __future__ import annotations

from typing import Any

from storyline.errors import NotFoundError
from storyline.store import Store
from storyline.web.diff import compare
from storyline.web.sources import source_matrix

# Sections filled by other stages (summaries, entities/events/figures). Until their store
# methods exist and return rows, a section says honestly that it is not computed yet.
_SECTION_METHODS = {
    "summary": "story_summary",
    "timeline": "story_timeline",
    "events": "story_events",
    "figures": "story_figures",
    "disputes": "story_disputes",
    "places": "story_places",
    "entities": "story_entities",
}


def _section(store: Store, name: str, story_id: str) -> dict[str, Any]:
    method = getattr(store, _SECTION_METHODS[name], None)
    if method is None:
        return {"computed": False, "items": []}
    result = method(story_id)
    if not result:
        return {"computed": False, "items": []}
    if isinstance(result, dict):
        return {"computed": True, **result}
    return {"computed": True, "items": list(result)}


def story_detail(store: Store, story_id: str) -> dict[str, Any]:
    story = store.web_story(story_id)
    if story is None:
        raise NotFoundError(f"no story {story_id!r}")
    articles = story["articles"]
    by_outlet: dict[str, list[str]] = {}
    groups: dict[str, list[dict[str, Any]]] = {}
    for a in articles:
        by_outlet.setdefault(a["outlet"] or "(outlet unknown)", []).append(a["id"])
        if a["reprint_group"]:
            groups.setdefault(a["reprint_group"], []).append(a)
    story["outlets"] = [{"outlet": o, "articles": ids} for o, ids in sorted(by_outlet.items())]
    story["reprint_groups"] = [
        {"id": gid, "articles": [m["id"] for m in members],
         "fullest": max(members, key=lambda m: (m["chars"] or 0, m["id"]))["id"]}
        for gid, members in sorted(groups.items())
    ]
    story["coverage"] = sorted(
        ({"date": a["published"], "article": a["id"], "outlet": a["outlet"]} for a in articles if a["published"]),
        key=lambda r: (r["date"], r["article"]),
    )
    for name in _SECTION_METHODS:
        story[name] = _section(store, name, story_id)
    return story


def story_sources(store: Store, story: dict[str, Any]) -> dict[str, Any]:
    texts = store.web_texts([a["id"] for a in story["articles"]])
    return source_matrix(story["articles"], texts)


def story_diffs(store: Store, story: dict[str, Any], limit: int = 6) -> list[dict[str, Any]]:
    """Each reprint group's fullest copy against each other copy (at most `limit` pairs)."""
    out = []
    for group in story["reprint_groups"]:
        for other in group["articles"]:
            if other != group["fullest"] and len(out) < limit:
                out.append(article_diff(store, group["fullest"], other))
    return out


def article_diff(store: Store, a: str, b: str) -> dict[str, Any]:
    arts = {}
    for article_id in (a, b):
        art = store.web_article(article_id)
        if art is None:
            raise NotFoundError(f"no article {article_id!r}")
        arts[article_id] = art
    result = compare(arts[a]["text"] or "", arts[b]["text"] or "")
    return {
        "a": {k: arts[a][k] for k in ("id", "outlet", "title", "published")},
        "b": {k: arts[b][k] for k in ("id", "outlet", "title", "published")},
        **result,
    }


def article_detail(store: Store, article_id: str) -> dict[str, Any]:
    art = store.web_article(article_id)
    if art is None:
        raise NotFoundError(f"no article {article_id!r}")
    # The text as delivered, line by line, with the lines cleaning removed marked: the page
    # shows them dimmed in place. Only plain-text inputs have lines to put them back into.
    removed_at = {r["line_no"]: r for r in art["removed"] if r.get("line_no")}
    lines = []
    if art["format"] == "text":
        for no, line in enumerate(art["body"].splitlines(), start=1):
            r = removed_at.get(no)
            if r is not None and r["text"].strip() == line.strip():
                lines.append({"line_no": no, "text": line, "removed": True, "reason": r["reason"]})
            elif line.strip():
                lines.append({"line_no": no, "text": line, "removed": False, "reason": None})
    art["delivered"] = lines
    art["links"] = store.web_links([article_id])
    del art["body"]
    return art
