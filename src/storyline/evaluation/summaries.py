"""`storyline eval summaries`: cited summaries on NeuS (ROUGE, citation check) and the seeds.

NeuS (DIR/allsides/neus_splits/{train,val}.{source,target}): one cluster of three articles a
line (`TITLE=> ... ARTICLE=> ... [SEP] TITLE=> ...`), the target a reference roundup in the
same `TITLE=> ... ARTICLE=> ...` form. Each cluster is summarized exactly as a story is (the
same `summarize` and `headline` code, no NeuS-specific path): the headline, then the chosen
sentences. The `TITLE=>`/`ARTICLE=>` markers are removed from the reference (they are
format, not words of the summary); the reference's title and body are its first sentences.
ROUGE-1/2/Lsum F1 with rouge-score's Porter stemmer; Lsum splits both sides into sentences
(one a line), as rouge-score expects. ROUGE-L over the unsplit texts is printed too: papers
that report "Lsum" without newline-separated sentences get that number.

The citation check reads every cited article afresh and confirms it holds the cited
sentence itself or a paraphrase with `paraphrase_similarity` >= PARAPHRASE_SIMILARITY (the
documented threshold in stages/summaries/summarize.py). It also counts the articles that hold the
sentence but were not cited (completeness).

Length: NeuS references are a title and 32-138 words (10th-90th percentile), longer for
longer clusters (correlation 0.50 on train), so sentences follow the headline until they
reach `--ratio` (default 0.25, chosen on the train split) of the cluster's words, at most
`--sentences` (default 5, as a story's summary in the pipeline: DEFAULT_SENTENCES).
Tune with `--split train`; report val.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import click

from storyline.errors import StorylineError
from storyline.evaluation import data_option, resolve_data_dir
from storyline.records import ArticleForGrouping
from storyline.stages.summaries.summarize import (
    DEFAULT_SENTENCES,
    PARAPHRASE_SIMILARITY,
    best_match,
    headline,
    split_sentences,
    summarize,
)

NEUS_SENTENCES = DEFAULT_SENTENCES
NEUS_RATIO = 0.25
_PART = re.compile(r"^\s*TITLE=>(?P<title>.*?)ARTICLE=>(?P<body>.*)$", re.S)


def parse_cluster(line: str, name: str) -> list[ArticleForGrouping]:
    """The articles of one NeuS source line."""
    out = []
    for i, part in enumerate(p for p in line.split("[SEP]") if p.strip()):
        m = _PART.match(part)
        title, body = (m.group("title").strip(), m.group("body").strip()) if m else (None, part.strip())
        out.append(ArticleForGrouping(f"{name}-{i}", i, body, title or None, None, None, "en"))
    return out


def reference_text(line: str) -> str:
    """A target line without its format markers, one sentence a line (for ROUGE-Lsum)."""
    m = _PART.match(line)
    parts = [m.group("title").strip(), m.group("body").strip()] if m else [line.strip()]
    return "\n".join(s for p in parts if p for s in split_sentences(p))


def read_pairs(source: Path, target: Path) -> Iterator[tuple[int, str, str]]:
    for path in (source, target):
        if not path.is_file():
            raise StorylineError(f"{path} does not exist (expected a NeuS .source/.target file)")
    with source.open(encoding="utf-8") as fs, target.open(encoding="utf-8") as ft:
        src, tgt = fs.read().split("\n"), ft.read().split("\n")
    while src and not src[-1].strip():
        src.pop()
    while tgt and not tgt[-1].strip():
        tgt.pop()
    if len(src) != len(tgt):
        raise StorylineError(f"{source} has {len(src)} lines but {target} has {len(tgt)}: they must pair up")
    for n, (s, t) in enumerate(zip(src, tgt, strict=True), start=1):
        if s.strip() and t.strip():
            yield n, s, t


def summary_text(articles: list[ArticleForGrouping], sentences: int, ratio: float | None
                 ) -> tuple[list[str], list]:
    """(the summary's lines: headline then sentences, the cited sentence lines)."""
    budget = ratio * sum(len(a.text.split()) for a in articles) if ratio else None
    lines = summarize(articles, {}, max_sentences=sentences, max_words=budget)
    head = headline(articles)
    return ([head["text"]] if head else []) + [x.text for x in lines], lines


def check_citations(lines, articles: list[ArticleForGrouping]) -> tuple[int, int, int]:
    """(valid citations, all citations, articles holding a summary sentence but not cited)."""
    text_of = {a.id: a.text for a in articles}
    valid = total = missed = 0
    for line in lines:
        for aid in line.cites:
            total += 1
            _, sim = best_match(line.text, text_of[aid])
            valid += sim >= PARAPHRASE_SIMILARITY
        for aid, text in text_of.items():
            if aid not in line.cites and best_match(line.text, text)[1] >= PARAPHRASE_SIMILARITY:
                missed += 1
    return valid, total, missed


def neus_scores(source: Path, target: Path, sentences: int, limit: int | None = None,
                ratio: float | None = NEUS_RATIO) -> dict:
    try:
        from rouge_score import rouge_scorer
    except ImportError as exc:
        raise StorylineError("ROUGE needs rouge-score: pip install 'storyline[eval]'") from exc

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum", "rougeL"], use_stemmer=True)
    sums = {"rouge1": [], "rouge2": [], "rougeLsum": [], "rougeL": []}
    valid = total = missed = 0
    words = []
    for n, src, tgt in read_pairs(source, target):
        if limit and len(words) >= limit:
            break
        articles = parse_cluster(src, f"line{n}")
        shown, lines = summary_text(articles, sentences, ratio)
        words.append(sum(len(s.split()) for s in shown))
        scores = scorer.score(reference_text(tgt), "\n".join(shown))
        for k in sums:
            sums[k].append(scores[k].fmeasure)
        v, t, m = check_citations(lines, articles)
        valid, total, missed = valid + v, total + t, missed + m
    if not words:
        raise StorylineError(f"{source} holds no clusters")
    return {
        "clusters": len(words), "words": statistics.mean(words),
        **{k: statistics.mean(v) for k, v in sums.items()},
        "citations_valid": valid, "citations": total, "not_cited": missed,
    }


def seeds_checklist(echo) -> bool:
    """The seeds' expectations (EXPECTED.md), checked on a real pipeline run over the bundled
    seeds, and on the summarizer over the expected story (000-003)."""
    from storyline.ingest import ingest
    from storyline.pipeline import run_pipeline
    from storyline.seeds import seed_files
    from storyline.stages.summaries.story import StoryInput, summarize_story
    from storyline.store import Store

    ok = True
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "seeds.db") as store:
        ingest(store, [str(p) for p in seed_files()])
        run_pipeline(store)
        arts = store.articles_for_grouping()
        groups = store.reprint_groups()
        expected = [a for a in arts if a.id[:3] in {"000", "001", "002", "003"}]
        checks = [("pipeline", s["id"], store.story_summary(s["id"])) for s in store.stories()]
        story = summarize_story(StoryInput("expected 000-003", "", expected,
                                           {a.id: groups[a.id] for a in expected if a.id in groups}))
        story["disputes"] = store.article_disputes([a.id for a in expected])  # the events stage's
        checks.append(("expected story", "000-003", story))
        text_of = {a.id: a.text for a in arts}
        ap = sorted(a.id for a in arts if a.id[:3] in {"000", "001", "003"})
        for where, sid, summ in checks:
            sents = (summ or {}).get("sentences", [])
            texts = [s["text"] for s in sents]
            repeated = len(texts) != len(set(texts)) or any(
                best_match(a, [b])[1] >= PARAPHRASE_SIMILARITY for i, a in enumerate(texts) for b in texts[i + 1:])
            cited = [(aid, s["text"]) for s in sents for aid in s["cites"]]
            valid = sum(best_match(t, text_of[aid])[1] >= PARAPHRASE_SIMILARITY for aid, t in cited)
            # Cited together: some sentence cites all three copies, and no sentence leaves out
            # an AP copy that carries it.
            ap_together = [s for s in sents if set(ap) & set(s["cites"])]
            together = any(set(ap) <= set(s["cites"]) for s in sents) and all(
                aid in s["cites"] for s in sents for aid in ap
                if best_match(s["text"], text_of[aid])[1] >= PARAPHRASE_SIMILARITY)
            disputes = (summ or {}).get("disputes", [])
            dispute = any("1,500" in d["note"] and "2,500" in d["note"] and "3,500" in d["note"]
                          and "(" in d["note"] for d in disputes)
            echo(f"seeds [{where} {sid}] {len(sents)} sentences")
            echo(f"  [{'x' if not repeated else ' '}] no sentence (or close paraphrase) twice")
            echo(f"  [{'x' if valid == len(cited) else ' '}] citations valid {valid}/{len(cited)}")
            if ap_together:
                echo(f"  [{'x' if together else ' '}] AP reprints 000, 001, 003 cited together "
                     f"({sum(set(ap) <= set(s['cites']) for s in ap_together)} of {len(ap_together)} AP "
                     "sentences cite all three; the rest are carried by fewer copies, all cited)")
            if any(a[:3] in {"002", "003", "004"} for a in {c for s in sents for c in s["cites"]}):
                note = next((d["note"] for d in disputes if "1,500" in d["note"]), "no dispute found")
                echo(f"  [{'x' if dispute else ' '}] 1,500 vs 2,500-3,500 stated with who said each: {note}")
            if where == "expected story":
                ok = ok and not repeated and valid == len(cited) and together and dispute
    return ok


