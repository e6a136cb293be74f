"""The stage protocol and the local executor.

A stage is named and versioned. It says what is pending in a store, loads a batch of typed
records, runs its plain function over them (`process`: no I/O, so a distributed executor can
run the very same code), saves the result, and, for corpus-wide stages, runs a `finish`
step (the reduce) once its inputs have all been mapped. Each saved batch is one
transaction, and `finish` is idempotent and guarded by a completion marker, so a run killed
at any point and started again completes the same work with nothing lost or doubled.

With `workers` > 1 the executor runs `process` for several batches at once in worker
processes (the map steps are pure, so this changes nothing in the results) while this
process loads the next batches and saves finished ones, in order, one transaction each;
a run killed mid-way loses only the batches in flight, which the next run redoes.

A `finish` may have pure work of its own to spread (the reprint stage's exact check and
alignment): one that takes a `map_chunks` argument gets the executor's `MapChunks`, which
calls a pure module-level function on each of a stream of argument tuples and yields the
results in order. Without workers (or under an executor that passes nothing) it is a plain
`map` in this process; the LocalExecutor with workers runs the calls in its worker pool,
a few at a time, so this process reads the next inputs and saves finished results meanwhile.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("storyline.pipeline")

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
