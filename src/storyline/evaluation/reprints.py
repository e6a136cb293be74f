"""`storyline eval reprints`: reprint pairs on news_dev, no false merges on ECB+, seeds checklist.

- news_dev: pair precision/recall/F1 of the predicted reprint groups against the gold ones.
- ECB+ (DIR/ecbplus): every topic holds two similar but different events; articles grouped
  as reprints across different gold events (topic + ecb/ecbplus) are false merges. Each such
  pair is listed with its containment, so a real duplicate can be told from an error.
- Seeds (bundled with the package): the checklist of seeds/EXPECTED.md for this stage.
"""

from __future__ import annotations

import json
import tempfile
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import click

from storyline.evaluation import data_option, resolve_data_dir
from storyline.evaluation.metrics import group_pairs, pair_scores
from storyline.evaluation.news_dev import run_news_dev
from storyline.executor.local import LocalExecutor
from storyline.ingest import ingest
from storyline.pipeline import default_stages, run_pipeline
from storyline.store import Store


@click.command("reprints")
@data_option
@click.option("--skip-ecbplus", is_flag=True, help="Skip the ECB+ no-false-merge check.")
@click.option("--list-same-event", is_flag=True, help="Also list ECB+ pairs grouped within one gold event.")
def command(data: str | None, skip_ecbplus: bool, list_same_event: bool) -> None:
    """Reprint pairs on news_dev (P/R/F1), false merges on ECB+, and the seeds checklist."""
    data_dir = resolve_data_dir(data)
    gold, exported, seconds = run_news_dev(data_dir)
    predicted = group_pairs({r["id"]: r["reprint_group"] for r in exported})
    truth = group_pairs({r["id"]: r["reprint_group"] for r in gold})
    p, r, f = pair_scores(predicted, truth)
    click.echo(f"news_dev reprint pairs: precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  "
               f"({len(predicted)} predicted, {len(truth)} gold; ingest+run {seconds:.1f}s)")
    for a, b in sorted(predicted - truth):
        click.echo(f"  false pair: {a} {b}")
    for a, b in sorted(truth - predicted):
        click.echo(f"  missed pair: {a} {b}")
    if not skip_ecbplus:
        ecbplus_check(data_dir, list_same_event)
    seeds_checklist()


# -- ECB+ -----------------------------------------------------------------------------------

def ecbplus_documents(root: Path) -> list[dict]:
    """One JSONL-ready row per ECB+ document: text (one sentence a line, the leaked URL
    sentence of *ecbplus.xml files removed) and its gold event (topic + ecb/ecbplus)."""
    rows = []
    for path in sorted(root.glob("*/*.xml")):
        sentences: dict[int, list[str]] = {}
        for tok in ET.parse(path).getroot().iter("token"):
            sentences.setdefault(int(tok.get("sentence", 0)), []).append(tok.text or "")
        if path.name.endswith("ecbplus.xml"):
            sentences.pop(0, None)
        text = "\n".join(" ".join(words) for _, words in sorted(sentences.items()))
        event = f"{path.parent.name}-{'ecbplus' if path.name.endswith('ecbplus.xml') else 'ecb'}"
        rows.append({"id": f"ecb-{path.stem}", "text": text, "event": event})
    return rows


