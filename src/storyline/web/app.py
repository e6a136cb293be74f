"""`storyline serve`: the JSON API under /api/ and the HTML pages that render the same data.

Every HTML page has a `.json` twin returning the dict it renders. Every error, on the API or
a page's JSON twin, has one shape: {"error": {"status", "code", "message", "details"}}.
Untrusted text (article text, titles, URLs) reaches pages only through autoescaping Jinja
templates; pages run no script, and a Content-Security-Policy header says so.
"""

from __future__ import annotations

import threading
from datetime import date
from importlib import resources
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyline import __version__
from storyline.errors import NotFoundError
from storyline.store import Store
from storyline.web import data
from storyline.web.geo import story_map

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
MAX_LIMIT = 100


def meta_value(value: Any) -> str:
    """A metadata value as a reader wants it: wire credits as "AFP (photo credit)", lists joined."""
    if isinstance(value, list):
        return "; ".join(meta_value(v) for v in value) or "—"
    if isinstance(value, dict):
        name = value.get("agency") or value.get("name") or value.get("value")
        evidence = value.get("evidence")
        if name is not None:
            return f"{name} ({evidence})" if evidence else str(name)
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "—" if value is None else str(value)


class BadRequest(Exception):
    def __init__(self, message: str, details: list[dict[str, Any]] | None = None, code: str = "bad_request"):
        super().__init__(message)
        self.message, self.details, self.code = message, details or [], code


