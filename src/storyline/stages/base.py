"""The stage protocol: what every stage is, and `serial_map`.

A stage is named and versioned. It says what is pending in a store, loads a batch of typed
records, runs its plain function over them (`process`: no I/O, so a distributed executor can
run the very same code), saves the result, and, for corpus-wide stages, runs a `finish`
step (the reduce) once its inputs have all been mapped. Each saved batch is one
transaction, and `finish` is idempotent and guarded by a completion marker, so a run killed
at any point and started again completes the same work with nothing lost or doubled.

A `finish` may have pure work of its own to spread (the reprint stage's exact check and
alignment): one that takes a `map_chunks` argument gets the executor's `MapChunks`, which
calls a pure module-level function on each of a stream of argument tuples and yields the
results in order. Without workers (or under an executor that passes nothing) it is a plain
`map` in this process; the LocalExecutor with workers runs the calls in its worker pool,
a few at a time, so this process reads the next inputs and saves finished results meanwhile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar, Protocol, TypeVar

from storyline.settings import value
from storyline.store import Store


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
        """Corpus-wide step after all batches (grouping, clustering); idempotent. Returns stats.
        May also take `map_chunks: MapChunks` (keyword) to spread pure work of its own."""


MapChunks = Callable[[Callable[..., Any], Iterable[tuple[Any, ...]]], Iterator[Any]]


def serial_map(fn: Callable[..., Any], inputs: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
    """`MapChunks` in this process: fn(*args) for each args in `inputs`, in order."""
    for args in inputs:
        yield fn(*args)


_Text = TypeVar("_Text")


def first_chars(records: list[_Text]) -> list[_Text]:
    """`records` (dataclasses with a `text`) with each text cut to the first `stage_chars`
    characters (settings.py): what a per-article analysis stage reads, so one huge article
    costs it no more than a long one (spaCy's NER refuses more than 1,000,000 characters,
    and the events and summaries work grows faster than the text)."""
    limit = value("stage_chars")
    return [dataclasses.replace(r, text=r.text[:limit]) if len(r.text) > limit else r  # type: ignore[attr-defined]
            for r in records]
