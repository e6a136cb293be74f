"""Docs that cannot drift: every CLI command is in the README, the README's commands are CI's,
and the README's demo session is what `storyline demo` prints.

After a change that alters the demo's output or the settings table (settings.py):
`python -m tests.test_docs` rewrites the README's demo block from a real run and its
settings table (then read the diff before committing it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from storyline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented_in_the_readme():
    missing = [name for name in cli.list_commands(None) if f"storyline {name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install -e '.[test]' && pytest" in README
    assert "pip install -e '.[test]'" in ci and "\npytest" in ci
    # the Spark tests' extra, as the README says; CI requires them to run
    assert "pip install -e '.[test,spark]'" in README and "pip install -e '.[test,spark]'" in ci
    assert "STORYLINE_REQUIRE_SPARK=1" in ci


DEMO_START, DEMO_END = "<!-- demo-output -->", "<!-- /demo-output -->"


def _demo_output() -> str:
    """What `storyline demo` prints in a fresh folder, lines right-stripped."""
    with tempfile.TemporaryDirectory() as folder:
        proc = subprocess.run([sys.executable, "-m", "storyline", "demo"], cwd=folder, capture_output=True,
                              env={**os.environ, "COLUMNS": "100"}, check=True)
    return "\n".join(line.rstrip() for line in proc.stdout.decode("utf-8").strip().splitlines())


def _readme_demo() -> str:
    block = README.split(DEMO_START)[1].split(DEMO_END)[0].strip().splitlines()
    assert block[0] == "```" and block[1] == "$ storyline demo" and block[-1] == "```"
    return "\n".join(line.rstrip() for line in block[2:-1])


@pytest.mark.slow
def test_the_readme_demo_session_is_what_the_demo_prints():
    assert _readme_demo() == _demo_output(), "README's demo block is stale: run `python -m tests.test_docs`"


PY_START, PY_END = "<!-- python-example -->", "<!-- /python-example -->"


@pytest.mark.slow
def test_the_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    """The README's "Use it from Python" block, run as written on the bundled seed articles."""
    from storyline.seeds import seed_files

    block = README.split(PY_START)[1].split(PY_END)[0].strip().splitlines()
    assert block[0] == "```python" and block[-1] == "```"
    articles = tmp_path / "articles"
    articles.mkdir()
    for path in seed_files():
        (articles / path.name).write_bytes(path.read_bytes())
    monkeypatch.chdir(tmp_path)
    exec(compile("\n".join(block[1:-1]), "README.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{len(seed_files())} articles added, 0 rejected"
    stories = [line.split(" ", 2) for line in lines[1:]]
    assert stories and all(sid.startswith("st-") for sid, _, _ in stories)
    assert sum(int(n) for _, n, _ in stories) == len(seed_files())
    # The main story holds the four reprints and rewrites of the Syrian-Iraqi offensive.
    assert max(int(n) for _, n, _ in stories) == 4


def test_public_api_names_resolve():
    import storyline
    import storyline.ingest  # a subpackage of the same name does not replace the function

    for name in storyline.__all__:
        assert getattr(storyline, name) is not None, name
    assert callable(storyline.ingest) and callable(storyline.run) and callable(storyline.open)
    with pytest.raises(AttributeError):
        storyline.no_such_name  # noqa: B018


def test_old_geocode_path_warns_and_works():
    import importlib
    import sys

    sys.modules.pop("storyline.stages.places", None)
    with pytest.warns(DeprecationWarning, match="storyline.geo.places"):
        old = importlib.import_module("storyline.stages.places")
    from storyline.geo.places import geocode

    assert old.geocode is geocode


if __name__ == "__main__":
    head, rest = README.split(DEMO_START)
    tail = rest.split(DEMO_END)[1]
    block = f"{DEMO_START}\n```\n$ storyline demo\n{_demo_output()}\n```\n{DEMO_END}"
    text = head + block + tail
    from storyline.settings import markdown_table

    head, rest = text.split("<!-- settings -->")
    text = f"{head}<!-- settings -->\n{markdown_table()}\n<!-- /settings -->{rest.split('<!-- /settings -->')[1]}"
    (ROOT / "README.md").write_text(text, encoding="utf-8")
    print("README.md demo block rewritten from a real `storyline demo` run, and its settings table")
