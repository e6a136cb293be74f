"""The local executor: runs the stages over one store, in this process or a worker pool.

With `workers` > 1 the executor runs `process` for several batches at once in worker
processes (the map steps are pure, so this changes nothing in the results) while this
process loads the next batches and saves finished ones, in order, one transaction each;
a run killed mid-way loses only the batches in flight, which the next run redoes.

One bad item never fails the run: when a batch's `process` raises, its items are processed
one at a time, and each that still fails gets a stage error (stored, counted in the report,
listed by `storyline rejections --stage`) instead of a result; the others are saved. The
failed items stay pending, so the next run retries them, and only them with anything new.

A `finish` that takes a `map_chunks` argument gets `MapChunks` (stages/base.py): with
workers it runs in the pool, a few calls at a time, while this process reads inputs and
saves results.
"""

from __future__ import annotations

import inspect
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from storyline.executor.progress import LogProgress, Progress, ProgressFactory
from storyline.stages.base import MapChunks, Stage
from storyline.store import Store

log = logging.getLogger("storyline.pipeline")


def _takes_map_chunks(stage: Stage) -> bool:
    try:
        return "map_chunks" in inspect.signature(stage.finish).parameters
    except (TypeError, ValueError):
        return False


@dataclass
class StageReport:
    name: str
    processed: int = 0
    failed: int = 0  # items that got a stage error this run (still pending)
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)


def _worker_init(parent: int) -> None:
    """In a worker: one thread of numerical work (the workers are the parallelism), and exit
    when the process that started it is gone (killed with -9, say) rather than wait forever
    for batches that will never come."""
    # Process setup for the numerical libraries, not a storyline setting: they read these
    # when they load; threadpoolctl limits any already loaded.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass

    threading.Thread(target=watch, daemon=True, name="storyline-parent-watch").start()


def _process(stage: Stage, batch: list[Any]) -> list[Any]:
    return stage.process(batch)


