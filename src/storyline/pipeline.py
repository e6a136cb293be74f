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

from storyline.executor.local import LocalExecutor, StageReport
from storyline.executor.progress import ProgressFactory
from storyline.stages.base import Stage
from storyline.store import Store


def default_stages() -> list[Stage]:
    """The pipeline `storyline run` executes, in order."""
    from storyline.stages.clean.stage import CleanStage
    from storyline.stages.entities.stage import EntityStage
    from storyline.stages.events.stage import EventStage
    from storyline.stages.reprints.stage import ReprintStage
    from storyline.stages.stories.stage import StoryStage
    from storyline.stages.summaries.stage import SummaryStage

    return [CleanStage(), ReprintStage(), StoryStage(), EntityStage(), EventStage(), SummaryStage()]


def run_pipeline(
    store: Store, progress: ProgressFactory | None = None, workers: int = 1
) -> list[StageReport]:
    """Process everything pending in `store`; returns one report per stage. `workers` > 1
    runs the map steps in that many processes (same results)."""
    stages = default_stages()
    run_id = store.start_run({s.name: s.version for s in stages})
    reports = LocalExecutor(store, progress, workers).run(stages)
    store.finish_run(
        run_id, {r.name: {"processed": r.processed, "seconds": round(r.seconds, 3), **r.stats} for r in reports}
    )
    return reports
