"""The settings table: precedence, errors, the CLI and README fed from it, runs recording it."""

from __future__ import annotations

import json
import os
import re
from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyline.errors import StorylineError
from storyline.settings import SETTINGS, Settings, markdown_table, option_help, resolve, value

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def clean_env(monkeypatch):
    for s in SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    return monkeypatch


def test_override_beats_environment_beats_default(clean_env, tmp_path):
    defaults = resolve()
    assert defaults.db == "storyline.db" and defaults.embeddings is True and 1 <= defaults.workers <= 4
    clean_env.setenv("STORYLINE_WORKERS", "3")
    clean_env.setenv("STORYLINE_EMBEDDINGS", "off")
    clean_env.setenv("STORYLINE_DB", str(tmp_path / "env.db"))
    from_env = resolve()
    assert (from_env.workers, from_env.embeddings, from_env.db) == (3, False, str(tmp_path / "env.db"))
    given = resolve(workers=2, embeddings=True, db="flag.db")
    assert (given.workers, given.embeddings, given.db) == (2, True, "flag.db")
    assert resolve(workers=None).workers == 3  # None: no flag given


def test_an_empty_variable_counts_as_unset(clean_env):
    clean_env.setenv("STORYLINE_WORKERS", " ")
    clean_env.setenv("STORYLINE_DB", "")
    assert resolve().workers == resolve(workers=None).workers and resolve().db == "storyline.db"


@pytest.mark.parametrize("text, on", [("0", False), ("off", False), (" False ", False), ("no", False),
                                      ("on", True), ("1", True), ("yes", True)])
def test_embeddings_values_as_before(clean_env, text, on):
    clean_env.setenv("STORYLINE_EMBEDDINGS", text)
    assert value("embeddings") is on


def test_a_bad_value_is_an_error_naming_the_variable(clean_env):
    clean_env.setenv("STORYLINE_WORKERS", "abc")
    with pytest.raises(StorylineError, match="STORYLINE_WORKERS='abc' is not a whole number of worker processes"):
        resolve()
    assert resolve(workers=2).workers == 2  # a flag given: the variable is not read
    clean_env.setenv("STORYLINE_WORKERS", "0")
    assert value("workers") == 1
    with pytest.raises(TypeError, match="unknown setting"):
        resolve(threads=2)


def test_the_cache_folder(clean_env, tmp_path):
    from storyline.geo.gazetteer import cache_dir

    clean_env.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "storyline"
    clean_env.setenv("STORYLINE_CACHE", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine" / "storyline"


def test_the_table_has_a_row_per_field_and_json_values(clean_env):
    assert [s.name for s in SETTINGS] == [f.name for f in fields(Settings)]
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)
    assert json.loads(json.dumps(resolve().as_dict())) == resolve().as_dict()


def test_readme_lists_the_settings_table():
    block = README.split("<!-- settings -->")[1].split("<!-- /settings -->")[0].strip()
    assert block == markdown_table(), "README's settings table is stale: `python -m tests.test_docs` rewrites it"


def test_cli_help_comes_from_the_table():
    from storyline.cli import cli

    out = " ".join(CliRunner().invoke(cli, ["run", "--help"]).output.split())
    for name in ("db", "workers", "embeddings"):
        assert option_help(name) in out
    assert all(s.env in " ".join(CliRunner().invoke(cli, ["--help"]).output.split()) for s in SETTINGS)


def _storyline_env() -> dict[str, str]:
    # only ours: libraries the run loads set their own (the OpenMP runtime's KMP_*)
    return {k: v for k, v in os.environ.items() if k.startswith("STORYLINE_")}


@pytest.mark.slow  # a worker pool
def test_cli_run_passes_settings_to_workers_not_through_the_environment(clean_env, tmp_path, seeds):
    """`run --no-embeddings --workers 2` sets no STORYLINE_ variable, the stories map step in
    the worker processes makes no embedding (workers that read the unset variable would),
    and the run's row records the settings used."""
    from storyline.cli import cli
    from storyline.ingest import ingest
    from storyline.stages.stories.stage import StoryStage
    from storyline.store import Store

    db = tmp_path / "cli.db"
    with Store(db) as store:
        ingest(store, [str(p) for p in seeds])
    clean_env.setattr(StoryStage, "batch_size", 2)  # several batches: they go to the workers
    before = _storyline_env()
    result = CliRunner().invoke(cli, ["run", "--db", str(db), "--no-embeddings", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert re.search(r"stories\s+5 processed", result.output)
    assert _storyline_env() == before  # nothing set or changed (CI sets test-only STORYLINE_ ones)
    assert not {s.env for s in SETTINGS} & set(before)
    with Store(db) as store:
        ids = [i for i, _, _ in store.story_inputs()]
        assert len(ids) == 5 and all(blob is None for _, _, blob in store.story_features_full(ids).values())
        versions, config = store.db.execute("SELECT settings, config FROM runs").fetchone()
    assert json.loads(config) == {**resolve().as_dict(), "db": str(db), "workers": 2, "embeddings": False}
    assert json.loads(versions)["stories"] == StoryStage.version


@pytest.mark.slow  # two pipeline runs
def test_a_python_run_records_its_settings(clean_env, tmp_path):
    from storyline.pipeline import run_pipeline
    from storyline.store import Store

    clean_env.setenv("STORYLINE_EMBEDDINGS", "off")
    with Store(tmp_path / "py.db") as store:
        run_pipeline(store)
        run_pipeline(store, embeddings=True)
        rows = [json.loads(c) for (c,) in store.db.execute("SELECT config FROM runs ORDER BY id")]
    assert [(r["workers"], r["embeddings"]) for r in rows] == [(1, False), (1, True)]
