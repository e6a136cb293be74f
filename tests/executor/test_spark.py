"""The Spark executor in local mode: its tables equal the local run's exports row for row,
whatever the partitioning; bad inputs are rejections; no PySpark is a clear error.

The Spark tests need PySpark (pip install -e '.[test,spark]') and Java 17; without them they
are skipped, saying why, except where $STORYLINE_REQUIRE_SPARK or $CI is set (.ci/run sets
it), where they fail. One SparkSession (local[2]) serves every test of the session.
"""

from __future__ import annotations

import gzip
import importlib
import io
import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline.cli import cli
from storyline.cli.spark import spark_run
from storyline.errors import MissingExtraError, StorylineError
from storyline.export import TABLES, _parquet
from storyline.ingest import ingest
from storyline.ingest.distributed import read_one
from storyline.pipeline import run_pipeline
from storyline.seeds import seed_files
from storyline.store import Store
from tests.executor import corpus


def _unavailable() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install -e '.[test,spark]')"
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        return "no Java for Spark (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark():
    reason = _unavailable()
    if reason:
        if os.environ.get("STORYLINE_REQUIRE_SPARK") or os.environ.get("CI"):
            pytest.fail(f"Spark tests are required here: {reason}")
        pytest.skip(reason)
    from storyline.executor.spark import spark_session

    session = spark_session("local[2]", "storyline-tests")
    yield session
    session.stop()


def _tables(db: Path) -> dict:
    """Every table of a Spark run's folder, made from the store at `db` as the run makes them."""
    import pyarrow.parquet as pq

    out = {}
    with Store(db) as store:
        for name, (make_rows, fields) in TABLES.items():
            buffer = io.BytesIO()
            _parquet(list(make_rows(store)), fields, buffer)
            buffer.seek(0)
            out[name] = pq.read_table(buffer)
    return out


def _assert_folder_equals(out: Path, expected: dict) -> None:
    import pyarrow.parquet as pq

    for name, table in expected.items():
        got = pq.read_table(out / f"{name}.parquet")
        assert got.schema == table.schema, name
        assert got.to_pylist() == table.to_pylist(), name


def _local_run(tmp_path: Path, paths: list[str], embeddings: bool) -> Path:
    db = tmp_path / "local.db"
    with Store(db) as store:
        ingest(store, paths)
        run_pipeline(store, embeddings=embeddings)
    return db


@pytest.mark.slow
def test_seeds_on_spark_equal_the_local_run_and_import_makes_the_same_store(spark, tmp_path):
    paths = [str(p) for p in seed_files()]
    expected = _tables(_local_run(tmp_path, paths, embeddings=True))
    assert expected["articles"].num_rows == 5 and expected["reprint_groups"].num_rows == 1

    out = tmp_path / "out"
    result = spark_run(paths, out, spark, partitions=2, embeddings=True)
    assert result["ingest"].added == 5
    assert result["tables"]["stories"] == expected["stories"].num_rows
    _assert_folder_equals(out, expected)
    assert not (out / ".driver").exists()

    runner = CliRunner()
    imported = tmp_path / "imported.db"
    done = runner.invoke(cli, ["import", str(out), "--db", str(imported)])
    assert done.exit_code == 0, done.output
    assert _tables(imported) == {n: t for n, t in expected.items()}
    story = expected["stories"].to_pylist()[0]["id"]
    shown = [runner.invoke(cli, ["story", story, "--db", str(db)]).output
             for db in (tmp_path / "local.db", imported)]
    assert shown[0] == shown[1] and story in shown[0]
    again = runner.invoke(cli, ["import", str(out), "--db", str(imported)])
    assert again.exit_code != 0 and "already holds articles" in str(again.exception)


@pytest.mark.slow
def test_a_generated_corpus_gives_the_same_tables_with_1_and_4_partitions(spark, tmp_path):
    source = corpus.write(tmp_path / "corpus.jsonl", 240)
    expected = _tables(_local_run(tmp_path, [str(source)], embeddings=False))
    groups = expected["reprint_groups"].to_pylist()
    assert len(groups) >= 20 and expected["stories"].num_rows >= 40  # a corpus that exercises the stages
    for partitions in (1, 4):
        out = tmp_path / f"out-{partitions}"
        spark_run([str(source)], out, spark, partitions=partitions, embeddings=False)
        _assert_folder_equals(out, expected)


