"""The program's settings, in one table: name, default, environment variable, help.

The table feeds the CLI's option defaults and --help, README's settings section (a test
checks they match) and what each run records (`runs.config`). This is the only module that
reads these variables. A value given explicitly (a CLI flag, a Python argument) wins over
the environment variable, which wins over the default; an empty variable counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from storyline.errors import StorylineError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any  # a value, or a function of nothing where it depends on the machine
    env: str
    help: str
    parse: Callable[[str], Any]  # the variable's text -> the value; ValueError("what it should be")
    shown: str = ""  # the default as --help and README state it, where not str(default)

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default

    @property
    def default_text(self) -> str:
        return self.shown or str(self.default)


def _cores() -> int:
    # at most 4: each worker holds its own NER model and gazetteer, about 0.4 GB
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(4, cores))


def _workers(text: str) -> int:
    try:
        return max(1, int(text.strip()))
    except ValueError:
        raise ValueError("a whole number of worker processes") from None


def _chars(text: str) -> int:
    try:
        chars = int(text.strip())
    except ValueError:
        raise ValueError("a whole number of characters (at least 1000)") from None
    if chars < 1000:
        raise ValueError("a whole number of characters (at least 1000)")
    return chars


def _switch(text: str) -> bool:
    return text.strip().lower() not in {"0", "off", "false", "no"}


def _seconds(text: str) -> float:
    try:
        seconds = float(text.strip())
    except ValueError:
        raise ValueError("a number of seconds") from None
    if seconds < 0:
        raise ValueError("a number of seconds, 0 or more")
    return seconds


def _bytes(text: str) -> int:
    try:
        size = int(text.strip())
    except ValueError:
        raise ValueError("a whole number of bytes") from None
    if size < 1:
        raise ValueError("a whole number of bytes, 1 or more")
    return size


def _cache_home() -> str:
    return os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "storyline.db", "STORYLINE_DB", "SQLite database file", str, shown="./storyline.db"),
    Setting("workers", _cores, "STORYLINE_WORKERS", "Processes for the per-article work", _workers,
            shown="the cores, at most 4"),
    Setting("embeddings", True, "STORYLINE_EMBEDDINGS",
            "Embed articles for cross-language stories. Off (as a variable: 0, off, false or no) is 2-3x faster; "
            "an article in another language then joins only on shared names", _switch, shown="on"),
    Setting("cache", _cache_home, "STORYLINE_CACHE",
            "Folder under which storyline/ keeps built indexes (the gazetteer) and evaluation embeddings",
            str, shown="$XDG_CACHE_HOME, else ~/.cache"),
    Setting("stage_chars", 100_000, "STORYLINE_STAGE_CHARS",
            "Characters of an article's clean text the entities, events and summaries stages read (the"
            " first N; the text is stored and exported whole). Bounds their time and memory per article",
            _chars, shown="100000"),
    # Fetching (`storyline watch`, `storyline fetch`): polite by default.
    Setting("fetch_delay", 1.0, "STORYLINE_FETCH_DELAY",
            "Seconds between two requests to the same host (a robots.txt Crawl-delay that asks more wins)",
            _seconds, shown="1"),
    Setting("fetch_timeout", 20.0, "STORYLINE_FETCH_TIMEOUT",
            "Seconds to wait for a server to connect or send the next bytes (a whole response: 4 times that)",
            _seconds, shown="20"),
    Setting("fetch_max_bytes", 10 * 1024 * 1024, "STORYLINE_FETCH_MAX_BYTES",
            "Largest feed or page fetched, decompressed; a larger one is refused and recorded", _bytes,
            shown="10485760 (10 MiB)"),
    Setting("contact", "", "STORYLINE_CONTACT",
            "Contact URL or e-mail put in the User-Agent of every request (storyline/VERSION (+CONTACT)), so a"
            " site can reach whoever runs the fetcher; `watch` reminds you while it is unset", str, shown="none"),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved values, one field per row of SETTINGS."""

    db: str
    workers: int
    embeddings: bool
    cache: str
    stage_chars: int
    fetch_delay: float
    fetch_timeout: float
    fetch_max_bytes: int
    contact: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def value(name: str, override: Any = None) -> Any:
    """One setting: `override` unless None, else its environment variable, else its default."""
    if override is not None:
        return override
    setting = BY_NAME[name]
    raw = os.environ.get(setting.env, "")
    if not raw.strip():
        return setting.default_value()
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise StorylineError(f"{setting.env}={raw!r} is not {exc}") from None


def resolve(**overrides: Any) -> Settings:
    """Every setting; an override of None is no override (a CLI flag not given)."""
    unknown = sorted(set(overrides) - set(BY_NAME))
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(unknown)}")
    return Settings(**{s.name: value(s.name, overrides.get(s.name)) for s in SETTINGS})


def option_help(name: str) -> str:
    """The --help text of the CLI option backed by setting `name`."""
    s = BY_NAME[name]
    return f"{s.help} (default: ${s.env}, else {s.default_text})."


def markdown_table() -> str:
    """README's table of the settings."""
    rows = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    rows += [f"| {s.name} | `{s.env}` | {s.default_text} | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)
