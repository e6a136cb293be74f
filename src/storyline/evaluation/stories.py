"""`storyline eval stories`: story and storyline clustering (B-cubed P/R/F1 and ARI).

- news_dev: the whole pipeline (ingest, clean, reprints, stories) over a shuffled copy. The
  feed's `published` field is passed on as input: a real feed carries it, and it is empty
  where the date is not visible on the page (68 of 120 articles). Online clustering depends
  on the arrival order, so the stories are then re-clustered from the same cleaned articles,
  reprint groups and term vectors in ORDERS more shuffled arrival orders, and the mean (and
  the worst) over those is printed as well: one order's figure can be lucky.
- ECB+ topics 1-25: event cluster = topic + file kind (ecb / ecbplus); the URL sentence that
  opens each ecbplus file is dropped (it leaks the label), its next sentence is the title.
  Documents carry no dates and are fed in a fixed shuffled order.
- AllSides 2021: one story = its left/centre/right articles (title + body); fed without
  dates, and again with the AllSides story's date as each article's (a feed would carry
  each article's own date, which is near it).
- NeuS (the AllSides clusters of the summarization set; val by default, `--only neus-train`
  for train): one cluster = one story, no dates.
- On the dense corpora (AllSides, NeuS), where many stories are related, what matters is
  also that storylines do not chain: the number of storylines, the largest one's share of
  the stories, and the storyline B-cubed precision with each gold story its own storyline
  (a strict lower bound: related stories rightly threaded together count against it). And
  a title check: a story's title must be a headline or the lead sentence of one of its
  articles, and never a date, a byline, a section name or page furniture.
- ECB+ and AllSides are clustered with the story stage's embeddings as well, made once and
  kept in the cache folder (STORYLINE_CACHE); the time to embed is printed apart.
- The seeds: 000-003 must be one story, 004 another, all five one storyline.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import click
import numpy as np

from storyline.evaluation import data_option, resolve_data_dir
from storyline.evaluation.metrics import adjusted_rand, bcubed
from storyline.evaluation.news_dev import news_dev_store
from storyline.records import ArticleForGrouping

ORDERS = 10  # arrival orders the news_dev mean is taken over (the pipeline's own order first)
ORDERS_DENSE = 10  # ... and the dense corpora's
_TOKEN = re.compile(r'<token t_id="\d+" sentence="(\d+)"[^>]*>([^<]*)</token>')


def _unescape(text: str) -> str:
    return (text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


def load_ecbplus(data_dir: Path, topics: range = range(1, 26)) -> tuple[list[ArticleForGrouping], dict[str, str]]:
    """(documents in a fixed shuffled order, doc -> gold event cluster) for ECB+ topics."""
    root = data_dir / "ecbplus" / "ECB+"
    if not root.is_dir():
        raise click.ClickException(f"{root} not found: --data must hold ecbplus/ECB+/<topic>/*.xml")
    docs: list[tuple[str, str | None, str]] = []
    gold: dict[str, str] = {}
    for topic in topics:
        for path in sorted((root / str(topic)).glob("*.xml")):
            kind = "ecbplus" if path.stem.endswith("ecbplus") else "ecb"
            sentences: dict[int, list[str]] = {}
            for sentence, token in _TOKEN.findall(path.read_text(encoding="utf-8")):
                sentences.setdefault(int(sentence), []).append(_unescape(token))
            order = sorted(sentences)
            if kind == "ecbplus" and order and re.match(r"https?|www", " ".join(sentences[order[0]])):
                order = order[1:]  # the URL line: it names the event
            lines = [_detokenize(sentences[s]) for s in order]
            title = lines[0] if kind == "ecbplus" and lines else None
            body = "\n".join(lines[1:] if title else lines)
            docs.append((path.stem, title, body))
            gold[path.stem] = f"{topic}/{kind}"
    random.Random(7).shuffle(docs)
    articles = [ArticleForGrouping(doc_id, seq, body, title, None, None, "en")
                for seq, (doc_id, title, body) in enumerate(docs)]
    return articles, gold


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return re.sub(r" ([.,;:!?')])", r"\1", text)


def load_allsides(data_dir: Path, dated: bool = False) -> tuple[list[ArticleForGrouping], dict[str, str]]:
    """(articles in a fixed shuffled order, article -> gold story) for AllSides 2021;
    `dated`: each article carries its AllSides story's date."""
    path = data_dir / "allsides" / "allsides_stories_2021.jsonl"
    if not path.is_file():
        raise click.ClickException(f"{path} not found: --data must hold allsides/allsides_stories_2021.jsonl")
    items: list[tuple[str, str, str, str]] = []
    gold: dict[str, str] = {}
    for line in path.open(encoding="utf-8"):
        if not line.strip():
            continue
        story = json.loads(line)
        for side, art in sorted((story.get("news") or {}).items()):
            body = " ".join(art.get("newBody") or [])
            title = art.get("newsTitle") or ""
            if not (body or title):
                continue
            art_id = f"{story['id']}-{side}"
            day = (story.get("date") or "")[:10] or None if dated else None
            items.append((art_id, title, body, art.get("newsSource") or "", day))
            gold[art_id] = str(story["id"])
    random.Random(7).shuffle(items)
    articles = [ArticleForGrouping(art_id, seq, body, title, outlet, day, "en")
                for seq, (art_id, title, body, outlet, day) in enumerate(items)]
    return articles, gold


