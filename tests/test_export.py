"""Exports: real Parquet types read back with pyarrow and DuckDB, the input's own fields, and
the filters every export kind takes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from storyline.errors import StorylineError
from storyline.export import EXPORTS, ExportFilter, export, parse_where
from storyline.ingest import ingest
from storyline.store import Store
from tests.ingest.test_ingest import FEED_RECORDS, FORMATS, _write


def _clean(store: Store) -> None:
    from storyline.executor.local import LocalExecutor
    from storyline.stages.clean.stage import CleanStage

    LocalExecutor(store, None, 1).run([CleanStage()])


def _parquet(store: Store, what: str, filters: ExportFilter | None = None) -> pa.Table:
    out = io.BytesIO()
    export(store, what, "parquet", out, filters)
    return pq.read_table(io.BytesIO(out.getvalue()))


def _jsonl(store: Store, what: str, filters: ExportFilter | None = None) -> list[dict]:
    out = io.BytesIO()
    export(store, what, "jsonl", out, filters)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("name", FORMATS)
def test_round_trip_per_input_format_to_parquet(tmp_path, name):
    """Non-ISO dates and extra fields in, real types out: dates are date32, the input's
    timestamp a timestamp, its own fields a struct; DuckDB reads the same file."""
    duckdb = pytest.importorskip("duckdb")
    with Store(tmp_path / "t.db") as store:
        ingest(store, [str(_write(tmp_path / name, FEED_RECORDS))])
        _clean(store)
        table = _parquet(store, "articles")
        path = tmp_path / "articles.parquet"
        pq.write_table(table, path)
    schema = table.schema
    assert schema.field("published").type == pa.date32()
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert pa.types.is_struct(schema.field("meta").type) and pa.types.is_struct(schema.field("metadata").type)
    assert schema.field("crawled_at").type == pa.timestamp("us", tz="UTC")  # all null, still typed
    rows = {r["id"]: r for r in table.to_pylist()}
    assert rows["w-1"]["published"] == date(2017, 11, 3) and rows["w-2"]["published"] == date(2017, 11, 4)
    assert rows["w-1"]["published_at"].isoformat() == "2017-11-03T13:15:00+00:00"
    assert rows["w-3"]["published"] is None and rows["w-3"]["published_value"] == "2017-11"
    assert rows["w-3"]["published_precision"] == "month"
    assert all(r["title"] and r["outlet"] for r in rows.values())
    assert rows["w-2"]["meta"]["stance"] == "right"
    con = duckdb.connect()
    got = con.execute(
        "SELECT id, published, meta.stance, typeof(published), typeof(meta) FROM read_parquet(?) ORDER BY id",
        [str(path)],
    ).fetchall()
    assert [g[:3] for g in got] == [("w-1", date(2017, 11, 3), "left"), ("w-2", date(2017, 11, 4), "right"),
                                    ("w-3", None, "left")]
    assert got[0][3] == "DATE" and got[0][4].startswith("STRUCT")


def test_feed_style_jsonl_loses_nothing(tmp_path):
    """RFC 2822 dates, body/headline/source fields and extra fields: every article dated,
    titled, with its outlet and its extra fields exported."""
    with Store(tmp_path / "t.db") as store:
        report = ingest(store, [str(_write(tmp_path / "feed.jsonl", FEED_RECORDS[:2]))])
        assert report.added == 2 and not report.rejections and not report.warnings
        _clean(store)
        rows = _jsonl(store, "articles")
    assert all(r["published"] and r["title"] and r["outlet"] for r in rows)
    assert [r["meta"] for r in rows] == [{"stance": "left", "rank": 1}, {"stance": "right", "rank": 2}]
    assert rows[0]["published_at"] == "2017-11-03T16:15:00+03:00"
    assert rows[0]["published_raw"] == "Fri, 03 Nov 2017 16:15:00 +0300"


def test_csv_puts_the_input_fields_in_meta_columns_and_where_filters(tmp_path):
    with Store(tmp_path / "t.db") as store:
        ingest(store, [str(_write(tmp_path / "feed.jsonl", FEED_RECORDS))])
        _clean(store)
        out = io.BytesIO()
        export(store, "articles", "csv", out)
        left = _jsonl(store, "articles", ExportFilter(where=parse_where(["stance=left"])))
        ranked = _jsonl(store, "articles", ExportFilter(where=parse_where(["meta.rank=2"])))
        dated = _jsonl(store, "articles", ExportFilter(since="2017-11-04", until="2017-11-30"))
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode())))
    assert {"meta.stance", "meta.rank"} <= set(rows[0]) and "meta" not in rows[0]
    assert [r["meta.stance"] for r in rows] == ["left", "right", "left"]
    assert [r["id"] for r in left] == ["w-1", "w-3"] and [r["id"] for r in ranked] == ["w-2"]
    assert [r["id"] for r in dated] == ["w-2", "w-3"]  # the month 2017-11 overlaps the range
    with pytest.raises(StorylineError):
        parse_where(["stance"])


def test_parquet_nested_values_are_structs_and_nulls_are_typed(seeded_db):
    with Store(seeded_db) as store:
        summaries = _parquet(store, "summaries").schema
        claims = _parquet(store, "claims").schema
        events = _parquet(store, "events").schema
        stories = _parquet(store, "stories").schema
        entities = _parquet(store, "entities").schema
    for name in ("sentences", "timeline", "disputes"):
        kind = summaries.field(name).type
        assert pa.types.is_list(kind) and pa.types.is_struct(kind.value_type), name
    assert claims.field("dispute").type == pa.string() and claims.field("article_date").type == pa.date32()
    assert events.field("event_date").type == pa.date32() and events.field("date_estimated").type == pa.bool_()
    assert stories.field("first_seen").type == pa.date32()
    assert pa.types.is_struct(entities.field("place").type)


def test_every_export_kind_takes_story_storyline_and_date_filters(seeded_db):
    with Store(seeded_db) as store:
        story = next(s for s in store.stories() if len(s["articles"]) > 1)
        for what in EXPORTS:
            everything = _jsonl(store, what)
            one = _jsonl(store, what, ExportFilter(story=story["id"]))
            line = _jsonl(store, what, ExportFilter(storyline=story["storyline"]))
            none = _jsonl(store, what, ExportFilter(since="2030-01-01"))
            assert len(one) <= len(line) <= len(everything), what
            assert not none, what
            if what in ("articles", "stories", "summaries", "events", "claims"):
                key = "id" if what == "stories" else "story"
                assert one and {r[key] for r in one} == {story["id"]}, what
            if what == "entities":
                assert one and all(set(e["articles"]) & set(story["articles"]) for e in one)
        since = _jsonl(store, "events", ExportFilter(since="2017-11-04", until="2017-11-04"))
        assert since and {e["event_date"] for e in since} == {"2017-11-04"}


def test_old_fields_keep_their_names_and_values(seeded_db):
    """Adding fields never renames one: every field the articles export had is still there."""
    from storyline.export import ARTICLE_FIELDS

    with Store(seeded_db) as store:
        rows = _jsonl(store, "articles")
    old = ARTICLE_FIELDS[: ARTICLE_FIELDS.index("crawled_at") + 1]
    assert all(list(r)[: len(old)] == old for r in rows)
    assert all(r["meta"] == {} and r["warnings"] == [] and r["published_at"] is None for r in rows)


def test_published_is_a_day_or_null_and_published_value_any_precision(tmp_path):
    path = Path(tmp_path / "p.jsonl")
    path.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "y", "text": "Clashes on the border went on.", "published": "2016"},
        {"id": "t", "text": "Clashes erupted in the town.", "published": 1478000000},
    ]))
    with Store(tmp_path / "t.db") as store:
        ingest(store, [str(path)])
        _clean(store)
        rows = {r["id"]: r for r in _jsonl(store, "articles")}
    assert rows["y"]["published"] is None and rows["y"]["published_value"] == "2016"
    assert rows["y"]["published_precision"] == "year"
    assert rows["t"]["published"] == "2016-11-01" and rows["t"]["published_at"] == "2016-11-01T11:33:20+00:00"
    assert datetime.fromisoformat(rows["t"]["published_at"]).timestamp() == 1478000000


def test_xlsx_for_a_filtered_export_has_dates_and_never_formulas(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    records = [dict(FEED_RECORDS[0], stance="=HYPERLINK(\"http://evil.example\")"), FEED_RECORDS[1]]
    with Store(tmp_path / "t.db") as store:
        ingest(store, [str(_write(tmp_path / "feed.jsonl", records))])
        _clean(store)
        out = io.BytesIO()
        n = export(store, "articles", "xlsx", out, ExportFilter(since="2017-11-03", until="2017-11-03"))
    assert n == 1
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c for c in sheet[2]], strict=True))
    assert row["id"].value == "w-1" and row["published"].value.date() == date(2017, 11, 3)
    assert row["meta.stance"].value.startswith("=HYPERLINK") and row["meta.stance"].data_type == "s"
    assert row["published_at"].value == datetime(2017, 11, 3, 13, 15)  # UTC: Excel has no offsets


def test_csv_cells_that_a_spreadsheet_would_take_for_formulas_are_escaped(tmp_path):
    records = [dict(FEED_RECORDS[0], title='=HYPERLINK("http://evil.example","x")', stance="+1", side="@SUM(A1)"),
               dict(FEED_RECORDS[1], stance="-2")]
    with Store(tmp_path / "t.db") as store:
        ingest(store, [str(_write(tmp_path / "feed.jsonl", records))])
        _clean(store)
        out = io.BytesIO()
        export(store, "articles", "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert (rows[0]["meta.stance"], rows[0]["meta.side"], rows[1]["meta.stance"]) == ("'+1", "'@SUM(A1)", "'-2")
    assert not any(v.startswith(("=", "+", "-", "@")) for row in rows for v in row.values())
