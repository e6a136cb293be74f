"""Progress reporting for the executor: a rich bar on a terminal, log lines elsewhere."""

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