def load_neus(data_dir: Path, split: str = "val") -> tuple[list[ArticleForGrouping], dict[str, str]]:
    """(articles in a fixed shuffled order, article -> gold story) for a NeuS split: one
    source line is one story's three articles."""
    from storyline.evaluation.summaries import parse_cluster

    path = data_dir / "allsides" / "neus_splits" / f"{split}.source"
    if not path.is_file():
        raise click.ClickException(f"{path} not found: --data must hold allsides/neus_splits/{split}.source")
    articles: list[ArticleForGrouping] = []
    gold: dict[str, str] = {}
    for n, line in enumerate(path.open(encoding="utf-8")):
        if line.strip():
            for art in parse_cluster(line, f"{split}{n}"):
                articles.append(art)
                gold[art.id] = f"{split}{n}"
    random.Random(7).shuffle(articles)
    return [replace(a, seq=i) for i, a in enumerate(articles)], gold


def corpus_embeddings(name: str, articles: list[ArticleForGrouping]) -> tuple[dict[str, np.ndarray], float, int]:
    """(article -> embedding as the story stage makes it, seconds spent embedding, how many
    were embedded now). A fixed evaluation corpus is embedded once: the vectors are kept in
    the cache folder (STORYLINE_CACHE), keyed by the embedded text and the model."""
    from storyline.geo.gazetteer import cache_dir
    from storyline.stages.stories import embeddings as emb

    texts = {a.id: emb.embedding_text(a.title, a.text) for a in articles}
    keys = {a: emb.text_key(t).hex() for a, t in texts.items()}
    path = cache_dir() / f"eval-embeddings-{name}.npz"
    cached: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path, allow_pickle=False) as saved:
            cached = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
    missing = [a for a in texts if keys[a] not in cached]
    started = time.perf_counter()
    if missing:
        for a, vec in zip(missing, emb.embed([texts[a] for a in missing]), strict=True):
            cached[keys[a]] = vec
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(sorted(cached)), vectors=np.stack([cached[k] for k in sorted(cached)]))
        tmp.replace(path)
    return {a: cached[keys[a]] for a in texts}, time.perf_counter() - started, len(missing)


