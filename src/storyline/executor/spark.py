"""The Spark executor: the stages' map steps in Spark executors, with the same results.

Each stage's `process` runs in the executors (`mapPartitions` over the very batches the
LocalExecutor makes, so batch boundaries, and with them every result, are the same), and
so do the pure calls a `finish` spreads through `map_chunks` (the reprint stage's exact
check and alignment). The store stays on the driver: it loads each wave of batches, the
executors compute, and the driver saves the results in batch order, one transaction each;
the corpus-wide steps (`finish`) then run on the driver exactly as they do locally. Models
are loaded once per executor process (PySpark reuses its Python workers; the stages cache
their models per process).

PySpark is an optional extra (`pip install 'storyline[spark]'`, plus Java 17): imported
only here, only when a Spark run starts.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from storyline.errors import MissingExtraError, StorylineError
from storyline.executor.local import LocalExecutor, StageReport, error_text
from storyline.executor.progress import LogProgress, ProgressFactory
from storyline.stages.base import Stage
from storyline.store import Store

log = logging.getLogger("storyline.pipeline")

SPARK_EXTRA = "pip install 'storyline[spark]' (and Java 17: apt-get install openjdk-17-jre-headless)"
# A wave (one Spark job) holds this many batches per partition: more spreads the per-job
# overhead and evens out slow batches, fewer bounds what the driver holds at once.
WAVE_TASKS = 4


def spark_session(master: str = "local[2]", app_name: str = "storyline", conf: dict[str, str] | None = None):
    """A SparkSession on `master` (local[N], spark://host:port, yarn, k8s://...). Raises
    MissingExtraError naming the extra when PySpark is not installed."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise MissingExtraError(f"storyline spark needs PySpark: {SPARK_EXTRA}") from None
    builder = SparkSession.builder.master(master).appName(app_name)
    settings = {
        "spark.ui.showConsoleProgress": "false",
        "spark.ui.enabled": "false",
        # Results come back to the driver batch by batch; a wave of batches of article
        # texts can exceed the default 1 GiB cap on what one collect returns.
        "spark.driver.maxResultSize": "0",
        "spark.python.worker.reuse": "true",
    }
    if master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # Locally the workers must be this Python (the one storyline is installed in), not
        # whatever `python3` is first on PATH; PySpark reads the variable when the context starts.
        os.environ["PYSPARK_PYTHON"] = sys.executable
    settings.update(conf or {})
    for key, val in settings.items():
        builder = builder.config(key, val)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j / Java failures: no Java, a bad master URL
        raise StorylineError(f"cannot start Spark on {master!r}: {exc}. Spark needs Java 17 (java -version)") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


_initialized = False


def _executor_init() -> None:
    """Once per executor Python process: one thread of numerical work per task (Spark's
    cores are the parallelism), as the local worker processes do."""
    global _initialized
    if _initialized:
        return
    _initialized = True
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # a dependency of storyline; only a broken install lacks it
        pass


def _apply_partition(fn: Callable[..., Any], rows: Iterable[tuple[int, tuple[Any, ...]]]) -> Iterator[tuple[int, Any]]:
    _executor_init()
    for index, args in rows:
        yield index, fn(*args)


def _process_batch(stage: Stage, batch: list[Any]) -> tuple[bool, Any]:
    """(True, results), or (False, the error) when the batch raised: the driver then redoes
    it item by item, so one bad article is a stage error, not a failed job."""
    try:
        return True, stage.process(batch)
    except Exception as exc:
        return False, error_text(exc)


class SparkExecutor:
    """Runs stages in order against one store on the driver; every map step, and the pure
    calls of a `finish` that takes `map_chunks`, in Spark. `partitions`: the number of
    tasks each wave of batches is split into (default: twice the cluster's cores)."""

    def __init__(self, store: Store, session, progress: ProgressFactory | None = None,
                 partitions: int | None = None):
        self.store = store
        self.session = session
        self.sc = session.sparkContext
        self.progress = progress or LogProgress
        self.partitions = max(1, partitions or 2 * self.sc.defaultParallelism)
        # stage -> {"map": seconds, "finish": seconds}: what ran in the executors, what on the driver
        self.timings: dict[str, dict[str, float]] = {}

    def run(self, stages: Sequence[Stage]) -> list[StageReport]:
        reports = []
        for stage in stages:
            started = time.perf_counter()
            report = StageReport(stage.name)
            ids = stage.pending(self.store)
            chunks = [ids[start : start + stage.batch_size] for start in range(0, len(ids), stage.batch_size)]
            bar = self.progress(stage.name, len(ids))
            # The local executor's item-by-item retry and saving (with the stage errors), on the driver
            local = LocalExecutor(self.store)
            failed_before = {e["item"] for e in self.store.stage_errors(stage.name)}
            try:
                inputs = ((stage, stage.load(self.store, chunk)) for chunk in chunks)
                for chunk, (ok, out) in zip(chunks, self.map(_process_batch, inputs), strict=True):
                    if ok:
                        results, errors = out, {}
                    else:
                        log.warning("%s: a batch from %s failed in Spark (%s): item by item", stage.name,
                                    chunk[0], out[:300])
                        results, errors = local.one_by_one(stage, chunk)
                    local.save(stage, chunk, results, errors, report, failed_before)  # in order
                    bar.advance(len(chunk))
            finally:
                bar.close()
            mapped = time.perf_counter()
            if _takes_map_chunks(stage):
                stats = stage.finish(self.store, map_chunks=self.map)
            else:
                stats = stage.finish(self.store)
            report.stats = stats or {}
            report.seconds = time.perf_counter() - started
            self.timings[stage.name] = {"map": mapped - started, "finish": started + report.seconds - mapped}
            reports.append(report)
        return reports

    def map(self, fn: Callable[..., Any], inputs: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        """`MapChunks` on Spark: fn(*args) for each args, in the executors, yielded in input
        order. Inputs are drawn a wave at a time (WAVE_TASKS batches per partition), so the
        driver holds one wave's inputs and results, never a whole stage's."""
        wave: list[tuple[Any, ...]] = []
        size = WAVE_TASKS * self.partitions
        for args in inputs:
            wave.append(args)
            if len(wave) >= size:
                yield from self._map_wave(fn, wave)
                wave = []
        if wave:
            yield from self._map_wave(fn, wave)

    def _map_wave(self, fn: Callable[..., Any], wave: list[tuple[Any, ...]]) -> list[Any]:
        rdd = self.sc.parallelize(list(enumerate(wave)), numSlices=min(len(wave), self.partitions))
        out = rdd.mapPartitions(lambda rows: _apply_partition(fn, rows)).collect()
        out.sort(key=lambda pair: pair[0])  # collect keeps partition order; sorted all the same
        if len(out) != len(wave):
            raise StorylineError(f"Spark returned {len(out)} results for {len(wave)} calls of {fn.__name__}")
        return [result for _, result in out]


def _takes_map_chunks(stage: Stage) -> bool:
    try:
        return "map_chunks" in inspect.signature(stage.finish).parameters
    except (TypeError, ValueError):
        return False
