"""The browsing pages: entities, entity, storyline, outlets, outlet, events. Each kind has
its API route (/api/...), its HTML page and the page's `.json` twin, all returning the one
dict of web/browse.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from storyline.store.browse import ENTITY_KINDS
from storyline.web import browse, models
from storyline.web.common import BadRequest, Limit, Offset, check_params, store
from storyline.web.routes.pages import form_date, page

router = APIRouter()
pages = APIRouter(include_in_schema=False)

KIND = Query(None, max_length=20, description="person, org or place")


def _name(what: str = "a name") -> Any:
    # one Query object per parameter: FastAPI keeps per-parameter state on it
    return Query(None, max_length=300, description=f"part of {what} (case-insensitive)")


def _kind(kind: str | None) -> str | None:
    if kind and kind not in ENTITY_KINDS:
        raise BadRequest(f"kind {kind!r} is not one of {', '.join(ENTITY_KINDS)}",
                         [{"parameter": "kind", "message": "person, org or place"}], code="bad_parameter")
    return kind or None


def entities_ctx(request: Request, kind: str | None, name: str | None, limit: int, offset: int) -> dict[str, Any]:
    check_params(request, {"kind", "name", "limit", "offset"})
    return browse.entities_list(store(request), _kind(kind), name or None, limit, offset)


def entity_ctx(request: Request, entity_id: str) -> dict[str, Any]:
    check_params(request, set())
    return browse.entity_detail(store(request), entity_id)


def storyline_ctx(request: Request, storyline_id: str) -> dict[str, Any]:
    check_params(request, set())
    return browse.storyline_detail(store(request), storyline_id)


def outlets_ctx(request: Request, name: str | None, limit: int, offset: int) -> dict[str, Any]:
    check_params(request, {"name", "limit", "offset"})
    return browse.outlets_list(store(request), name or None, limit, offset)


def outlet_ctx(request: Request, outlet: str, limit: int, offset: int) -> dict[str, Any]:
    check_params(request, {"limit", "offset"})
    return browse.outlet_detail(store(request), outlet, limit, offset)


def events_ctx(request: Request, type: str | None, date_from: date | None, date_to: date | None,
               place: str | None, entity: str | None, story: str | None, limit: int, offset: int) -> dict[str, Any]:
    check_params(request, {"type", "date_from", "date_to", "place", "entity", "story", "limit", "offset"})
    if date_from and date_to and date_from > date_to:
        raise BadRequest("date_from is after date_to", [{"parameter": "date_from", "message": "after date_to"}])
    filters = {"type": type or None, "date_from": date_from.isoformat() if date_from else None,
               "date_to": date_to.isoformat() if date_to else None, "place": place or None,
               "entity": entity or None, "story": story or None}
    return browse.events_list(store(request), filters, limit, offset)


# -- the API ------------------------------------------------------------------------------

@router.get("/api/entities", tags=["entities"], response_model=models.EntityList, responses=models.ERRORS)
def api_entities(request: Request, kind: str | None = KIND, name: str | None = _name(),
                 limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
    """People, organisations and places the entities stage resolved, most mentioned first;
    `name` matches any of an entity's names."""
    return entities_ctx(request, kind, name, limit, offset)


@router.get("/api/entities/{entity_id}", tags=["entities"], response_model=models.EntityDetail,
            responses=models.ERRORS)
def api_entity(request: Request, entity_id: str) -> dict[str, Any]:
    """One entity: its names, kind, coordinates (places), stories in time order and the
    entities named in the same articles."""
    return entity_ctx(request, entity_id)


@router.get("/api/storylines/{storyline_id}", tags=["stories"], response_model=models.StorylineDetail,
            responses=models.ERRORS)
def api_storyline(request: Request, storyline_id: str) -> dict[str, Any]:
    """A storyline's stories in time order, with sizes and their summaries' first sentences."""
    return storyline_ctx(request, storyline_id)


@router.get("/api/outlets", tags=["outlets"], response_model=models.OutletList, responses=models.ERRORS)
def api_outlets(request: Request, name: str | None = _name(), limit: int = Query(100, ge=1, le=500),
                offset: int = Offset) -> dict[str, Any]:
    """Outlets by articles carried, with the share of their articles in reprint groups."""
    return outlets_ctx(request, name, limit, offset)