def error_body(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict:
    """The one error shape of the API (pinned by tests/web/test_api.py)."""
    return {"error": {"status": status, "code": code, "message": message, "details": details or []}}


def safe_url(url: str | None) -> str | None:
    """`url` when it is http(s) and so safe as a link target; None otherwise (javascript:, data:...)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def create_app(db_path: str) -> FastAPI:
    app = FastAPI(
        title="storyline", version=__version__, openapi_url="/api/openapi.json", docs_url=None,
        redoc_url=None, description="Stories, articles, reprints and search over a storyline database.",
    )
    Store(db_path).close()  # migrate once, and fail at start (not per request) on a bad file
    local = threading.local()

    def store() -> Store:
        s = getattr(local, "store", None)
        if s is None:
            s = local.store = Store(db_path)
        return s

    env = Environment(
        loader=PackageLoader("storyline.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["meta_value"] = meta_value
    env.globals["version"] = __version__
    app.mount("/static", StaticFiles(directory=str(resources.files("storyline.web") / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def wants_json(request: Request) -> bool:
        p = request.url.path
        return p.startswith("/api/") or p.endswith(".json")

    def render_error(request: Request, status: int, code: str, message: str, details=None) -> Response:
        if wants_json(request):
            return JSONResponse(error_body(status, code, message, details), status_code=status)
        html = env.get_template("error.html").render(status=status, code=code, message=message, details=details or [])
        return HTMLResponse(html, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError):
        details = [
            {"parameter": ".".join(str(x) for x in e.get("loc", ())[1:]) or None, "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        names = ", ".join(d["parameter"] or "?" for d in details)
        return render_error(request, 400, "bad_parameter", f"invalid parameter(s): {names}", details)

    @app.exception_handler(BadRequest)
    async def on_bad(request: Request, exc: BadRequest):
        return render_error(request, 400, exc.code, exc.message, exc.details)

    @app.exception_handler(NotFoundError)
    async def on_not_found(request: Request, exc: NotFoundError):
        return render_error(request, 404, "not_found", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = "no such page or endpoint" if exc.status_code == 404 else str(exc.detail)
        return render_error(request, exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception):  # pragma: no cover - a bug
        return render_error(request, 500, "internal_error", f"{type(exc).__name__}: the server failed; see its log")

    def check_params(request: Request, allowed: set[str]) -> None:
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise BadRequest(
                f"unknown parameter(s): {', '.join(unknown)}; known: {', '.join(sorted(allowed))}",
                [{"parameter": u, "message": "unknown parameter"} for u in unknown], code="unknown_parameter",
            )

    # -- the API --------------------------------------------------------------------------

    STORY_PARAMS = {"q", "date_from", "date_to", "outlet", "place", "entity", "limit", "offset"}

    def list_stories(request, q, date_from, date_to, outlet, place, entity, limit, offset) -> dict[str, Any]:
        check_params(request, STORY_PARAMS)
        if date_from and date_to and date_from > date_to:
            raise BadRequest("date_from is after date_to", [{"parameter": "date_from", "message": "after date_to"}])
        if q is not None and not q.strip():
            raise BadRequest("q is empty", [{"parameter": "q", "message": "give at least one word"}])
        story_ids = None
        phrases = []
        for name, value in (("place", place), ("entity", entity)):
            if value is None:
                continue
            if not value.strip():
                raise BadRequest(f"{name} is empty", [{"parameter": name, "message": "give a name"}])
            found = store().web_stories_with(name, value)
            if found is None:
                # No stage has resolved places/entities yet: stories whose text names it.
                phrases.append(value)
                continue
            ids = set(found)
            story_ids = ids if story_ids is None else story_ids & ids
        total, rows = store().web_stories(
            date_from=date_from.isoformat() if date_from else None,
            date_to=date_to.isoformat() if date_to else None,
            outlet=outlet, story_ids=sorted(story_ids) if story_ids is not None else None,
            q=q, phrases=phrases, limit=limit, offset=offset,
        )
        params = {k: v for k, v in request.query_params.items() if k != "offset"}
        nxt = offset + limit if offset + limit < total else None
        return {
            "total": total, "limit": limit, "offset": offset,
            "next": f"?{urlencode({**params, 'offset': nxt})}" if nxt is not None else None,
            "filters": {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")},
            "stories": rows,
        }

    Limit = Query(20, ge=1, le=MAX_LIMIT, description=f"page size, 1..{MAX_LIMIT}")
    Offset = Query(0, ge=0, le=10_000_000)

    @app.get("/api/stories", tags=["stories"])
    def api_stories(
        request: Request,
        q: str | None = Query(None, max_length=500, description="full-text query: every word must occur (word* = prefix)"),
        date_from: date | None = Query(None, description="YYYY-MM-DD: stories still running on or after"),  # noqa: B008
        date_to: date | None = Query(None, description="YYYY-MM-DD: stories started on or before"),  # noqa: B008
        outlet: str | None = Query(None, max_length=300, description="outlet name (case-insensitive)"),
        place: str | None = Query(None, max_length=300, description="place name (resolved places; else stories whose text names it)"),
        entity: str | None = Query(None, max_length=300, description="entity name (resolved entities; else stories whose text names it)"),
        limit: int = Limit, offset: int = Offset,
    ) -> dict[str, Any]:
        """Stories, newest first, with filters and pagination."""
        return list_stories(request, q, date_from, date_to, outlet, place, entity, limit, offset)

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(request: Request, story_id: str) -> dict[str, Any]:
        """One story: articles, outlets, reprint groups, reuse links, and the computed sections."""
        check_params(request, set())
        return data.story_detail(store(), story_id)

    @app.get("/api/stories/{story_id}/sources", tags=["stories"])
    def api_story_sources(request: Request, story_id: str) -> dict[str, Any]:
        """The source matrix: which article carried which shared passage, verbatim or edited."""
        check_params(request, set())
        return data.story_sources(store(), data.story_detail(store(), story_id))

    @app.get("/api/articles/{article_id:path}", tags=["articles"])
    def api_article(request: Request, article_id: str) -> dict[str, Any]:
        """One article: clean text, removed boilerplate with reasons, metadata with sources."""
        check_params(request, set())
        return data.article_detail(store(), article_id)

    @app.get("/api/diff", tags=["articles"])
    def api_diff(request: Request, a: str = Query(..., max_length=300), b: str = Query(..., max_length=300)) -> dict[str, Any]:
        """Side-by-side comparison of two articles: aligned paragraphs, word edits, moves."""
        check_params(request, {"a", "b"})
        return data.article_diff(store(), a, b)

    @app.get("/api/search", tags=["search"])
    def api_search(
        request: Request, q: str = Query(..., min_length=1, max_length=500), limit: int = Limit, offset: int = Offset,
    ) -> dict[str, Any]:
        """Full-text search over clean titles and texts (SQLite FTS5), best match first."""
        check_params(request, {"q", "limit", "offset"})
        if not q.strip():
            raise BadRequest("q is empty", [{"parameter": "q", "message": "give at least one word"}])
        total, rows = store().web_search_articles(q, limit=limit, offset=offset)
        return {"q": q, "total": total, "limit": limit, "offset": offset, "articles": rows}

    @app.get("/api/outlets", tags=["articles"])
    def api_outlets(request: Request) -> dict[str, Any]:
        check_params(request, set())
        return {"outlets": store().web_outlets()}

    def _listing(request: Request, kind: str, limit: int, offset: int) -> dict[str, Any]:
        check_params(request, {"limit", "offset", "q"})
        result = getattr(store(), f"web_list_{kind}")(request.query_params.get("q"), limit, offset)
        if result is None:
            return {"computed": False, "total": 0, "limit": limit, "offset": offset, kind: []}
        total, rows = result
        return {"computed": True, "total": total, "limit": limit, "offset": offset, kind: rows}

    @app.get("/api/entities", tags=["entities"])
    def api_entities(request: Request, limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
        """Entities (people, organisations, places) across stories, when the entities stage has run."""
        return _listing(request, "entities", limit, offset)

    @app.get("/api/events", tags=["entities"])
    def api_events(request: Request, limit: int = Limit, offset: int = Offset) -> dict[str, Any]:
        """Dated events across stories, when the events stage has run."""
        return _listing(request, "events", limit, offset)

    @app.get("/api", tags=["meta"])
    def api_index() -> dict[str, Any]:
        return {"storyline": __version__, "openapi": "/api/openapi.json", "endpoints": [
            "/api/stories", "/api/stories/{id}", "/api/stories/{id}/sources", "/api/articles/{id}",
            "/api/diff?a=&b=", "/api/search?q=", "/api/entities", "/api/events", "/api/outlets"]}

    # -- the pages (each with its .json twin) ---------------------------------------------

    def page(template: str, request: Request, ctx: dict[str, Any], json_twin: bool) -> Response:
        if json_twin:
            return JSONResponse(ctx)
        return HTMLResponse(env.get_template(template).render(request_path=request.url.path, **ctx))

    def stories_page(request: Request, json_twin: bool, q, date_from, date_to, outlet, place, entity, limit, offset):
        ctx = list_stories(request, q, date_from, date_to, outlet, place, entity, limit, offset)
        return page("stories.html", request, ctx, json_twin)

    def form_date(name: str, value: str | None) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BadRequest(f"{name} is not a date: give YYYY-MM-DD",
                             [{"parameter": name, "message": "expected YYYY-MM-DD"}], code="bad_parameter") from None

    for path, twin in (("/stories.json", True), ("/", False), ("/stories", False)):
        def handler(
            request: Request, q: str | None = Query(None, max_length=500),
            date_from: str | None = Query(None, max_length=20), date_to: str | None = Query(None, max_length=20),
            outlet: str | None = Query(None, max_length=300),
            place: str | None = Query(None, max_length=300), entity: str | None = Query(None, max_length=300),
            limit: int = Limit, offset: int = Offset, _twin: bool = twin,
        ) -> Response:
            # The filter form sends its empty fields as "": treat them as absent.
            q = q if q else None
            outlet, place, entity = outlet or None, place or None, entity or None
            dates = [form_date(name, value) for name, value in (("date_from", date_from), ("date_to", date_to))]
            return stories_page(request, _twin, q, *dates, outlet, place, entity, limit, offset)
        app.add_api_route(path, handler, methods=["GET"], include_in_schema=False)

    def story_page_ctx(story_id: str) -> dict[str, Any]:
        story = data.story_detail(store(), story_id)
        return {"story": story, "sources": data.story_sources(store(), story), "diffs": data.story_diffs(store(), story)}

    @app.get("/stories/{story_id}.json", include_in_schema=False)
    def story_json(request: Request, story_id: str) -> Response:
        check_params(request, set())
        return page("story.html", request, story_page_ctx(story_id), True)

    @app.get("/stories/{story_id}", include_in_schema=False)
    def story_html(request: Request, story_id: str) -> Response:
        check_params(request, set())
        ctx = story_page_ctx(story_id)
        places = ctx["story"]["places"]
        ctx["map"] = story_map(places.get("items", [])) if places["computed"] else None
        return page("story.html", request, ctx, False)

    @app.get("/articles/{article_id:path}.json", include_in_schema=False)
    def article_json(request: Request, article_id: str) -> Response:
        check_params(request, set())
        return page("article.html", request, {"article": data.article_detail(store(), article_id)}, True)

    @app.get("/articles/{article_id:path}", include_in_schema=False)
    def article_html(request: Request, article_id: str) -> Response:
        check_params(request, set())
        return page("article.html", request, {"article": data.article_detail(store(), article_id)}, False)

    for path, twin in (("/diff.json", True), ("/diff", False)):
        def diff_handler(request: Request, a: str = Query(..., max_length=300), b: str = Query(..., max_length=300),
                         _twin: bool = twin) -> Response:
            check_params(request, {"a", "b"})
            return page("diff_page.html", request, {"diff": data.article_diff(store(), a, b)}, _twin)
        app.add_api_route(path, diff_handler, methods=["GET"], include_in_schema=False)

    for path, twin in (("/search.json", True), ("/search", False)):
        def search_handler(request: Request, q: str | None = Query(None, max_length=500),
                           limit: int = Limit, offset: int = Offset, _twin: bool = twin) -> Response:
            if not _twin and not (q or "").strip():  # the header's search box sent empty
                check_params(request, {"q", "limit", "offset"})
                return page("search.html", request, {"q": "", "total": 0, "limit": limit, "offset": offset,
                                                     "articles": [], "empty": True}, False)
            if q is None:
                raise BadRequest("q is required", [{"parameter": "q", "message": "give at least one word"}],
                                 code="bad_parameter")
            return page("search.html", request, api_search(request, q, limit, offset), _twin)
        app.add_api_route(path, search_handler, methods=["GET"], include_in_schema=False)

    return app
