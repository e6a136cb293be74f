"""The dicts of the browsing pages (entities, entity, storyline, outlets, outlet, events):
what each page renders and its `.json` twin and API route return."""

from __future__ import annotations

from typing import Any

from storyline.errors import NotFoundError
from storyline.store import Store
from storyline.store.queries import entity_page, storyline_page
from storyline.web.geo import story_map

STORIES_PER_ENTITY = 100


def _listing(kind: str, result: tuple[int, list[dict[str, Any]]] | None, limit: int, offset: int,
             filters: dict[str, Any]) -> dict[str, Any]:
    total, rows = result if result is not None else (0, [])
    return {"computed": result is not None, "total": total, "limit": limit, "offset": offset,
            "filters": {k: v for k, v in filters.items() if v}, kind: rows}


def entities_list(store: Store, kind: str | None, name: str | None, limit: int, offset: int) -> dict[str, Any]:
    found = store.browse_entities(kind, name, limit, offset)
    return _listing("entities", found, limit, offset, {"kind": kind, "name": name})


def entity_detail(store: Store, entity_id: str) -> dict[str, Any]:
    page = entity_page(store, entity_id)
    if page is None:
        raise NotFoundError(f"no entity {entity_id!r}")
    total, partial, stories = store.entity_stories(entity_id, STORIES_PER_ENTITY)
    entity = {k: v for k, v in page.items() if k not in ("stories", "articles")}
    entity["aliases"] = [a for a in page["aliases"] if a != page["name"]]
    entity["articles"] = len(page["articles"])
    return {
        "entity": entity, "stories_total": total, "stories_partial": partial, "stories": stories,
        "co_occurring": store.entity_neighbours(entity_id),
    }


def storyline_detail(store: Store, storyline_id: str) -> dict[str, Any]:
    page = storyline_page(store, storyline_id)
    if page is None:
        raise NotFoundError(f"no storyline {storyline_id!r}")
    stories = page["stories"]
    return {"storyline": {k: v for k, v in page.items() if k != "stories"},
            "articles": sum(s["articles"] for s in stories), "stories": stories}


def outlets_list(store: Store, name: str | None, limit: int, offset: int) -> dict[str, Any]:
    rows = store.browse_outlets()
    if name:
        folded = name.casefold()
        rows = [r for r in rows if folded in r["outlet"].casefold()]
    page = [{**r, "reprinted_share": round(r["in_reprint_groups"] / r["articles"], 3) if r["articles"] else 0.0}
            for r in rows[offset:offset + limit]]
    return {"computed": True, "total": len(rows), "limit": limit, "offset": offset,
            "filters": {"name": name} if name else {}, "outlets": page}


def outlet_detail(store: Store, outlet: str, limit: int, offset: int) -> dict[str, Any]:
    total, articles = store.outlet_articles(outlet, limit, offset)
    if not total:
        raise NotFoundError(f"no outlet {outlet!r} (outlet names as cleaning gave them: see /outlets)")
    rel = store.outlet_reprints(outlet)
    return {
        "outlet": outlet, "total": total, "limit": limit, "offset": offset, "articles": articles,
        # copies of another outlet's original among its articles (over the newest MAX_SCAN in groups)
        "reprints": {**rel, "copy_share": round(rel["copies"] / total, 3)},
    }


def events_list(store: Store, filters: dict[str, Any], limit: int, offset: int) -> dict[str, Any]:
    found = store.browse_events(**filters, limit=limit, offset=offset)
    out = _listing("events", found, limit, offset, filters)
    actors = sorted({a for e in out["events"] for a in e["actors"] if isinstance(a, str)})
    places = sorted({e["place"] for e in out["events"] if e["place"]})
    ids = store.entity_ids_named(actors + places) if out["events"] else {}
    for e in out["events"]:
        e["actor_links"] = [{"name": a, "entity": ids.get(a)} for a in e["actors"] if isinstance(a, str)]
        e["place_entity"] = ids.get(e["place"]) if e["place"] else None
    out["types"] = store.event_types() if found is not None else []
    return out


def events_map(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One point per place of the page's events (mentions = events there)."""
    by_place: dict[tuple[float, float], dict[str, Any]] = {}
    for e in events:
        if e.get("lat") is None or e.get("lon") is None:
            continue
        key = (e["lat"], e["lon"])
        p = by_place.setdefault(key, {"name": e["place"] or "?", "lat": e["lat"], "lon": e["lon"], "mentions": 0,
                                      "entity": e.get("place_entity"), "kind": "place"})
        p["mentions"] += 1
    return story_map(list(by_place.values()))


def entity_map(entity: dict[str, Any]) -> dict[str, Any] | None:
    if entity.get("lat") is None or entity.get("lon") is None:
        return None
    return story_map([{"name": entity["name"], "lat": entity["lat"], "lon": entity["lon"], "mentions": 1,
                       "entity": entity["id"], "kind": "place"}])
