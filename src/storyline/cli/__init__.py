"""The `storyline` command: a thin layer over the library.

Each command opens the store, calls one library function and reports. A group of related
commands lives in its own module beside this one (cli/<topic>.py, importing only
cli/common.py) and is registered with `cli.add_command` at the end of this file. Errors raised as
`StorylineError` become a one-line message and the error's exit code, here and only here.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path

import click
from rich.table import Table

from storyline import __version__
from storyline.cli.common import (
    EXIT_CODES_HELP,
    EXIT_NOTHING_READ,
    EXIT_SOME_REJECTED,
    OUTPUT,
    SETTINGS_EPILOG,
    Group,
    configure_logging,
    console,
    db_option,
    emit_json_lines,
    emit_table,
    info,
    json_option,
    open_store,
    refuse_store_as_output,
    replacing_file,
    setting_option,
)
from storyline.errors import NotFoundError, StorylineError
from storyline.export import EXPORTS
from storyline.settings import resolve, value

__all__ = ["cli", "main", "configure_logging", "emit_table"]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=SETTINGS_EPILOG)
@click.version_option(__version__, prog_name="storyline")
@click.option("-v", "--verbose", count=True, help="Log more (-vv: libraries' debug lines too); also after the command.")
@click.option("-q", "--quiet", is_flag=True, help="Print only results and errors; also after the command.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """storyline: turn overlapping news coverage into stories you can trust."""
    ctx.obj = {"verbose": verbose, "quiet": quiet}
    OUTPUT.quiet = quiet
    configure_logging(verbose, quiet)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option("--map", "mapping", default=None, metavar="FIELD=COLUMN,...",
              help="Read these storyline fields from these record fields, e.g. text=body,title=headline,"
                   "published=date,outlet=source,url=link (JSONL, JSON, CSV, Parquet).")
@click.option("--date-order", type=click.Choice(["dmy", "mdy"]), default=None,
              help="How to read a numeric date such as 03/04/2021 when the record's language does not say.")
@db_option
def ingest(paths: tuple[str, ...], mapping: str | None, date_order: str | None, db: str | None) -> None:
    """Store articles from files and folders (.txt .html .jsonl .json .csv .tsv .parquet, gzipped
    .jsonl.gz .json.gz .csv.gz, .warc[.gz] .rss .atom .xml) or - for JSONL on stdin."""
    from storyline.ingest import ReadOptions, is_url
    from storyline.ingest import ingest as ingest_paths
    from storyline.ingest.records import parse_mapping

    try:
        options = ReadOptions(parse_mapping(mapping), date_order)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None
    missing = [p for p in paths if p != "-" and (is_url(p) or not Path(p).exists())]
    if len(missing) == len(paths):  # nothing at all to read: no database is made for it
        for p in missing:
            why = "storyline reads files, never the network: download it first" if is_url(p) else "no such file or folder"
            click.echo(f"error: {p}: {why}", err=True)
        sys.exit(EXIT_NOTHING_READ)
    with open_store(db, create=True) as store:
        store.check_integrity()  # never add to a damaged database
        report = ingest_paths(store, paths, options=options)
        total = store.count_articles()
    info(
        f"ingested {report.added} new article(s) from {report.files} input(s); "
        f"{report.duplicates} already stored; {len(report.rejections)} rejected; {total} in {store.path}"
    )
    for source, notices in report.notices.items():
        info(f"  {source}: " + "; ".join(f"{n} ({k} record(s))" for n, k in notices.most_common()), markup=False)
    if report.skipped:
        info(f"  skipped {len(report.skipped)} database file(s) in the folders (e.g. {report.skipped[0]})", markup=False)
    if report.renamed:
        given, stored = report.renamed[0]
        info(f"  {len(report.renamed)} article(s) stored under a new id, theirs being taken by other content"
             f" (e.g. {given} -> {stored})", markup=False)
    if report.warnings:
        info(f"  {report.warnings} article(s) stored with a warning (a date stored as given, not read):"
             " `storyline rejections --warnings`", markup=False)
    if report.rejections:
        for reason, n in report.reasons().most_common():
            info(f"  rejected {n} x {reason}", markup=False)
        for rej in report.rejections[:10]:
            where = f"{rej.source}{':' + rej.locator if rej.locator else ''}"
            info(f"    {where}: {rej.reason}{' (' + rej.detail + ')' if rej.detail else ''}", markup=False)
        if len(report.rejections) > 10:
            info(f"    ... and {len(report.rejections) - 10} more: `storyline rejections`", markup=False)
    if report.added or report.duplicates:
        info("next: `storyline run` to process them")
    if report.missing or not (report.added or report.duplicates):
        sys.exit(EXIT_NOTHING_READ)
    if report.rejections:
        sys.exit(EXIT_SOME_REJECTED)


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
    if not OUTPUT.quiet:
        logging.getLogger("storyline.pipeline").setLevel(logging.INFO)
    # A run on a path with no database has nothing to process: it says so, and creates none.
    with open_store(settings.db) as store:  # the stages get the values: workers see no environment change
        store.check_integrity()
        reports = run_pipeline(store, default_progress(), settings.workers, settings.embeddings)
    for r in reports:
        extra = ", ".join(f"{k} {v}" for k, v in r.stats.items())
        failed = f"  {r.failed} failed" if r.failed else ""
        info(f"{r.name:<9} {r.processed:>6} processed in {r.seconds:6.2f}s{failed}{'  ' + extra if extra else ''}")
    failed = sum(r.failed for r in reports)
    if failed:
        click.echo(f"{failed} item(s) got a stage error and were left out (the rest is done):"
                   " `storyline rejections --stage`; `storyline run` retries them", err=True)
        sys.exit(EXIT_SOME_REJECTED)


@cli.command()
@click.option("--warnings", "warnings", is_flag=True,
              help="List the warnings stored with articles instead (a date kept as given, an ambiguous day and month).")
@click.option("--stage", "stage", is_flag=False, flag_value="", default=None, metavar="[STAGE]",
              help="List the articles (stories, for summaries) a stage could not process instead, with the"
                   " error; a name for one stage's only. `storyline run` retries them.")
@json_option
@db_option
def rejections(warnings: bool, stage: str | None, as_json: bool, db: str | None) -> None:
    """List the inputs that could not be stored, and why (--warnings: stored articles' warnings;
    --stage: the items a stage could not process)."""
    from dataclasses import asdict

    with open_store(db, read_only=True) as store:
        if stage is not None:
            rows = store.stage_errors(stage or None)
        else:
            rows = store.article_warnings() if warnings else [asdict(r) for r in store.rejections()]
    if as_json:
        emit_json_lines(rows)
        return
    if not rows:
        info("no stage errors" if stage is not None else "no warnings" if warnings else "no rejections")
        return
    if stage is not None:
        table = Table("stage", "item", "attempts", "last seen", "error")
        for r in rows:
            table.add_row(r["stage"], r["item"], str(r["attempts"]), r["last_seen"], r["error"])
    elif warnings:
        table = Table("article", "source", "where", "warning")
        for r in rows:
            table.add_row(r["article"], r["source"], r["locator"], r["warning"])
    else:
        table = Table("source", "where", "reason", "detail")
        for r in rows:
            table.add_row(r["source"], r["locator"], r["reason"], r["detail"])
    emit_table(table)


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    import re

    if value is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise click.BadParameter("give a date as YYYY-MM-DD (or YYYY-MM, YYYY)")
    return value


@cli.command()
@click.argument("what", type=click.Choice(list(EXPORTS)))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "xlsx"]), default="jsonl",
              show_default=True, help="xlsx (a spreadsheet, for a story or a filtered export) needs storyline[xlsx].")
@click.option("--output", "-o", default="-", show_default=True, help="File to write, or - for stdout.")
@click.option("--story", "story_id", default=None, help="Only this story's rows.")
@click.option("--storyline", "storyline_id", default=None, help="Only this storyline's rows.")
@click.option("--since", default=None, callback=_day, help="Only rows dated on or after this day (YYYY-MM-DD).")
@click.option("--until", default=None, callback=_day, help="Only rows dated on or before this day (YYYY-MM-DD).")
@click.option("--where", "where", multiple=True, metavar="FIELD=VALUE",
              help="Only the articles whose input field FIELD is VALUE (e.g. stance=left), and the rows of"
                   " other kinds that hold such articles; repeat for several.")
@db_option
def export(what: str, fmt: str, output: str, story_id: str | None, storyline_id: str | None, since: str | None,
           until: str | None, where: tuple[str, ...], db: str | None) -> None:
    """Export articles, stories, story summaries, entities, events (a flat GDELT/ACLED-like table) or claims
    as JSONL, CSV, Parquet or xlsx, all of them or the rows the filters keep."""
    from storyline.export import ExportFilter, parse_where
    from storyline.export import export as export_rows

    filters = ExportFilter(story_id, storyline_id, since, until, parse_where(where))
    if output == "-" and fmt in ("parquet", "xlsx") and sys.stdout.isatty():
        raise StorylineError(f"{fmt} is binary: give --output FILE or redirect stdout")
    if output != "-":
        refuse_store_as_output(output, value("db", db))
    with open_store(db, read_only=True) as store:
        if story_id and not store.has_story(story_id):
            raise NotFoundError(f"no story {story_id!r} in {store.path}: see `storyline stories`")
        if output == "-":
            n = export_rows(store, what, fmt, sys.stdout.buffer, filters)
            sys.stdout.flush()
        else:
            with replacing_file(output) as out:
                n = export_rows(store, what, fmt, out, filters)
    if not OUTPUT.quiet:
        click.echo(f"exported {n} {what} as {fmt}" + ("" if output == "-" else f" to {output}"), err=True)


@cli.command()
@click.option("--sort", type=click.Choice(["recent", "coverage"]), default="recent", show_default=True,
              help="recent: newest first; coverage: most articles and outlets first.")
@json_option
@db_option
def stories(sort: str, as_json: bool, db: str | None) -> None:
    """A table of stories: dates, number of articles and outlets, storyline, title."""
    from storyline.views.tables import sorted_stories, stories_table

    with open_store(db, read_only=True) as store:
        if as_json:
            emit_json_lines(sorted_stories(store, sort))
            return
        emit_table(stories_table(store, sort))


@cli.command()
@click.argument("item_id")
@click.option("--removed", is_flag=True, help="Also show the lines removed as page furniture.")
@json_option
@db_option
def show(item_id: str, removed: bool, as_json: bool, db: str | None) -> None:
    """Show one story, storyline or article (--json: its page data as one JSON object)."""
    from storyline.views.tables import item_data, show_item

    with open_store(db, read_only=True) as store:
        if as_json:
            emit_json_lines([item_data(store, item_id)])
            return
        show_item(store, item_id, console, removed=removed)


@cli.command()
@click.argument("story_id")
@click.option("--json", "as_json", is_flag=True, help="Print the story's data as one JSON object instead.")
@db_option
def story(story_id: str, as_json: bool, db: str | None) -> None:
    """One story: cited summary, disputed figures, timeline and numbered sources."""
    from storyline.views.story import render_story, story_data

    with open_store(db, read_only=True) as store:
        if as_json:
            import json

            click.echo(json.dumps(story_data(store, story_id), ensure_ascii=False))
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

    with open_store(db, read_only=True) as store:
        data = diff_data(store, a, b)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        show_diff(data, console)


@cli.command()
@click.option("--db", "db", type=click.Path(dir_okay=False), default="storyline-demo.db", show_default=True,
              help="Database file to create for the demo.")
def demo(db: str) -> None:
    """Ingest the five bundled seed articles into a fresh database and show what storyline finds:
    articles, reprints, stories, the main story's cited summary and disputes, alias groups."""
    from rich.console import Console

    from storyline.demo import run_demo

    run_demo(Path(db), console, None if OUTPUT.quiet else Console(stderr=True, highlight=False, soft_wrap=True))