def _call(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return fn(*args)


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _worker_died(stage: Stage, where: str) -> Exception:
    from storyline.errors import StorylineError

    return StorylineError(
        f"a worker process died during stage {stage.name} ({where}): out of memory? "
        "What was saved is kept; run again, with --workers 1 to use less memory. (A script that "
        "runs the pipeline with workers must guard its code with `if __name__ == '__main__':`: "
        "each worker imports it.)")


class LocalExecutor:
    """Runs stages in order against one store, batch by batch; the map steps of a stage with
    more than one batch pending in `workers` processes."""

    def __init__(self, store: Store, progress: ProgressFactory | None = None, workers: int = 1):
        self.store = store
        self.progress = progress or LogProgress
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def run(self, stages: Sequence[Stage]) -> list[StageReport]:
        reports = []
        try:
            for stage in stages:
                started = time.perf_counter()
                report = StageReport(stage.name)
                ids = stage.pending(self.store)
                chunks = [ids[start : start + stage.batch_size] for start in range(0, len(ids), stage.batch_size)]
                bar = self.progress(stage.name, len(ids))
                failed_before = {e["item"] for e in self.store.stage_errors(stage.name)}
                try:
                    if self.workers > 1 and len(chunks) > 1:
                        self._map_in_workers(stage, chunks, report, bar, failed_before)
                    else:
                        for chunk in chunks:
                            try:
                                results, errors = stage.process(stage.load(self.store, chunk)), {}
                            except sqlite3.Error:
                                raise
                            except Exception:
                                results, errors = self.one_by_one(stage, chunk)
                            self.save(stage, chunk, results, errors, report, failed_before)
                            bar.advance(len(chunk))
                finally:
                    bar.close()
                if self.workers > 1 and _takes_map_chunks(stage):
                    stats = stage.finish(self.store, map_chunks=self._map_chunks_for(stage))
                else:
                    stats = stage.finish(self.store)
                report.stats = stats or {}
                report.seconds = time.perf_counter() - started
                reports.append(report)
        except BaseException:
            self._stop_workers()  # Ctrl-C or an error: the batches in flight are redone next run
            raise
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
        return reports

    def _stop_workers(self) -> None:
        """End the worker processes now, not after their current batch (an embedding batch
        takes seconds): Ctrl-C then stops a run within a second. Nothing they computed was
        saved yet, so nothing is lost that the next run does not redo."""
        if self._pool is None:
            return
        processes = list(getattr(self._pool, "_processes", {}).values())  # the pool's own, by its name
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=1.0)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def one_by_one(self, stage: Stage, chunk: list[str]) -> tuple[list[Any], dict[str, str]]:
        """A batch whose `process` raised, item by item in this process: the results of those
        that work, and item id -> error for the others."""
        results: list[Any] = []
        errors: dict[str, str] = {}
        for item in chunk:
            try:
                results += stage.process(stage.load(self.store, [item]))
            except sqlite3.Error:
                raise  # the store's trouble, not the item's
            except Exception as exc:
                errors[item] = error_text(exc)
                log.warning("%s: %s failed, kept for the next run: %s", stage.name, item, error_text(exc)[:300])
        return results, errors

    def save(self, stage: Stage, chunk: list[str], results: list[Any], errors: dict[str, str],
              report: StageReport, failed_before: set[str]) -> None:
        done = [item for item in chunk if item not in errors]
        with self.store.transaction():
            stage.save(self.store, results)
            if failed_before:
                self.store.clear_stage_errors(stage.name, [item for item in done if item in failed_before])
        if errors:
            from storyline.store import now

            self.store.record_stage_errors(stage.name, stage.version, errors, now())
        report.processed += len(done)
        report.failed += len(errors)

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            # forkserver: a clean child, not a fork of this process's threads and open store
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("forkserver"),
                initializer=_worker_init, initargs=(os.getpid(),),
            )
        return self._pool

    def _map_in_workers(self, stage: Stage, chunks: list[list[str]], report: StageReport, bar: Progress,
                        failed_before: set[str]) -> None:
        pool = self._ensure_pool()
        in_flight: deque[tuple[list[str], Future]] = deque()
        pending = deque(chunks)
        while pending or in_flight:
            # One batch waiting per worker beyond the ones running, so no worker idles.
            while pending and len(in_flight) < 2 * self.workers:
                chunk = pending.popleft()
                in_flight.append((chunk, pool.submit(_process, stage, stage.load(self.store, chunk))))
            chunk, future = in_flight.popleft()
            errors: dict[str, str] = {}
            try:
                results = future.result()
            except BrokenProcessPool as exc:
                raise _worker_died(stage, f"batch from {chunk[0]}") from exc
            except Exception:
                results, errors = self.one_by_one(stage, chunk)
            self.save(stage, chunk, results, errors, report, failed_before)  # in order, one transaction each
            bar.advance(len(chunk))

    def _map_chunks_for(self, stage: Stage) -> MapChunks:
        """The `MapChunks` a stage's finish gets: calls run in the worker pool, at most two
        per worker submitted ahead, results yielded in order. Inputs are drawn from the
        stream only as calls are submitted, so the stage reads each chunk's inputs (and
        saves the previous chunk's results) while the workers compute."""

        def map_chunks(fn: Callable[..., Any], inputs: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
            pool = self._ensure_pool()
            source = iter(inputs)
            in_flight: deque[Future] = deque()
            done = False
            try:
                while True:
                    while not done and len(in_flight) < 2 * self.workers:
                        try:
                            args = next(source)
                        except StopIteration:
                            done = True
                        else:
                            in_flight.append(pool.submit(_call, fn, args))
                    if not in_flight:
                        return
                    try:
                        result = in_flight.popleft().result()
                    except BrokenProcessPool as exc:
                        raise _worker_died(stage, f"finish, {getattr(fn, '__name__', 'a call')}") from exc
                    yield result
            finally:
                for future in in_flight:
                    future.cancel()

        return map_chunks
