"""What the API and the page routes share: the per-thread store, parameter checks and the
one error shape."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request

from storyline.store import Store

MAX_LIMIT = 100
Limit = Query(20, ge=1, le=MAX_LIMIT, description=f"page size, 1..{MAX_LIMIT}")
Offset = Query(0, ge=0, le=10_000_000)


class BadRequest(Exception):
    def __init__(self, message: str, details: list[dict[str, Any]] | None = None, code: str = "bad_request"):
        super().__init__(message)
        self.message, self.details, self.code = message, details or [], code


def error_body(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict:
    """The one error shape of the API (pinned by tests/web/test_api.py)."""
    return {"error": {"status": status, "code": code, "message": message, "details": details or []}}


def store(request: Request) -> Store:
    """This thread's store of the app's database (SQLite connections stay in their thread)."""
    local = request.app.state.local
    s = getattr(local, "store", None)
    if s is None:
        s = local.store = Store.for_reading(request.app.state.db_path)
    return s


def check_params(request: Request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise BadRequest(
            f"unknown parameter(s): {', '.join(unknown)}; known: {', '.join(sorted(allowed))}",
            [{"parameter": u, "message": "unknown parameter"} for u in unknown], code="unknown_parameter",
        )
