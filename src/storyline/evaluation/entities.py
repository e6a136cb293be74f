"""`storyline eval entities`: entity kinds and cross-document coreference on ECB+.

- ECB+ topics 1-25 (DIR/ecbplus/ECB+/<topic>/*.xml; `_ecb_entities` says which gold
  mentions count): the entities stage runs on every document, its mentions are resolved
  across all of them at once (as `storyline run` does on a corpus), and each gold name mention
  is matched by the predicted mention that overlaps it and holds its last word.
- Printed: span recall, `kind accuracy` on matched mentions, and the cross-document
  coreference of the matched mentions against the gold chains (MUC, B-cubed, CEAFe, CoNLL F1),
  with the same-normalized-name baseline (mentions with one name key are one entity) in the
  same run.
- `--sample`: the hand-read AllSides 2021 sample (data/read_samples/entities_allsides2021.tsv,
  see `_read_sample`), its kind and merge precision.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path

import click

from storyline.evaluation import data_option, resolve_data_dir
from storyline.evaluation._ecb_entities import GoldMention, load
from storyline.evaluation.metrics import bcubed, ceafe, conll_f1, muc
from storyline.records import CleanArticle, EntityMention


def match(gold: list[GoldMention], predicted: dict[str, list[EntityMention]]) -> dict[int, EntityMention]:
    """gold index -> the predicted mention that overlaps it and covers its last word."""
    out = {}
    for n, g in enumerate(gold):
        last_word = g.text.split()[-1]
        last_start = g.end - len(last_word)
        best = None
        for m in predicted.get(g.doc, ()):
            if m.field == "title" or not (m.start < g.end and g.start < m.end):
                continue
            if m.start <= last_start and m.end >= g.end - (2 if g.text.endswith("'s") else 0):
                overlap = min(m.end, g.end) - max(m.start, g.start)
                if best is None or overlap > min(best.end, g.end) - max(best.start, g.start):
                    best = m
        if best is not None:
            out[n] = best
    return out


def _coref_line(label: str, predicted: dict[str, str], gold: dict[str, str]) -> str:
    mp, mr, mf = muc(predicted, gold)
    bp, br, bf = bcubed(predicted, gold)
    cp, cr, cf = ceafe(predicted, gold)
    return (f"  {label:<28} MUC {mf:.3f}  B-cubed P {bp:.3f} R {br:.3f} F1 {bf:.3f}  "
            f"CEAFe {cf:.3f}  CoNLL F1 {conll_f1(predicted, gold):.3f}")


def evaluate_ecb(data_dir, topics: range = range(1, 26)) -> dict[str, float]:
    from storyline.stages.entities.extract import extract
    from storyline.stages.entities.resolve import resolve
    from storyline.text.names import name_key

    docs, gold = load(data_dir, topics)
    t0 = time.perf_counter()
    found = extract([CleanArticle(id=d.id, text=d.text) for d in docs])
    mentions = [m for f in found for m in f.mentions]
    entities, links = resolve(mentions)
    seconds = time.perf_counter() - t0
    by_doc: dict[str, list[EntityMention]] = defaultdict(list)
    for m in mentions:
        by_doc[m.article_id].append(m)
    matched = match(gold, by_doc)
    # A mention's kind is its entity's, as `storyline entities` shows it (after the corpus vote).
    kind_of = {e.id: e.kind for e in entities}
    kind = {n: kind_of[links[(m.article_id, m.n)]] for n, m in matched.items()}
    kinds_right = sum(1 for n in matched if kind[n] == gold[n].kind)
    confusion = Counter((gold[n].kind, kind[n]) for n in matched if kind[n] != gold[n].kind)
    gold_chain = {str(n): gold[n].chain for n in matched}
    system = {str(n): links[(m.article_id, m.n)] for n, m in matched.items()}
    baseline = {str(n): name_key(m.text) for n, m in matched.items()}
    by_kind = Counter(g.kind for g in gold)
    click.echo(f"ECB+ topics {topics.start}-{topics.stop - 1}: {len(docs)} documents, {len(gold)} gold name mentions "
               f"({', '.join(f'{k} {v}' for k, v in sorted(by_kind.items()))}); "
               f"{len(mentions)} predicted mentions, {len(entities)} entities, {seconds:.1f}s")
    recall = len(matched) / len(gold) if gold else 0.0
    accuracy = kinds_right / len(matched) if matched else 0.0
    click.echo(f"span recall {recall:.3f} ({len(matched)}/{len(gold)})")
    for gold_kind in sorted(by_kind):
        ns = [n for n in matched if gold[n].kind == gold_kind]
        right = sum(1 for n in ns if kind[n] == gold_kind)
        got = sum(1 for g in gold if g.kind == gold_kind)
        click.echo(f"  {gold_kind:<7} recall {len(ns) / max(1, got):.3f}  kind accuracy {right / max(1, len(ns)):.3f}")
    click.echo(f"kind accuracy {accuracy:.3f}")
    if confusion:
        click.echo("  wrong kinds (gold -> predicted): " + ", ".join(f"{g}->{p} {c}" for (g, p), c in confusion.most_common()))
    click.echo("cross-document coreference of the matched mentions:")
    click.echo(_coref_line("storyline", system, gold_chain))
    click.echo(_coref_line("baseline: same name key", baseline, gold_chain))
    b3 = bcubed(system, gold_chain)[2]
    click.echo(f"coreference B-cubed F1 {b3:.3f}")
    click.echo(f"baseline B-cubed F1 {bcubed(baseline, gold_chain)[2]:.3f}")
    return {"recall": recall, "kind_accuracy": accuracy, "bcubed": b3}


@click.command("entities")
@data_option
@click.option("--sample/--no-sample", default=True, show_default=True,
              help="Also print the precision of the hand-read AllSides 2021 sample.")
@click.option("--draw", "draw_to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw a new AllSides 2021 sample into this TSV, marks empty, for a reader.")
def command(data: str | None, sample: bool, draw_to: Path | None) -> None:
    """Entity kinds, span recall and cross-document coreference on ECB+ 1-25 (with a
    same-name baseline); the hand-read AllSides sample's precision."""
    data_dir = resolve_data_dir(data)
    evaluate_ecb(data_dir)
    if sample or draw_to is not None:
        from storyline.evaluation._read_sample import print_entity_sample

        click.echo("")
        print_entity_sample(data_dir, draw_to)
