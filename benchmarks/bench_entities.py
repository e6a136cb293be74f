"""Speed of the entities stage (NER + gazetteer + geocoding) on real news text.

    python -m benchmarks.run entities [-- --data DIR --articles N]

Articles are the news_dev excerpts (DIR/news_dev.jsonl) and, for longer texts, the
GeoWebNews articles (DIR/geoparsing/GWN.xml) when present. Reports articles/s of `process`
(one process, as the local executor runs it), the one-off loading of the model and the
gazetteer, and the corpus-wide alias resolution. Run it with `taskset -c 0,1` to pin it to
two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from storyline.evaluation import resolve_data_dir
from storyline.records import CleanArticle


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_entities")
    parser.add_argument("--data", default=None)
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args(argv)
    data = resolve_data_dir(args.data)
    texts = [json.loads(line)["text"] for line in (data / "news_dev.jsonl").open(encoding="utf-8")]
    gwn = data / "geoparsing" / "GWN.xml"
    if gwn.exists():
        from storyline.evaluation.places import read_corpus

        texts += [d.text for d in read_corpus(gwn)]
    texts = (texts * (1 + args.articles // max(1, len(texts))))[: args.articles]
    articles = [CleanArticle(id=f"a{i}", text=t) for i, t in enumerate(texts)]
    chars = sum(len(t) for t in texts)

    from storyline.geo.gazetteer import gazetteer
    from storyline.stages.entities.extract import nlp
    from storyline.stages.entities.resolve import resolve
    from storyline.stages.entities.stage import EntityStage

    t0 = time.perf_counter()
    gazetteer()
    t1 = time.perf_counter()
    nlp()
    t2 = time.perf_counter()
    stage = EntityStage()
    results = []
    for start in range(0, len(articles), stage.batch_size):
        results += stage.process(articles[start : start + stage.batch_size])
    t3 = time.perf_counter()
    mentions = [m for r in results for m in r.mentions]
    entities, _ = resolve(mentions)
    t4 = time.perf_counter()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"articles: {len(articles)} ({chars / len(articles):.0f} characters on average), cores available: {cores}")
    print(f"load gazetteer: {t1 - t0:.2f}s   load spaCy model: {t2 - t1:.2f}s   (once per process)")
    print(f"process (NER + gazetteer + geocoding): {t3 - t2:.2f}s = {len(articles) / (t3 - t2):.1f} articles/s, "
          f"{len(mentions)} mentions")
    print(f"resolve (corpus-wide aliases): {t4 - t3:.3f}s for {len(entities)} entities")
