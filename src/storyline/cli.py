"""The `storyline` command: a thin layer over the library.

Each command opens the store, calls one library function and reports. Errors raised as
`StorylineError` become a one-line message and the error's exit code, here and only here.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from storyline import __version__
from storyline.errors import NotFoundError, StorylineError
from storyline.export import EXPORTS
from storyline.settings import SETTINGS, option_help, resolve, value
from storyline.store import Store

console = Console(highlight=False, soft_wrap=True)


def setting_option(name: str, *decls: str, **kwargs):
    """An option backed by setting `name` (settings.py): its help from the table, and no
    default of its own (None: `resolve` then takes the environment variable or the default)."""
    return click.option(*decls, default=None, help=option_help(name), **kwargs)


def db_option(func):
    return setting_option("db", "--db", "db", type=click.Path(dir_okay=False))(func)


def open_store(db: str | None) -> Store:
    return Store(value("db", db))


SETTINGS_EPILOG = "Settings from the environment (see README.md, Settings): " + ", ".join(
    f"{s.env} ({s.name})" for s in SETTINGS) + "."


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=SETTINGS_EPILOG)
@click.version_option(__version__, prog_name="storyline")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def cli(verbose: bool) -> None:
    """storyline: turn overlapping news coverage into stories you can trust."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(asctime)s %(name)s %(message)s",
        datefmt="%H:%M:%S", stream=sys.stderr,
    )


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
def ingest(paths: tuple[str, ...], db: str | None) -> None:
    """Store articles from files and folders (.txt .html .jsonl .warc[.gz] .rss .atom .xml) or - for JSONL on stdin."""
    from storyline.ingest import ingest as ingest_paths

    with open_store(db) as store:
        report = ingest_paths(store, paths)
        total = store.count_articles()
    console.print(
        f"ingested {report.added} new article(s) from {report.files} input(s); "
        f"{report.duplicates} already stored; {len(report.rejections)} rejected; {total} in {store.path}"
    )
    if report.rejections:
        for reason, n in report.reasons().most_common():
            console.print(f"  rejected {n} x {reason}")
        for rej in report.rejections[:10]:
            where = f"{rej.source}{':' + rej.locator if rej.locator else ''}"
            console.print(f"    {where}: {rej.reason}{' (' + rej.detail + ')' if rej.detail else ''}", markup=False)
        if len(report.rejections) > 10:
            console.print(f"    ... and {len(report.rejections) - 10} more: `storyline rejections`")
    if report.added or report.duplicates:
        console.print("next: `storyline run` to process them")


@cli.command()
@db_option
@setting_option("workers", "--workers", type=click.IntRange(min=1))
@setting_option("embeddings", "--embeddings/--no-embeddings")
def run(db: str | None, workers: int | None, embeddings: bool | None) -> None:
    """Process everything pending: clean, reprints, stories and storylines, entities and places,
    events and figures, cited summaries; safe to interrupt and run again."""
    from storyline.executor.progress import default_progress
    from storyline.pipeline import run_pipeline

    settings = resolve(db=db, workers=workers, embeddings=embeddings)
    logging.getLogger("storyline.pipeline").setLevel(logging.INFO)
    with Store(settings.db) as store:  # the stages get the values: workers see no environment change
        reports = run_pipeline(store, default_progress(), settings.workers, settings.embeddings)
    for r in reports:
        extra = ", ".join(f"{k} {v}" for k, v in r.stats.items())
        console.print(f"{r.name:<9} {r.processed:>6} processed in {r.seconds:6.2f}s{'  ' + extra if extra else ''}")


@cli.command()
@db_option
def rejections(db: str | None) -> None:
    """List the inputs that could not be stored, and why."""
    with open_store(db) as store:
        rows = store.rejections()
    if not rows:
        console.print("no rejections")
        return
    table = Table("source", "where", "reason", "detail")
    for r in rows:
        table.add_row(r.source, r.locator, r.reason, r.detail)
    console.print(table)


@cli.command()
@click.argument("what", type=click.Choice(list(EXPORTS)))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl", show_default=True)
@click.option("--output", "-o", default="-", show_default=True, help="File to write, or - for stdout.")
@db_option
def export(what: str, fmt: str, output: str, db: str | None) -> None:
    """Export articles, stories, story summaries, entities, events (a flat GDELT/ACLED-like table) or claims
    as JSONL, CSV or Parquet."""
    from storyline.export import export as export_rows

    with open_store(db) as store:
        if output == "-":
            if fmt == "parquet" and sys.stdout.isatty():
                raise StorylineError("Parquet is binary: give --output FILE or redirect stdout")
            n = export_rows(store, what, fmt, sys.stdout.buffer)
            sys.stdout.flush()
        else:
            with open(output, "wb") as out:
                n = export_rows(store, what, fmt, out)
    click.echo(f"exported {n} {what} as {fmt}" + ("" if output == "-" else f" to {output}"), err=True)