def ecbplus_check(data_dir: Path, list_same_event: bool = False) -> None:
    root = data_dir / "ecbplus" / "ECB+"
    if not root.is_dir():
        click.echo(f"ECB+ check skipped: {root} not found")
        return
    docs = ecbplus_documents(root)
    event = {d["id"]: d["event"] for d in docs}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "ecbplus.jsonl"
        with src.open("w", encoding="utf-8") as out:
            for d in docs:
                out.write(json.dumps({"id": d["id"], "text": d["text"]}, ensure_ascii=False) + "\n")
        with Store(Path(tmp) / "ecb.db") as store:
            ingest(store, [str(src)])
            stages = default_stages()
            names = [s.name for s in stages]
            LocalExecutor(store).run(stages[: names.index("reprints") + 1])
            groups = store.reprint_groups()
            links = {(a, b): c for a, b, c, _, rep in store.reprint_links() if rep}
    members: dict[str, list[str]] = {}
    for article_id, gid in groups.items():
        members.setdefault(gid, []).append(article_id)
    grouped = [tuple(sorted(pair)) for m in members.values() for pair in combinations(m, 2)]
    cross = [(a, b) for a, b in grouped if event.get(a) != event.get(b)]
    click.echo(f"ECB+ no-false-merge: {len(docs)} documents, {len(members)} reprint groups, "
               f"{len(grouped)} grouped pairs, {len(cross)} across different gold events")
    for a, b in sorted(cross):
        how = f"containment {links[(a, b)]:.2f}" if (a, b) in links else "linked through other members"
        click.echo(f"  cross-event pair: {a} ({event[a]}) {b} ({event[b]}): {how}")
    for a, b in sorted(set(grouped) - set(cross)) if list_same_event else ():
        how = f"containment {links[(a, b)]:.2f}" if (a, b) in links else "linked through other members"
        click.echo(f"  same-event pair: {a} {b} ({event[a]}): {how}")


# -- seeds ----------------------------------------------------------------------------------

def seeds_checklist(seed_dir: Path | None = None) -> list[tuple[str, bool, str]]:
    """Run the pipeline on the bundled seeds and check EXPECTED.md's reprint facts; prints
    and returns (check, passed, detail) rows."""
    seed_dir = seed_dir or Path(__file__).resolve().parent.parent / "data" / "seeds"
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "seeds.db") as store:
        ingest(store, sorted(str(p) for p in seed_dir.glob("*.txt")))
        run_pipeline(store)
        ids = {a["id"][:3]: a["id"] for a in store.export_articles()}
        groups = store.reprint_groups()
        rows = check_seeds(store, ids, groups)
    click.echo("seeds checklist (seeds/EXPECTED.md, reprints):")
    for name, ok, detail in rows:
        click.echo(f"  [{'x' if ok else ' '}] {name}{': ' + detail if detail else ''}")
    return rows


def check_seeds(store: Store, ids: dict[str, str], groups: dict[str, str]) -> list[tuple[str, bool, str]]:
    """The checks, over a store where the seeds have been run (ids: '000' -> article id)."""
    rows: list[tuple[str, bool, str]] = []
    trio = {ids["000"], ids["001"], ids["003"]}
    gids = {groups.get(x) for x in trio}
    gid = next(iter(gids)) if len(gids) == 1 else None
    members = {a for a, g in groups.items() if g == gid} if gid else set()
    rows.append(("000, 001, 003 form one group", gid is not None and members == trio,
                 f"group {gid}: {sorted(x[:3] for x in members)}" if gid else f"groups {sorted(map(str, gids))}"))
    info = store.reprint_group_of(ids["003"])
    fullest = info["fullest"] if info else None
    rows.append(("003 is the fullest copy", fullest == ids["003"], f"fullest {fullest}"))
    changes = store.member_changes(fullest, ids["000"]) if fullest else None
    replaced = [(b, a) for op, b, a in (changes or {}).get("changed", []) if op == "replace"]
    daesh = [f"{b} -> {a}" for b, a in replaced if ("Islamic State" in b or " IS" in f" {b}") and "Daesh" in a]
    bukamal = [f"{b} -> {a}" for b, a in replaced if "Boukamal" in b and "Bu Kamal" in a]
    rows.append(("000's edit IS/Islamic State -> Daesh", bool(daesh), "; ".join(daesh[:3]) or "not found"))
    rows.append(("000's edit Boukamal -> Bu Kamal", bool(bukamal), "; ".join(bukamal[:3]) or "not found"))
    for x, y, what in (("000", "002", "AFP"), ("004", "003", "AP background")):
        al = store.alignment_between(ids[x], ids[y])
        n = len(al["passages"]) if al else 0
        rows.append((f"aligned passages {x}<->{y} ({what})", n > 0, f"{n} passage(s)"))
    for x in ("002", "004"):
        rows.append((f"{x} is not a group member", ids[x] not in groups, groups.get(ids[x]) or "no group"))
    return rows
