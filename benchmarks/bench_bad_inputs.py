"""Hostile inputs beside good articles, end to end: `python -m benchmarks.run bad_inputs [-- ARGS]`.

Generates (never committed) a folder of bad inputs next to good articles: an article over
1,000,000 characters, gzip bombs in a .jsonl.gz and a .warc.gz, a huge JSONL line, lone
surrogates in JSONL and RSS, a WARC record without a target URI, a number where text belongs,
an id taken by other content, a page that cleans to nothing, ids with `/ ? #`, a formula in a
title, binary and malformed files. Then runs `storyline ingest`, `run`, every export (as a
user runs them, in subprocesses), `export -o` onto the store, the 160-prefix search against a
real `storyline serve`, and 25 concurrent ingests into a new store; and reports each
command's exit code (against the documented one), tracebacks found, peak RSS, and whether
every good article was stored, cleaned, and got entities, events and a summary.

    python -m benchmarks.run bad_inputs -- [--dir DIR] [--bomb-mb 512] [--line-mb 400] [--good N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SEEDS = Path(__file__).resolve().parents[1] / "src" / "storyline" / "data" / "seeds"
PLACES = ["Mosul", "Aleppo", "Baghdad", "Damascus", "Raqqa", "Kirkuk", "Homs", "Basra"]
PEOPLE = ["Haider al-Abadi", "Bashar al-Assad", "Ryan Dillon", "Masoud Barzani"]


def good_article(i: int, rng: random.Random) -> dict:
    place, other, person = rng.choice(PLACES), rng.choice(PLACES), rng.choice(PEOPLE)
    day = 1 + i % 27
    text = (
        f"{place.upper()}, Iraq (Reuters) - Iraqi forces clashed with Islamic State fighters near {place} on"
        f" Friday, killing at least {10 + i} militants, officials said. {person} said on Saturday that the"
        f" troops had retaken three villages south of {place}. The fighting followed a week of airstrikes on"
        f" {other}, where about {200 + 5 * i} families fled their homes, the United Nations said.\n"
        f"Residents of {place} told reporters that shelling continued overnight. The army said it expected to"
        f" reach the centre of {place} within days."
    )
    return {"id": f"good-{i:03d}", "title": f"Iraqi forces clash with Islamic State near {place}",
            "text": text, "published": f"2017-11-{day:02d}", "outlet": rng.choice(["Reuters", "AFP", "AP"])}


def gzip_bomb(path: Path, head: bytes, megabytes: int) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    with path.open("wb") as out:
        out.write(packer.compress(head))
        for _ in range(megabytes):
            out.write(packer.compress(block))
        out.write(packer.flush())


def write_corpus(folder: Path, good: int, bomb_mb: int, line_mb: int) -> dict[str, int]:
    """The inputs; returns the good article count and how many bad items were written."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    rows = [good_article(i, rng) for i in range(good)]
    rows.append({"id": "odd/id?x#y", "title": "Iraqi forces clash near Kirkuk", "published": "2017-11-05",
                 "text": good_article(999, rng)["text"]})
    rows.append({"id": "formula", "title": '=HYPERLINK("http://evil.example","click") Iraqi forces clash',
                 "published": "2017-11-06", "text": good_article(998, rng)["text"]})
    (folder / "good.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    n_good = len(rows) + 5
    bad = 0
    # An article over 1,000,000 characters (under 5 MiB): stored; the stages read its first part.
    filler = " ".join(good_article(i, rng)["text"] for i in range(2000))[:1_200_000]
    (folder / "huge.jsonl").write_text(json.dumps({"id": "huge", "title": "A very long article",
                                                   "text": filler, "published": "2017-11-07"}) + "\n")
    n_good += 1
    gzip_bomb(folder / "bomb.jsonl.gz", b'{"text": "', bomb_mb)
    head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.com/x\r\n"
            b"Content-Length: 999999999999\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    gzip_bomb(folder / "bomb.warc.gz", head, bomb_mb)
    bad += 2
    with (folder / "bigline.jsonl").open("wb") as out:
        out.write(b'{"id": "bigline", "text": "')
        chunk = b"word " * (1 << 18)
        for _ in range(line_mb * (1 << 20) // len(chunk)):
            out.write(chunk)
        out.write(b'"}\n')
        out.write(json.dumps({"id": "after-bigline", **{k: v for k, v in good_article(997, rng).items() if k != "id"}})
                  .encode() + b"\n")
    bad += 1
    n_good += 1
    (folder / "surrogates.jsonl").write_text(
        '{"id": "sur1", "text": "broken \\ud800 text"}\n{"id": "sur2", "title": "\\udfff", "text": "x y z"}\n'
        '{"id": "notext", "text": 12345}\n{"id": "malformed", "text": \n' + "\x00\x01 binary\n")
    bad += 4
    entry = good_article(996, rng)
    (folder / "feed.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed &#xD800;</title><item>'
        f'<title>Iraqi forces &#xD800; clash</title><link>http://example.com/feed/1</link>'
        f'<pubDate>Mon, 06 Nov 2017 10:00:00 GMT</pubDate><description>{entry["text"]}</description></item>'
        '</channel></rss>')
    n_good += 1
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    with (folder / "crawl.warc.gz").open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n, uri in enumerate(["http://example.com/w1", None, "http://example.com/w3"]):
            art = good_article(900 + n, rng)
            body = f"<html><head><title>{art['title']}</title></head><body><article><p>{art['text']}</p>" \
                   "</article></body></html>"
            record = writer.create_warc_record(uri or "http://example.com/w2", "response",
                                               payload=io.BytesIO(body.encode()), http_headers=headers)
            if uri is None:
                record.rec_headers.remove_header("WARC-Target-URI")
            writer.write_record(record)
    bad += 1
    n_good += 2
    # The same id with other content (stored renamed and reported), a page of nothing but furniture.
    (folder / "dup.jsonl").write_text(json.dumps({**good_article(1, rng), "id": "good-001"}) + "\n"
                                      + json.dumps({"id": "furniture", "html": "<html><body><nav>Home</nav>"
                                                    "<script>x()</script></body></html>"}) + "\n")
    n_good += 1  # the renamed one is a good article too; the furniture page is stored, in no story
    (folder / "truncated.csv.gz").write_bytes(zlib.compress(b"text\nrow")[:-3])
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    bad += 2
    return {"good": n_good, "bad": bad}


def run(cmd: list[str], env: dict[str, str], timeout: int = 1800) -> dict:
    """One CLI command: exit code, seconds, its peak RSS (MB, the process and its waited children)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    return {"rc": proc.returncode, "s": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024,
            "traceback": b"Traceback" in stdout + stderr, "stdout": stdout, "stderr": stderr}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bad_inputs")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--bomb-mb", type=int, default=512, help="zeros in each gzip bomb, MB")
    parser.add_argument("--line-mb", type=int, default=400, help="size of the huge JSONL line, MB")
    parser.add_argument("--good", type=int, default=40, help="generated good articles (besides the 5 seeds)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="storyline-bad-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, db = work / "corpus", work / "store.db"
    for leftover in work.glob("store.db*"):
        leftover.unlink()
    started = time.perf_counter()
    counts = write_corpus(corpus, args.good, args.bomb_mb, args.line_mb)
    print(f"corpus in {corpus}: {counts['good']} good article(s), {counts['bad']} bad item(s) or file(s)"
          f" (written in {time.perf_counter() - started:.1f}s)")
    env = {k: v for k, v in os.environ.items() if k != "STORYLINE_DB"}
    cli = [sys.executable, "-m", "storyline"]
    results: list[tuple[str, int | tuple[int, ...], dict]] = []

    def step(name: str, expected: int | tuple[int, ...], cmd: list[str]) -> dict:
        result = run(cli + cmd, env)
        results.append((name, expected, result))
        return result

    step("ingest", 6, ["ingest", str(corpus), "--db", str(db)])
    step("run", 0, ["run", "--db", str(db), "--workers", str(args.workers)])
    step("run again", 0, ["run", "--db", str(db), "--workers", str(args.workers)])
    for what in ("articles", "stories", "summaries", "events", "claims", "entities"):
        for fmt in ("jsonl", "csv", "parquet"):
            step(f"export {what} {fmt}", 0, ["export", what, "--format", fmt, "-o", str(work / f"{what}.{fmt}"),
                                            "--db", str(db)])
    step("rejections", 0, ["rejections", "--db", str(db)])
    step("rejections --stage", 0, ["rejections", "--stage", "--db", str(db)])
    size = db.stat().st_size
    step("export -o the store", 1, ["export", "articles", "-o", str(db), "--db", str(db)])
    step("export -o the store's -wal", 1, ["export", "articles", "-o", f"{db}-wal", "--db", str(db)])
    intact = db.stat().st_size == size and run(cli + ["stories", "--db", str(db)], env)["rc"] == 0

    # The 160-prefix search, against a real server.
    port = free_port()
    server = subprocess.Popen(cli + ["serve", "--db", str(db), "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    search = {}
    try:
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        q = " ".join(f"{chr(97 + i % 26)}*" for i in range(160))
        t = time.perf_counter()
        resp = httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": q}, timeout=60)
        search = {"status": resp.status_code, "s": time.perf_counter() - t,
                  "csp": "Content-Security-Policy" in resp.headers}
        page = httpx.get(f"http://127.0.0.1:{port}/articles/odd%2Fid%3Fx%23y", timeout=30)
        search["odd id page"] = page.status_code
    finally:
        server.terminate()
        server.wait(timeout=30)

    # 25 concurrent ingests into a new store.
    fresh = work / "concurrent.db"
    for leftover in work.glob("concurrent.db*"):
        leftover.unlink()
    singles = []
    for i in range(25):
        path = work / f"single-{i}.jsonl"
        path.write_text(json.dumps(good_article(500 + i, random.Random(i)) | {"id": f"c{i}"}) + "\n")
        singles.append(path)
    with ThreadPoolExecutor(25) as pool:
        concurrent = list(pool.map(lambda p: run(cli + ["ingest", str(p), "--db", str(fresh)], env), singles))
    with sqlite3.connect(fresh) as con:
        concurrent_stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]

    print(f"\n{'command':<28} {'rc':>3} {'want':>5} {'s':>7} {'peak RSS MB':>12} traceback")
    for name, expected, r in results:
        want = expected if isinstance(expected, int) else "/".join(map(str, expected))
        flag = "" if r["rc"] == expected or (isinstance(expected, tuple) and r["rc"] in expected) else "  <-- unexpected"
        print(f"{name:<28} {r['rc']:>3} {want!s:>5} {r['s']:>7.1f} {r['rss_mb']:>12.0f} {r['traceback']!s:<5}{flag}")
    print(f"\nstore intact after export -o onto it: {intact}")
    print(f"160-prefix search: HTTP {search.get('status')} in {search.get('s', 0):.3f}s, CSP header {search.get('csp')};"
          f" page of the id 'odd/id?x#y': HTTP {search.get('odd id page')}")
    print(f"25 concurrent ingests into a new store: exit codes {sorted({r['rc'] for r in concurrent})},"
          f" {concurrent_stored} stored, tracebacks {sum(r['traceback'] for r in concurrent)}")

    with sqlite3.connect(db) as con:
        good_ids = [r[0] for r in con.execute(
            "SELECT id FROM articles WHERE id NOT IN ('furniture') ORDER BY seq")]
        q = lambda sql: {r[0] for r in con.execute(sql)}  # noqa: E731
        cleaned = q("SELECT article_id FROM clean_articles")
        with_entities = q("SELECT article_id FROM entity_articles")
        with_events = q("SELECT article_id FROM article_extractions")
        in_story = dict(con.execute("SELECT article_id, story_id FROM story_members"))
        summarized = q("SELECT story_id FROM story_summaries")
        rejections = con.execute("SELECT source, locator, reason, detail FROM rejections").fetchall()
        stage_errors = con.execute("SELECT stage, item_id, error FROM stage_errors").fetchall()
        furniture_story = con.execute("SELECT count(*) FROM story_members WHERE article_id = 'furniture'").fetchone()[0]
    print(f"\narticles stored: {len(good_ids)} (+ the furniture-only page; expected {counts['good']} good)")
    for label, have in (("cleaned", cleaned), ("with entities", with_entities), ("with events", with_events)):
        missing = [a for a in good_ids if a not in have]
        print(f"  {label:<14} {len(good_ids) - len(missing)}/{len(good_ids)}" + (f"  missing {missing[:5]}" if missing else ""))
    no_summary = [a for a in good_ids if in_story.get(a) not in summarized]
    print(f"  {'in a summarized story':<14} {len(good_ids) - len(no_summary)}/{len(good_ids)}"
          + (f"  missing {no_summary[:5]}" if no_summary else ""))
    print(f"  furniture-only page in a story: {bool(furniture_story)}")
    print(f"stage errors: {len(stage_errors)}" + "".join(f"\n  {s} {i}: {e[:120]}" for s, i, e in stage_errors))
    longest = max((len(r[3]) for r in rejections), default=0)
    print(f"rejections: {len(rejections)}, longest detail {longest} characters")
    for source, locator, reason, detail in rejections:
        print(f"  {Path(source).name}{':' + locator if locator else ''}: {reason} ({detail[:110]})")
    print(f"\npeak RSS over all commands: {max(r['rss_mb'] for _, _, r in results):.0f} MB;"
          f" tracebacks: {sum(r['traceback'] for _, _, r in results)}; work folder {work}")
