"""Exports: articles, stories, summaries, events, claims and entities as JSONL, CSV or Parquet.

Field names are a stable interface: later versions add fields, never rename them. Parquet
columns have real types: dates are date32, timestamps are timestamps (UTC), nested values
are structs and lists of structs, and a column that is all null still has its type. CSV
flattens the input's own fields into `meta.<name>` columns and other nested values into
JSON text. Every kind takes the same filters (`ExportFilter`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from storyline.errors import StorylineError
from storyline.store import Store

ARTICLE_FIELDS = [
    "id", "url", "outlet", "title", "published", "reprint_group", "story", "storyline", "text",
    "language", "source", "locator", "metadata", "removed_lines",
    # added by cleaning 0.2
    "published_source", "published_confidence", "dateline", "wire", "authors", "crawled_at",
    # added with ingest's date reading and the input's own fields
    "published_value", "published_precision", "published_at", "published_raw", "meta", "warnings",
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
FORMATS = ("jsonl", "csv", "parquet", "xlsx")


@dataclass(frozen=True)
class ExportFilter:
    """Which rows an export keeps: one story or storyline, a date range (inclusive, on the
    articles' publication date, a story's days, an event's date, a claim's article date),
    and input fields (`where`: {"stance": "left"}, on the articles' `meta`; other kinds
    keep the rows of the articles that match)."""

    story: str | None = None
    storyline: str | None = None
    since: str | None = None
    until: str | None = None
    where: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any((self.story, self.storyline, self.since, self.until, self.where))


def parse_where(specs: Iterable[str]) -> dict[str, str]:
    """['stance=left', 'meta.topic=war'] -> {'stance': 'left', 'topic': 'war'}."""
    out = {}
    for spec in specs:
        key, sep, wanted = spec.partition("=")
        key = key.strip().removeprefix("meta.")
        if not sep or not key:
            raise StorylineError(f"--where {spec!r}: give FIELD=VALUE, FIELD one of the input records' own fields")
        out[key] = wanted.strip()
    return out


def _in_range(day: str | None, f: ExportFilter) -> bool:
    if not (f.since or f.until):
        return True
    if not day:
        return False
    # Prefix comparison keeps a month ('2017-11') or a year inside a range that covers it.
    return (not f.since or day >= f.since[: len(day)]) and (not f.until or day[: len(f.until)] <= f.until)


def _meta_matches(meta: dict[str, Any], where: dict[str, str]) -> bool:
    for key, wanted in where.items():
        value = meta.get(key)
        if isinstance(value, bool):
            value = str(value).lower()
        if value is None or str(value) != wanted:
            return False
    return True


def _article_ok(row: dict[str, Any], f: ExportFilter) -> bool:
    return ((not f.story or row["story"] == f.story) and (not f.storyline or row["storyline"] == f.storyline)
            and _in_range(row["published_value"] or row["published"], f) and _meta_matches(row["meta"], f.where))


def article_rows(store: Store, f: ExportFilter | None = None) -> Iterator[dict[str, Any]]:
    f = f or ExportFilter()
    for row in store.export_articles():
        if _article_ok(row, f):
            yield row


def _matching_articles(store: Store, f: ExportFilter) -> set[str] | None:
    """Ids of the articles the `where` filter keeps; None when it keeps all."""
    if not f.where:
        return None
    return {row["id"] for row in store.export_articles() if _meta_matches(row["meta"], f.where)}


def story_rows(store: Store, f: ExportFilter | None = None) -> Iterator[dict[str, Any]]:
    f = f or ExportFilter()
    keep = _matching_articles(store, f)
    for story in store.stories():
        if f.story and story["id"] != f.story or f.storyline and story["storyline"] != f.storyline:
            continue
        if (f.since or f.until) and not (
            story["last_seen"] and story["first_seen"]
            and (not f.since or story["last_seen"] >= f.since) and (not f.until or story["first_seen"] <= f.until)
        ):
            continue
        if keep is not None and not keep.intersection(story["articles"]):
            continue
        yield {k: story[k] for k in STORY_FIELDS}


def summary_rows(store: Store, f: ExportFilter | None = None) -> Iterator[dict[str, Any]]:
    summaries = store.all_story_summaries()
    for story in story_rows(store, f):
        summ = summaries.get(story["id"])
        if summ is None:
            continue
        yield {
            "story": story["id"], "storyline": story["storyline"],
            "headline": (summ["headline"] or {}).get("text"),
            "summary": " ".join(s["text"] for s in summ["sentences"]),
            "sentences": summ["sentences"], "disputes": summ["disputes"], "timeline": summ["timeline"],
        }


def event_rows(store: Store, f: ExportFilter | None = None) -> Iterator[dict[str, Any]]:
    f = f or ExportFilter()
    keep = _matching_articles(store, f)
    for e in store.events(f.story):
        if f.storyline and e["storyline"] != f.storyline or not _in_range(e["date_start"], f):
            continue
        if keep is not None and not keep.intersection(e["sources"]):
            continue
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


def claim_rows(store: Store, f: ExportFilter | None = None) -> Iterator[dict[str, Any]]:
    f = f or ExportFilter()
    keep = _matching_articles(store, f)
    for c in store.claims():
        if f.story and c["story"] != f.story or f.storyline and c["storyline"] != f.storyline:
            continue
        if not _in_range(c["article_date"], f) or keep is not None and c["article_id"] not in keep:
            continue
        yield c


def entity_rows(store: Store, f: ExportFilter | None = None) -> Iterator[dict[str, Any]]:
    f = f or ExportFilter()
    keep = {row["id"] for row in article_rows(store, f)} if f else None
    for e in store.entities():
        if keep is None or keep.intersection(e["articles"]):
            yield e


# What `storyline export` can write: name -> (rows, the field order for CSV and Parquet).
EXPORTS: dict[str, tuple[Callable[..., Iterator[dict[str, Any]]], list[str]]] = {
    "articles": (article_rows, ARTICLE_FIELDS),
    "stories": (story_rows, STORY_FIELDS),
    "summaries": (summary_rows, SUMMARY_FIELDS),
    "events": (event_rows, EVENT_FIELDS),
    "claims": (claim_rows, CLAIM_FIELDS),
    "entities": (entity_rows, ENTITY_FIELDS),
}


# The other tables of a Spark run's output folder (`write_tables`), beside the EXPORTS.
REPRINT_GROUP_FIELDS = ["id", "articles", "fullest", "earliest"]
STORYLINE_FIELDS = ["id", "title", "first_seen", "last_seen", "stories"]
REJECTION_FIELDS = ["source", "locator", "reason", "detail"]


def reprint_group_rows(store: Store) -> Iterator[dict[str, Any]]:
    for info in store.reprint_group_infos():
        yield {"id": info.group_id, "articles": list(info.members), "fullest": info.fullest,
               "earliest": info.earliest}


def storyline_rows(store: Store) -> Iterator[dict[str, Any]]:
    stories: dict[str, list[str]] = {}
    for story in sorted(store.stories(), key=lambda s: s["id"]):
        stories.setdefault(story["storyline"], []).append(story["id"])
    for line in store.storylines():
        yield {**line, "stories": stories.get(line["id"], [])}


def rejection_rows(store: Store) -> Iterator[dict[str, Any]]:
    for rej in store.rejections():
        yield {"source": rej.source, "locator": rej.locator, "reason": rej.reason, "detail": rej.detail}


TABLES: dict[str, tuple[Callable[[Store], Iterable[dict[str, Any]]], list[str]]] = {
    **{kind: ((lambda store, make=make: make(store, ExportFilter())), fields) for kind, (make, fields) in EXPORTS.items()},
    "reprint_groups": (reprint_group_rows, REPRINT_GROUP_FIELDS),
    "storylines": (storyline_rows, STORYLINE_FIELDS),
    "rejections": (rejection_rows, REJECTION_FIELDS),
}


def write_tables(store: Store, out_dir: str | Path) -> dict[str, int]:
    """Every table of TABLES as out_dir/<name>.parquet (the export kinds with the columns of
    `storyline export --format parquet`); returns rows per table."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, (make_rows, fields) in TABLES.items():
        with (out / f"{name}.parquet").open("wb") as fh:
            counts[name] = _parquet(list(make_rows(store)), fields, fh)
    return counts


