"""The pipeline: incremental, idempotent, and safe to kill at any point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from storyline.errors import StorylineError
from storyline.executor.local import LocalExecutor
from storyline.export import ARTICLE_FIELDS, EXPORTS
from storyline.ingest import ingest
from storyline.pipeline import run_pipeline
from storyline.store import Store
from tests.helpers import FIXTURES


def _inputs(seeds) -> list[str]:
    return [str(p) for p in seeds] + [str(FIXTURES / "ingest" / "articles.jsonl")]


def _snapshot(store: Store) -> list[dict]:
    return list(store.export_articles()) + store.stories() + store.storylines()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, seeds):
    path = tmp_path_factory.mktemp("whole") / "whole.db"
    with Store(path) as store:
        ingest(store, _inputs(seeds))
        run_pipeline(store)
        return _snapshot(store)


def test_rerun_adds_nothing(tmp_path, seeds, uninterrupted):
    with Store(tmp_path / "db.sqlite") as store:
        ingest(store, _inputs(seeds))
        run_pipeline(store)
        reports = run_pipeline(store)
        assert [r.processed for r in reports] == [0] * len(reports)
        assert _snapshot(store) == uninterrupted


def test_new_articles_are_processed_incrementally(tmp_path, seeds, uninterrupted):
    with Store(tmp_path / "db.sqlite") as store:
        ingest(store, [str(p) for p in seeds[:2]])
        run_pipeline(store)
        ingest(store, _inputs(seeds))
        reports = run_pipeline(store)
        assert reports[0].name == "clean" and reports[0].processed == 5  # only the new ones
        assert _snapshot(store) == uninterrupted


@pytest.mark.slow
def test_map_steps_in_worker_processes_give_the_same_results(tmp_path, seeds, uninterrupted, monkeypatch):
    from storyline.pipeline import default_stages

    for stage in default_stages():  # several batches per stage, so the workers share them
        monkeypatch.setattr(type(stage), "batch_size", 2)
    results = []
    for workers in (1, 2):
        with Store(tmp_path / f"workers{workers}.db") as store:
            ingest(store, _inputs(seeds))
            reports = run_pipeline(store, workers=workers)
            assert reports[0].processed == 7
            assert _snapshot(store) == uninterrupted
            results.append({kind: list(rows(store)) for kind, (rows, _) in EXPORTS.items()})
    assert results[0] == results[1]
    assert all(results[0][kind] for kind in ("entities", "events", "summaries", "claims"))


class _WorkerKiller:
    """A stage whose map step kills the worker running it (as the kernel's OOM killer would)."""

    name, version, batch_size = "worker-killer", 1, 1

    def pending(self, store):
        return ["a", "b", "c"]

    def load(self, store, ids):
        return list(ids)

    def process(self, batch):
        os.kill(os.getpid(), signal.SIGKILL)

    def save(self, store, results):
        raise AssertionError("nothing to save")

    def finish(self, store):
        return {}


@pytest.mark.slow
def test_a_worker_that_dies_is_a_clear_error(tmp_path):
    with Store(tmp_path / "db.sqlite") as store:
        with pytest.raises(StorylineError, match="a worker process died during stage worker-killer"):
            LocalExecutor(store, workers=2).run([_WorkerKiller()])


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from contextlib import contextmanager
    from storyline.store import Store
    from storyline.pipeline import run_pipeline

    limit = int(sys.argv[2])
    original = Store.transaction
    commits = {"n": 0}

    @contextmanager
    def transaction(self):
        with original(self):
            yield
        if self._depth == 0:
            commits["n"] += 1
            if limit and commits["n"] >= limit:
                os.kill(os.getpid(), signal.SIGKILL)  # no cleanup of any kind, like kill -9

    Store.transaction = transaction
    run_pipeline(Store(sys.argv[1]))
    print(commits["n"])
    """
)


def _killer(db, limit: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", KILLER, str(db), str(limit)], capture_output=True)


@pytest.fixture(scope="module")
def commits_in_a_run(tmp_path_factory, seeds) -> int:
    db = tmp_path_factory.mktemp("count") / "count.db"
    with Store(db) as store:
        ingest(store, _inputs(seeds))
    proc = _killer(db, 0)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return int(proc.stdout.decode().split()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("share", [0.0, 0.25, 0.5, 0.75, 0.99])
def test_run_killed_and_restarted_equals_uninterrupted_run(tmp_path, seeds, uninterrupted, commits_in_a_run, share):
    """kill -9 after a share of the run's transactions, at every stage in turn, then run again."""
    db = tmp_path / "killed.db"
    with Store(db) as store:
        ingest(store, _inputs(seeds))
    proc = _killer(db, 1 + int(share * (commits_in_a_run - 1)))
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    with Store(db) as store:
        run_pipeline(store)
        assert _snapshot(store) == uninterrupted


def test_export_rows_have_the_stable_fields(seeded_db):
    with Store(seeded_db) as store:
        rows = list(store.export_articles())
    assert len(rows) == 5
    for row in rows:
        assert set(ARTICLE_FIELDS) <= set(row)
        assert row["published"] is None or len(row["published"]) == 10
        assert row["text"]


def _square_plus(x: int, y: int) -> int:
    return x * x + y


@pytest.mark.slow
def test_map_chunks_yields_in_order_and_draws_inputs_as_it_goes(tmp_path):
    """A finish's `map_chunks`: the same results as `serial_map`, in order, from a pool of
    workers; inputs are drawn only a few calls ahead (so a stage can read each chunk's
    inputs while earlier ones compute)."""
    from storyline.stages.base import serial_map

    drawn = []

    def inputs():
        for k in range(20):
            drawn.append(k)
            yield (k, 1)

    with Store(tmp_path / "db.sqlite") as store:
        executor = LocalExecutor(store, workers=2)
        try:
            stream = executor._map_chunks_for(_WorkerKiller())(_square_plus, inputs())
            assert next(stream) == 1
            assert len(drawn) <= 4   # two calls per worker in flight, at most
            assert [1, *stream] == list(serial_map(_square_plus, ((k, 1) for k in range(20))))
        finally:
            executor._pool.shutdown()