@cli.command()
@click.option("--story", "story_id", default=None, help="Only this story's events.")
@json_option
@db_option
def events(story_id: str | None, as_json: bool, db: str | None) -> None:
    """Dated events per story: when, what, where, who, and how many sources report each."""
    from storyline.views.tables import events_table

    with open_store(db, read_only=True) as store:
        if story_id is not None and not store.has_story(story_id):
            raise NotFoundError(f"no story {story_id!r} in {store.path}: see `storyline stories`")
        if as_json:
            emit_json_lines(store.events(story_id))
            return
        if not store.events(story_id):
            info("no dated events: events need articles with a publication date (or a reprint,"
                          " story or linked event to estimate one from); run `storyline run` after ingesting")
            return
        emit_table(events_table(store, story_id))


@cli.command()
@click.option("--disputed", is_flag=True, help="Only figures that other sources contradict, side by side.")
@json_option
@db_option
def claims(disputed: bool, as_json: bool, db: str | None) -> None:
    """Figures the articles report: value, what it counts, who said it, where."""
    from storyline.views.tables import claims_table

    with open_store(db, read_only=True) as store:
        if as_json:
            emit_json_lines(store.claims(disputed_only=disputed))
            return
        emit_table(claims_table(store, disputed))


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
@json_option
@db_option
def entities(kind: str | None, limit: int, as_json: bool, db: str | None) -> None:
    """People, organisations and places, each with its aliases (and coordinates for places)."""
    from storyline.views.tables import entities_table

    with open_store(db, read_only=True) as store:
        if as_json:
            emit_json_lines(store.entities(kind, limit or None))
            return
        emit_table(entities_table(store, kind, limit or None))


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


INTERRUPTED = "interrupted: everything committed so far is kept; run the command again to finish"


def main() -> None:
    try:
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort as exc:
        # click turns Ctrl-C into Abort: say what is kept, as for KeyboardInterrupt
        interrupted = isinstance(exc.__context__, KeyboardInterrupt)
        click.echo(INTERRUPTED if interrupted else "aborted", err=True)
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
        click.echo(INTERRUPTED, err=True)
        sys.exit(130)
    except sqlite3.DatabaseError as exc:  # met mid-command: the file is damaged, or not ours
        from storyline.store import damaged_message, is_damage

        click.echo(f"error: {damaged_message(OUTPUT.db or value('db', None), exc) if is_damage(exc) else exc}", err=True)
        sys.exit(4)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:  # a file that cannot be read or written: say which, no traceback
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


from storyline.cli.watch import COMMANDS as _WATCH_COMMANDS  # noqa: E402  (needs `cli` defined above)

for _command in _WATCH_COMMANDS:
    cli.add_command(_command)


from storyline.cli.spark import import_command, spark_group  # noqa: E402  (commands of their own modules)

cli.add_command(spark_group)
cli.add_command(import_command)

if __name__ == "__main__":
    main()
