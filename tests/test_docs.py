"""Docs that cannot drift: every CLI command is in the README, and the README's commands are CI's."""

from __future__ import annotations

from pathlib import Path

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
