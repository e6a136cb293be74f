"""The pipeline's composition: the default stages in order, and `run_pipeline` over a store."""

from __future__ import annotations

import logging
from typing import Protocol

from storyline.executor.local import LocalExecutor, StageReport
from storyline.executor.progress import ProgressFactory
from storyline.settings import resolve, value
from storyline.stages.base import Stage
from storyline.store import Store

log = logging.getLogger("storyline.pipeline")


class Executor(Protocol):
    """What runs the stages over a store: LocalExecutor, or SparkExecutor (executor/spark.py)."""

    def run(self, stages: list[Stage]) -> list[StageReport]: ...


def default_stages(embeddings: bool | None = None) -> list[Stage]:
    """The pipeline `storyline run` executes, in order. `embeddings`: whether the stories
    stage embeds articles (None: the setting, $STORYLINE_EMBEDDINGS, else on)."""
    from storyline.stages.clean.stage import CleanStage
    from storyline.stages.entities.stage import EntityStage
    from storyline.stages.events.stage import EventStage
    from storyline.stages.reprints.stage import ReprintStage
    from storyline.stages.stories.stage import StoryStage
    from storyline.stages.summaries.stage import SummaryStage

    stories = StoryStage(embeddings=value("embeddings", embeddings))
    return [CleanStage(), ReprintStage(), stories, EntityStage(), EventStage(), SummaryStage()]


def run_pipeline(
    store: Store, progress: ProgressFactory | None = None, workers: int = 1, embeddings: bool | None = None,
    executor: Executor | None = None,
) -> list[StageReport]:
    """Process everything pending in `store`; returns one report per stage. `workers` > 1
    runs the map steps in that many processes (same results); `embeddings` as in
    `default_stages`; `executor`: another executor over `store` (the Spark one) instead of the
    local one. The run's row records the stages' versions and the resolved settings."""
    settings = resolve(db=store.path, workers=workers, embeddings=embeddings)
    stages = default_stages(settings.embeddings)
    # One run at a time per store: a second waits, then finds the first one's work done.
    with store.run_lock(lambda: log.warning("another storyline run holds %s: waiting for it to finish"
                                            " (what it processes is not done again)", store.path)):
        run_id = store.start_run({s.name: s.version for s in stages}, settings.as_dict())
        reports = (executor or LocalExecutor(store, progress, settings.workers)).run(stages)
        _finish(store, run_id, reports)
    return reports


def _finish(store: Store, run_id: int, reports: list[StageReport]) -> None:
    store.finish_run(
        run_id, {r.name: {"processed": r.processed, "seconds": round(r.seconds, 3),
                  **({"failed": r.failed} if r.failed else {}), **r.stats} for r in reports}
    )
