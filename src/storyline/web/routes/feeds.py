"""The watched feeds (`storyline watch`): /feeds, its `.json` twin and /api/feeds, each
feed with what its last poll did."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from storyline.web import models
from storyline.web.common import check_params, store
from storyline.web.routes.pages import page

router = APIRouter()
pages = APIRouter(include_in_schema=False)

SHOWN = ("url", "title", "added_at", "last_poll_at", "last_status", "last_ok_at", "last_new_at", "last_new",
         "polls", "entries", "failures", "last_error", "next_poll_at", "articles", "pages_pending", "pages_failed")


def feeds_ctx(request: Request) -> dict[str, Any]:
    check_params(request, set())
    s = store(request)
    feeds = [{k: f.get(k) for k in SHOWN} for f in s.feeds()]
    return {"total": len(feeds), "feeds": feeds, "pages": s.page_counts()}


@router.get("/api/feeds", tags=["feeds"], response_model=models.FeedList, responses=models.ERRORS)
def api_feeds(request: Request) -> dict[str, Any]:
    """The feeds `storyline watch` follows, with the status of each one's last poll."""
    return feeds_ctx(request)


for _path, _twin in (("/feeds.json", True), ("/feeds", False)):
    def feeds_page(request: Request, _twin: bool = _twin) -> Response:
        return page("feeds.html", request, feeds_ctx(request), _twin)
    pages.add_api_route(_path, feeds_page, methods=["GET"])
