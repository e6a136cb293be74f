"""The JSON API under /api/."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from storyline import __version__
from storyline.store.search import QueryError
from storyline.web import data, models
from storyline.web.common import BadRequest, Limit, Offset, check_params, store

router = APIRouter()

STORY_PARAMS = {"q", "date_from", "date_to", "outlet", "place", "entity", "sort", "limit", "offset"}
SORTS = ("recent", "coverage")


def list_stories(request, q, date_from, date_to, outlet, place, entity, limit, offset, sort=None) -> dict[str, Any]:
    # meta.FIELD=VALUE: stories with an article whose input record has that field and value
    meta = {k[5:]: v for k, v in request.query_params.items() if k.startswith("meta.") and len(k) > 5}
    check_params(request, STORY_PARAMS | {f"meta.{k}" for k in meta})
    if date_from and date_to and date_from > date_to:
        raise BadRequest("date_from is after date_to", [{"parameter": "date_from", "message": "after date_to"}])
    if q is not None and not q.strip():
        raise BadRequest("q is empty", [{"parameter": "q", "message": "give at least one word"}])
    sort = sort or "recent"
    if sort not in SORTS:
        raise BadRequest(f"sort {sort!r} is not one of {', '.join(SORTS)}",
                         [{"parameter": "sort", "message": "recent or coverage"}], code="bad_parameter")
    story_ids = None
    phrases = []
    for name, value in (("place", place), ("entity", entity)):
        if value is None:
            continue
        if not value.strip():
            raise BadRequest(f"{name} is empty", [{"parameter": name, "message": "give a name"}])
        found = store(request).web_stories_with(name, value)
        if found is None:
            # No stage has resolved places/entities yet: stories whose text names it.
            phrases.append(value)
            continue
        ids = set(found)
        story_ids = ids if story_ids is None else story_ids & ids
    if meta:
        ids = set(store(request).web_stories_with_meta(meta))
        story_ids = ids if story_ids is None else story_ids & ids
    total, rows = store(request).web_stories(
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
        outlet=outlet, story_ids=sorted(story_ids) if story_ids is not None else None,
        q=q, phrases=phrases, limit=limit, offset=offset, sort=sort,
    )
    params = {k: v for k, v in request.query_params.items() if k != "offset"}
    nxt = offset + limit if offset + limit < total else None
    return {
        "total": total, "limit": limit, "offset": offset, "sort": sort,
        "next": f"?{urlencode({**params, 'offset': nxt})}" if nxt is not None else None,
        "filters": {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")},
        "stories": rows,
    }


@router.get("/api/stories", tags=["stories"], response_model=models.StoryList, responses=models.ERRORS)
def api_stories(
    request: Request,
    q: str | None = Query(None, max_length=500, description="full-text query: every word must occur (word* = prefix)"),
    date_from: date | None = Query(None, description="YYYY-MM-DD: stories still running on or after"),  # noqa: B008
    date_to: date | None = Query(None, description="YYYY-MM-DD: stories started on or before"),  # noqa: B008
    outlet: str | None = Query(None, max_length=300, description="part of an outlet's name (case-insensitive)"),
    place: str | None = Query(None, max_length=300, description="place name (resolved places; else stories whose text names it)"),
    entity: str | None = Query(None, max_length=300, description="entity name (resolved entities; else stories whose text names it)"),
    sort: str | None = Query(None, max_length=20, description="recent (default) or coverage (most articles first)"),
    limit: int = Limit, offset: int = Offset,
) -> dict[str, Any]:
    """Stories, newest first, with filters and pagination; `meta.FIELD=VALUE` (e.g.
    `?meta.stance=left`) keeps the stories holding an article whose input record's own field
    has that value."""
    return list_stories(request, q, date_from, date_to, outlet, place, entity, limit, offset, sort)


@router.get("/api/stories/{story_id}", tags=["stories"], response_model=models.StoryDetail, responses=models.ERRORS)
def api_story(request: Request, story_id: str) -> dict[str, Any]:
    """One story: articles, outlets, reprint groups, reuse links, and the computed sections."""
    check_params(request, set())
    return data.story_detail(store(request), story_id)


@router.get("/api/stories/{story_id}/sources", tags=["stories"], response_model=models.Sources,
            responses=models.ERRORS)
def api_story_sources(request: Request, story_id: str) -> dict[str, Any]:
    """The source matrix: which article carried which shared passage, verbatim or edited."""
    check_params(request, set())
    return data.story_sources(store(request), data.story_detail(store(request), story_id))


@router.get("/api/articles/{article_id:path}", tags=["articles"], response_model=models.ArticleDetail,
            responses=models.ERRORS)
def api_article(request: Request, article_id: str) -> dict[str, Any]:
    """One article: clean text, removed boilerplate with reasons, metadata with sources."""
    check_params(request, set())
    return data.article_detail(store(request), article_id)


@router.get("/api/diff", tags=["articles"], response_model=models.Diff, responses=models.ERRORS)
def api_diff(request: Request, a: str = Query(..., max_length=300), b: str = Query(..., max_length=300)) -> dict[str, Any]:
    """Side-by-side comparison of two articles: the reprint stage's aligned passages and word edits."""
    check_params(request, {"a", "b"})
    return data.article_diff(store(request), a, b)


@router.get("/api/search", tags=["search"], response_model=models.SearchResult, responses=models.ERRORS)
def api_search(
    request: Request, q: str = Query(..., min_length=1, max_length=500), limit: int = Limit, offset: int = Offset,
) -> dict[str, Any]:
    """Full-text search over clean titles and texts (SQLite FTS5): "phrases", word* prefixes,
    OR, NOT, parentheses; a name of an entity also finds its other names. Results are grouped
    by story, best match first; `limit` and `offset` count stories."""
    check_params(request, {"q", "limit", "offset"})
    if not q.strip():
        raise BadRequest("q is empty", [{"parameter": "q", "message": "give at least one word"}])
    return search_results(request, q, limit, offset)


def search_results(request: Request, q: str, limit: int, offset: int) -> dict[str, Any]:
    """The alias-aware, story-grouped search (store/search.py); a query it cannot read is a
    400 `bad_query` saying why, one over the cost limits a 400 `query_too_costly`."""
    try:
        return store(request).web_search(q, limit=limit, offset=offset)
    except QueryError as exc:
        raise BadRequest(str(exc), [{"parameter": "q", "message": str(exc)}], code="bad_query") from None


def feeds_overview(request: Request) -> dict[str, Any]:
    """The feeds `storyline watch` follows, as `storyline feeds` lists them, and the pages given up on."""
    s = store(request)
    return {"feeds": s.feeds(), "failed_pages": s.failed_pages(), "pages": s.page_counts()}


@router.get("/api/feeds", tags=["feeds"], response_model=models.FeedOverview, responses=models.ERRORS)
def api_feeds(request: Request) -> dict[str, Any]:
    """Feeds followed: last poll and outcome, new entries, articles, failures and why; the pages last
    given up on (refused by robots.txt, too large, not HTML, failing) with the reason."""
    check_params(request, set())
    return feeds_overview(request)


@router.get("/api", tags=["meta"], response_model=models.ApiIndex)
def api_index() -> dict[str, Any]:
    return {"storyline": __version__, "openapi": "/api/openapi.json", "endpoints": [
        "/api/stories", "/api/stories/{id}", "/api/stories/{id}/sources", "/api/articles/{id}",
        "/api/diff?a=&b=", "/api/search?q=", "/api/entities", "/api/entities/{id}", "/api/storylines/{id}",
        "/api/events", "/api/outlets", "/api/outlets/{outlet}", "/api/feeds"]}
