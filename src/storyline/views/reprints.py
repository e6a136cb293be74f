"""Terminal views of reprints: an article's group and reuse links, and `storyline diff A B`."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from storyline.errors import NotFoundError, StorylineError
from storyline.store import Store

MAX_EDITS_SHOWN = 12


def _clip(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def show_reprints(store: Store, article_id: str, console: Console) -> None:
    """The article's reprint group (fullest and earliest copy, what this copy changed) and
    its reuse links, as `storyline show ARTICLE` prints them."""
    group = store.reprint_group_of(article_id)
    if group:
        full = store.reprint_group(group["group"]) or {"members": []}
        console.print(f"[bold]reprint group {group['group']}[/]: {len(group['members'])} copies of the same "
                      f"source text; fullest {group['fullest']}, earliest {group['earliest'] or 'unknown'}")
        for m in full["members"]:
            marks = ", ".join(x for x, on in (("fullest", m["fullest"]), ("earliest", m["earliest"]), ("this", m["id"] == article_id)) if on)
            changes = m["changes"]
            summary = (f"removed {len(changes['removed'])}, changed {len(changes['changed'])}, added {len(changes['added'])}"
                       if changes else "")
            console.print(f"  {m['id']}  {m['outlet'] or 'outlet unknown'}  {m['published'] or 'date unknown'}"
                          f"{'  [' + marks + ']' if marks else ''}{'  ' + summary if summary else ''}", markup=False)
        mine = next((m for m in full["members"] if m["id"] == article_id), None)
        if mine and mine["changes"]:
            _print_changes(mine["changes"], group["fullest"], console)
    reuse = store.reuse_links_of(article_id)
    if reuse:
        console.print("[bold]reuse links[/] (shared passages, not reprints)")
        for link in reuse:
            console.print(f"  {link['other']}: {link['passages']} shared passage(s), containment "
                          f"{link['containment']:.2f}  (storyline diff {article_id} {link['other']})", markup=False)


def _print_changes(changes: dict[str, Any], fullest: str, console: Console) -> None:
    console.print(f"  against the fullest copy {fullest}:", markup=False)
    for text in changes["removed"][:MAX_EDITS_SHOWN]:
        console.print(f"    removed  {_clip(text)}", markup=False)
    for op, before, after in changes["changed"][:MAX_EDITS_SHOWN]:
        console.print(f"    {op:<8} {_clip(before, 45) or '-'} -> {_clip(after, 45) or '-'}", markup=False)
    if len(changes["changed"]) > MAX_EDITS_SHOWN:
        console.print(f"    ... {len(changes['changed']) - MAX_EDITS_SHOWN} more edits", markup=False)
    for text in changes["added"][:MAX_EDITS_SHOWN]:
        console.print(f"    added    {_clip(text)}", markup=False)


def aligned_pair(store: Store, a: str, b: str, a_is_ref: bool = False) -> dict[str, Any]:
    """The reprint stage's alignment of articles `a` and `b` with both texts: the stored
    alignment when the stage made one (either order; with `a_is_ref`, only one with `a` as
    the reference), else one computed now with `a` as the reference. {ref, copy, origin, ref_text, copy_text, passages: [{ref_start, ref_end,
    copy_start, copy_end, similarity, edits}], removed / added: [(start, end)] spans of the
    reference / the copy outside every passage}."""
    for article_id in (a, b):
        if not store.has_article(article_id):
            raise NotFoundError(f"no article {article_id!r} in {store.path}")
    texts = store.clean_texts([a, b])
    missing = [x for x in (a, b) if x not in texts]
    if missing:
        raise StorylineError(f"article(s) {', '.join(missing)} not cleaned yet: run `storyline run` first")
    stored = store.alignment_between(a, b)
    if stored is not None and a_is_ref and stored["ref"] != a:
        stored = None  # e.g. the original on the left, where the stage aligned against the fullest
    if stored is None:
        from storyline.stages.reprints.alignment import align

        al = align(texts[a], texts[b])
        stored = {
            "ref": a, "copy": b, "removed": al.ref_unmatched, "added": al.copy_unmatched,
            "passages": [{"ref_start": p.ref_start, "ref_end": p.ref_end, "copy_start": p.copy_start,
                          "copy_end": p.copy_end, "similarity": p.similarity,
                          "edits": [e.as_list() for e in p.edits]} for p in al.passages],
        }
        origin = "computed now"
    else:
        origin = "stored"
    return {**stored, "origin": origin, "ref_text": texts[stored["ref"]], "copy_text": texts[stored["copy"]]}


def diff_data(store: Store, a: str, b: str) -> dict[str, Any]:
    """`aligned_pair` as `storyline diff --json` prints it: the passages with their texts,
    the removed and added texts, and how the reprint stage linked the two articles."""
    pair = aligned_pair(store, a, b)
    ref_text, copy_text = pair["ref_text"], pair["copy_text"]
    link = next((x for x in store.reprint_links(a) if {x[0], x[1]} == {a, b}), None)
    return {
        "ref": pair["ref"], "copy": pair["copy"], "origin": pair["origin"],
        "relation": "none" if link is None else ("reprint" if link[4] else "reuse"),
        "containment": link[2] if link else None,
        "passages": [dict(p, ref_text=ref_text[p["ref_start"]:p["ref_end"]],
                          copy_text=copy_text[p["copy_start"]:p["copy_end"]]) for p in pair["passages"]],
        "removed": [ref_text[s:e] for s, e in pair["removed"]],
        "added": [copy_text[s:e] for s, e in pair["added"]],
    }


def show_diff(data: dict[str, Any], console: Console) -> None:
    """Print `diff_data` for a terminal."""
    relation = {"reprint": "reprints of the same source text", "reuse": "partial reuse (not reprints)",
                "none": "not linked by the reprint stage"}[data["relation"]]
    console.print(f"[bold]reference {data['ref']}  copy {data['copy']}[/]  ({relation}; alignment {data['origin']})")
    if not data["passages"]:
        console.print("no shared passage")
    for n, p in enumerate(data["passages"], 1):
        console.print(f"[bold]passage {n}[/]  similarity {p['similarity']:.2f}  "
                      f"reference {p['ref_start']}-{p['ref_end']}, copy {p['copy_start']}-{p['copy_end']}")
        console.print(f"  ref : {_clip(p['ref_text'], 300)}", markup=False)
        console.print(f"  copy: {_clip(p['copy_text'], 300)}", markup=False)
        for op, before, after in p["edits"]:
            if op == "replace":
                console.print(f"    [red]- {escape(before)}[/red]  [green]+ {escape(after)}[/green]", highlight=False)
            elif op == "delete":
                console.print(f"    [red]- {escape(before)}[/red]", highlight=False)
            else:
                console.print(f"    [green]+ {escape(after)}[/green]", highlight=False)
    if data["removed"]:
        console.print(f"[bold]only in {data['ref']}[/] (removed by the copy)")
        for text in data["removed"]:
            console.print(f"  - {_clip(text, 200)}", markup=False)
    if data["added"]:
        console.print(f"[bold]only in {data['copy']}[/] (added by the copy)")
        for text in data["added"]:
            console.print(f"  + {_clip(text, 200)}", markup=False)
