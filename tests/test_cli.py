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
    # mixed.jsonl has bad lines: the good ones are stored, and the exit code says some were rejected
    assert storyline("ingest", *map(str, seeds), str(FIXTURES / "ingest" / "mixed.jsonl"), db=db).returncode == 6
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
    assert proc.returncode == 6  # some items rejected, the rest stored
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
    # piped, the table is tab-separated lines, header first
    assert table.returncode == 0 and table.stdout.decode().splitlines()[0].split("\t")[:2] == ["story", "first"]
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
    STORYLINE_EMBEDDINGS=off) replays the stories, with embeddings where placement reads them."""
    from storyline.store import Store

    db = tmp_path / "db.sqlite"
    assert storyline("ingest", *map(str, seeds), db=db).returncode == 0
    proc = storyline("run", "--no-embeddings", db=db)
    assert proc.returncode == 0, proc.stderr.decode()
    with Store(db) as store:
        ids = [i for i, _, _ in store.story_inputs()]
        assert len(ids) == 5 and all(b is None for _, _, b in store.story_features_full(ids).values())
        before = sorted(sorted(s["articles"]) for s in store.stories())
    proc = storyline("run", "--embeddings", db=db, env={"STORYLINE_EMBEDDINGS": "off"})
    assert proc.returncode == 0, proc.stderr.decode()
    assert "stories" in proc.stdout.decode() and "replayed" in proc.stdout.decode()
    with Store(db) as store:
        # one language: no placement reads an embedding, so none is made (an article in a
        # second language makes them: tests/stages/test_stories.py); the stories are the same
        assert all(b is None for _, _, b in store.story_features_full(ids).values())
        assert sorted(sorted(s["articles"]) for s in store.stories()) == before


# -- exit codes, read-only commands, output for scripts ------------------------------------

FEED = [
    {"guid": "w-1", "headline": "Iraqi forces retake al-Qaim", "source": "Example Wire", "stance": "left",
     "body": "Iraqi forces retook the border town of al-Qaim on Friday, the prime minister said.",
     "date": "Fri, 03 Nov 2017 16:15:00 +0300", "link": "https://wire.example/w-1"},
    {"guid": "w-2", "headline": "Syrian army takes Deir ez-Zor", "source": "Gulf News", "stance": "right",
     "body": "The Syrian army took the eastern city of Deir ez-Zor on Friday, state media said.",
     "date": "Sat, 04 Nov 2017 09:00:00 GMT", "link": "https://gulf.example/w-2"},
]


def test_ingest_exit_codes(tmp_path):
    good = tmp_path / "feed.jsonl"
    good.write_text("".join(json.dumps(r) + "\n" for r in FEED))
    db = tmp_path / "x.db"
    assert storyline("ingest", str(good), db=db).returncode == 0
    assert storyline("ingest", str(good), db=db).returncode == 0  # already stored is success
    assert storyline("ingest", str(FIXTURES / "ingest" / "mixed.jsonl"), db=db).returncode == 6
    missing = storyline("ingest", str(good), str(tmp_path / "typo"), db=db)
    assert missing.returncode == 7 and "not found" in missing.stdout.decode()
    url = storyline("ingest", "https://example.org/news.html", db=tmp_path / "url.db")
    assert url.returncode == 7 and "never the network" in url.stderr.decode()
    typo = storyline("ingest", "/typo/path", db=tmp_path / "typo.db")
    assert typo.returncode == 7 and not (tmp_path / "typo.db").exists()
    (tmp_path / "empty").mkdir()
    assert storyline("ingest", str(tmp_path / "empty"), db=tmp_path / "e.db").returncode == 7  # nothing read
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    assert storyline("ingest", str(bad), db=tmp_path / "b.db").returncode == 7
    help_text = storyline("ingest", "--help").stdout.decode()
    assert "Exit codes" in help_text and "6" in help_text and "7" in help_text
    assert "Exit codes" in storyline("--help").stdout.decode()


def test_read_only_commands_on_a_missing_database_create_nothing(tmp_path):
    db = tmp_path / "none.db"
    for args in (["stories"], ["show", "x"], ["story", "x"], ["diff", "a", "b"], ["export", "articles"],
                 ["events"], ["claims"], ["entities"], ["rejections"], ["run"]):
        proc = storyline(*args, db=db)
        assert proc.returncode == 4 and "no database at" in proc.stderr.decode(), args
        assert not list(tmp_path.iterdir()), args


def test_feed_jsonl_notices_warnings_json_and_where(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in FEED)
                    + json.dumps({"body": "A third text about the border clashes.", "date": "soon"}) + "\n")
    db = tmp_path / "f.db"
    proc = storyline("ingest", str(feed), db=db)
    out = proc.stdout.decode()
    assert proc.returncode == 0, out
    assert "'body' read as text" in out and "'date' read as published" in out and "1 article(s) stored with a warning" in out
    warnings = storyline("rejections", "--warnings", "--json", db=db).stdout.decode().splitlines()
    assert [json.loads(w)["article"] for w in warnings] == ["feed-3"] and "soon" in warnings[0]
    assert storyline("run", "--no-embeddings", "-q", db=db).returncode == 0
    shown = storyline("show", "feed-3", db=db).stdout.decode()
    assert "warning" in shown and "'soon'" in shown
    article = json.loads(storyline("show", "w-1", "--json", db=db).stdout)
    assert article["kind"] == "article" and article["meta"] == {"stance": "left"}
    assert article["published_at"] == "2017-11-03T16:15:00+03:00"
    rows = [json.loads(x) for x in storyline("export", "articles", "--where", "stance=left", db=db).stdout.splitlines()]
    assert [r["id"] for r in rows] == ["w-1"] and rows[0]["published"] == "2017-11-03" and rows[0]["outlet"] == "Example Wire"
    stories = [json.loads(x) for x in storyline("stories", "--json", db=db).stdout.splitlines()]
    assert stories and all({"id", "articles", "outlets"} <= set(s) for s in stories)
    mapped = tmp_path / "m.db"
    proc = storyline("ingest", str(feed), "--map", "title=guid", db=mapped)
    assert proc.returncode == 0 and "'guid' read as title (--map)" in proc.stdout.decode()
    assert storyline("ingest", str(feed), "--map", "bogus", db=mapped).returncode == 2


def test_json_lines_on_every_listing(cli_db):
    for args in (["stories"], ["entities"], ["events"], ["claims"], ["rejections"], ["show", "001_4d2cfab19c965121"]):
        proc = storyline(*args, "--json", db=cli_db)
        lines = proc.stdout.decode().splitlines()
        assert proc.returncode == 0 and lines, args
        assert all(isinstance(json.loads(line), dict) for line in lines), args
    story = storyline("story", next(json.loads(x)["id"] for x in storyline("stories", "--json", db=cli_db).stdout.splitlines()),
                      "--json", db=cli_db)
    assert len(story.stdout.decode().strip().splitlines()) == 1


def test_verbose_and_quiet_after_the_command(cli_db, tmp_path):
    quiet = storyline("export", "stories", "-q", "-o", str(tmp_path / "s.jsonl"), db=cli_db)
    assert quiet.returncode == 0 and quiet.stderr.decode() == "" and quiet.stdout.decode() == ""
    assert storyline("stories", "-v", db=cli_db).returncode == 0
    assert storyline("-v", "stories", db=cli_db).returncode == 0
    assert storyline("ingest", str(FIXTURES / "ingest" / "articles.jsonl"), "-q", db=tmp_path / "q.db").stdout == b""


def test_export_filters_from_the_command_line(cli_db, tmp_path):
    story_id = json.loads(storyline("stories", "--json", db=cli_db).stdout.splitlines()[0])["id"]
    for what in ("articles", "stories", "summaries", "events", "claims", "entities"):
        proc = storyline("export", what, "--story", story_id, "--format", "parquet", "-o", str(tmp_path / f"{what}.parquet"), db=cli_db)
        assert proc.returncode == 0, (what, proc.stderr.decode())
    assert storyline("export", "articles", "--since", "not-a-date", db=cli_db).returncode == 2
    assert storyline("export", "articles", "--story", "st-nope", db=cli_db).returncode == 3