@pytest.mark.slow
def test_bad_input_files_are_rejections_not_a_failed_job(spark, tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    corpus.write(inputs / "good.jsonl", 6)
    with (inputs / "good.jsonl").open("a") as fh:
        fh.write("{not json\n")
    (inputs / "broken.jsonl.gz").write_bytes(b"this is not gzip")
    (inputs / "crawl.warc.gz").write_bytes(gzip.compress(b"WARC/1.0 garbage\r\n\r\n"))
    (inputs / "report.pdf").write_bytes(b"%PDF-1.4")
    (inputs / "empty.html").write_bytes(b"")
    paths = [str(inputs), str(tmp_path / "missing.jsonl")]
    with Store(tmp_path / "local.db") as store:
        local = ingest(store, paths)
    out = tmp_path / "out"
    result = spark_run(paths, out, spark, partitions=3, embeddings=False)
    report = result["ingest"]
    assert report.added == local.added == 6
    assert [(r.source, r.locator, r.reason) for r in report.rejections] == \
           [(r.source, r.locator, r.reason) for r in local.rejections]
    import pyarrow.parquet as pq

    rejected = pq.read_table(out / "rejections.parquet").to_pylist()
    reasons = {Path(r["source"]).name: r["reason"] for r in rejected}
    assert reasons["report.pdf"] == "unsupported format" and reasons["missing.jsonl"] == "not found"
    assert reasons["good.jsonl"] == "malformed JSON" and "broken.jsonl.gz" in reasons
    assert pq.read_table(out / "articles.parquet").num_rows == 6


def test_a_reader_that_fails_is_one_rejection_naming_the_file(tmp_path, monkeypatch):
    good = corpus.write(tmp_path / "a.jsonl", 3)
    distributed = importlib.import_module("storyline.ingest.distributed")

    real = distributed.read_file

    def fails_after_one(path, options):
        yield next(real(path, options))
        raise ValueError("a reader's bug")

    assert len(read_one(str(good), str(good), distributed.ReadOptions())) == 3
    monkeypatch.setattr(distributed, "read_file", fails_after_one)
    items = read_one("hdfs://cluster/a.jsonl", str(good), distributed.ReadOptions())
    assert items[0].article_id == "s000-c0"  # what was read before the failure is kept
    assert [(r.source, r.reason) for r in items[1:]] == [("hdfs://cluster/a.jsonl", "unreadable")]
    assert "ValueError: a reader's bug" in items[1].detail


def test_without_pyspark_the_error_names_the_extra_and_exits_5(tmp_path, monkeypatch):
    from storyline.cli import main
    from storyline.executor.spark import spark_session

    for name in ("pyspark", "pyspark.sql"):
        monkeypatch.setitem(sys.modules, name, None)  # import pyspark now raises ImportError
    with pytest.raises(MissingExtraError, match=r"storyline\[spark\]") as caught:
        spark_session("local[1]")
    assert caught.value.exit_code == 5
    seeds = str(seed_files()[0].parent)
    monkeypatch.setattr(sys, "argv", ["storyline", "spark", "run", seeds, "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 5
    assert not (tmp_path / "out").exists()


def test_the_output_folder_must_be_new_or_empty(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "articles.parquet").write_bytes(b"an earlier run")
    with pytest.raises(StorylineError, match="not a new or empty folder"):
        spark_run([str(seed_files()[0])], tmp_path / "out", session=None)
    assert (tmp_path / "out" / "articles.parquet").read_bytes() == b"an earlier run"


def test_an_article_a_stage_cannot_process_is_a_stage_error_on_spark_too(spark, store, tmp_path):
    """A batch that raises in an executor is redone item by item on the driver: the one bad
    article gets a stage error, the others are saved, the job goes on."""
    from pyspark import cloudpickle

    from storyline.executor.spark import SparkExecutor
    from tests.executor import test_stage_errors as failing

    cloudpickle.register_pickle_by_value(failing)  # the executors' Python cannot import tests/
    try:
        failing._ingest(store, tmp_path, {**failing.TEXTS, "bad": "This one will EXPLODE in the stage."})
        [report] = SparkExecutor(store, spark, partitions=2).run([failing.ExplodingClean()])
    finally:
        cloudpickle.unregister_pickle_by_value(failing)
    assert (report.processed, report.failed) == (6, 1)
    assert [e["item"] for e in store.stage_errors()] == ["bad"]
    assert store.stage_errors("clean")[0]["error"].startswith("ValueError: cannot take this input")
