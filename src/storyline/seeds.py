"""`storyline demo`: the five seed articles, end to end, in a fresh database."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def seed_dir() -> Path:
    return Path(str(resources.files("storyline") / "data" / "seeds"))


def seed_files() -> list[Path]:
    return sorted(seed_dir().glob("*.txt"))
