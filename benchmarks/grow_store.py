"""Grow a pipeline-built store to a target size by replication, for serving benchmarks.

    python -m benchmarks.grow_store SMALL.db BIG.db --copies 10

Running the whole pipeline over 100k articles does not fit this project's shared 2-core
machine in the time an engineer has, so the 100k store of `bench_serve` is made like this:
the pipeline runs for real on a smaller corpus (benchmarks/web_corpus.py), then every row
a served page reads (articles, clean_articles with its FTS index, reprint_links,
reprint_groups, stories, story_members, storylines, story_summaries) is copied `copies`-1
times with ids suffixed `-rK` and dates shifted K*730 days, so the copies are new stories in
new time windows, not duplicates of the same ones. Per-stage bookkeeping tables (sketches,
alignments, assignments) are not copied: the result is for reading, not for `storyline run`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import time
from pathlib import Path

SHIFT_DAYS = 730


def _rewrite_ids(value, suffix: str, ids: set[str]):
    if isinstance(value, str):
        return value + suffix if value in ids else value
    if isinstance(value, list):
        return [_rewrite_ids(v, suffix, ids) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite_ids(v, suffix, ids) for k, v in value.items()}
    return value


def grow(src: Path, dst: Path, copies: int) -> None:
    if dst.exists():
        raise SystemExit(f"{dst} exists; remove it first")
    with sqlite3.connect(src) as s:
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(src, dst)
    db = sqlite3.connect(dst, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    article_ids = {r[0] for r in db.execute("SELECT id FROM articles")}
    summaries = db.execute(
        "SELECT story_id, input_key, sentences, disputes, timeline, made_at FROM story_summaries").fetchall()
    has_headline = "headline" in {r[1] for r in db.execute("PRAGMA table_info(story_summaries)")}
    for k in range(1, copies):
        t0 = time.perf_counter()
        sfx, shift = f"-r{k}", f"+{k * SHIFT_DAYS} days"
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO articles (id, content_hash, format, raw, encoding, body_field, url, title, outlet,"
            " published, language, meta, source, locator, ingested_at)"
            " SELECT id || :s, content_hash || :s, format, raw, encoding, body_field, url || :s, title, outlet,"
            " date(published, :d), language, meta, source, locator, ingested_at FROM articles"
            " WHERE id NOT LIKE '%-r%' ORDER BY seq", {"s": sfx, "d": shift})
        db.execute(
            "INSERT INTO clean_articles (article_id, source_seq, stage_version, text, title, outlet, published,"
            " language, removed, metadata)"
            " SELECT c.article_id || :s, a.seq, c.stage_version, c.text, c.title, c.outlet, date(c.published, :d),"
            " c.language, c.removed, c.metadata FROM clean_articles c JOIN articles a ON a.id = c.article_id || :s"
            " WHERE c.article_id NOT LIKE '%-r%'", {"s": sfx, "d": shift})
        db.execute("INSERT INTO reprint_links SELECT a || :s, b || :s, containment, jaccard, is_reprint"
                   " FROM reprint_links WHERE a NOT LIKE '%-r%'", {"s": sfx})
        db.execute("INSERT INTO reprint_groups SELECT article_id || :s, group_id || :s FROM reprint_groups"
                   " WHERE article_id NOT LIKE '%-r%'", {"s": sfx})
        db.execute("INSERT INTO storylines SELECT id || :s, title, date(first_seen, :d), date(last_seen, :d)"
                   " FROM storylines WHERE id NOT LIKE '%-r%'", {"s": sfx, "d": shift})
        db.execute("INSERT INTO stories SELECT id || :s, title, date(first_seen, :d), date(last_seen, :d),"
                   " storyline_id || :s FROM stories WHERE id NOT LIKE '%-r%'", {"s": sfx, "d": shift})
        db.execute("INSERT INTO story_members SELECT article_id || :s, story_id || :s FROM story_members"
                   " WHERE article_id NOT LIKE '%-r%'", {"s": sfx})
        for sid, key, sentences, disputes, timeline, made in summaries:
            timeline_rows = _rewrite_ids(json.loads(timeline), sfx, article_ids)
            for e in timeline_rows:
                if e.get("date"):
                    e["date"] = db.execute("SELECT date(?, ?)", (e["date"], shift)).fetchone()[0]
            db.execute(
                "INSERT INTO story_summaries (story_id, input_key, sentences, disputes, timeline, made_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (sid + sfx, key, json.dumps(_rewrite_ids(json.loads(sentences), sfx, article_ids)),
                 json.dumps(_rewrite_ids(json.loads(disputes), sfx, article_ids)), json.dumps(timeline_rows), made))
        if has_headline:  # the story's headline {text, cites}
            db.execute(
                "UPDATE story_summaries SET headline = (SELECT o.headline FROM story_summaries o"
                " WHERE o.story_id = substr(story_summaries.story_id, 1, length(story_summaries.story_id) - ?))"
                " WHERE story_id LIKE ?", (len(sfx), f"%{sfx}"))
        db.execute("COMMIT")
        print(f"copy {k}: {time.perf_counter() - t0:.1f}s", flush=True)
    db.execute("PRAGMA optimize")
    n = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    s = db.execute("SELECT count(*) FROM stories").fetchone()[0]
    db.close()
    print(f"{dst}: {n} articles, {s} stories")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grow_store")
    parser.add_argument("src")
    parser.add_argument("dst")
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args(argv)
    grow(Path(args.src), Path(args.dst), args.copies)


if __name__ == "__main__":
    main()