@cli.command()
@click.option("--sort", type=click.Choice(["recent", "coverage"]), default="recent", show_default=True,
              help="recent: newest first; coverage: most articles and outlets first.")
@db_option
def stories(sort: str, db: str | None) -> None:
    """A table of stories: dates, number of articles and outlets, storyline, title."""
    from storyline.views.tables import stories_table

    with open_store(db) as store:
        console.print(stories_table(store, sort))


@cli.command()
@click.argument("item_id")
@click.option("--removed", is_flag=True, help="Also show the lines removed as page furniture.")
@db_option
def show(item_id: str, removed: bool, db: str | None) -> None:
    """Show one story, storyline or article."""
    from storyline.views.tables import show_item

    with open_store(db) as store:
        show_item(store, item_id, console, removed=removed)


@cli.command()
@click.argument("story_id")
@click.option("--json", "as_json", is_flag=True, help="Print the story's data as JSON instead.")
@db_option
def story(story_id: str, as_json: bool, db: str | None) -> None:
    """One story: cited summary, disputed figures, timeline and numbered sources."""
    from storyline.views.story import render_story, story_data

    with open_store(db) as store:
        if as_json:
            import json

            click.echo(json.dumps(story_data(store, story_id), ensure_ascii=False, indent=1))
        else:
            render_story(store, story_id, console)


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Print the alignment as JSON.")
@db_option
def diff(a: str, b: str, as_json: bool, db: str | None) -> None:
    """Show the passages articles A and B share and the edits between them."""
    import json

    from storyline.views.reprints import diff_data, show_diff

    with open_store(db) as store:
        data = diff_data(store, a, b)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        show_diff(data, console)


@cli.command()
@click.option("--db", "db", type=click.Path(dir_okay=False), default="storyline-demo.db", show_default=True,
              help="Database file to create for the demo.")
def demo(db: str) -> None:
    """Ingest the five bundled seed articles into a fresh database and show what storyline finds:
    articles, reprints, stories, the main story's cited summary and disputes, alias groups."""
    from storyline.demo import run_demo

    run_demo(Path(db), console)


@cli.command()
@click.option("--story", "story_id", default=None, help="Only this story's events.")
@db_option
def events(story_id: str | None, db: str | None) -> None:
    """Dated events per story: when, what, where, who, and how many sources report each."""
    from storyline.views.tables import events_table

    with open_store(db) as store:
        if story_id is not None and not store.has_story(story_id):
            raise NotFoundError(f"no story {story_id!r} in {store.path}: see `storyline stories`")
        if not store.events(story_id):
            console.print("no dated events: events need articles with a publication date (or a reprint,"
                          " story or linked event to estimate one from); run `storyline run` after ingesting")
            return
        console.print(events_table(store, story_id))


@cli.command()
@click.option("--disputed", is_flag=True, help="Only figures that other sources contradict, side by side.")
@db_option
def claims(disputed: bool, db: str | None) -> None:
    """Figures the articles report: value, what it counts, who said it, where."""
    from storyline.views.tables import claims_table

    with open_store(db) as store:
        console.print(claims_table(store, disputed))


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
def serve(db: str | None, host: str, port: int) -> None:
    """Serve the web UI and the JSON API (under /api/) over a database."""
    import uvicorn

    from storyline.web.app import create_app

    path = value("db", db)
    if not Path(path).is_file():
        raise StorylineError(f"no database at {path}: run `storyline ingest` and `storyline run`, or `storyline demo`")
    app = create_app(path)
    console.print(f"storyline: serving {path} at http://{host}:{port}/ (API: /api/, schema: /api/openapi.json); Ctrl-C stops")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@cli.command()
@click.option("--kind", type=click.Choice(["person", "org", "place"]), default=None, help="Only this kind.")
@click.option("--limit", type=int, default=50, show_default=True, help="Most widely reported first; 0 for all.")
@db_option
def entities(kind: str | None, limit: int, db: str | None) -> None:
    """People, organisations and places, each with its aliases (and coordinates for places)."""
    from storyline.views.tables import entities_table

    with open_store(db) as store:
        console.print(entities_table(store, kind, limit or None))


@cli.group("eval")
def eval_group() -> None:
    """Measure a stage on labelled real data (default folder: ../shared/data)."""


class _EvalGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        from storyline.evaluation import eval_modules

        return eval_modules()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from storyline.evaluation import load_command

        return load_command(name)


eval_group.__class__ = _EvalGroup


def main() -> None:
    try:
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except NotFoundError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except StorylineError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted: everything committed so far is kept; run the command again to finish", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
