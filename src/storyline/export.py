"""Exports: articles and stories as JSONL, CSV or Parquet.

Field names are a stable interface: later versions add fields, never rename them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from storyline.errors import StorylineError
from storyline.store import Store

ARTICLE_FIELDS = [
    "id", "url", "outlet", "title", "published", "reprint_group", "story", "storyline", "text",
    "language", "source", "locator", "metadata", "removed_lines",
    # added by cleaning 0.2
    "published_source", "published_confidence", "dateline", "wire", "authors", "crawled_at",
]
STORY_FIELDS = ["id", "title", "articles", "first_seen", "last_seen", "storyline"]
# One row per summarized story; the lists hold dicts (JSON text in CSV and Parquet).
SUMMARY_FIELDS = ["story", "storyline", "headline", "summary", "sentences", "disputes", "timeline"]
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


def export(store: Store, what: str, fmt: str, out: IO[bytes]) -> int:
    """Write `what` ('articles' or 'stories') to the binary stream `out`; returns the row count."""
    if what == "articles":
        rows, fields = article_rows(store), ARTICLE_FIELDS
    elif what == "stories":
        rows, fields = story_rows(store), STORY_FIELDS
    elif what == "summaries":
        rows, fields = summary_rows(store), SUMMARY_FIELDS
    else:
        raise StorylineError(f"cannot export {what!r}: choose articles, stories or summaries")
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
        columns[name] = values
    schema_fields = []
    for name in fields:
        if name == "articles":
            schema_fields.append(pa.field(name, pa.list_(pa.string())))
        elif name == "removed_lines":
            schema_fields.append(pa.field(name, pa.int64()))
        elif name == "published_confidence":
            schema_fields.append(pa.field(name, pa.float64()))
        elif name in ("wire", "authors"):
            schema_fields.append(pa.field(name, pa.list_(pa.string())))
        else:
            schema_fields.append(pa.field(name, pa.string()))
    table = pa.table(columns, schema=pa.schema(schema_fields))
    pq.write_table(table, out)
    return len(rows)
