"""One article a stage cannot process never fails the run: it gets a stage error (stored,
counted, listed), the others are saved, and the next run retries only it."""

from __future__ import annotations

import json

import pytest

from storyline.executor.local import LocalExecutor
from storyline.ingest import ingest
from storyline.stages.clean.stage import CleanStage
from storyline.stages.entities.stage import EntityStage
from storyline.store.stage_errors import MAX_ERROR_CHARS


class ExplodingClean(CleanStage):
    """The clean stage, raising for any batch holding an article that says EXPLODE (as a
    third-party library does on an input it cannot take), with a long message."""

    def process(self, batch):
        if any("EXPLODE" in item.raw.body for item in batch):
            raise ValueError("cannot take this input: " + "x" * 10_000)
        return super().process(batch)


def _ingest(store, tmp_path, texts: dict[str, str]) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in texts.items()), encoding="utf-8")
    ingest(store, [str(path)])


TEXTS = {f"a{i}": f"Article number {i} says the council met on Monday to vote on the budget." for i in range(6)}


def test_a_failing_article_gets_a_stage_error_and_the_others_are_saved(store, tmp_path):
    _ingest(store, tmp_path, {**TEXTS, "bad": "This one will EXPLODE in the stage."})
    [report] = LocalExecutor(store).run([ExplodingClean()])
    assert (report.processed, report.failed) == (6, 1)
    assert store.pending_clean(CleanStage.version) == ["bad"]
    [error] = store.stage_errors("clean")
    assert error["item"] == "bad" and error["attempts"] == 1
    assert error["error"].startswith("ValueError: cannot take this input")
    assert len(error["error"]) <= MAX_ERROR_CHARS

    [again] = LocalExecutor(store).run([ExplodingClean()])  # a rerun retries only the failed one
    assert (again.processed, again.failed) == (0, 1)
    assert store.stage_errors("clean")[0]["attempts"] == 2

    [fixed] = LocalExecutor(store).run([CleanStage()])  # once it can be processed, its error goes
    assert (fixed.processed, fixed.failed) == (1, 0)
    assert store.stage_errors() == [] and store.pending_clean(CleanStage.version) == []


@pytest.mark.slow
def test_a_failing_article_in_a_worker_gets_a_stage_error_too(store, tmp_path):
    many = {f"a{i}": f"Article {i}: the council met on Monday to vote on the budget." for i in range(450)}
    _ingest(store, tmp_path, {**many, "bad": "This one will EXPLODE in the stage."})
    [report] = LocalExecutor(store, workers=2).run([ExplodingClean()])
    assert (report.processed, report.failed) == (450, 1)
    assert [e["item"] for e in store.stage_errors()] == ["bad"]


def test_an_article_over_a_million_characters_gets_entities_from_its_first_characters(store, tmp_path, monkeypatch):
    """spaCy refuses more than 1,000,000 characters: the stage reads the first `stage_chars`."""
    monkeypatch.setenv("STORYLINE_STAGE_CHARS", "5000")
    filler = "The weather was mild and the market was calm that week. " * 19_000  # about 1.08M characters
    _ingest(store, tmp_path, {"huge": "Barack Obama visited Paris on Monday. " + filler,
                              "small": "Angela Merkel spoke in Berlin on Tuesday."})
    LocalExecutor(store).run([CleanStage()])
    assert len(store.clean_articles(["huge"])[0].text) > 1_000_000
    [report] = LocalExecutor(store).run([EntityStage()])
    assert (report.processed, report.failed) == (2, 0)
    names = {e["name"] for e in store.entities(None, None)}
    assert {"Barack Obama", "Paris", "Berlin"} <= names