def export(store: Store, what: str, fmt: str, out: IO[bytes], filters: ExportFilter | None = None) -> int:
    """Write `what` (a key of EXPORTS) to the binary stream `out`; returns the row count."""
    if what not in EXPORTS:
        raise StorylineError(f"cannot export {what!r}: choose one of {', '.join(EXPORTS)}")
    make_rows, fields = EXPORTS[what]
    rows = make_rows(store, filters or ExportFilter())
    if fmt == "jsonl":
        return _jsonl(rows, out)
    if fmt == "csv":
        return _csv(rows, fields, out)
    if fmt == "parquet":
        return _parquet(list(rows), fields, out)
    if fmt == "xlsx":
        return _xlsx(list(rows), fields, out, what)
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


def _flat_rows(rows: list[dict[str, Any]], fields: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of a flat table: the input's own fields one `meta.<name>` column
    each (in place of the `meta` object), other nested values as JSON text."""
    meta_keys = sorted({k for row in rows for k in (row.get("meta") or {})}) if "meta" in fields else []
    columns = [f for f in fields if f != "meta"] + [f"meta.{k}" for k in meta_keys]
    flat = []
    for row in rows:
        line = {k: _flat(row.get(k)) for k in fields if k != "meta"}
        meta = row.get("meta") or {}
        line.update({f"meta.{k}": _flat(meta.get(k)) for k in meta_keys})
        flat.append(line)
    return columns, flat


def _csv(rows: Iterable[dict[str, Any]], fields: list[str], out: IO[bytes]) -> int:
    import io

    columns, flat = _flat_rows(list(rows), fields)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in flat)
    text.flush()
    text.detach()
    return len(flat)


# A spreadsheet takes a cell beginning with one of these for a formula (=HYPERLINK(...) in a
# title would run when the CSV is opened): such a text gets a leading apostrophe, which
# spreadsheets show as text (OWASP's advice for CSV injection). Numbers are never changed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


XLSX_MAX_ROWS = 1_048_575  # Excel's sheet, less the header row
XLSX_MAX_CELL = 32_767  # characters Excel holds in one cell


def _xlsx(rows: list[dict[str, Any]], fields: list[str], out: IO[bytes], what: str) -> int:
    """A spreadsheet for a person: one sheet, a header row, dates as dates. Meant for a story
    or a filtered export (Excel holds about a million rows). Text is always text: a value
    that starts with '=' is never taken for a formula."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    except ImportError:
        from storyline.errors import MissingExtraError

        raise MissingExtraError("xlsx export needs openpyxl: pip install 'storyline[xlsx]'") from None
    if len(rows) > XLSX_MAX_ROWS:
        raise StorylineError(f"{len(rows)} rows do not fit in one Excel sheet: narrow the export with --story,"
                             " --storyline, --since/--until or --where, or use --format parquet")
    columns, flat = _flat_rows(rows, fields)
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = what[:31]
    sheet.append(columns)
    for line in flat:
        sheet.append([None] * len(columns))
        r = sheet.max_row
        for c, name in enumerate(columns, start=1):
            value = _xlsx_value(name, line.get(name))
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if len(value) > XLSX_MAX_CELL:
                    note = f" [cut at {XLSX_MAX_CELL} of {len(value)} characters: the full value is in JSONL or Parquet]"
                    value = value[: XLSX_MAX_CELL - len(note)] + note
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    sheet.freeze_panes = "A2"
    book.save(out)
    return len(flat)


def _xlsx_value(name: str, value: Any) -> Any:
    if name in _DATES and isinstance(value, str):
        return _as_date(value) or value
    if name in _TIMESTAMPS and isinstance(value, str):
        moment = _as_timestamp(value)
        return moment.replace(tzinfo=None) if moment else value  # Excel has no offsets: UTC
    return value


# Parquet column types by field name; a field not named here is inferred from its values
# (structs and lists of structs for nested ones), and text when it holds only text or nulls.
_DATES = {"published", "modified", "first_seen", "last_seen", "event_date", "event_date_end", "article_date"}
_TIMESTAMPS = {"published_at", "crawled_at"}
_STRING_LISTS = {"articles", "actors", "sources", "aliases", "wire", "authors", "warnings", "stories"}
_INTS = {"removed_lines", "source_count", "start", "end", "mentions"}
_FLOATS = {"published_confidence", "date_confidence", "latitude", "longitude", "value_low", "value_high", "lat", "lon"}
_BOOLS = {"date_estimated", "approximate"}
_NESTED = {"metadata", "sentences", "disputes", "timeline", "place", "meta"}


def _parquet(rows: list[dict[str, Any]], fields: list[str], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays, schema = [], []
    for name in fields:
        values = [row.get(name) for row in rows]
        array = _column(name, values)
        arrays.append(array)
        schema.append(pa.field(name, array.type))
    pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(schema)), out)
    return len(rows)


