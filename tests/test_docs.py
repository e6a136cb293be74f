"""Docs that cannot drift: every CLI command is in the README, the README's commands are CI's,
and the README's demo session is what `storyline demo` prints.

After a change that alters the demo's output: `python -m tests.test_docs` rewrites the
README's demo block from a real run (then read the diff before committing it).
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


if __name__ == "__main__":
    head, rest = README.split(DEMO_START)
    tail = rest.split(DEMO_END)[1]
    block = f"{DEMO_START}\n```\n$ storyline demo\n{_demo_output()}\n```\n{DEMO_END}"
    (ROOT / "README.md").write_text(head + block + tail, encoding="utf-8")
    print("README.md demo block rewritten from a real `storyline demo` run")
