"""The HTML pages, each with its `.json` twin returning the dict it renders."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from storyline.errors import BadQuery
from storyline.web import data
from storyline.web.common import BadRequest, Limit, Offset, check_params, store
from storyline.web.geo import story_map
from storyline.web.routes.api import api_search, feeds_overview, list_stories

router = APIRouter(include_in_schema=False)


def page(template: str, request: Request, ctx: dict[str, Any], json_twin: bool) -> Response:
    if json_twin:
        return JSONResponse(ctx)
    env = request.app.state.env
    return HTMLResponse(env.get_template(template).render(request_path=request.url.path, **ctx))


def form_date(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} is not a date: give YYYY-MM-DD",
                         [{"parameter": name, "message": "expected YYYY-MM-DD"}], code="bad_parameter") from None


for _path, _twin in (("/stories.json", True), ("/", False), ("/stories", False)):
    def stories_handler(
        request: Request, q: str | None = Query(None, max_length=500),
        date_from: str | None = Query(None, max_length=20), date_to: str | None = Query(None, max_length=20),
        outlet: str | None = Query(None, max_length=300),
        place: str | None = Query(None, max_length=300), entity: str | None = Query(None, max_length=300),
        sort: str | None = Query(None, max_length=20), limit: int = Limit, offset: int = Offset, _twin: bool = _twin,
    ) -> Response:
        # The filter form sends its empty fields as "": treat them as absent.
        q = q if q else None
        outlet, place, entity = outlet or None, place or None, entity or None
        dates = [form_date(name, value) for name, value in (("date_from", date_from), ("date_to", date_to))]
        ctx = list_stories(request, q, *dates, outlet, place, entity, limit, offset, sort or None)
        return page("stories.html", request, ctx, _twin)
    router.add_api_route(_path, stories_handler, methods=["GET"])


def story_page_ctx(request: Request, story_id: str) -> dict[str, Any]:
    s = store(request)
    story = data.story_detail(s, story_id)
    return {"story": story, "sources": data.story_sources(s, story), "diffs": data.story_diffs(s, story)}


@router.get("/stories/{story_id}.json")
def story_json(request: Request, story_id: str) -> Response:
    check_params(request, set())
    return page("story.html", request, story_page_ctx(request, story_id), True)


@router.get("/stories/{story_id}")
def story_html(request: Request, story_id: str) -> Response:
    check_params(request, set())
    ctx = story_page_ctx(request, story_id)
    places = ctx["story"]["places"]
    ctx["map"] = story_map(places.get("items", [])) if places["computed"] else None
    return page("story.html", request, ctx, False)


@router.get("/articles/{article_id:path}.json")
def article_json(request: Request, article_id: str) -> Response:
    check_params(request, set())
    return page("article.html", request, {"article": data.article_detail(store(request), article_id)}, True)


@router.get("/articles/{article_id:path}")
def article_html(request: Request, article_id: str) -> Response:
    check_params(request, set())
    return page("article.html", request, {"article": data.article_detail(store(request), article_id)}, False)


for _path, _twin in (("/diff.json", True), ("/diff", False)):
    def diff_handler(request: Request, a: str = Query(..., max_length=300), b: str = Query(..., max_length=300),
                     _twin: bool = _twin) -> Response:
        check_params(request, {"a", "b"})
        return page("diff_page.html", request, {"diff": data.article_diff(store(request), a, b)}, _twin)
    router.add_api_route(_path, diff_handler, methods=["GET"])


for _path, _twin in (("/search.json", True), ("/search", False)):
    def search_handler(request: Request, q: str | None = Query(None, max_length=500),
                       limit: int = Limit, offset: int = Offset, _twin: bool = _twin) -> Response:
        blank = {"q": q or "", "total": 0, "total_stories": 0, "limit": limit, "offset": offset, "groups": [],
                 "names": [], "articles": [], "empty": True}
        if not _twin and not (q or "").strip():  # the header's search box sent empty
            check_params(request, {"q", "limit", "offset"})
            return page("search.html", request, blank, False)
        if q is None:
            raise BadRequest("q is required", [{"parameter": "q", "message": "give at least one word"}],
                             code="bad_parameter")
        try:
            return page("search.html", request, api_search(request, q, limit, offset), _twin)
        except (BadRequest, BadQuery) as exc:
            if _twin or (isinstance(exc, BadRequest) and exc.code not in ("bad_query", "bad_request")):
                raise
            # The page again, the query still in the box to correct, the message above it (a 400).
            message = exc.message if isinstance(exc, BadRequest) else str(exc)
            html = page("search.html", request, {**blank, "error": message}, False)
            html.status_code = 400
            return html
    router.add_api_route(_path, search_handler, methods=["GET"])


for _path, _twin in (("/feeds.json", True), ("/feeds", False)):
    def feeds_handler(request: Request, _twin: bool = _twin) -> Response:
        check_params(request, set())
        return page("feeds.html", request, feeds_overview(request), _twin)
    router.add_api_route(_path, feeds_handler, methods=["GET"])
