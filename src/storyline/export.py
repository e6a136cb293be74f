"""Exports: articles and stories as JSONL, CSV or Parquet.

Field names are a stable interface: later versions add fields, never rename them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from storyline.errors import StorylineError
from storyline.store import Store

ARTICLE_FIELDS = [
    "id", "url", "outlet", "title", "published", "reprint_group", "story", "storyline", "text",
    "language", "source", "locator", "metadata", "removed_lines",
    # added by cleaning 0.2
    "published_source", "published_confidence", "dateline", "wire", "authors", "crawled_at",
    # added by cleaning 0.3
    "modified",
]
STORY_FIELDS = ["id", "title", "articles", "first_seen", "last_seen", "storyline"]
# One row per summarized story; the lists hold dicts (JSON text in CSV and Parquet).
SUMMARY_FIELDS = ["story", "storyline", "headline", "summary", "sentences", "disputes", "timeline"]
# Events as a flat table in the manner of GDELT/ACLED: one row per merged event.
EVENT_FIELDS = [
    "event_id", "event_date", "event_date_end", "date_estimated", "date_confidence", "event_type",
    "sub_event_type", "actor1", "actor2", "actors", "location", "location_key", "latitude",
    "longitude", "country", "story", "storyline", "source_count", "sources", "notes",
]
CLAIM_FIELDS = [
    "article_id", "outlet", "story", "storyline", "article_date", "article_date_source", "value_low",
    "value_high", "qualifier", "approximate", "what", "key", "attributed_to", "quote", "start", "end",
    "dispute",
]
ENTITY_FIELDS = ["id", "kind", "name", "aliases", "mentions", "articles", "lat", "lon", "country", "place"]
FORMATS = ("jsonl", "csv", "parquet")


def article_rows(store: Store) -> Iterator[dict[str, Any]]:
    yield from store.export_articles()


def story_rows(store: Store) -> Iterator[dict[str, Any]]:
    for story in store.stories():
        yield {k: story[k] for k in STORY_FIELDS}


def summary_rows(store: Store) -> Iterator[dict[str, Any]]:
    summaries = store.all_story_summaries()
    for story in store.stories():
        summ = summaries.get(story["id"])
        if summ is None:
            continue
        yield {
            "story": story["id"], "storyline": story["storyline"],
            "headline": (summ["headline"] or {}).get("text"),
            "summary": " ".join(s["text"] for s in summ["sentences"]),
            "sentences": summ["sentences"], "disputes": summ["disputes"], "timeline": summ["timeline"],
        }


def event_rows(store: Store) -> Iterator[dict[str, Any]]:
    for e in store.events():
        actors = e["actors"]
        first = min(e["mentions"], key=lambda m: (m["reported"], m["estimated"]), default=None)
        yield {
            "event_id": e["id"], "event_date": e["date_start"], "event_date_end": e["date_end"],
            "date_estimated": e["estimated"], "date_confidence": e["confidence"],
            "event_type": e["family"], "sub_event_type": e["type"],
            "actor1": actors[0] if actors else None, "actor2": actors[1] if len(actors) > 1 else None,
            "actors": actors, "location": e["place"], "location_key": e["place_key"],
            "latitude": e["lat"], "longitude": e["lon"], "country": e["country"],
            "story": e["story"], "storyline": e["storyline"], "source_count": len(e["sources"]),
            "sources": e["sources"], "notes": first["text"] if first else None,
        }


def claim_rows(store: Store) -> Iterator[dict[str, Any]]:
    yield from store.claims()


# What `storyline export` can write: name -> (rows, the field order for CSV and Parquet).
EXPORTS: dict[str, tuple[Callable[[Store], Iterator[dict[str, Any]]], list[str]]] = {
    "articles": (article_rows, ARTICLE_FIELDS),
    "stories": (story_rows, STORY_FIELDS),
    "summaries": (summary_rows, SUMMARY_FIELDS),
    "events": (event_rows, EVENT_FIELDS),
    "claims": (claim_rows, CLAIM_FIELDS),
    "entities": (lambda store: store.entities(), ENTITY_FIELDS),
}


def export(store: Store, what: str, fmt: str, out: IO[bytes]) -> int:
    """Write `what` (a key of EXPORTS) to the binary stream `out`; returns the row count."""
    if what not in EXPORTS:
        raise StorylineError(f"cannot export {what!r}: choose one of {', '.join(EXPORTS)}")
    make_rows, fields = EXPORTS[what]
    rows = make_rows(store)
    if fmt == "jsonl":
        return _jsonl(rows, out)
    if fmt == "csv":
        return _csv(rows, fields, out)
    if fmt == "parquet":
        return _parquet(list(rows), fields, out)
    raise StorylineError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def _jsonl(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        n += 1
    return n


def _flat(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _csv(rows: Iterable[dict[str, Any]], fields: list[str], out: IO[bytes]) -> int:
    import io

    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=fields)
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: _flat(row.get(k)) for k in fields})
        n += 1
    text.flush()
    text.detach()
    return n


def _parquet(rows: list[dict[str, Any]], fields: list[str], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {}
    for name in fields:
        values = [row.get(name) for row in rows]
        if name in ("metadata", "sentences", "disputes", "timeline"):
            values = [json.dumps(v, ensure_ascii=False) for v in values]
        if name == "place":
            values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        columns[name] = values
    schema_fields = []
    for name in fields:
        if name in ("articles", "actors", "sources", "aliases"):
            schema_fields.append(pa.field(name, pa.list_(pa.string())))
        elif name in ("removed_lines", "source_count", "start", "end", "mentions"):
            schema_fields.append(pa.field(name, pa.int64()))
        elif name == "published_confidence":
            schema_fields.append(pa.field(name, pa.float64()))
        elif name in ("wire", "authors"):
            schema_fields.append(pa.field(name, pa.list_(pa.string())))
        elif name in ("date_confidence", "latitude", "longitude", "value_low", "value_high", "lat", "lon"):
            schema_fields.append(pa.field(name, pa.float64()))
        elif name in ("date_estimated", "approximate"):
            schema_fields.append(pa.field(name, pa.bool_()))
        else:
            schema_fields.append(pa.field(name, pa.string()))
    table = pa.table(columns, schema=pa.schema(schema_fields))
    pq.write_table(table, out)
    return len(rows)
