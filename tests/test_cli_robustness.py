"""No command destroys the store, and none answers bad input or a bad database with a
traceback: `python -m storyline ...` in subprocesses, as a user runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import storyline

pytestmark = pytest.mark.slow  # every test here runs the CLI in a subprocess

GOOD = "The council met on {day} and voted to raise the budget for schools by a tenth, the mayor said."


def _jsonl(path: Path, n: int, prefix: str = "a") -> Path:
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    path.write_text("".join(json.dumps({"id": f"{prefix}{i}", "text": GOOD.format(day=days[i % 5]) + f" ({prefix}{i})"})
                            + "\n" for i in range(n)))
    return path


def test_export_onto_the_database_or_its_wal_is_refused_and_the_store_kept(tmp_path):
    db = tmp_path / "s.db"
    assert storyline("ingest", str(_jsonl(tmp_path / "in.jsonl", 3)), db=db).returncode == 0
    size = db.stat().st_size
    for target in (db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        proc = storyline("export", "articles", "-o", str(target), db=db)
        assert proc.returncode == 1 and b"would destroy the store" in proc.stderr, proc.stderr
    assert db.stat().st_size == size
    assert storyline("stories", db=db).returncode == 0
    assert json.loads(storyline("rejections", "--json", db=db).stdout or b"null") is None
    out = tmp_path / "articles.jsonl"
    assert storyline("export", "articles", "-o", str(out), db=db).returncode == 0
    assert len(out.read_text().splitlines()) == 3 and not list(tmp_path.glob(".articles.jsonl.*"))


def test_a_damaged_database_is_a_clear_error_and_ingest_refuses_it(tmp_path):
    db = tmp_path / "d.db"
    assert storyline("ingest", str(_jsonl(tmp_path / "in.jsonl", 200)), db=db).returncode == 0
    subprocess.run(["sqlite3", str(db), "PRAGMA wal_checkpoint(TRUNCATE)"], check=False, capture_output=True)
    data = bytearray(db.read_bytes())
    for n in range(3, len(data) // 4096, 2):
        data[n * 4096 + 8 : n * 4096 + 200] = os.urandom(192)
    db.write_bytes(bytes(data))
    for args in (("stories",), ("export", "articles"), ("ingest", str(_jsonl(tmp_path / "more.jsonl", 2, "b"))),
                 ("run",)):
        proc = storyline(*args, db=db)
        assert b"Traceback" not in proc.stderr, proc.stderr.decode()
        if args[0] in ("ingest", "run") or proc.returncode:
            assert proc.returncode == 4, (args, proc.returncode, proc.stderr)
            assert b"PRAGMA integrity_check" in proc.stderr


def test_25_concurrent_ingests_into_a_new_store_all_succeed(tmp_path):
    db = tmp_path / "new.db"
    inputs = [_jsonl(tmp_path / f"in{i}.jsonl", 1, f"p{i}-") for i in range(25)]
    with ThreadPoolExecutor(25) as pool:
        procs = list(pool.map(lambda p: storyline("ingest", str(p), db=db), inputs))
    assert [p.returncode for p in procs] == [0] * 25, [p.stderr.decode()[-300:] for p in procs if p.returncode]
    rows = storyline("export", "articles", db=db).stdout.decode().splitlines()
    assert len(rows) == 25


def test_a_second_run_waits_for_the_first_and_redoes_nothing(tmp_path):
    db = tmp_path / "r.db"
    assert storyline("ingest", str(_jsonl(tmp_path / "in.jsonl", 40)), db=db).returncode == 0
    env = {"STORYLINE_EMBEDDINGS": "off"}
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(storyline, "run", "--workers", "1", db=db, env=env)
        time.sleep(3)
        second = pool.submit(storyline, "run", "--workers", "1", db=db, env=env)
        a, b = first.result(), second.result()
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    done = [p.stdout.decode() for p in (a, b)]
    busy = [text for text in done if "clean         40 processed" in text]
    assert len(busy) == 1, done  # one of them cleaned the 40 articles, the other found them done
    idle = done[1 - done.index(busy[0])]
    assert "clean          0 processed" in idle


def _count(db: Path, table: str) -> int:
    """Rows of `table`, read-only, 0 while the table or the database is not there yet."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (a constant)
    except sqlite3.Error:
        return 0


def test_ctrl_c_stops_a_run_within_2_seconds_and_says_what_is_kept(tmp_path):
    db = tmp_path / "c.db"
    assert storyline("ingest", str(_jsonl(tmp_path / "in.jsonl", 400)), db=db).returncode == 0
    env = {k: v for k, v in os.environ.items() if k != "STORYLINE_DB"}
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "run", "--workers", "2", "--db", str(db)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    # Signal once the first stage has stored something: the later stages (models loading and
    # running in the workers) are still ahead. A fixed sleep raced a faster pipeline.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _count(db, "clean_articles"):
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 2.0
    assert proc.returncode == 130 and b"everything committed so far is kept" in err and b"Traceback" not in err
    again = storyline("run", "--workers", "1", db=db, env={"STORYLINE_EMBEDDINGS": "off"})
    assert again.returncode == 0
