"""A generated syndication corpus of a few hundred articles, made from the bundled seeds.

The Spark tests need more than five articles (several batches per stage, reprint groups,
stories of many members) without reading ../shared. Each *wire story* is a handful of the
seeds' real paragraphs, one word in four replaced by another real word (story-seeded), so
stories share words but not long runs of them; each is carried by 1 to 6 outlets, each
copy cut, restyled or given a new lead, and dated 0-2 days after the story's day.
Deterministic in `seed`.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from storyline.seeds import seed_files

OUTLETS = ["wire.example", "daily.example", "gazette.example", "times.example", "herald.example",
           "post.example", "tribune.example", "courier.example"]


def _paragraphs() -> list[str]:
    out = []
    for path in seed_files():
        for para in path.read_text(encoding="utf-8").split("\n\n"):
            if len(para.split()) >= 15:
                out.append(" ".join(para.split()))
    return out


def generate(n: int, seed: int = 0) -> list[dict]:
    """About `n` JSONL records: id, url, outlet, title, published, text."""
    rng = random.Random(seed)
    paragraphs = _paragraphs()
    vocabulary = sorted({w for p in paragraphs for w in p.split() if w.isalpha()})
    rows: list[dict] = []
    story = 0
    while len(rows) < n:
        story_rng = random.Random(f"{seed}-{story}")
        picked = story_rng.sample(paragraphs, k=story_rng.randint(3, 6))
        body = [" ".join(w if story_rng.random() > 0.25 else story_rng.choice(vocabulary) for w in p.split())
                for p in picked]
        title = " ".join(body[0].split()[:8])
        day = date(2017, 11, 1) + timedelta(days=story_rng.randint(0, 40))
        for copy in range(min(n - len(rows), 1 + (story_rng.randint(0, 5) if story_rng.random() < 0.6 else 0))):
            outlet = OUTLETS[(story + copy) % len(OUTLETS)]
            paras = list(body)
            if copy and rng.random() < 0.5:
                paras = paras[: max(2, len(paras) - 1)]  # the tail cut
            if copy and rng.random() < 0.3:
                paras.insert(0, f"{outlet.split('.')[0].title()} reports: " + " ".join(rng.sample(vocabulary, 12)))
            text = "\n\n".join(paras).replace("Islamic State", "Daesh" if copy % 2 else "Islamic State")
            rows.append({
                "id": f"s{story:03d}-c{copy}", "url": f"https://{outlet}/{story}/{copy}", "outlet": outlet,
                "title": title if copy % 3 == 0 else title.upper(),
                "published": (day + timedelta(days=rng.randint(0, 2))).isoformat() if rng.random() < 0.9 else None,
                "text": text,
            })
        story += 1
    return rows


def write(path: Path, n: int, seed: int = 0) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in generate(n, seed)), encoding="utf-8")
    return path