@router.get("/api/outlets/{outlet:path}", tags=["outlets"], response_model=models.OutletDetail,
            responses=models.ERRORS)
def api_outlet(request: Request, outlet: str, limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
    """What one outlet carried (newest first), how much of it is reprinted wire copy, whose
    text it carries and who carries its."""
    return outlet_ctx(request, outlet, limit, offset)


@router.get("/api/events", tags=["entities"], response_model=models.EventList, responses=models.ERRORS)
def api_events(
    request: Request, type: str | None = Query(None, max_length=100, description="event type or family"),
    date_from: date | None = Query(None, description="YYYY-MM-DD"),  # noqa: B008
    date_to: date | None = Query(None, description="YYYY-MM-DD"),  # noqa: B008
    place: str | None = _name("a place's name"),
    entity: str | None = _name("an actor's name"), story: str | None = Query(None, max_length=300),
    limit: int = Limit, offset: int = Offset,
) -> dict[str, Any]:
    """Dated events across stories, newest first: what, where, when, who, sources."""
    return events_ctx(request, type, date_from, date_to, place, entity, story, limit, offset)


# -- the pages and their .json twins -------------------------------------------------------

for _path, _twin in (("/entities.json", True), ("/entities", False)):
    def entities_page(request: Request, kind: str | None = Query(None, max_length=20), name: str | None = _name(),
                      limit: int = Limit, offset: int = Offset, _twin: bool = _twin) -> Response:
        return page("entities.html", request, entities_ctx(request, kind, name, limit, offset), _twin)
    pages.add_api_route(_path, entities_page, methods=["GET"])


@pages.get("/entities/{entity_id}.json")
def entity_json(request: Request, entity_id: str) -> Response:
    return page("entity.html", request, entity_ctx(request, entity_id), True)


@pages.get("/entities/{entity_id}")
def entity_html(request: Request, entity_id: str) -> Response:
    ctx = entity_ctx(request, entity_id)
    return page("entity.html", request, {**ctx, "map": browse.entity_map(ctx["entity"])}, False)


@pages.get("/storylines/{storyline_id}.json")
def storyline_json(request: Request, storyline_id: str) -> Response:
    return page("storyline.html", request, storyline_ctx(request, storyline_id), True)


@pages.get("/storylines/{storyline_id}")
def storyline_html(request: Request, storyline_id: str) -> Response:
    return page("storyline.html", request, storyline_ctx(request, storyline_id), False)


for _path, _twin in (("/outlets.json", True), ("/outlets", False)):
    def outlets_page(request: Request, name: str | None = _name(), limit: int = Query(100, ge=1, le=500),
                     offset: int = Offset, _twin: bool = _twin) -> Response:
        return page("outlets.html", request, outlets_ctx(request, name, limit, offset), _twin)
    pages.add_api_route(_path, outlets_page, methods=["GET"])


@pages.get("/outlets/{outlet:path}.json")
def outlet_json(request: Request, outlet: str, limit: int = Limit, offset: int = Offset) -> Response:
    return page("outlet.html", request, outlet_ctx(request, outlet, limit, offset), True)


@pages.get("/outlets/{outlet:path}")
def outlet_html(request: Request, outlet: str, limit: int = Limit, offset: int = Offset) -> Response:
    return page("outlet.html", request, outlet_ctx(request, outlet, limit, offset), False)


for _path, _twin in (("/events.json", True), ("/events", False)):
    def events_page(
        request: Request, type: str | None = Query(None, max_length=100),
        date_from: str | None = Query(None, max_length=20), date_to: str | None = Query(None, max_length=20),
        place: str | None = _name("a place's name"),
    entity: str | None = _name("an actor's name"), story: str | None = Query(None, max_length=300),
        limit: int = Limit, offset: int = Offset, _twin: bool = _twin,
    ) -> Response:
        dates = [form_date(n, v) for n, v in (("date_from", date_from), ("date_to", date_to))]
        ctx = events_ctx(request, type, *dates, place, entity, story, limit, offset)
        if not _twin:
            ctx["map"] = browse.events_map(ctx["events"])
        return page("events.html", request, ctx, _twin)
    pages.add_api_route(_path, events_page, methods=["GET"])
