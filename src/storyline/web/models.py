"""Response models of the API, so /api/openapi.json describes every answer and a generated
client gets typed models. The routes build plain dicts (web/data.py, web/browse.py); these
name their fields. Detail models that carry the stages' own nested records allow extra keys."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    parameter: str | None = None
    message: str


class Error(BaseModel):
    status: int
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorBody(BaseModel):
    """Every 400 and 404 of the API."""

    error: Error


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "bad parameter or query"},
    404: {"model": ErrorBody, "description": "no such item"},
}


class StoryListRow(BaseModel):
    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    storyline: str | None
    storyline_title: str | None = None
    articles: int
    outlets: list[str]


class StoryList(BaseModel):
    total: int
    limit: int
    offset: int
    sort: str = "recent"
    next: str | None
    filters: dict[str, str]
    stories: list[StoryListRow]


class StoryDetail(_Open):
    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    storyline: dict[str, Any] | None
    articles: list[dict[str, Any]]
    links: list[dict[str, Any]]
    reprint_groups: list[dict[str, Any]]


class Sources(_Open):
    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]


class ArticleDetail(_Open):
    id: str
    url: str | None
    outlet: str | None
    title: str | None
    published: str | None
    language: str | None
    text: str | None
    story: str | None


class Diff(_Open):
    a: dict[str, Any]
    b: dict[str, Any]
    rows: list[dict[str, Any]]


class SnippetPart(BaseModel):
    text: str
    hit: bool


class SearchArticle(BaseModel):
    id: str
    title: str | None
    outlet: str | None
    published: str | None
    story: str | None = None
    snippet: list[SnippetPart]


class SearchStory(BaseModel):
    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    storyline: str | None


class SearchGroup(BaseModel):
    story: SearchStory | None
    matched: int
    articles: list[SearchArticle]


class NamedEntity(BaseModel):
    id: str
    kind: str
    name: str


class SearchName(BaseModel):
    term: str
    entities: list[NamedEntity]
    also: list[str]


class SearchResult(BaseModel):
    q: str
    match: str
    names: list[SearchName]
    total: int
    total_stories: int
    limit: int
    offset: int
    groups: list[SearchGroup]
    articles: list[SearchArticle]


class EntityRow(BaseModel):
    id: str
    kind: str
    name: str
    aliases: list[str]
    mentions: int
    articles: int
    lat: float | None
    lon: float | None
    country: str | None


class EntityList(BaseModel):
    computed: bool
    total: int
    limit: int
    offset: int
    filters: dict[str, str]
    entities: list[EntityRow]


class Entity(BaseModel):
    id: str
    kind: str
    name: str
    aliases: list[str]
    mentions: int
    articles: int
    lat: float | None
    lon: float | None
    country: str | None
    place: dict[str, Any] | None


class EntityStory(BaseModel):
    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    storyline: str | None
    naming: int
    articles: int


class CoEntity(BaseModel):
    id: str
    kind: str
    name: str
    shared_articles: int


class EntityDetail(BaseModel):
    entity: Entity
    stories_total: int
    stories_partial: bool  # counted over its newest 2,000 mentions' articles only
    stories: list[EntityStory]
    co_occurring: list[CoEntity]


class StorylineInfo(BaseModel):
    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None


class StorylineStory(BaseModel):
    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    articles: int
    outlets: int
    lead: str | None


class StorylineDetail(BaseModel):
    storyline: StorylineInfo
    articles: int
    stories: list[StorylineStory]


class OutletRow(BaseModel):
    outlet: str
    articles: int
    in_reprint_groups: int
    reprinted_share: float
    stories: int
    first_published: str | None
    last_published: str | None


class OutletList(BaseModel):
    computed: bool
    total: int
    limit: int
    offset: int
    filters: dict[str, str]
    outlets: list[OutletRow]


class OutletArticle(BaseModel):
    id: str
    title: str | None
    published: str | None
    story: str | None
    story_title: str | None
    reprint_group: str | None


class OutletCount(BaseModel):
    outlet: str
    articles: int


class OutletReprints(BaseModel):
    groups: int
    copies: int
    originals: int
    copy_share: float
    carries_text_of: list[OutletCount]
    text_carried_by: list[OutletCount]
    scanned_articles: int


class OutletDetail(BaseModel):
    outlet: str
    total: int
    limit: int
    offset: int
    articles: list[OutletArticle]
    reprints: OutletReprints


class ActorLink(BaseModel):
    name: str
    entity: str | None


class EventRow(BaseModel):
    id: str
    story: str
    story_title: str | None
    type: str
    label: str
    date: str | None
    date_end: str | None
    estimated: bool
    place: str | None
    place_entity: str | None
    lat: float | None
    lon: float | None
    country: str | None
    actors: list[Any]
    actor_links: list[ActorLink]
    sources: list[str]


class EventType(BaseModel):
    type: str
    events: int


class EventList(BaseModel):
    computed: bool
    total: int
    limit: int
    offset: int
    filters: dict[str, str]
    types: list[EventType]
    events: list[EventRow]


class ApiIndex(BaseModel):
    storyline: str
    openapi: str
    endpoints: list[str]



class Feed(BaseModel):
    """A followed feed (store/feeds.py FEED_COLUMNS) with its page counts."""

    url: str
    title: str | None
    added_at: str
    etag: str | None
    last_modified: str | None
    last_poll_at: str | None
    last_status: str | None
    last_ok_at: str | None
    last_new_at: str | None
    last_new: int
    polls: int
    not_modified: int
    entries: int
    failures: int
    last_error: str | None
    min_interval_s: int | None
    next_poll_at: str | None
    articles: int
    pages_pending: int
    pages_failed: int


class FailedPage(_Open):
    url: str
    status: str
    feed: str | None
    error: str | None
    http_status: int | None
    fetched_at: str | None


class FeedOverview(BaseModel):
    feeds: list[Feed]
    failed_pages: list[FailedPage]
    pages: dict[str, int]  # the fetch queue's pages by status
