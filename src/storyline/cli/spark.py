"""`storyline spark run` (the pipeline on Apache Spark) and `storyline import` (its output
into a SQLite store). README, "On Apache Spark", says how to run it on a cluster.

A Spark run reads the inputs in the executors (ingest/distributed.py), runs every stage's
map step there (executor/spark.py) against a store on the driver, and writes OUT: one
Parquet table per export kind (the columns of `storyline export --format parquet`) plus
reprint_groups, storylines and rejections, and OUT/store/, the driver's store table by
table, which `storyline import` loads into a new database.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import click

from storyline.cli.common import (
    EXIT_NOTHING_READ,
    EXIT_SOME_REJECTED,
    OUTPUT,
    Command,
    Group,
    db_option,
    info,
    open_store,
    setting_option,
)
from storyline.errors import StorylineError
from storyline.settings import resolve

STORE_DIR = "store"
WORK_DIR = ".driver"  # the driver's store while the run lasts


def spark_run(paths: list[str], out: str | Path, session: Any, partitions: int | None = None,
              options: Any = None, embeddings: bool | None = None, progress: Any = None) -> dict[str, Any]:
    """The whole pipeline on `session` from `paths` into the folder `out` (new or empty).
    Returns {"ingest": IngestReport, "stages": [StageReport], "tables": {name: rows}, "seconds": {...}}."""
    from storyline.executor.spark import SparkExecutor
    from storyline.export import write_tables
    from storyline.ingest.distributed import ingest_spark
    from storyline.pipeline import run_pipeline
    from storyline.store import Store
    from storyline.store.dump import dump_tables

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StorylineError(f"--out {out}: not a new or empty folder (a run writes its tables there; give another)")
    work = out / WORK_DIR
    work.mkdir(parents=True, exist_ok=True)
    seconds = {}
    with Store(work / "storyline.db") as store:
        started = time.perf_counter()
        report = ingest_spark(store, paths, session, options, partitions)
        seconds["ingest"] = time.perf_counter() - started
        executor = SparkExecutor(store, session, progress, partitions)
        started = time.perf_counter()
        stages = run_pipeline(store, progress, embeddings=embeddings, executor=executor)
        seconds["stages"] = time.perf_counter() - started
        started = time.perf_counter()
        tables = write_tables(store, out)
        dump_tables(store, out / STORE_DIR)
        seconds["write"] = time.perf_counter() - started
    shutil.rmtree(work)
    return {"ingest": report, "stages": stages, "tables": tables, "seconds": seconds}


@click.group("spark", cls=Group)
def spark_group() -> None:
    """The pipeline on Apache Spark (pip install 'storyline[spark]', Java 17)."""


@spark_group.command("run")
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for the Parquet tables (new or empty).")
@click.option("--master", default="local[2]", show_default=True,
              help="Spark master: local[N], spark://HOST:PORT, yarn, k8s://...")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Tasks per wave of batches (default: twice the cluster's cores); the output is the same for any.")
@click.option("--map", "mapping", default=None, metavar="FIELD=COLUMN,...", help="As for `storyline ingest`.")
@click.option("--date-order", type=click.Choice(["dmy", "mdy"]), default=None, help="As for `storyline ingest`.")
@setting_option("embeddings", "--embeddings/--no-embeddings")
def spark_run_command(paths: tuple[str, ...], out: str, master: str, partitions: int | None, mapping: str | None,
                      date_order: str | None, embeddings: bool | None) -> None:
    """Read PATHS (files or folders Spark can read: local, hdfs://, s3a://) and run the whole
    pipeline on Spark; writes OUT/<table>.parquet and OUT/store/ for `storyline import`."""
    from storyline.executor.progress import default_progress
    from storyline.executor.spark import spark_session
    from storyline.ingest import ReadOptions
    from storyline.ingest.records import parse_mapping

    try:
        options = ReadOptions(parse_mapping(mapping), date_order)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None
    settings = resolve(embeddings=embeddings)
    if not OUTPUT.quiet:
        logging.getLogger("storyline.pipeline").setLevel(logging.INFO)
    session = spark_session(master)
    result = spark_run(list(paths), out, session, partitions, options, settings.embeddings, default_progress())
    report = result["ingest"]
    info(f"read {report.added} article(s) from {report.files} input(s) on {master};"
         f" {report.duplicates} duplicate(s); {len(report.rejections)} rejected ({result['seconds']['ingest']:.1f}s)")
    for r in result["stages"]:
        extra = ", ".join(f"{k} {v}" for k, v in r.stats.items())
        info(f"{r.name:<9} {r.processed:>6} processed in {r.seconds:6.2f}s{'  ' + extra if extra else ''}")
    info("wrote " + ", ".join(f"{name} {n}" for name, n in result["tables"].items()) + f" row(s) to {out}")
    info(f"next: `storyline import {out} --db storyline.db`, then `storyline stories` or `storyline serve`")
    if report.missing or not (report.added or report.duplicates):
        sys.exit(EXIT_NOTHING_READ)
    if report.rejections:
        sys.exit(EXIT_SOME_REJECTED)


@click.command("import", cls=Command)
@click.argument("folder", type=click.Path(file_okay=False))
@db_option
def import_command(folder: str, db: str | None) -> None:
    """Load a Spark run's output folder (its store/ tables) into a new database, so that
    `serve`, `stories`, `story`, `export` and the rest work on it."""
    from storyline.store.dump import load_tables

    source = Path(folder) / STORE_DIR
    if not source.is_dir():
        raise StorylineError(f"{folder}: no {STORE_DIR}/ folder: not the output of `storyline spark run`")
    path = resolve(db=db).db
    existed = Path(path).exists()
    try:
        with open_store(path, create=True) as store:
            counts = load_tables(store, source)
            articles = store.count_articles()
    except StorylineError:
        if not existed:  # a failed import leaves no half-made database behind
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        raise
    info(f"imported {articles} article(s) and {sum(counts.values())} row(s) in {len(counts)} table(s) into {path}")
    info("next: `storyline stories`, `storyline serve`")
