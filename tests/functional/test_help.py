"""``--help`` of every command reads like the AWS CLI's: no Python types, no reST literals."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer.main

from quirks.cli.app import app
from quirks.testing import run_cli


def _paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, sub in (getattr(command, "commands", None) or {}).items():
        found.extend(_paths(sub, (*prefix, name)))
    return found


COMMANDS = _paths(typer.main.get_command(app))


def test_every_command_is_covered() -> None:
    assert len(COMMANDS) > 30


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "quirks")
def test_help_has_no_python_types_or_rest_markup(path: tuple[str, ...]) -> None:
    result = run_cli(*path, "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Usage: quirks" in out
    assert not re.search(r"<(bool|int|str|float|Path|list\[[^\]]*\])[^>]*>", out), out
    assert "``" not in out, out
    assert not re.search(r"\{[a-z_]+\}", out), out  # typer's {files}... argument style
