"""Story and storyline settings tried side by side on every dev corpus, from one news_dev run:

    GRID="LINE_SIMILARITY=0.10;LINE_SIMILARITY=0.13,LINE_MEMBERS=4" python -m benchmarks.tune_stories

Each `;`-separated setting of `stages.stories.clustering` constants prints one line: news_dev
story/storyline (mean and worst of 10 orders, clustered from the stored features: settings of
the term vectors themselves need a fresh pipeline run), ECB+ event and topic, AllSides and NeuS
val story F1, storyline count, largest share and precision with each story its own.
Needs ../shared/data (DATA to change it).
"""

from __future__ import annotations

import os
from pathlib import Path

from storyline.evaluation import stories as ev
from storyline.evaluation.metrics import bcubed
from storyline.evaluation.news_dev import news_dev_store
from storyline.stages.stories import clustering as sc

CACHE = {"ecb": "ecbplus", "all": "allsides", "neus": "neus-val"}


def _settings(grid: str) -> list[dict[str, float | int]]:
    out = []
    for spec in grid.split(";") if grid else [""]:
        setting: dict[str, float | int] = {}
        for pair in filter(None, spec.split(",")):
            name, value = pair.split("=")
            setting[name] = float(value) if "." in value else int(value)
        out.append(setting)
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def main() -> None:
    data = Path(os.environ.get("DATA", "../shared/data"))
    corpora = {"ecb": ev.load_ecbplus(data), "all": ev.load_allsides(data), "neus": ev.load_neus(data, "val")}
    vectors = {k: ev.corpus_embeddings(CACHE[k], arts)[0] for k, (arts, _) in corpora.items()}
    with news_dev_store(data) as (gold, store, _):
        for setting in _settings(os.environ.get("GRID", "")):
            for name, value in setting.items():
                setattr(sc, name, value)
            orders = ev.reorder_scores(store, gold)
            story, line = orders["story"], orders["storyline"]
            out = [str(setting),
                   f"news story F1 {_mean([s[2] for s in story]):.3f} (worst {min(s[2] for s in story):.3f})"
                   f" line P {_mean([s[0] for s in line]):.3f} R {_mean([s[1] for s in line]):.3f}"
                   f" F1 {_mean([s[2] for s in line]):.3f} (worst {min(s[2] for s in line):.3f})"]
            arts, truth = corpora["ecb"]
            stories, lines, _, _ = ev.cluster_plain(arts, vectors["ecb"])
            p, r, f = bcubed(lines, {k: v.split("/")[0] for k, v in truth.items()})
            out.append(f"ecb event F1 {bcubed(stories, truth)[2]:.3f} topic P {p:.3f} R {r:.3f} F1 {f:.3f}")
            for name in ("all", "neus"):
                arts, truth = corpora[name]
                stories, lines, _, _ = ev.cluster_plain(arts, vectors[name])
                per_line: dict[str, set[str]] = {}
                for art, sid in stories.items():
                    per_line.setdefault(lines[art], set()).add(sid)
                largest = max(len(v) for v in per_line.values()) / len(set(stories.values()))
                out.append(f"{name} story F1 {bcubed(stories, truth)[2]:.3f} lines {len(per_line)}"
                           f" largest {largest:.1%} lineP {bcubed(lines, truth)[0]:.3f}")
            print(" | ".join(out), flush=True)


if __name__ == "__main__":
    main()
