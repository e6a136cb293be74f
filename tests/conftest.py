"""Shared fixtures: a real SQLite file per test and the bundled seed articles.

Tests never read ../shared: a user's fresh clone has none of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.seeds import seed_files
from storyline.store import Store
from tests.helpers import FIXTURES


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path: Path):
    with Store(db_path) as s:
        yield s


@pytest.fixture(scope="session")
def seeds() -> list[Path]:
    return seed_files()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the five seeds ingested and the whole pipeline run (read-only use)."""
    from storyline.ingest import ingest
    from storyline.pipeline import run_pipeline

    path = tmp_path_factory.mktemp("seeded") / "seeds.db"
    with Store(path) as s:
        ingest(s, [str(p) for p in seed_files()])
        run_pipeline(s)
    return path


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus an article full of script payloads, pipeline run (read-only use)."""
    from storyline.ingest import ingest
    from storyline.pipeline import run_pipeline

    path = tmp_path_factory.mktemp("web") / "web.db"
    with Store(path) as s:
        ingest(s, [str(p) for p in seed_files()] + [str(FIXTURES / "web" / "payloads.jsonl")])
        run_pipeline(s)
    return path
