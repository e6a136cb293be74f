"""A syndicated corpus for the serve benchmark, from the labelled data beside the repo.

    python -m benchmarks.web_corpus --data ../shared/data --articles 10000 -o corpus.jsonl

Base texts are the news_dev excerpts and the AllSides articles. Each synthetic *story
seed* keeps a few paragraphs of one base text and fills the rest with sentences of other
base texts, so seeds are distinct texts that share some passages (text reuse). Each seed is
then carried by 2-6 outlets, each copy lightly edited the way syndication edits (a word
swapped, a paragraph dropped, a local tagline added), published within three days: reprint
groups of realistic size, multi-outlet stories. Ids, URLs and dates are synthetic; the
words are real news text. Deterministic for a seed.
(The issue-4 generator, benchmarks/corpus.py, is the project's general one; this one only
needs to fill a store for the API benchmark.)
"""

from __future__ import annotations

import argparse
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

OUTLETS = [f"{city} {kind}" for city in (
    "Springfield", "Riverton", "Lakeside", "Hillcrest", "Bayport", "Fairview", "Greenville",
    "Kingston", "Madison", "Oakdale", "Pinecrest", "Westfield", "Clinton", "Georgetown",
    "Salem", "Franklin", "Ashland", "Dover", "Milford", "Newport",
) for kind in ("Herald", "Tribune", "Gazette", "Courier", "Post")]
SWAPS = [("said", "stated"), ("people", "residents"), ("government", "administration"),
         ("Saturday", "on Saturday"), ("officials", "authorities"), ("will", "would")]


def base_texts(data: Path) -> list[dict]:
    out = []
    for line in (data / "news_dev.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        out.append({"title": row.get("title") or "", "text": row["text"]})
    for line in (data / "allsides" / "allsides_stories_2021.jsonl").open(encoding="utf-8"):
        story = json.loads(line)
        for side in (story.get("news") or {}).values():
            body = side.get("newBody")
            if isinstance(body, list):
                body = "\n\n".join(body)
            if body and len(body) > 400:
                out.append({"title": side.get("newsTitle") or "", "text": body})
    return out


def edit(text: str, rng: random.Random, outlet: str) -> str:
    paras = [p for p in text.split("\n") if p.strip()]
    if len(paras) > 3 and rng.random() < 0.5:
        del paras[rng.randrange(1, len(paras))]
    out = "\n\n".join(paras)
    for a, b in rng.sample(SWAPS, 2):
        out = out.replace(f" {a} ", f" {b} ", 1)
    if rng.random() < 0.5:
        out += f"\n\nThis report was distributed to the {outlet} newsroom."
    return out


def _sentences(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"(?<=[.!?])\s+", text) if len(x.split()) >= 5]


def seed_text(bases: list[dict], pool: list[str], b: int, rng: random.Random) -> str:
    """Base `b`'s first paragraph and a share of its sentences, the rest from other bases."""
    sents = _sentences(bases[b]["text"])
    out, para = [], []
    for i, sentence in enumerate(sents[:24]):
        para.append(sentence if i == 0 or rng.random() < 0.35 else rng.choice(pool))
        if len(para) >= rng.randint(2, 4):
            out.append(" ".join(para))
            para = []
    if para:
        out.append(" ".join(para))
    return "\n".join(out)


def generate(data: Path, n: int, seed: int = 1):
    rng = random.Random(seed)
    bases = base_texts(data)
    pool = [x for b in bases for x in _sentences(b["text"])]
    start = date(2020, 1, 6)
    i = story = 0
    while i < n:
        b = story % len(bases)
        text = seed_text(bases, pool, b, rng)
        day = start + timedelta(days=rng.randrange(0, 730))
        for _copy in range(rng.randint(2, 6)):
            if i >= n:
                return
            outlet = rng.choice(OUTLETS)
            published = day + timedelta(days=rng.randint(0, 2))
            yield {
                "id": f"w{i:06d}", "url": f"https://{outlet.lower().replace(' ', '')}.example/{i}",
                "outlet": outlet, "title": bases[b]["title"], "published": published.isoformat(),
                "text": edit(text, rng, outlet),
            }
            i += 1
        story += 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="web_corpus")
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    with open(args.output, "w", encoding="utf-8") as out:
        for row in generate(Path(args.data), args.articles, args.seed):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
