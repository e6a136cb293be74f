"""`storyline serve`: the JSON API under /api/ and the HTML pages that render the same data.

This module makes the app (templates, security headers, error handlers); the routes are in
routes/api.py and routes/pages.py, what they return in data.py.

Every HTML page has a `.json` twin returning the dict it renders. Every error, on the API or
a page's JSON twin, has one shape: {"error": {"status", "code", "message", "details"}}.
Untrusted text (article text, titles, URLs) reaches pages only through autoescaping Jinja
templates; pages run no script, and a Content-Security-Policy header says so.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from storyline import __version__
from storyline.errors import BadQuery, NotFoundError
from storyline.store import Store
from storyline.web.common import BadRequest, error_body
from storyline.web.routes import api, browse, pages

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def meta_value(value: Any) -> str:
    """A metadata value as a reader wants it: wire credits as "AFP (photo credit)", lists joined."""
    if isinstance(value, list):
        return "; ".join(meta_value(v) for v in value) or "—"
    if isinstance(value, dict):
        if "date" in value and "source" in value:  # one date the page states: "2021-03-04 json-ld datePublished"
            return f"{value['date']} {value['source']}" + (" (update)" if value.get("kind") == "modified" else "")
        name = value.get("agency") or value.get("name") or value.get("value")
        evidence = value.get("evidence")
        if name is not None:
            return f"{name} ({evidence})" if evidence else str(name)
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "—" if value is None else str(value)


def id_path(item_id: object) -> str:
    """An id as one segment of a link's path: `/`, `?`, `#`, `%` and the rest percent-encoded
    (an input's own id may hold any of them; the routes take the decoded id back whole)."""
    return quote(str(item_id), safe="")


def safe_url(url: str | None) -> str | None:
    """`url` when it is http(s) and so safe as a link target; None otherwise (javascript:, data:...)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def typed_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema with the errors the server really answers: every bad parameter is a
    400 in the one error shape (the validation handler below), never a 422."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for item in schema.get("paths", {}).values():
            for op in item.values():
                responses = op.setdefault("responses", {})
                responses.pop("422", None)
                responses.setdefault("400", {"description": "bad parameter",
                                             "content": {"application/json": {"schema": {
                                                 "$ref": "#/components/schemas/ErrorBody"}}}})
        components = schema.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(db_path: str) -> FastAPI:
    app = FastAPI(
        title="storyline", version=__version__, openapi_url="/api/openapi.json", docs_url=None,
        redoc_url=None, description="Stories, articles, reprints and search over a storyline database.",
    )
    Store.for_reading(db_path).close()  # migrate once, and fail at start (not per request) on a bad file
    app.state.db_path, app.state.local = db_path, threading.local()  # see common.store
    env = Environment(
        loader=PackageLoader("storyline.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["meta_value"] = meta_value
    env.filters["idpath"] = id_path
    env.globals["version"] = __version__
    app.state.env = env
    app.mount("/static", StaticFiles(directory=str(resources.files("storyline.web") / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        return secured(await call_next(request))

    def wants_json(request: Request) -> bool:
        p = request.url.path
        return p.startswith("/api/") or p.endswith(".json")

    def render_error(request: Request, status: int, code: str, message: str, details=None) -> Response:
        # secured here too: a 500 is answered outside the middleware, which never sees it
        if wants_json(request):
            return secured(JSONResponse(error_body(status, code, message, details), status_code=status))
        html = env.get_template("error.html").render(status=status, code=code, message=message, details=details or [])
        return secured(HTMLResponse(html, status_code=status))

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

    @app.exception_handler(BadQuery)
    async def on_bad_query(request: Request, exc: BadQuery):
        return render_error(request, 400, "query_too_costly", str(exc), [{"parameter": "q", "message": str(exc)}])

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

    app.openapi = lambda: typed_openapi(app)  # type: ignore[method-assign]
    app.include_router(api.router)
    app.include_router(browse.router)
    app.include_router(pages.router)
    app.include_router(browse.pages)
    return app