def cluster_plain(
    articles: list[ArticleForGrouping], embeddings: dict[str, np.ndarray] | None = None
) -> tuple[dict[str, str], dict[str, str], float, dict[str, str]]:
    """(article -> story, article -> storyline, seconds, story -> title) by the story stage's
    own clusterer and title rule."""
    from storyline.stages.stories.clustering import central_title, cluster_articles

    started = time.perf_counter()
    state, placed = cluster_articles(articles, {}, embeddings=embeddings)
    seconds = time.perf_counter() - started
    lines = {a: state.stories[s].parent or s for a, s in placed.items()}
    members: dict[str, list[tuple[str, str | None, str]]] = {}
    for art in sorted(articles, key=lambda a: a.seq):
        members.setdefault(placed[art.id], []).append((art.id, art.title, art.text[:300]))
    titles = {sid: central_title(state, state.stories[sid], m) for sid, m in members.items()}
    return placed, lines, seconds, titles


def orders_plain(articles: list[ArticleForGrouping], truth: dict[str, str],
                 embeddings: dict[str, np.ndarray] | None, orders: int = ORDERS_DENSE
                 ) -> list[tuple[float, ...]]:
    """Story (P, R, F1, ARI) over `orders` arrival orders: the given one and shuffles of it."""
    out = []
    for n in range(orders):
        order = list(articles)
        if n:
            random.Random(n).shuffle(order)
        stories, _, _, _ = cluster_plain([replace(a, seq=i) for i, a in enumerate(order)], embeddings)
        out.append((*bcubed(stories, truth), adjusted_rand(stories, truth)))
    return out


def dense_report(name: str, stories: dict[str, str], lines: dict[str, str], truth: dict[str, str]) -> list[str]:
    """Storyline figures on a corpus whose gold has stories only: how many storylines, the
    largest one's share of the predicted stories, and the storyline B-cubed precision with
    each gold story its own storyline."""
    per_line: dict[str, set[str]] = {}
    for art, story in stories.items():
        per_line.setdefault(lines[art], set()).add(story)
    n_stories = len(set(stories.values()))
    largest = max((len(v) for v in per_line.values()), default=0)
    precision = bcubed(lines, truth)[0]
    return [f"{name + ' storyline':<22} {len(per_line)} storylines of {n_stories} stories; largest "
            f"{largest} ({largest / max(n_stories, 1):.1%} of stories); B-cubed P {precision:.3f} "
            f"with each gold story its own storyline"]


_DATE_ONLY = re.compile(r"^[\W\d_]*(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
                        r"|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|[\W\d_])*$", re.I)
_BYLINE = re.compile(r"^(?:[Bb]y\s+[A-Z][a-z]+|(?i:photos?|photographs?|video|image|file)\s*[:|/–-])")


def title_problems(titles: dict[str, str], members: dict[str, list[tuple[str | None, str]]]) -> list[str]:
    """Story titles that are not a headline or the lead of one of the story's articles, or
    that look like page furniture: a date, a byline or credit, fewer than three words."""
    bad = []
    for sid, title in sorted(titles.items()):
        text = (title or "").strip()
        core = text.removesuffix("...").strip()
        own = any(core and (" ".join((t or "").split()) == text or core in " ".join((body or "")[:1000].split()))
                  for t, body in members.get(sid, []))
        words = re.findall(r"\w+", text)
        if not own:
            bad.append(f"{sid}: not a headline or lead of its articles: {text!r}")
        elif not text or _DATE_ONLY.match(text) or _BYLINE.match(text) or len(words) < 3 or text[0] in "-•|":
            bad.append(f"{sid}: furniture: {text!r}")
    return bad


def _embedded(count: int, seconds: float) -> str:
    if not count:
        return "embeddings from the cache"
    return f"{count} embedded in {seconds:.1f}s, {count / max(seconds, 1e-9):.1f}/s, kept in the cache"




