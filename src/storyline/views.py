"""Terminal views of stored results: the story table and `show` for one item."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from storyline.errors import NotFoundError
from storyline.store import Store


def stories_table(store: Store) -> Table:
    outlets = {row["id"]: row["outlet"] for row in store.export_articles()}
    table = Table("story", "first", "last", "articles", "outlets", "title", title=f"{len(store.stories())} stories")
    for story in store.stories():
        n_outlets = len({outlets.get(a) for a in story["articles"] if outlets.get(a)})
        table.add_row(
            story["id"], story["first_seen"] or "-", story["last_seen"] or "-", str(len(story["articles"])),
            str(n_outlets), story["title"] or "",
        )
    return table


def show_item(store: Store, item_id: str, console: Console, removed: bool = False) -> None:
    for story in store.stories():
        if story["id"] == item_id:
            _show_story(store, story, console)
            return
    lines = [s for s in store.storylines() if s["id"] == item_id]
    if lines:
        line = lines[0]
        console.print(f"[bold]storyline {line['id']}[/]: {line['title']}  ({line['first_seen'] or '?'} to {line['last_seen'] or '?'})")
        for story in store.stories():
            if story["storyline"] == item_id:
                console.print(f"  {story['id']}  {story['first_seen'] or '-'}  {len(story['articles'])} article(s)  {story['title']}", markup=False)
        return
    if store.has_article(item_id):
        _show_article(store, item_id, console, removed)
        return
    raise NotFoundError(f"no story, storyline or article {item_id!r} in {store.path}; `storyline stories` lists them")


def _show_story(store: Store, story: dict, console: Console) -> None:
    rows = {r["id"]: r for r in store.export_articles()}
    console.print(f"[bold]story {story['id']}[/]", end=" ")
    console.print(story["title"] or "", markup=False)
    console.print(f"dates: {story['first_seen'] or '?'} to {story['last_seen'] or '?'}   storyline: {story['storyline']}")
    table = Table("article", "outlet", "published", "reprint group", "title")
    for article_id in story["articles"]:
        row = rows[article_id]
        table.add_row(article_id, row["outlet"] or "-", row["published"] or "-", row["reprint_group"] or "-", row["title"] or "")
    console.print(table)


def _show_article(store: Store, article_id: str, console: Console, removed: bool) -> None:
    row = next(r for r in store.export_articles() if r["id"] == article_id)
    console.print(f"[bold]article {article_id}[/]")
    for key in ("title", "outlet", "url", "published", "language", "story", "storyline", "reprint_group"):
        console.print(f"  {key:<14} {row[key] if row[key] is not None else '-'}", markup=False)
    for name, meta in sorted(row["metadata"].items()):
        value = meta["value"]
        if name == "wire" and isinstance(value, list):  # one credit per agency, with its evidence
            value = ", ".join(f"{w['agency']} ({w['evidence']}, {w['confidence']:.2f})" for w in value)
            console.print(f"  {name:<14} {value}", markup=False)
            continue
        console.print(f"  {name:<14} {value!r}  (from {meta['source']}, confidence {meta['confidence']:.2f})", markup=False)
    console.print(f"  {'source':<14} {row['source']} {row['locator']}", markup=False)
    links = store.reprint_links(article_id)
    if links:
        console.print("[bold]shared text[/]")
        for a, b, containment, jaccard, reprint in links:
            other = b if a == article_id else a
            kind = "reprint of" if reprint else "reuses text with"
            console.print(f"  {kind} {other}: containment {containment:.2f}, jaccard {jaccard:.2f}", markup=False)
    console.print("[bold]text[/]")
    console.print(row["text"] or "(not cleaned yet: run `storyline run`)", markup=False)
    if removed:
        clean = store.clean_articles([article_id])
        console.print("[bold]removed as page furniture[/]")
        for line in clean[0].removed if clean else []:
            console.print(f"  [dim]{line.line_no:>4} {line.reason:<16}[/] ", end="")
            console.print(line.text, markup=False, style="dim")