def _column(name: str, values: list[Any]):
    import pyarrow as pa

    if name in _DATES:
        days = [_as_date(v) for v in values]
        if all(d is not None or v is None for d, v in zip(days, values, strict=True)):
            return pa.array(days, pa.date32())
        return pa.array([None if v is None else str(v) for v in values], pa.string())  # a month: kept as text
    if name in _TIMESTAMPS:
        moments = [_as_timestamp(v) for v in values]
        if all(m is not None or v is None for m, v in zip(moments, values, strict=True)):
            return pa.array(moments, pa.timestamp("us", tz="UTC"))
        return pa.array([None if v is None else str(v) for v in values], pa.string())
    if name in _STRING_LISTS:
        return pa.array([None if v is None else [str(x) for x in v] for v in values], pa.list_(pa.string()))
    if name in _INTS:
        return pa.array(values, pa.int64())
    if name in _FLOATS:
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    if name in _BOOLS:
        return pa.array(values, pa.bool_())
    if name in _NESTED:
        return _nested(values)
    return pa.array([None if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                     for v in values], pa.string())


def _nested(values: list[Any]):
    """Structs (and lists of structs) inferred from the values. Empty objects become nulls
    (Parquet has no struct without fields); values of one key with clashing types (a number
    here, a text there) become text, so the column still has one type."""
    import pyarrow as pa

    cleaned = [_drop_empty(v) for v in values]
    try:
        array = pa.array(cleaned)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        try:
            array = pa.array([_unify(v) for v in cleaned])
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # an object here, a list there: JSON text
            return pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in values], pa.string())
    if pa.types.is_null(array.type):
        return pa.array(cleaned, pa.struct([pa.field("_empty", pa.null())]))
    return array


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _drop_empty(v) for k, v in value.items()}
        return kept or None
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def _unify(value: Any) -> Any:
    """Every scalar inside as text: the fallback when the values' types clash."""
    if isinstance(value, dict):
        return {k: _unify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unify(v) for v in value]
    return None if value is None else str(value)


def _as_date(value: Any):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10]) if len(str(value)) >= 10 else None
    except ValueError:
        return None


def _as_timestamp(value: Any):
    from datetime import UTC, datetime

    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    # A time written without an offset is taken as UTC here; JSONL and CSV keep it as written.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
