"""`storyline eval reprints`: reprint pair precision/recall/F1 on news_dev."""

from __future__ import annotations

import click

from storyline.evaluation import data_option, resolve_data_dir
from storyline.evaluation.metrics import group_pairs, pair_scores
from storyline.evaluation.news_dev import run_news_dev


@click.command("reprints")
@data_option
def command(data: str | None) -> None:
    """Reprint pairs on news_dev: precision, recall, F1."""
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
