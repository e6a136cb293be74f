"""Terminal views of stored results: the story table and `show` for one item."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape as rich_escape
from rich.table import Table

from storyline.errors import NotFoundError
from storyline.store import Store
from storyline.store.queries import (
    ArticlePage,
    StoryPage,
    article_page,
    story_outlet_counts,
    story_page,
    storyline_page,
)


def sorted_stories(store: Store, sort: str = "recent") -> list[dict]:
    """Every story with its number of outlets: newest first (`recent`), or most articles and
    outlets first (`coverage`)."""
    outlets = story_outlet_counts(store)
    stories = [{**s, "outlets": outlets.get(s["id"], 0)} for s in store.stories()]
    if sort == "coverage":
        stories.sort(key=lambda s: (-len(s["articles"]), -s["outlets"]))  # stable: newest first among equals
    return stories


def stories_table(store: Store, sort: str = "recent") -> Table:
    """The story table (see `sorted_stories`)."""
    stories = sorted_stories(store, sort)
    table = Table(title=f"{len(stories)} stories")
    for name in ("story", "first", "last", "articles", "outlets", "storyline", "title"):
        # ids whole, whatever the width: they are what a user copies
        ids = name in ("story", "storyline")
        table.add_column(name, no_wrap=ids, min_width=13 if ids else 16 if name == "title" else None)
    for story in stories:
        table.add_row(
            story["id"], story["first_seen"] or "-", story["last_seen"] or "-", str(len(story["articles"])),
            str(story["outlets"]), story["storyline"] or "-", story["title"] or "",
        )
    return table


def show_item(store: Store, item_id: str, console: Console, removed: bool = False) -> None:
    page = story_page(store, item_id)
    if page is not None:
        _show_story(store, page, console)
        return
    line = storyline_page(store, item_id)
    if line is not None:
        console.print(f"[bold]storyline {line['id']}[/]: {line['title']}  ({line['first_seen'] or '?'} to {line['last_seen'] or '?'})")
        for story in line["stories"]:
            console.print(f"  {story['id']}  {story['first_seen'] or '-'}  {story['articles']} article(s)  {story['title']}", markup=False)
        return
    article = article_page(store, item_id)
    if article is not None:
        _show_article(store, article, console, removed)
        return
    raise NotFoundError(f"no story, storyline or article {item_id!r} in {store.path}; `storyline stories` lists them")


def item_data(store: Store, item_id: str) -> dict:
    """The data `show` prints for one id, as the read models give it, with its kind."""
    page = story_page(store, item_id)
    if page is not None:
        return {"kind": "story", **page}
    line = storyline_page(store, item_id)
    if line is not None:
        return {"kind": "storyline", **line}
    article = article_page(store, item_id)
    if article is not None:
        return {"kind": "article", **article}
    raise NotFoundError(f"no story, storyline or article {item_id!r} in {store.path}; `storyline stories` lists them")


def _show_story(store: Store, page: StoryPage, console: Console) -> None:
    story = page["story"]
    console.print(f"[bold]story {story['id']}[/]", end=" ")
    console.print(story["title"] or "", markup=False)
    console.print(f"dates: {story['first_seen'] or '?'} to {story['last_seen'] or '?'}   storyline: {story['storyline']}")
    table = Table("article", "outlet", "published", "reprint group", "title")
    for m in page["members"]:
        table.add_row(m["id"], m["outlet"] or "-", m["published"] or "-", m["reprint_group"] or "-", m["title"] or "")
    console.print(table)
    events = events_table(store, story["id"])
    if events.row_count:
        console.print(events)
    console.print(f"cited summary, disputed figures and timeline: storyline story {story['id']}", markup=False)


def _show_article(store: Store, row: ArticlePage, console: Console, removed: bool) -> None:
    article_id = row["id"]
    console.print(f"[bold]article {article_id}[/]")
    for key in ("title", "outlet", "url", "published", "language", "story", "storyline", "reprint_group"):
        console.print(f"  {key:<14} {row[key] if row[key] is not None else '-'}", markup=False)  # type: ignore[literal-required]
    for name, meta in sorted(row["metadata"].items()):
        value = meta["value"]
        if name == "wire" and isinstance(value, list):  # one credit per agency, with its evidence
            value = ", ".join(f"{w['agency']} ({w['evidence']}, {w['confidence']:.2f})" for w in value)
            console.print(f"  {name:<14} {value}", markup=False)
            continue
        if name == "date_evidence" and isinstance(value, list):  # every date the page's markup states
            value = "; ".join(f"{d['date']} {d['source']}" + (" (update)" if d["kind"] == "modified" else "")
                              for d in value)
            console.print(f"  {name:<14} {value}", markup=False)
            continue
        console.print(f"  {name:<14} {value!r}  (from {meta['source']}, confidence {meta['confidence']:.2f})", markup=False)
    console.print(f"  {'source':<14} {row['source']} {row['locator']}", markup=False)
    if row["published_at"] or row["published_raw"]:
        console.print(f"  {'input date':<14} {row['published_raw'] or '-'}  (timestamp {row['published_at'] or '-'})", markup=False)
    for name, value in sorted(row["meta"].items()):
        console.print(f"  meta.{name:<9} {value!r}", markup=False)
    for warning in row["warnings"]:
        console.print(f"  [yellow]warning[/]        {rich_escape(warning)}")
    from storyline.views.reprints import show_reprints

    show_reprints(store, article_id, console)
    console.print("[bold]text[/]")
    console.print(row["text"] or "(not cleaned yet: run `storyline run`)", markup=False)
    if removed:
        clean = store.clean_articles([article_id])
        console.print("[bold]removed as page furniture[/]")
        for line in clean[0].removed if clean else []:
            console.print(f"  [dim]{line.line_no:>4} {line.reason:<16}[/] ", end="")
            console.print(line.text, markup=False, style="dim")


def _day_span(start: str | None, end: str | None) -> str:
    if not start:
        return "undated"
    return start if not end or end == start else f"{start} – {end}"


def events_table(store: Store, story_id: str | None = None) -> Table:
    """One row per merged event; an estimated date shows as "~date" with its confidence."""
    table = Table("date", "type", "where", "who", "sources", "story", title="events")
    for e in store.events(story_id):
        when = _day_span(e["date_start"], e["date_end"])
        if e["estimated"]:
            when = f"~{when} (estimate, {e['confidence']:.2f})"
        table.add_row(
            when, f"{e['family']} ({e['type']})", e["place"] or "-", ", ".join(e["actors"][:3]) or "-",
            f"{len(e['sources'])}: {', '.join(e['sources'][:4])}{' ...' if len(e['sources']) > 4 else ''}",
            e["story"] or "-",
        )
    return table


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,}"


def _value(row: dict) -> str:
    low, high = row["value_low"], row["value_high"]
    fmt = _fmt
    if low == high:
        return f"{row['qualifier']} {fmt(low)}".strip()
    return f"{row['qualifier'] or 'between'} {fmt(low)} and {fmt(high)}"


def claims_table(store: Store, disputed: bool = False) -> Table:
    """Figures with what they count, who said them and where; disputed ones grouped."""
    rows = store.claims(disputed_only=disputed)
    notes = {d["id"]: d["what"] for d in store.disputes()}
    table = Table("value", "counts", "said by", "article", "outlet", "disputed",
                  title="disputed figures" if disputed else "figures")
    rows.sort(key=lambda r: (r["dispute"] or "", r["article_id"], r["start"]))
    for r in rows:
        table.add_row(
            _value(r), r["what"], r["attributed_to"] or "(the article)", r["article_id"], r["outlet"] or "-",
            notes.get(r["dispute"], "") if r["dispute"] else "",
        )
    return table


def entities_table(store: Store, kind: str | None = None, limit: int | None = 50) -> Table | str:
    """People, organisations and places with their aliases; places with where they are."""
    rows = list(store.entities(kind, limit))
    if not rows:
        return "no entities yet: `storyline run` finds them"
    table = Table("kind", "name", "aliases", "articles", "mentions", "where")
    for e in rows:
        where = ""
        if e["place"]:
            p = e["place"]
            where = f"{p['lat']:.2f}, {p['lon']:.2f} {p.get('country') or ''}".strip()
        others = [a for a in e["aliases"] if a != e["name"]]
        table.add_row(e["kind"], e["name"], "; ".join(others[:6]), str(len(e["articles"])), str(e["mentions"]), where)
    return table
