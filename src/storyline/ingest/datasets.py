"""Files of records, as datasets come: a JSON array, CSV/TSV with a header, Parquet, gzipped.

Each record becomes an article through ingest/records.py (the same field names, aliases and
date reading as JSONL). The stored raw bytes of such a record are the record as JSON (a CSV
row or a Parquet row has no bytes of its own that hold just it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from storyline.ingest.items import Item
from storyline.ingest.limits import MAX_ITEM_BYTES, MAX_WHOLE_FILE_BYTES, open_bounded
from storyline.ingest.records import record_item
from storyline.records import Rejection

# A whole JSON file is parsed at once: this bounds the memory it takes.
MAX_JSON_FILE_BYTES = MAX_WHOLE_FILE_BYTES


def open_maybe_gzip(path: Path) -> IO[bytes]:
    """`path`'s bytes, gunzipped within the limits (ingest/limits.py) when it ends in .gz."""
    return open_bounded(path)


def read_records(path: Path, mapping: Mapping[str, str] | None = None,
                 date_order: str | None = None) -> Iterator[Item | Rejection]:
    name = path.name.lower().removesuffix(".gz")
    source = str(path)
    stem = Path(path.name.removesuffix(".gz")).stem  # as JSONL's: "my.feed.csv" -> my.feed-1
    if name.endswith(".parquet"):
        rows = _parquet_rows(path, source)
    elif name.endswith(".json"):
        rows = _json_rows(path, source)
    else:
        rows = _csv_rows(path, source, "\t" if name.endswith(".tsv") else ",")
    for n, (locator, record) in enumerate(rows, start=1):
        if isinstance(record, Rejection):
            yield record
            continue
        yield record_item(record, raw=None, source=source, locator=locator, default_id=f"{stem}-{n}",
                          mapping=mapping, date_order=date_order)


def _json_rows(path: Path, source: str) -> Iterator[tuple[str, Any]]:
    with open_maybe_gzip(path) as stream:
        data = stream.read(MAX_JSON_FILE_BYTES + 1)
    if len(data) > MAX_JSON_FILE_BYTES:
        yield "", Rejection(source, "", "too large", f"a .json file over {MAX_JSON_FILE_BYTES} bytes is parsed "
                                                     "whole; write it as JSONL (one record a line) instead")
        return
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield "", Rejection(source, "", "undecodable", f"JSON must be UTF-8: {exc}")
        return
    except json.JSONDecodeError as exc:
        yield "", Rejection(source, "", "malformed JSON", str(exc))
        return
    records, where = _records_in(doc)
    if records is None:
        yield "", Rejection(source, "", "malformed JSON",
                            "expected an array of records, or an object holding one (such as {\"articles\": [...]})")
        return
    if isinstance(records, dict):
        records = [records]
    for index, record in enumerate(records, start=1):
        locator = f"{where}record {index}"
        if not isinstance(record, dict):
            yield locator, Rejection(source, locator, "malformed record",
                                     f"expected a JSON object, got {type(record).__name__}")
            continue
        yield locator, record


def _records_in(doc: Any) -> tuple[list | dict | None, str]:
    if isinstance(doc, list):
        return doc, ""
    if isinstance(doc, dict):
        for key, value in doc.items():  # {"articles": [...]}, {"data": [...]}, {"items": [...]}
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value[:10]):
                return value, f"{key} "
        if any(k in doc for k in ("text", "html", "body", "content")):
            return doc, ""  # one record
    return None, ""


def _csv_rows(path: Path, source: str, delimiter: str) -> Iterator[tuple[str, Any]]:
    csv.field_size_limit(MAX_ITEM_BYTES + 1)
    with open_maybe_gzip(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(text, delimiter=delimiter)
        try:
            if reader.fieldnames is None:  # reads the header row
                yield "", Rejection(source, "", "empty", "no header row and no records")
                return
            start = reader.line_num + 1
            for row in reader:
                locator = f"line {start}"
                start = reader.line_num + 1
                extra = row.pop(None, None)  # a row with more cells than the header has names
                record = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
                if extra:
                    record["_extra_cells"] = extra
                yield locator, record
        except (csv.Error, UnicodeDecodeError) as exc:
            where = f"line {reader.line_num}"
            yield where, Rejection(source, where, "malformed CSV",
                                   f"{exc}; rows before it were kept (CSV must be UTF-8 with a header row)")


def _parquet_rows(path: Path, source: str) -> Iterator[tuple[str, Any]]:
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid and OSError kinds
        yield "", Rejection(source, "", "malformed Parquet", str(exc))
        return
    index = 0
    for batch in reader.iter_batches(batch_size=1000):
        for row in batch.to_pylist():
            index += 1
            yield f"row {index}", {k: v for k, v in row.items() if v is not None}
