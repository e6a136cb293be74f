"""`storyline eval clean`: boilerplate removal and metadata, measured three ways.

1. The Zyte article-extraction benchmark (DIR/aeb): precision/recall/F1 exactly as its
   evaluate.py defines them: `\\w+` tokens, 4-gram shingles counted with multiplicity,
   tp/fp/fn per page normalised to sum 1, precision and recall averaged over pages, F1 of
   the two averages. Our HTML path (trafilatura, then the line classifier) against
   trafilatura's defaults, measured in the same run.
2. The seed checklist of EXPECTED.md (bundled seeds): every boilerplate item gone, no
   article line lost, 003's duplicated caption at most once, the publication dates.
3. Publication dates on news_dev: the articles are ingested WITHOUT their gold `published`
   (it is the answer), only id, url, outlet, title, language and text; then precision and
   coverage on the articles that have a gold date.
4. Publication dates on real HTML pages (DIR/htmldates/dates_dev.jsonl): precision, coverage,
   the dates wrong with confidence >= 0.8, the reliability table (confidence bucket -> share
   right), and htmldate's own answer (original-date mode, extensive search) in the same run.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import click

from storyline.errors import StorylineError
from storyline.evaluation import data_option, resolve_data_dir
from storyline.records import RawArticle

# -- 1. Zyte article-extraction benchmark ------------------------------------------------

_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_match(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over 4-gram shingles, normalised to sum 1 (the benchmark's definition)."""
    a, b = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in a.keys() | b.keys():
        tc, pc = a.get(key, 0), b.get(key, 0)
        tp += min(tc, pc)
        fp += max(0, pc - tc)
        fn += max(0, tc - pc)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (tp, fp, fn)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def benchmark_scores(matches: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(precision, recall, F1): per-page scores averaged, F1 of the averages."""
    p = statistics.mean(_precision(*m) for m in matches if m[0] + m[1] > 0)
    r = statistics.mean(_recall(*m) for m in matches if m[0] + m[2] > 0)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def load_aeb(data_dir: Path) -> tuple[dict[str, str], dict[str, dict]]:
    folder = data_dir / "aeb"
    truth_path = folder / "ground-truth.json"
    if not truth_path.is_file():
        raise StorylineError(f"{truth_path} not found: --data must point at the folder holding aeb/")
    truth = json.loads(truth_path.read_text("utf-8"))
    pages = {}
    for key in truth:
        path = folder / "html" / f"{key}.html.gz"
        if not path.is_file():
            raise StorylineError(f"{path} missing: the benchmark needs every page of ground-truth.json")
        with gzip.open(path, "rt", encoding="utf-8") as f:
            pages[key] = f.read()
    return pages, truth


def zyte(data_dir: Path, baseline: bool = True) -> None:
    from storyline.stages.clean.article import clean_article

    pages, truth = load_aeb(data_dir)
    systems: dict[str, dict[str, str]] = {}
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    systems["storyline"] = {
        key: clean_article(RawArticle(id=key, seq=0, format="html", body=html, url=truth[key].get("url"))).text
        for key, html in pages.items()
    }
    seconds["storyline"] = time.perf_counter() - started
    if baseline:
        import trafilatura

        started = time.perf_counter()
        systems["trafilatura defaults"] = {
            key: trafilatura.extract(html, include_comments=False) or "" for key, html in pages.items()
        }
        seconds["trafilatura defaults"] = time.perf_counter() - started
    click.echo(f"Zyte article-extraction benchmark ({len(pages)} pages; 4-gram shingles, averaged over pages)")
    for name, preds in systems.items():
        p, r, f = benchmark_scores([shingle_match(truth[k].get("articleBody", ""), preds[k]) for k in truth])
        click.echo(f"  {name:<22} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  "
                   f"({len(pages) / seconds[name]:.0f} pages/s)")
    html_dates_vs_urls(pages, truth)


def html_dates_vs_urls(pages: dict[str, str], truth: dict[str, dict]) -> None:
    """How often the HTML-metadata date agrees with the date a page's URL carries.

    The benchmark has no gold dates; on the pages whose URL holds a full date, the page is
    read again without its URL, so the two sources are independent.
    """
    from storyline.stages.clean.article import extract_html
    from storyline.text.dates import url_date

    dated = given = agree = 0
    for key, html in pages.items():
        found = url_date(truth[key].get("url"))
        if found is None or found.day is None:
            continue
        dated += 1
        html_date = extract_html(html, None)[1].get("date")
        if html_date:
            given += 1
            agree += html_date[:10] == found.iso()
    if dated:
        click.echo(f"  HTML-metadata dates vs URL dates on the {dated} pages with a dated URL: "
                   f"given for {given}, agree {agree}/{given}")


# -- 2. Seed checklist ------------------------------------------------------------------

# EXPECTED.md, "Cleaning": the page furniture a careful reader removes. The dashed rule line,
# "Check Also" with its teaser, and the duplicated caption are checked separately below.
SEED_BOILERPLATE = [
    "This post has been read 5712 times!", "Page 1 News List", "Photo: AFP",
    "This story has been viewed 9836 times.", "Comments will be moderated", "TOP top",
    "A Section on 11/05/2017", "Upcoming Events", "Newspapers in English",
    "Newspapers from United Arab Emirates", "Check Also",
]
SEED_DATES = {"001": "2017-11-04", "002": "2017-11-05", "003": "2017-11-05", "000": None, "004": None}
# Lines a reader does not count as article text though they are not furniture: the crawl
# date, mastheads (the outlet, kept as metadata), the teaser after "Check Also".
_NOT_ARTICLE = ["Wednesday , September 28 2022", "Beirut - Egypt Today", "Gulf News"]


def seed_checklist() -> bool:
    from storyline.seeds import seed_files
    from storyline.stages.clean.article import clean_article

    ok = True
    click.echo("Seed checklist (EXPECTED.md)")
    for path in seed_files():
        prefix = path.name[:3]
        raw = RawArticle(id=path.stem, seq=0, format="text", body=path.read_text("utf-8"))
        art = clean_article(raw)
        problems = []
        full = art.text + "\n" + (art.title or "")
        for item in SEED_BOILERPLATE:
            if item.lower() in full.lower():
                problems.append(f"furniture left: {item!r}")
        if re.search(r"^-{5,}", art.text, re.M):
            problems.append("furniture left: the dashed rule line")
        teaser = "Beware of desecrating it"
        if teaser in art.text:
            problems.append("furniture left: the 'Check Also' teaser")
        # Caption printed twice in 003: at most once in the clean text.
        for line in {line for line in raw.body.splitlines() if len(line) > 60}:
            if raw.body.count(line) > 1 and art.text.count(line) > 1:
                problems.append(f"repeated line kept twice: {line[:50]!r}...")
        # No article line lost: every removed line is furniture, a masthead, the crawl date,
        # a second copy of a kept line, or the teaser block after "Check Also".
        after_teaser = False
        for removed in art.removed:
            text = removed.text
            if "Check Also" in text:
                after_teaser = True
            known = any(item.lower() in text.lower() for item in SEED_BOILERPLATE + _NOT_ARTICLE)
            duplicate = text in art.text
            rule = re.fullmatch(r"[-\s]{5,}", text) is not None
            if not (known or duplicate or rule or after_teaser):
                problems.append(f"article line lost? {text[:70]!r} ({removed.reason})")
        expected = SEED_DATES[prefix]
        got = art.published
        estimate = "published" in art.metadata and art.metadata["published"].confidence < 0.5
        if expected is None and got is not None and not estimate:
            problems.append(f"date {got} given with confidence but none is knowable")
        if expected is not None and got != expected:
            problems.append(f"date {got} (source {art.metadata.get('published')}), expected {expected}")
        ok &= not problems
        status = "ok " if not problems else "FAIL"
        source = art.metadata["published"].source if "published" in art.metadata else "-"
        click.echo(f"  {status} {path.name}: {len(art.removed)} lines removed; published {got or 'null'} "
                   f"({source})")
        for problem in problems:
            click.echo(f"       {problem}")
    return ok


# -- 3. news_dev publication dates -------------------------------------------------------

def news_dev_dates(data_dir: Path, show_errors: bool = True) -> None:
    from storyline.evaluation.news_dev import load_gold
    from storyline.executor.local import LocalExecutor
    from storyline.ingest import ingest
    from storyline.stages.clean.stage import CleanStage
    from storyline.store import Store

    gold = load_gold(data_dir)
    # Never `published` (the answer); nor `language`, so its identification is measured too.
    keep = ("id", "url", "outlet", "title", "text")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "news_dev_undated.jsonl"
        with src.open("w", encoding="utf-8") as out:
            for row in gold:
                out.write(json.dumps({k: row[k] for k in keep if row.get(k)}, ensure_ascii=False) + "\n")
        with Store(Path(tmp) / "eval.db") as store:
            ingest(store, [str(src)])
            started = time.perf_counter()
            LocalExecutor(store).run([CleanStage()])
            seconds = time.perf_counter() - started
            rows = {r["id"]: r for r in store.export_articles()}
    dated = [g for g in gold if g.get("published")]
    given = correct = 0
    errors = []
    for g in dated:
        row = rows[g["id"]]
        found = (row["metadata"].get("published") or {}).get("value")
        if not found:
            continue
        given += 1
        # Gold is a day (YYYY-MM-DD) or a month (YYYY-MM): compare at the gold's precision.
        if found[: len(g["published"])] == g["published"]:
            correct += 1
        else:
            errors.append((g["id"], g["published"], found, row["metadata"]["published"]["source"]))
    undated_given = sum(1 for g in gold if not g.get("published")
                        and (rows[g["id"]]["metadata"].get("published") or {}).get("value"))
    precision = correct / given if given else 0.0
    click.echo(f"news_dev publication dates ({len(gold)} articles ingested without `published` or `language`; "
               f"clean stage {len(gold) / seconds:.0f} articles/s)")
    click.echo(f"  on the {len(dated)} with a gold date: precision {precision:.3f} ({correct}/{given})  "
               f"coverage {given / len(dated):.3f} ({given}/{len(dated)})")
    click.echo(f"  on the {len(gold) - len(dated)} without one: a date given for {undated_given} (not scored)")
    lang_right = sum(1 for g in gold if rows[g["id"]]["language"] == g.get("language"))
    lang_given = sum(1 for g in gold if rows[g["id"]]["language"])
    click.echo(f"  language identified (ingested without it): {lang_right}/{len(gold)} right, "
               f"{lang_given} given")
    if show_errors:
        for article_id, want, got, source in errors:
            click.echo(f"  wrong: {article_id} gold {want} got {got} ({source})")


# -- 4. HTML publication dates -----------------------------------------------------------

CONFIDENT = 0.8


def html_dates(data_dir: Path, show_errors: bool = True) -> None:
    from htmldate import find_date

    from storyline.stages.clean.article import clean_article

    path = data_dir / "htmldates" / "dates_dev.jsonl"
    if not path.is_file():
        click.echo(f"HTML publication dates: {path} not found (skipped)")
        return
    pages = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    dated = [p for p in pages if p.get("gold_date")]
    ours: dict[str, tuple[str | None, float | None, str | None]] = {}
    theirs: dict[str, str | None] = {}
    for page in pages:
        art = clean_article(RawArticle(id=page["id"], seq=0, format="html", body=page["html"], url=page.get("url")))
        found = art.metadata.get("published")
        ours[page["id"]] = (art.published, found.confidence if found and art.published else None,
                            found.source if found and art.published else None)
        theirs[page["id"]] = find_date(page["html"], url=page.get("url"), original_date=True, extensive_search=True)
    click.echo(f"HTML publication dates ({path.name}: {len(pages)} pages, {len(dated)} with a gold date)")
    for name, answer in (("storyline", lambda p: ours[p["id"]][0]), ("htmldate (original)", lambda p: theirs[p["id"]])):
        given = [p for p in dated if answer(p)]
        right = [p for p in given if answer(p) == p["gold_date"]]
        line = (f"  {name:<20} precision {len(right) / max(1, len(given)):.3f} ({len(right)}/{len(given)})  "
                f"coverage {len(given) / len(dated):.3f}")
        if name == "storyline":
            confident_wrong = [p for p in given if answer(p) != p["gold_date"] and ours[p["id"]][1] >= CONFIDENT]
            line += (f"  wrong with confidence >= {CONFIDENT}: {len(confident_wrong)} "
                     f"({len(confident_wrong) / max(1, len(given)):.1%} of dated pages)")
        click.echo(line)
    undated = [p for p in pages if not p.get("gold_date")]
    click.echo(f"  on the {len(undated)} without one: storyline dates {sum(1 for p in undated if ours[p['id']][0])}, "
               f"htmldate {sum(1 for p in undated if theirs[p['id']])}")
    click.echo("  reliability (storyline confidence -> share right)")
    buckets: dict[str, list[int]] = {}
    for p in dated:
        value, confidence, _ = ours[p["id"]]
        if value:
            low = min(0.9, int(confidence * 10) / 10)
            key = f"{low:.1f}-{low + 0.1:.1f}" if low < 0.9 else "0.9-1.0"
            buckets.setdefault(key, [0, 0])
            buckets[key][0] += 1
            buckets[key][1] += value == p["gold_date"]
    for key in sorted(buckets):
        total, right = buckets[key]
        click.echo(f"    {key}  {right / total:.3f} ({right}/{total})")
    if show_errors:
        for p in dated:
            value, confidence, source = ours[p["id"]]
            if value and value != p["gold_date"]:
                click.echo(f"  wrong: {p['id']} gold {p['gold_date']} got {value} ({source}, {confidence})")


@click.command("clean")
@data_option
@click.option("--no-baseline", is_flag=True, help="Skip the trafilatura-defaults baseline run.")
def command(data: str | None, no_baseline: bool) -> None:
    """Cleaning: Zyte benchmark F1, the seed checklist, news_dev and HTML publication dates."""
    data_dir = resolve_data_dir(data)
    zyte(data_dir, baseline=not no_baseline)
    seed_checklist()
    news_dev_dates(data_dir)
    html_dates(data_dir)
