"""A synthetic syndication corpus made from real articles, for benchmarks and demos.

    from benchmarks.corpus import generate
    for article in generate(100_000, seed=1, data_dir="../shared/data"):
        ...  # {"id", "url", "outlet", "title", "published", "text", "wire", "reuses"}

The words and paragraph shapes are real: every text starts from the labelled articles in the
data folder (news_dev, AllSides, ECB+, GeoWebNews/TR-News/GeoVirus, the AEB bodies). A few
thousand real articles cannot make a million different stories, so each *wire story* is
made from one or more real articles' paragraphs (1,500 to 5,000 characters) with one word in
every 3 to 5 replaced by a word drawn from the whole real text (frequency-weighted,
story-seeded): every 5-word window then holds a replaced word, so stories made from the same
real article share 5-word shingles only by chance (as two stories on one topic share a few
phrases), while the copies of one story share their text, as reprints do.

Each wire story is then carried by one or more outlets (half are carried once; the rest by
2 to 30, geometric), each copy with the edits syndication makes:
- cuts: the tail trimmed to the outlet's length, or a paragraph dropped;
- house style: the outlet's substitutions ("Islamic State" -> "Daesh", "percent" ->
  "per cent", "U.S." -> "US", American -> British spellings, ...);
- an added dateline or a new lead paragraph (the outlet's own words);
- page furniture before and after ("Advertisement", share buttons, view counters,
  copyright lines, "Read more" teasers);
- paragraphs moved;
- time spread: copies published 0 to ~5 days after the story's date.
One story in ten also reuses one or two background paragraphs of an earlier story (from
its back half and at most a fifth of it: partial reuse, not a reprint).

Gold labels come with each article: `wire` (the wire story it carries: articles with the
same `wire` are reprints of each other) and `reuses` (the wire story whose background it
reuses, or None). Nothing is written to disk; the labelled data is read once per process.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

MAX_PARAGRAPHS = 14
CHUNK = 500                # articles are shuffled within windows of this many (arrival order)

HOUSE_STYLES = [
    ("Islamic State", "Daesh"), ("IS ", "Daesh "), ("percent", "per cent"), ("U.S.", "US"),
    ("center", "centre"), ("organization", "organisation"), ("program", "programme"),
    ("defense", "defence"), ("Mr. ", ""), ("Mrs. ", ""), ("Sept.", "September"),
    ("Jan.", "January"), ("said on", "said"), ("told reporters", "said"), ("favor", "favour"),
    ("labor", "labour"), ("color", "colour"), ("neighbor", "neighbour"), ("The ", "THE "),
    ("government", "Government"), ("police", "Police"), ("President ", "Pres. "),
    ("Boukamal", "Bu Kamal"), ("militants", "terrorists"), ("extremist", "terrorist"),
    ("on Monday", "yesterday"), ("on Tuesday", "yesterday"), ("on Friday", "on Friday last"),
    ("killed", "left dead"), ("people", "persons"), ("about ", "around "), ("more than", "over"),
]
FURNITURE = [
    "Advertisement", "ADVERTISEMENT", "Share this article", "Share on Facebook Share on Twitter",
    "This story has been viewed {n} times.", "This post has been read {n} times!",
    "Copyright {y} The Associated Press. All rights reserved.", "Sign up for our newsletter",
    "Photo: AFP", "Photo: Reuters", "Read more: {t}", "Related: {t}", "Check Also", "TOP top",
    "Click here to subscribe", "Follow us on Twitter and Instagram", "Comments ({n})",
    "Most Read", "Page {p} News List", "Upcoming Events", "Newspapers in English",
    "Editor's picks", "Subscribe for {n} cents a day",
]
AGENCIES = ["AP", "AFP", "Reuters", "dpa", "Xinhua", "ANSA", "UPI", "Bernama"]
CITIES = ["BEIRUT", "BAGHDAD", "WASHINGTON", "LONDON", "PARIS", "CAIRO", "NEW YORK", "BERLIN",
          "MOSCOW", "TOKYO", "NAIROBI", "DELHI", "SYDNEY", "MEXICO CITY", "ROME", "MADRID"]
MONTHS = ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]

_TOKEN = re.compile(r"\S+")


# -- the real articles ----------------------------------------------------------------------

def _paragraphs(text: str) -> list[str]:
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text)]
    return [p for p in paras if len(p) > 40]


def _news_dev(root: Path) -> Iterator[tuple[str, list[str]]]:
    path = root / "news_dev.jsonl"
    if path.is_file():
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            yield row.get("title") or "", _paragraphs(row["text"])


def _allsides(root: Path) -> Iterator[tuple[str, list[str]]]:
    path = root / "allsides" / "allsides_stories_2021.jsonl"
    if path.is_file():
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            for side in (row.get("news") or {}).values():
                body = side.get("newBody") or []
                body = body if isinstance(body, list) else [body]
                yield side.get("newsTitle") or "", [p for p in (" ".join(str(b).split()) for b in body) if len(p) > 40]


def _ecbplus(root: Path) -> Iterator[tuple[str, list[str]]]:
    for path in sorted((root / "ecbplus" / "ECB+").glob("*/*.xml")):
        sentences: dict[int, list[str]] = {}
        for tok in ET.parse(path).getroot().iter("token"):
            sentences.setdefault(int(tok.get("sentence", 0)), []).append(tok.text or "")
        if path.name.endswith("ecbplus.xml"):
            sentences.pop(0, None)  # the page URL: it leaks the label and is not text
        sents = [" ".join(words) for _, words in sorted(sentences.items())]
        yield "", [" ".join(sents[i : i + 2]) for i in range(0, len(sents), 2) if len(" ".join(sents[i : i + 2])) > 40]


def _geoparsing(root: Path) -> Iterator[tuple[str, list[str]]]:
    for name in ("GWN.xml", "TR-News.xml", "GeoVirus.xml"):
        path = root / "geoparsing" / name
        if path.is_file():
            for art in ET.parse(path).getroot().iter("article"):
                title = (art.findtext("title") or "").strip()
                yield title, _paragraphs(art.findtext("text") or "")


def _aeb(root: Path) -> Iterator[tuple[str, list[str]]]:
    path = root / "aeb" / "ground-truth.json"
    if path.is_file():
        for row in json.loads(path.read_text(encoding="utf-8")).values():
            yield "", _paragraphs(row.get("articleBody") or "")


@lru_cache(maxsize=4)
def load_sources(data_dir: str) -> tuple[list[tuple[str, list[np.ndarray]]], np.ndarray, np.ndarray]:
    """(articles as (title, paragraphs as token-id arrays), vocabulary, token stream).

    The token stream (every token of every article, in order) is what replacement words are
    drawn from, so frequent words are drawn often, as in real text."""
    root = Path(data_dir)
    readers = (_news_dev, _allsides, _ecbplus, _geoparsing, _aeb)
    vocab: dict[str, int] = {}
    articles = []
    stream: list[int] = []
    for reader in readers:
        for title, paras in reader(root):
            if sum(len(p) for p in paras) < 400:
                continue
            encoded = []
            for p in paras[:MAX_PARAGRAPHS]:
                ids = [vocab.setdefault(t, len(vocab)) for t in _TOKEN.findall(p)]
                stream.extend(ids)
                encoded.append(np.asarray(ids, np.int32))
            articles.append((title, encoded))
    if len(articles) < 10:
        raise FileNotFoundError(f"{data_dir}: too few real articles found (need news_dev.jsonl, allsides/, ecbplus/, ...)")
    words = np.empty(len(vocab), object)
    for w, i in vocab.items():
        words[i] = w
    return articles, words, np.asarray(stream, np.int32)


# -- the generator --------------------------------------------------------------------------

def _outlets(rng: random.Random, n: int = 400) -> list[tuple[str, str, list[tuple[str, str]], float]]:
    """(name, domain, house-style substitutions, share of the story it keeps)."""
    out = []
    for i in range(n):
        name = f"{rng.choice(['The', 'Daily', 'Evening', 'Morning', 'Weekly', 'National'])} {rng.choice(['Courier', 'Herald', 'Times', 'Post', 'Gazette', 'Tribune', 'Star', 'News', 'Observer', 'Chronicle'])} {i}"
        style = rng.sample(HOUSE_STYLES, rng.randint(0, 6))
        keep = rng.choice([1.0, 1.0, 1.0, 0.8, 0.6, 0.5])
        out.append((name, f"outlet{i}.example", style, keep))
    return out


def _copies(rng: random.Random) -> int:
    if rng.random() < 0.5:
        return 1
    k = 2
    while rng.random() < 0.6 and k < 30:
        k += 1
    return k


def _furniture(rng: random.Random, titles: list[str]) -> str:
    line = rng.choice(FURNITURE)
    return line.format(n=rng.randint(50, 20000), y=rng.randint(2015, 2024), p=rng.randint(1, 40),
                       t=rng.choice(titles) if titles else "More news")


def _scramble(ids: np.ndarray, stream: np.ndarray, nprng: np.random.Generator) -> np.ndarray:
    """A copy of `ids` with one token in every 3 to 5 replaced by one drawn from `stream`."""
    ids = ids.copy()
    gaps = nprng.integers(3, 6, len(ids) // 3 + 2)
    at = np.cumsum(gaps) - nprng.integers(1, 6)
    at = at[(at >= 0) & (at < len(ids))]
    ids[at] = stream[nprng.integers(0, len(stream), len(at))]
    return ids


def generate(n: int, seed: int = 0, data_dir: str | Path | None = None,
             start: date = date(2017, 1, 1), days: int = 730) -> Iterator[dict]:
    """Yield `n` articles (dicts: id, url, outlet, title, published, text, wire, reuses).

    Deterministic for a given (n, seed, data): the same call gives the same articles.
    Articles arrive roughly in time order, shuffled within windows of CHUNK articles.
    `data_dir`: the labelled data folder (default: ../shared/data or ../../shared/data)."""
    from storyline.evaluation import resolve_data_dir

    articles, words, stream = load_sources(str(resolve_data_dir(str(data_dir) if data_dir else None).resolve()))
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    outlets = _outlets(rng)
    emitted = story_no = 0
    recent: list[tuple[str, list[str]]] = []   # (wire id, paragraphs) of recent stories
    titles: list[str] = []
    window: list[dict] = []
    while emitted < n:
        story_no += 1
        wire = f"w{seed}-{story_no:07d}"
        title_src, paras = articles[rng.randrange(len(articles))]
        target = rng.randint(1500, 5000)
        paras = list(paras)
        while sum(len(p) for p in paras) * 6 < target and len(paras) < 3 * MAX_PARAGRAPHS:
            paras += articles[rng.randrange(len(articles))][1]   # ~6 characters a token
        texts = []
        for ids in paras:
            # Replace one token in every 3 to 5 (a quarter on average): every 5-word window
            # then holds a replaced word, so two stories made from the same real paragraph
            # share no shingle but by chance, while the text stays three quarters real.
            texts.append(" ".join(words[_scramble(ids, stream, nprng)]))
            if sum(len(t) for t in texts) > target:
                break
        title = " ".join(title_src.split()[:12]) or " ".join(texts[0].split()[:9])
        reuses = None
        own = list(texts)
        if recent and rng.random() < 0.1:
            # Background is a paragraph or two from the back half of an earlier story, at
            # most a fifth of it, put in the back half of the new one: reusing a whole short
            # story, or the lead that cut copies keep, would make two articles mostly the
            # same text (reprints by definition) while the gold calls them different stories.
            wire_b, background = rng.choice(recent)
            total = sum(len(p) for p in background)
            back = [p for p in background[max(2, len(background) // 2) :] if len(p) <= total / 5]
            if back:
                reuses = wire_b
                at = rng.randint(max(2, len(texts) // 2), max(2, len(texts)))   # after the news
                picked = rng.sample(back, min(len(back), rng.randint(1, 2)))
                while sum(len(p) for p in picked) > total / 5:
                    picked.pop()
                texts[at:at] = picked
        recent.append((wire, own))
        if len(recent) > 200:
            recent.pop(0)
        titles.append(title)
        if len(titles) > 50:
            titles.pop(0)
        when = start + timedelta(days=days * emitted / max(n, 1))
        agency = rng.choice(AGENCIES)
        for _ in range(min(_copies(rng), n - emitted)):
            name, domain, style, keep = outlets[rng.randrange(len(outlets))]
            body = list(texts)
            if keep < 1.0 and len(body) > 2:
                body = body[: max(2, round(len(body) * keep))]
            if len(body) > 3 and rng.random() < 0.2:
                body.pop(rng.randrange(1, len(body)))
            if len(body) > 3 and rng.random() < 0.2:
                i = rng.randrange(1, len(body) - 1)
                body[i], body[i + 1] = body[i + 1], body[i]
            published = when + timedelta(days=min(int(rng.expovariate(1.0)), 5))
            r = rng.random()
            if r < 0.3:
                body[0] = f"{rng.choice(CITIES)}, {MONTHS[published.month - 1]} {published.day} ({agency}) - {body[0]}"
            elif r < 0.45:
                _, other = articles[rng.randrange(len(articles))]
                # The outlet's own lead: real words, scrambled like a story's, so two
                # outlets that drew the same real article share no lead text.
                lead = " ".join(words[_scramble(other[0][:40], stream, nprng)])
                body.insert(0, lead)
            text = "\n\n".join(body)
            for before, after in style:
                text = text.replace(before, after)
            head = [_furniture(rng, titles) for _ in range(rng.choice([0, 0, 1, 2]))]
            tail = [_furniture(rng, titles) for _ in range(rng.choice([0, 1, 2, 3]))]
            emitted += 1
            article_id = f"syn-{seed}-{emitted:07d}"
            window.append({
                "id": article_id, "url": f"https://{domain}/{published:%Y/%m/%d}/{article_id}",
                "outlet": name, "title": title, "published": published.isoformat(),
                "text": "\n\n".join(head + [text] + tail), "wire": wire, "reuses": reuses,
            })
            if len(window) >= CHUNK:
                rng.shuffle(window)
                yield from window
                window = []
    rng.shuffle(window)
    yield from window


def write_jsonl(path: str | Path, n: int, seed: int = 0, data_dir: str | Path | None = None) -> int:
    """Write `generate(n, seed, data_dir)` as JSONL (gzip when the name ends in .gz), e.g. to
    fill a store with `storyline ingest`. Returns the number written."""
    opener = gzip.open if str(path).endswith(".gz") else open
    count = 0
    with opener(path, "wt", encoding="utf-8") as out:
        for row in generate(n, seed, data_dir):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write a synthetic syndication corpus as JSONL.")
    parser.add_argument("output")
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=None, help="labelled data folder (default ../shared/data)")
    args = parser.parse_args()
    print(f"wrote {write_jsonl(args.output, args.n, args.seed, args.data)} articles to {args.output}")