@click.command("summaries")
@data_option
@click.option("--source", type=click.Path(dir_okay=False), default=None, help="A NeuS-format .source file.")
@click.option("--target", type=click.Path(dir_okay=False), default=None, help="Its .target file.")
@click.option("--split", type=click.Choice(["train", "val"]), default="val", show_default=True,
              help="NeuS split under DIR/allsides/neus_splits (tune on train, report val).")
@click.option("--sentences", type=int, default=NEUS_SENTENCES, show_default=True,
              help="At most this many sentences after the headline.")
@click.option("--ratio", type=float, default=NEUS_RATIO, show_default=True,
              help="Add sentences until they reach this share of the cluster's words (0: no word budget).")
@click.option("--limit", type=int, default=None, help="Only the first N clusters (for quick runs).")
@click.option("--no-seeds", is_flag=True, help="Skip the seeds checklist.")
def command(data: str | None, source: str | None, target: str | None, split: str, sentences: int,
            ratio: float, limit: int | None, no_seeds: bool) -> None:
    """Cited summaries: ROUGE-1/2/Lsum and a citation check on NeuS, and the seeds checklist."""
    if (source is None) != (target is None):
        raise StorylineError("give both --source and --target, or neither (then --data DIR is used)")
    if source and target:
        src, tgt = Path(source), Path(target)
    else:
        folder = resolve_data_dir(data) / "allsides" / "neus_splits"
        src, tgt = folder / f"{split}.source", folder / f"{split}.target"
    started = time.perf_counter()
    r = neus_scores(src, tgt, sentences, limit, ratio or None)
    click.echo(f"{src.name}: {r['clusters']} clusters, headline + up to {sentences} sentences "
               f"(word budget {ratio} of the cluster), "
               f"{r['words']:.1f} words on average, {time.perf_counter() - started:.1f}s")
    click.echo(f"ROUGE-1 {r['rouge1']:.3f}")
    click.echo(f"ROUGE-2 {r['rouge2']:.3f}")
    click.echo(f"ROUGE-Lsum {r['rougeLsum']:.3f}")
    click.echo(f"ROUGE-L {r['rougeL']:.3f}  (no sentence split; published Lsum figures may be this)")
    share = r["citations_valid"] / r["citations"] if r["citations"] else 1.0
    click.echo(f"citations valid {r['citations_valid']}/{r['citations']} ({share:.1%}) at similarity "
               f">= {PARAPHRASE_SIMILARITY}; articles holding a summary sentence but not cited: {r['not_cited']}")
    if not no_seeds:
        ok = seeds_checklist(click.echo)
        click.echo(f"seeds checklist (expected story): {'all met' if ok else 'NOT all met'}")
