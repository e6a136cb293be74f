"""The hand-read sample of AllSides 2021 entities (`storyline eval entities --sample`).

Drawing: the entities stage runs on every AllSides 2021 article (title + body, ids
"<story id>-<side>"), its mentions are resolved at once, and SAMPLE_SIZE entities are drawn
at random with a fixed seed, each with a chance in proportion to its number of articles (what
an analyst meets most is read most). `--draw FILE` writes them as a TSV with empty marks.

Marking: a reader fills `kind_ok` (y/n: person, org or place is right for what the name
refers to) and `merge_ok` (y/n: the aliases are all that one thing, and it is not obviously
split from another entity of the list) for each row; the marked file ships as
data/read_samples/entities_allsides2021.tsv (names, kinds, aliases and article ids only, no
article text). Printed: kind and merge precision of the marks, and how many of the marked
rows today's code still gives the same kind and name (a changed entity needs a new read).
"""

from __future__ import annotations

import csv
import json
import random
from importlib import resources
from pathlib import Path

import click

from storyline.records import CleanArticle

SAMPLE_SIZE = 200
SEED = 16
FIELDS = ["n", "kind", "name", "aliases", "articles", "article_ids", "kind_ok", "merge_ok", "note"]


def allsides_articles(data_dir: Path) -> list[CleanArticle]:
    path = data_dir / "allsides" / "allsides_stories_2021.jsonl"
    if not path.is_file():
        raise click.ClickException(f"{path} not found: --data must hold allsides/allsides_stories_2021.jsonl")
    out = []
    for line in path.open(encoding="utf-8"):
        if not line.strip():
            continue
        story = json.loads(line)
        for side, art in sorted((story.get("news") or {}).items()):
            body = " ".join(art.get("newBody") or [])
            if body:
                out.append(CleanArticle(id=f"{story['id']}-{side}", text=body, title=art.get("newsTitle") or None,
                                        language="en"))
    return out


def current_entities(data_dir: Path):
    from storyline.stages.entities.extract import extract
    from storyline.stages.entities.resolve import resolve

    found = extract(allsides_articles(data_dir))
    entities, _ = resolve(m for f in found for m in f.mentions)
    return entities


def draw(entities, n: int = SAMPLE_SIZE, seed: int = SEED) -> list[dict[str, str]]:
    """n entities drawn without replacement, each weighted by its number of articles."""
    rng = random.Random(seed)
    pool = sorted(entities, key=lambda e: e.id)
    keyed = sorted(pool, key=lambda e: rng.random() ** (1.0 / len(e.articles)), reverse=True)
    rows = []
    for i, e in enumerate(sorted(keyed[:n], key=lambda e: (-len(e.articles), e.name)), 1):
        rows.append({"n": str(i), "kind": e.kind, "name": e.name, "aliases": "; ".join(e.aliases[:8]),
                     "articles": str(len(e.articles)), "article_ids": " ".join(e.articles[:3]),
                     "kind_ok": "", "merge_ok": "", "note": ""})
    return rows


def write_sample(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS, delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)


def marked_sample() -> list[dict[str, str]] | None:
    ref = resources.files("storyline.data").joinpath("read_samples/entities_allsides2021.tsv")
    if not ref.is_file():
        return None
    return list(csv.DictReader(ref.read_text(encoding="utf-8").splitlines(), delimiter="\t"))


def _precision(rows: list[dict[str, str]], column: str) -> tuple[float, int]:
    marked = [r for r in rows if r[column] in ("y", "n")]
    return (sum(r[column] == "y" for r in marked) / len(marked) if marked else 0.0), len(marked)


def print_entity_sample(data_dir: Path, draw_to: Path | None = None) -> None:
    entities = current_entities(data_dir)
    if draw_to is not None:
        write_sample(draw(entities), draw_to)
        click.echo(f"drew {SAMPLE_SIZE} AllSides 2021 entities (seed {SEED}, by article count) into {draw_to}")
    rows = marked_sample()
    if rows is None:
        click.echo("no hand-read sample shipped (data/read_samples/entities_allsides2021.tsv)")
        return
    kind_p, kind_n = _precision(rows, "kind_ok")
    merge_p, merge_n = _precision(rows, "merge_ok")
    now = {(e.name, e.kind) for e in entities}
    same = sum((r["name"], r["kind"]) in now for r in rows)
    click.echo(f"AllSides 2021 hand-read sample: {len(rows)} entities drawn by article count (seed {SEED})")
    click.echo(f"entity kind precision {kind_p:.3f} ({kind_n} read)")
    click.echo(f"entity merge precision {merge_p:.3f} ({merge_n} read)")
    click.echo(f"  {same}/{len(rows)} sampled entities have the same name and kind with today's code")