def reorder_scores(store, gold: list[dict], orders: int = ORDERS) -> dict[str, list[tuple[float, ...]]]:
    """Story/storyline (P, R, F1, ARI) per arrival order: the pipeline's own order (seq as
    ingested) and orders-1 shuffles of it, each clustered from scratch with the story stage's
    own inputs (story_briefs, reprint groups, stored term vectors, canonical_keys)."""
    from storyline.stages.stories import clustering as sc

    ids = [i for i, _, _ in store.story_inputs()]
    briefs = store.story_briefs(ids)
    groups = store.reprint_groups()
    from storyline.stages.stories import embeddings as emb

    features = store.story_features_full(ids)
    vectors = {a: sc.vector_from_bytes(ids_blob, w_blob) for a, (ids_blob, w_blob, _) in features.items()}
    embeddings = {a: v for a, (_, _, blob) in features.items() if (v := emb.from_bytes(blob)) is not None}
    if embeddings:
        # The stage embeds only what its own order reads (not the copies that follow their
        # group's first); in another order another copy may come first: embed the rest, as stored.
        rest = store.story_feature_inputs([a for a in ids if a not in embeddings])
        made = emb.embed_articles([(title, text) for _, _, title, text in rest])
        embeddings.update((r[0], emb.from_bytes(emb.to_bytes(v))) for r, v in zip(rest, made, strict=True))
    truth = {level: {r["id"]: r[level] for r in gold} for level in ("story", "storyline")}
    out: dict[str, list[tuple[float, ...]]] = {"story": [], "storyline": []}
    for n in range(orders):
        order = list(briefs)
        if n:
            random.Random(n).shuffle(order)
        arts = [replace(a, seq=i) for i, a in enumerate(order)]
        state, placed = sc.cluster_articles(arts, groups, vectors=vectors, embeddings=embeddings)
        predicted = {"story": placed, "storyline": {a: state.stories[s].parent for a, s in placed.items()}}
        for level in out:
            pred = predicted[level]
            gold_level = {a: truth[level][a] for a in pred}
            out[level].append((*bcubed(pred, gold_level), adjusted_rand(pred, gold_level)))
    return out


def _mean_line(name: str, scores: list[tuple[float, ...]]) -> str:
    mean = [sum(s[k] for s in scores) / len(scores) for k in range(4)]
    worst = min(s[2] for s in scores)
    return (f"{name:<22} B-cubed P {mean[0]:.3f} R {mean[1]:.3f} F1 {mean[2]:.3f}  ARI {mean[3]:.3f}  "
            f"(mean of {len(scores)} arrival orders; worst F1 {worst:.3f})")


def _line(name: str, predicted: dict[str, str], truth: dict[str, str]) -> str:
    p, r, f = bcubed(predicted, truth)
    ari = adjusted_rand(predicted, truth)
    return (f"{name:<22} B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}  ARI {ari:.3f}  "
            f"({len(set(predicted.values()))} predicted, {len(set(truth.values()))} gold)")


def seeds_check() -> tuple[bool, str]:
    """Run the pipeline over the bundled seeds; (passed, description)."""
    from importlib.resources import as_file, files

    from storyline.ingest import ingest
    from storyline.pipeline import run_pipeline
    from storyline.store import Store

    with as_file(files("storyline").joinpath("data/seeds")) as seeds, tempfile.TemporaryDirectory() as tmp:
        paths = sorted(str(p) for p in Path(seeds).glob("*.txt"))
        with Store(Path(tmp) / "seeds.db") as store:
            ingest(store, paths)
            run_pipeline(store)
            rows = list(store.export_articles())
    by_name = {Path(r["source"]).name[:3]: r for r in rows}
    story = {k: r["story"] for k, r in by_name.items()}
    line = {k: r["storyline"] for k, r in by_name.items()}
    first = {story[k] for k in ("000", "001", "002", "003") if k in story}
    ok = (len(by_name) == 5 and len(first) == 1 and story["004"] not in first
          and len(set(line.values())) == 1)
    text = " ".join(f"{k}:{story[k][-4:]}/{line[k][-4:]}" for k in sorted(by_name))
    return ok, text


