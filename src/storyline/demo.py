"""`storyline demo`: the five seed articles, end to end, in a fresh database."""

from __future__ import annotations

import io
import time
from pathlib import Path

from rich.console import Console

from storyline.errors import StorylineError
from storyline.ingest import ingest
from storyline.pipeline import run_pipeline
from storyline.seeds import seed_files
from storyline.store import Store
from storyline.views.story import render_story


def fresh_demo_db(path: Path) -> None:
    """Remove a previous demo database at `path`, refusing to touch any other file."""
    if not path.exists():
        return
    try:
        with Store(path) as old:
            sources = {Path(r["source"]).name for r in old.export_articles()}
    except StorylineError as exc:
        raise StorylineError(f"{path} exists and is not a storyline demo database; choose another --db") from exc
    if not sources <= {p.name for p in seed_files()}:
        raise StorylineError(f"{path} holds articles other than the seeds; not overwriting it, choose another --db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class _StageLines:
    """The demo's progress on `steps` (stderr): a line as each stage starts, so the first run,
    which loads the language models and unpacks the place-name index, is not silent."""

    def __init__(self, steps: Console):
        self.steps, self.started = steps, time.perf_counter()

    def __call__(self, name: str, total: int) -> _StageLines:
        self.steps.print(f"  {name}: {total} pending ({time.perf_counter() - self.started:.1f}s)", markup=False)
        return self

    def advance(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def run_demo(path: Path, console: Console, steps: Console | None = None) -> None:
    """The demo into `path`; `steps` (stderr; None: silent) gets a line per stage as it runs."""
    fresh_demo_db(path)
    with Store(path) as store:
        report = ingest(store, [str(p) for p in seed_files()])
        console.print(f"ingested {report.added} seed articles (bundled: storyline/data/seeds) into {path}")
        progress = None
        if steps is not None:
            steps.print("running the pipeline (models load on first use: spaCy, the place-name index, "
                        "the embedding model)", markup=False)
            progress = _StageLines(steps)
        started = time.perf_counter()
        run_pipeline(store, progress)
        if steps is not None:
            steps.print(f"pipeline done in {time.perf_counter() - started:.1f}s", markup=False)
        articles = list(store.export_articles())
        stories = store.stories()
        storylines = store.storylines()
        main_story = max(stories, key=lambda s: len(s["articles"]), default=None)
        # Entities known by more than one name: what alias resolution found.
        aliased = [e for e in store.entities(limit=40) if len([a for a in e["aliases"] if a != e["name"]])]
        # Rendered now, while the store is open; printed after the overview.
        story_view = Console(file=io.StringIO(), width=console.width, force_terminal=console.is_terminal, soft_wrap=True,
                             color_system=console.color_system and "standard")
        if main_story:
            render_story(store, main_story["id"], story_view)

    console.print("\n[bold]Articles[/]")
    for a in articles:
        console.print(
            f"  {a['id'][:3]}  {(a['outlet'] or 'outlet unknown'):<28} {a['published'] or 'date unknown':<12} {a['title'] or ''}",
            markup=False,
        )
    console.print("\n[bold]Reprints[/] (same source text)")
    groups: dict[str, list[dict]] = {}
    for a in articles:
        if a["reprint_group"]:
            groups.setdefault(a["reprint_group"], []).append(a)
    if not groups:
        console.print("  none found")
    for gid, members in groups.items():
        fullest = max(members, key=lambda a: len(a["text"] or ""))
        names = ", ".join(f"{m['id'][:3]} ({m['outlet'] or 'outlet unknown'})" for m in members)
        console.print(f"  {gid}: {names}; fullest copy {fullest['id'][:3]}", markup=False)
    console.print(f"\n[bold]Stories[/] ({len(stories)}) in {len(storylines)} storyline(s)")
    for s in stories:
        ids = ", ".join(a[:3] for a in s["articles"])
        console.print(f"  {s['id']}  [{ids}]  {s['title']}  (storyline {s['storyline']})", markup=False)
    if main_story:
        console.print(f"\n[bold]The main story[/] ({main_story['id']}), as `storyline story` shows it")
        console.print(story_view.file.getvalue(), end="", markup=False, highlight=False)
    if aliased:
        console.print("\n[bold]One name, many spellings[/] (entities resolved across the articles)")
        for e in aliased[:8]:
            others = "; ".join(a for a in e["aliases"] if a != e["name"])
            where = ""
            if e["place"]:
                p = e["place"]
                where = f"  ({p['lat']:.2f}, {p['lon']:.2f} {p.get('country') or ''})"
            console.print(f"  {e['kind']:<6} {e['name']} = {others}{where}", markup=False)
    console.print(f"\nnext: `storyline stories --db {path}`, `storyline show <id> --db {path}`")
    console.print(
        f"open the web UI: `storyline serve --db {path}`, then browse http://127.0.0.1:8000/"
        " (JSON API under /api/)",
        markup=False,
    )
