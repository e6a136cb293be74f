"""`storyline eval stories`: story and storyline clustering on news_dev (B-cubed, ARI)."""

from __future__ import annotations

import click

from storyline.evaluation import data_option, resolve_data_dir
from storyline.evaluation.metrics import adjusted_rand, bcubed
from storyline.evaluation.news_dev import run_news_dev


@click.command("stories")
@data_option
def command(data: str | None) -> None:
    """Stories and storylines on news_dev: B-cubed P/R/F1 and ARI."""
    data_dir = resolve_data_dir(data)
    gold, exported, seconds = run_news_dev(data_dir)
    for level in ("story", "storyline"):
        predicted = {r["id"]: r[level] for r in exported}
        truth = {r["id"]: r[level] for r in gold}
        p, r, f = bcubed(predicted, truth)
        ari = adjusted_rand(predicted, truth)
        n = len(set(predicted.values()))
        click.echo(f"news_dev {level:<9} B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}  ARI {ari:.3f}  "
                   f"({n} predicted, {len(set(truth.values()))} gold)")
    click.echo(f"ingest+run {seconds:.1f}s for {len(gold)} articles")
