"""What every command module shares: output (rich tables, tab-separated lines, JSON lines),
logging levels, the common options and opening the store."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import click
from rich.console import Console
from rich.table import Table

from storyline.errors import StoreError, StorylineError
from storyline.settings import SETTINGS, option_help, value
from storyline.store import Store

console = Console(highlight=False, soft_wrap=True)

# Exit codes (README, Exit codes; `storyline --help`). The errors' own codes are in errors.py.
EXIT_OK = 0
EXIT_SOME_REJECTED = 6  # ingest: some items were rejected, the rest stored
EXIT_NOTHING_READ = 7  # ingest: an input path does not exist (or is a URL), or nothing could be read

EXIT_CODES_HELP = (
    "Exit codes: 0 done (ingest: every item stored or already stored); 1 error; 2 bad usage or input;"
    " 3 unknown id; 4 no database at the path, or not a storyline database; 5 missing extra;"
    " 6 ingest stored some items and rejected others; 7 ingest found an input path missing (or a URL)"
    " or could read nothing."
)


class _Output:
    quiet = False
    db: str | None = None  # the database the command opened, for an error met later


OUTPUT = _Output()


def info(message: str, **kwargs) -> None:
    """Chatter about what a command did (to stdout): silenced by -q, never data."""
    if not OUTPUT.quiet:
        console.print(message, **kwargs)


def configure_logging(verbose: int, quiet: bool) -> None:
    """-v: storyline's own INFO and DEBUG; -vv: every library's DEBUG too; -q: errors only.
    Third-party loggers stay at WARNING unless -vv: they flood DEBUG otherwise."""
    level = logging.ERROR if quiet else logging.DEBUG if verbose else logging.WARNING
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
    root.setLevel(level if verbose >= 2 or quiet else logging.WARNING)
    logging.getLogger("storyline").setLevel(level)
    # `run` and its kin raise the pipeline's logger to INFO for their progress lines: a later
    # command in the same process starts from the level its own options give.
    logging.getLogger("storyline.pipeline").setLevel(logging.NOTSET)
    # The extractors warn of every page whose main text they drop: storyline falls back and
    # says what it kept (removed lines, rejections), so those are noise unless -vv.
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose >= 2 else logging.ERROR)


QUIET_LIBRARIES = ("trafilatura", "htmldate", "courlan", "justext")


class Command(click.Command):
    """Every command takes -v/--verbose and -q/--quiet after its name too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params.append(click.Option(["-v", "--verbose", "sub_verbose"], count=True,
                                        help="Log more (-vv: libraries' debug lines too)."))
        self.params.append(click.Option(["-q", "--quiet", "sub_quiet"], is_flag=True,
                                        help="Print only results and errors."))

    def invoke(self, ctx: click.Context):
        verbose = ctx.params.pop("sub_verbose", 0) + (ctx.obj or {}).get("verbose", 0)
        quiet = ctx.params.pop("sub_quiet", False) or (ctx.obj or {}).get("quiet", False)
        OUTPUT.quiet = quiet
        configure_logging(verbose, quiet)
        return super().invoke(ctx)


def setting_option(name: str, *decls: str, **kwargs):
    """An option backed by setting `name` (settings.py): its help from the table, and no
    default of its own (None: `resolve` then takes the environment variable or the default)."""
    return click.option(*decls, default=None, help=option_help(name), **kwargs)


def db_option(func):
    return setting_option("db", "--db", "db", type=click.Path(dir_okay=False))(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")(func)


def open_store(db: str | None, *, create: bool = False, read_only: bool = False) -> Store:
    """The store at `db`. Only a command that stores input (`create`) makes a new database:
    every other one on a path with none says so and creates nothing. A command that only
    reads (`read_only`) also reads a database it cannot write (a read-only disk or file)."""
    path = value("db", db)
    OUTPUT.db = path
    if not create and path != ":memory:" and not Path(path).is_file():
        raise StoreError(
            f"no database at {path}: `storyline ingest PATH...` creates one (give --db PATH or"
            " $STORYLINE_DB for another file; `storyline demo` makes a demo one)"
        )
    return Store.for_reading(path) if read_only else Store(path)


def emit_table(table: Table | str) -> None:
    """A rich table on a terminal; tab-separated lines (header first) when piped."""
    if isinstance(table, str):
        info(table)
        return
    if console.is_terminal:
        console.print(table)
        return
    out = sys.stdout
    out.write("\t".join(_plain(c.header) for c in table.columns) + "\n")
    cells = [list(c.cells) for c in table.columns]
    for row in zip(*cells, strict=True):
        out.write("\t".join(_plain(v) for v in row) + "\n")
    out.flush()


def _plain(value: object) -> str:
    text = value.plain if hasattr(value, "plain") else str(value)
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def emit_json_lines(rows) -> None:
    import json

    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


SETTINGS_EPILOG = "Settings from the environment (see README.md, Settings): " + ", ".join(
    f"{s.env} ({s.name})" for s in SETTINGS) + ". " + EXIT_CODES_HELP


class Group(click.Group):
    command_class = Command
    group_class = type  # subgroups are of this class too


STORE_FILES = ("", "-wal", "-shm", "-journal")  # the database and SQLite's files beside it


def refuse_store_as_output(output: str, db: str) -> None:
    """An output file must never be the database or one of SQLite's files beside it: writing
    it would destroy the store (an export -o onto the .db once truncated it to 0 bytes)."""
    if db == ":memory:":
        return
    target = Path(output)
    store = Path(db).resolve()
    for suffix in STORE_FILES:
        own = store.with_name(store.name + suffix)
        same = target.resolve() == own or (target.exists() and own.exists() and os.path.samefile(target, own))
        if same:
            raise StorylineError(f"--output {output} is the database's own file{' (' + suffix + ')' if suffix else ''}:"
                                 " writing it would destroy the store; give another file name")


@contextmanager
def replacing_file(path: str) -> Iterator[BinaryIO]:
    """A file to write `path` through: a temporary file beside it, renamed to `path` only when
    the writing ends without error; after an error (or Ctrl-C) no partial file is left and a
    file that was at `path` is untouched."""
    target = Path(path)
    handle = tempfile.NamedTemporaryFile(
        "wb", dir=target.resolve().parent, prefix=f".{target.name}.", suffix=".part", delete=False)
    try:
        with handle:
            yield handle  # type: ignore[misc]
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # as open() would make it, not the temp file's 0600
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
