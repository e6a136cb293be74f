"""The command line, run as a user runs it: `python -m storyline ...` in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from storyline.export import ARTICLE_FIELDS, STORY_FIELDS
from tests.helpers import FIXTURES, storyline

pytestmark = pytest.mark.slow  # every test here runs the CLI in a subprocess


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory, seeds) -> Path:
    db = tmp_path_factory.mktemp("cli") / "cli.db"
    assert storyline("ingest", *map(str, seeds), str(FIXTURES / "ingest" / "mixed.jsonl"), db=db).returncode == 0
    assert storyline("run", db=db).returncode == 0
    return db


def test_demo_shows_the_ap_reprints_as_one_group(tmp_path):
    proc = storyline("demo", "--db", str(tmp_path / "demo.db"))
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    # The Reprints section: one line per group, "  rg-<id>: <members>; fullest copy <id>".
    reprint_lines = [line for line in out.splitlines() if re.match(r"\s+rg-\w+: ", line)]
    assert len(reprint_lines) == 1
    line = reprint_lines[0]
    assert "000 (" in line and "001 (" in line and "003 (" in line and "002" not in line and "004" not in line
    assert "fullest copy 003" in line
    # Running it again starts from a fresh database instead of failing or doubling.
    again = storyline("demo", "--db", str(tmp_path / "demo.db"))
    again_out = again.stdout.decode()
    assert again.returncode == 0 and again_out.count("fullest copy") == 1 and again_out.count("ingested 5 seed") == 1
    # It also shows the main story with its cited summary, the disputed figure and the aliases.
    assert "The main story" in out and "Sources disagree" in out and "[1]" in out
    assert "Islamic State = " in out and "Daesh" in out


def test_demo_refuses_to_overwrite_another_database(tmp_path, cli_db):
    proc = storyline("demo", "--db", str(cli_db))
    assert proc.returncode != 0 and "not overwriting" in proc.stderr.decode()


def test_ingest_summarises_rejections(tmp_path):
    proc = storyline("ingest", str(FIXTURES / "ingest" / "mixed.jsonl"), db=tmp_path / "x.db")
    out = proc.stdout.decode()
    assert proc.returncode == 0
    assert "ingested 2 new article(s)" in out and "4 rejected" in out and "malformed JSON" in out
    rejections = storyline("rejections", db=tmp_path / "x.db").stdout.decode()
    assert "line 2" in rejections and "missing text" in rejections


def test_stdin_jsonl_and_env_db(tmp_path):
    db = tmp_path / "env.db"
    line = json.dumps({"id": "wire-1", "text": "Iraqi forces retook al-Qaim on Friday, commanders said."})
    proc = storyline("ingest", "-", env={"STORYLINE_DB": str(db)}, stdin=line.encode() + b"\n")
    assert proc.returncode == 0 and db.exists()


def test_export_jsonl_csv_parquet(tmp_path, cli_db):
    out = storyline("export", "articles", db=cli_db)
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(rows) == 7 and all(set(ARTICLE_FIELDS) <= set(r) for r in rows)
    by_id = {r["id"]: r for r in rows}
    assert by_id["001_4d2cfab19c965121"]["reprint_group"] == by_id["003_bc6e5b3ea6e5d15e"]["reprint_group"] is not None

    proc = storyline("export", "stories", "--format", "csv", "--output", str(tmp_path / "s.csv"), db=cli_db)
    assert proc.returncode == 0
    stories = list(csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text())))
    assert stories and list(stories[0]) == STORY_FIELDS
    assert sum(len(json.loads(s["articles"])) for s in stories) == 7

    proc = storyline("export", "articles", "--format", "parquet", "-o", str(tmp_path / "a.parquet"), db=cli_db)
    assert proc.returncode == 0
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.num_rows == 7 and set(ARTICLE_FIELDS) <= set(table.column_names)


def test_stories_table_and_show(cli_db):
    table = storyline("stories", db=cli_db)
    assert table.returncode == 0 and "stories" in table.stdout.decode()
    story_id = next(w for w in table.stdout.decode().split() if w.startswith("st-"))
    story = storyline("show", story_id, db=cli_db).stdout.decode()
    assert f"story {story_id}" in story
    article = storyline("show", "001_4d2cfab19c965121", "--removed", db=cli_db)
    text = article.stdout.decode()
    assert article.returncode == 0 and "reprint group" in text and "removed as page furniture" in text
    # Each removed line is shown with its reason; the crawl date is not the publication date.
    assert "view counter" in text and "This post has been read 5712 times!" in text
    assert "2017-11-04" in text and "Wednesday , September 28 2022" in text


def test_unknown_id_is_a_clear_error(cli_db):
    proc = storyline("show", "no-such-thing", db=cli_db)
    assert proc.returncode == 3 and "no story, storyline or article 'no-such-thing'" in proc.stderr.decode()


def test_eval_without_data_says_what_to_do(tmp_path):
    proc = storyline("eval", "reprints", "--data", str(tmp_path / "missing"))
    assert proc.returncode != 0 and "does not exist" in proc.stderr.decode()


def test_not_a_database_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    proc = storyline("stories", db=bogus)
    assert proc.returncode == 4 and "cannot open" in proc.stderr.decode()


def test_run_without_embeddings_and_with_them_again(tmp_path, seeds):
    """`storyline run --no-embeddings` stores no embedding; `--embeddings` (overriding
    STORYLINE_EMBEDDINGS=off) remakes them and replays the stories."""
    from storyline.store import Store

    db = tmp_path / "db.sqlite"
    assert storyline("ingest", *map(str, seeds), db=db).returncode == 0
    proc = storyline("run", "--no-embeddings", db=db)
    assert proc.returncode == 0, proc.stderr.decode()
    with Store(db) as store:
        ids = [i for i, _, _ in store.story_inputs()]
        assert len(ids) == 5 and all(b is None for _, _, b in store.story_features_full(ids).values())
    proc = storyline("run", "--embeddings", db=db, env={"STORYLINE_EMBEDDINGS": "off"})
    assert proc.returncode == 0, proc.stderr.decode()
    assert "stories" in proc.stdout.decode() and "replayed" in proc.stdout.decode()
    with Store(db) as store:
        assert all(b is not None for _, _, b in store.story_features_full(ids).values())
