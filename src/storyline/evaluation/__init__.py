"""Evaluation commands: `storyline eval <stage> --data DIR`.

Each module here that defines a click command named `command` becomes a subcommand; it
measures one stage on labelled real data (default DIR: ../shared/data) and prints its
scores. None of this runs in the unit tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import click

from storyline.errors import StorylineError

DEFAULT_DATA_CANDIDATES = ("../shared/data", "../../shared/data")


def eval_modules() -> list[str]:
    package = Path(__file__).parent
    return sorted(
        m.name for m in pkgutil.iter_modules([str(package)]) if not m.name.startswith("_") and m.name != "metrics"
    )


def load_command(name: str) -> click.Command | None:
    if name not in eval_modules():
        return None
    module = importlib.import_module(f"storyline.evaluation.{name}")
    return getattr(module, "command", None)


def resolve_data_dir(data: str | None) -> Path:
    """The labelled-data folder: --data, else ../shared/data when it exists."""
    if data:
        path = Path(data)
        if not path.is_dir():
            raise StorylineError(f"data folder {data} does not exist")
        return path
    for candidate in DEFAULT_DATA_CANDIDATES:
        if Path(candidate).is_dir():
            return Path(candidate)
    raise StorylineError(
        "no labelled data found: pass --data DIR (the folder holding news_dev.jsonl, aeb/, "
        "ecbplus/, ...); the default ../shared/data does not exist here"
    )


def data_option(func):
    return click.option(
        "--data", "data", type=click.Path(), default=None,
        help="Folder of labelled data (default: ../shared/data).",
    )(func)
