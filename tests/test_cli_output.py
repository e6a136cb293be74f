"""The CLI's output for scripts, in process (quick): logging levels and piped tables."""

from __future__ import annotations

import logging

from click.testing import CliRunner
from rich.table import Table

from storyline.cli import cli, configure_logging, emit_table


def test_third_party_loggers_stay_at_warning_unless_vv():
    try:
        configure_logging(1, False)
        assert logging.getLogger("storyline.pipeline").getEffectiveLevel() == logging.DEBUG
        assert logging.getLogger("urllib3").getEffectiveLevel() == logging.WARNING
        configure_logging(2, False)
        assert logging.getLogger("urllib3").getEffectiveLevel() == logging.DEBUG
        configure_logging(0, True)
        assert logging.getLogger("storyline").getEffectiveLevel() == logging.ERROR
    finally:
        configure_logging(0, False)


def test_a_piped_table_is_tab_separated(capsys):
    table = Table("id", "title")
    table.add_row("st-1", "A title\twith a tab and a very long text " * 5)
    emit_table(table)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id\ttitle" and lines[1].startswith("st-1\tA title with a tab") and len(lines) == 2


def test_every_command_takes_verbose_and_quiet_after_its_name(tmp_path):
    runner = CliRunner()
    for name, command in cli.commands.items():
        if name == "eval":
            continue
        # a group of commands (alerts): each of its commands takes them
        for sub in getattr(command, "commands", {name: command}).values():
            params = {p.name for p in sub.params}
            assert {"sub_verbose", "sub_quiet"} <= params, name
    result = runner.invoke(cli, ["stories", "-q", "-v", "--db", str(tmp_path / "none.db")])
    assert result.exit_code != 0 and not (tmp_path / "none.db").exists()