def _echo_titles(name: str, titles: dict[str, str], articles: list[tuple[str, str | None, str]]) -> None:
    """The title check's line and its first 20 problems; articles: (story, title, text)."""
    members: dict[str, list[tuple[str | None, str]]] = {}
    for story, title, text in articles:
        members.setdefault(story, []).append((title, text))
    bad = title_problems(titles, members)
    click.echo(f"{name + ' titles':<22} {len(titles) - len(bad)}/{len(titles)} a headline or lead of the story's articles")
    for line in bad[:20]:
        click.echo(f"    {line}")


def _dense_part(name: str, cache: str, articles: list[ArticleForGrouping], truth: dict[str, str]) -> None:
    """Stories (one order, then the mean of ORDERS_DENSE), storylines and titles of a dense corpus."""
    vectors, embed_seconds, embedded = corpus_embeddings(cache, articles)
    stories, lines, seconds, titles = cluster_plain(articles, vectors)
    click.echo(_line(f"{name} story", stories, truth))
    click.echo(_mean_line(f"{name} story", orders_plain(articles, truth, vectors)))
    for text in dense_report(name, stories, lines, truth):
        click.echo(text)
    _echo_titles(name, titles, [(stories[a.id], a.title, a.text) for a in articles])
    click.echo(f"  ({len(articles)} articles clustered in {seconds:.2f}s; {_embedded(embedded, embed_seconds)})")


PARTS = ("news_dev", "ecbplus", "allsides", "neus", "neus-train", "seeds")


@click.command("stories")
@data_option
@click.option("--only", type=click.Choice(PARTS), multiple=True,
              help="Run only these parts (default: all but neus-train).")
def command(data: str | None, only: tuple[str, ...]) -> None:
    """Stories and storylines on news_dev, ECB+, AllSides and NeuS: B-cubed P/R/F1 and ARI,
    storyline sizes on the dense corpora, a title check; the seeds check."""
    data_dir = resolve_data_dir(data)
    parts = set(only) or set(PARTS) - {"neus-train"}
    if "news_dev" in parts:
        with news_dev_store(data_dir) as (gold, store, seconds):
            exported = list(store.export_articles())
            orders = reorder_scores(store, gold)
            titles = {s["id"]: s["title"] for s in store.stories()}
        for level in ("story", "storyline"):
            predicted = {r["id"]: r[level] for r in exported}
            truth = {r["id"]: r[level] for r in gold}
            click.echo(_line(f"news_dev {level}", predicted, truth))
        click.echo(f"  (ingest + whole pipeline {seconds:.1f}s for {len(gold)} articles)")
        for level in ("story", "storyline"):
            click.echo(_mean_line(f"news_dev {level}", orders[level]))
        _echo_titles("news_dev", titles, [(r["story"], r["title"], r["text"]) for r in exported])
    if "ecbplus" in parts:
        articles, truth = load_ecbplus(data_dir)
        vectors, embed_seconds, embedded = corpus_embeddings("ecbplus", articles)
        stories, lines, seconds, _ = cluster_plain(articles, vectors)
        click.echo(_line("ECB+ 1-25 event", stories, truth))
        topics = {k: v.split("/")[0] for k, v in truth.items()}
        click.echo(_line("ECB+ 1-25 topic~line", lines, topics))
        click.echo(f"  ({len(articles)} documents clustered in {seconds:.2f}s; {_embedded(embedded, embed_seconds)})")
    if "allsides" in parts:
        articles, truth = load_allsides(data_dir)
        _dense_part("AllSides 2021", "allsides", articles, truth)
        articles, truth = load_allsides(data_dir, dated=True)
        _dense_part("AllSides dated", "allsides", articles, truth)
    for part, split in (("neus", "val"), ("neus-train", "train")):
        if part in parts:
            articles, truth = load_neus(data_dir, split)
            _dense_part(f"NeuS {split}", f"neus-{split}", articles, truth)
    if "seeds" in parts:
        ok, text = seeds_check()
        click.echo(f"seeds: 000-003 one story, 004 another, all one storyline: {'PASS' if ok else 'FAIL'}  {text}")
