"""The stage protocol and the local executor.

A stage is named and versioned. It says what is pending in a store, loads a batch of typed
records, runs its plain function over them (`process`: no I/O, so a distributed executor can
run the very same code), saves the result, and, for corpus-wide stages, runs a `finish`
step (the reduce) once its inputs have all been mapped. Each saved batch is one
transaction, and `finish` is idempotent and guarded by a completion marker, so a run killed
at any point and started again completes the same work with nothing lost or doubled.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from storyline.store import Store

log = logging.getLogger("storyline.pipeline")


class Stage(Protocol):
    name: ClassVar[str]
    version: ClassVar[int]
    batch_size: ClassVar[int]

    def pending(self, store: Store) -> list[str]:
        """Ids of the items that are new or invalidated since this stage last ran."""

    def load(self, store: Store, ids: Sequence[str]) -> list[Any]:
        """The typed input records for `ids`."""

    def process(self, batch: list[Any]) -> list[Any]:
        """The stage's logic: plain records in, plain records out, no I/O."""

    def save(self, store: Store, results: list[Any]) -> None:
        """Store one batch's results in one transaction."""

    def finish(self, store: Store) -> dict[str, Any]:
        """Corpus-wide step after all batches (grouping, clustering); idempotent. Returns stats."""


@dataclass
class StageReport:
    name: str
    processed: int = 0
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)


ProgressFactory = Callable[[str, int], "Progress"]


class Progress(Protocol):
    def advance(self, n: int) -> None: ...
    def close(self) -> None: ...


class LogProgress:
    """Plain log lines, for when the output is not a terminal."""

    def __init__(self, name: str, total: int):
        self.name, self.total, self.done, self.last = name, total, 0, 0.0
        if total:
            log.info("%s: %d pending", name, total)

    def advance(self, n: int) -> None:
        self.done += n
        if time.monotonic() - self.last > 5 or self.done == self.total:
            self.last = time.monotonic()
            log.info("%s: %d/%d", self.name, self.done, self.total)

    def close(self) -> None:
        pass


class RichProgress:
    """A progress bar on a terminal."""

    def __init__(self, name: str, total: int):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            transient=False,
        )
        self.bar.start()
        self.task = self.bar.add_task(name, total=total)

    def advance(self, n: int) -> None:
        self.bar.advance(self.task, n)

    def close(self) -> None:
        self.bar.stop()


def default_progress() -> ProgressFactory:
    return RichProgress if sys.stderr.isatty() else LogProgress


class LocalExecutor:
    """Runs stages in order in this process, batch by batch, against one store."""

    def __init__(self, store: Store, progress: ProgressFactory | None = None):
        self.store = store
        self.progress = progress or LogProgress

    def run(self, stages: Sequence[Stage]) -> list[StageReport]:
        reports = []
        for stage in stages:
            started = time.perf_counter()
            report = StageReport(stage.name)
            ids = stage.pending(self.store)
            bar = self.progress(stage.name, len(ids))
            try:
                for start in range(0, len(ids), stage.batch_size):
                    chunk = ids[start : start + stage.batch_size]
                    results = stage.process(stage.load(self.store, chunk))
                    stage.save(self.store, results)
                    report.processed += len(chunk)
                    bar.advance(len(chunk))
            finally:
                bar.close()
            report.stats = stage.finish(self.store) or {}
            report.seconds = time.perf_counter() - started
            reports.append(report)
        return reports


def default_stages() -> list[Stage]:
    """The pipeline `storyline run` executes, in order."""
    from storyline.stages.clean import CleanStage
    from storyline.stages.entities import EntityStage
    from storyline.stages.events_figures import EventStage
    from storyline.stages.reprints import ReprintStage
    from storyline.stages.stories import StoryStage
    from storyline.stages.summaries import SummaryStage

    return [CleanStage(), ReprintStage(), StoryStage(), EntityStage(), EventStage(), SummaryStage()]


def run_pipeline(store: Store, progress: ProgressFactory | None = None) -> list[StageReport]:
    """Process everything pending in `store`; returns one report per stage."""
    stages = default_stages()
    run_id = store.start_run({s.name: s.version for s in stages})
    reports = LocalExecutor(store, progress).run(stages)
    store.finish_run(
        run_id, {r.name: {"processed": r.processed, "seconds": round(r.seconds, 3), **r.stats} for r in reports}
    )
    return reports
