"""`storyline story ID`: one story as a reader sees it, built from stored data only.

Summary sentences carry citation markers [1][2] that point into the numbered source list;
reprints of one wire text share a line of the list's "reprint group" column, so a reader
sees that [1][2][4] are one source printed three times. Then the disputed figures with who
said each, the story's timeline, and the dated events of the other stories of its storyline.
The same data is what `story_data` returns (`--json`); the web reads the same read model.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from storyline.errors import NotFoundError
from storyline.store import Store
from storyline.store.queries import story_page


def story_data(store: Store, story_id: str) -> dict[str, Any]:
    """Story, sources (numbered in arrival order), summary (with the events stage's disputes)
    and the storyline's other dated events: the story read model (store/queries.py)."""
    page = story_page(store, story_id)
    if page is None:
        raise NotFoundError(f"no story {story_id!r} in {store.path}; `storyline stories` lists them")
    sources = [
        {"n": m["n"], "id": m["id"], "outlet": m["outlet"], "title": m["title"], "published": m["published"],
         "reprint_group": m["reprint_group"], "url": m["url"]}
        for m in page["members"]
    ]
    return {"story": page["story"], "sources": sources, "summary": page["summary"],
            "storyline_timeline": page["storyline_timeline"]}


def render_story(store: Store, story_id: str, console: Console) -> None:
    data = story_data(store, story_id)
    story, sources, summary = data["story"], data["sources"], data["summary"]
    number = {s["id"]: s["n"] for s in sources}
    outlet = {s["id"]: s["outlet"] or s["id"] for s in sources}

    def marks(cites: list[str]) -> str:
        return "".join(f"[{number[c]}]" for c in cites if c in number)

    console.print(f"[bold]story {story['id']}[/]  {story['first_seen'] or '?'} to {story['last_seen'] or '?'}"
                  f"  storyline {story['storyline'] or '-'}")
    if summary is None:
        console.print(story["title"] or "", markup=False)
        console.print("no summary yet: run `storyline run`")
    else:
        head = summary.get("headline")
        console.print(f"[bold]{_esc(head['text'] if head else story['title'] or '')}[/]")
        console.print("[bold]Summary[/]")
        for s in summary["sentences"]:
            console.print(f"  {s['text']} {marks(s['cites'])}", markup=False)
        if summary["disputes"]:
            console.print("[bold]Sources disagree[/]")
            for d in summary["disputes"]:
                # A figure may come from another story's article (the dispute spans stories): no [n].
                parts = [f"{f['value']} ({f['who'] or 'unattributed'}, {outlet.get(f['article_id'], f['article_id'])}"
                         f"{' ' + marks([f['article_id']]) if f['article_id'] in number else ''})"
                         for f in d.get("figures", [])]
                console.print(f"  {d['what']}: " + (" vs ".join(parts) if parts else d["note"]), markup=False)
        console.print("[bold]Timeline[/]")
        if not summary["timeline"]:
            console.print("  no dated events found")
        for e in summary["timeline"]:
            est = " (estimated)" if e["estimated"] else ""
            console.print(f"  {e['date']}{est}  {e['text']} {marks(e['cites'])}", markup=False)
    if data["storyline_timeline"]:
        console.print("[bold]Elsewhere in the storyline[/]")
        for e in data["storyline_timeline"]:
            est = " (estimated)" if e["estimated"] else ""
            console.print(f"  {e['date']}{est}  {e['text']}  ({e['story']}: {', '.join(e['cites'])})", markup=False)
    console.print("[bold]Sources[/]")
    for s in sources:
        group = f"  reprint group {s['reprint_group']}" if s["reprint_group"] else ""
        console.print(f"  [{s['n']}] {s['id']}  {s['outlet'] or 'outlet unknown'}  {s['published'] or 'date unknown'}"
                      f"{group}  {s['title'] or ''}", markup=False)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)
