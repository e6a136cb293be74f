"""Running the pipeline over news_dev.jsonl (shuffled, as its README asks) for evaluation."""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storyline.errors import StorylineError
from storyline.ingest import ingest
from storyline.pipeline import run_pipeline
from storyline.store import Store


def load_gold(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "news_dev.jsonl"
    if not path.is_file():
        raise StorylineError(f"{path} not found: --data must point at the folder holding news_dev.jsonl")
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


@contextmanager
def news_dev_store(data_dir: Path, seed: int = 13) -> Iterator[tuple[list[dict[str, Any]], Store, float]]:
    """(gold rows, the store after ingest+run, seconds for ingest+run) on a shuffled copy in a
    temp db that lives as long as the context.

    Only the fields a real input would carry are passed on (no labels).
    """
    gold = load_gold(data_dir)
    rows = list(gold)
    random.Random(seed).shuffle(rows)
    keep = ("id", "url", "outlet", "title", "published", "language", "text")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "news_dev_shuffled.jsonl"
        with src.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({k: row[k] for k in keep if row.get(k)}, ensure_ascii=False) + "\n")
        started = time.perf_counter()
        with Store(Path(tmp) / "eval.db") as store:
            ingest(store, [str(src)])
            run_pipeline(store)
            yield gold, store, time.perf_counter() - started


def run_news_dev(data_dir: Path, seed: int = 13) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float]:
    """(gold rows, exported article rows, seconds for ingest+run): see `news_dev_store`."""
    with news_dev_store(data_dir, seed) as (gold, store, seconds):
        return gold, list(store.export_articles()), seconds
