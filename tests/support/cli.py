"""The suite's shorthands over :func:`quirks.testing.run_cli` for commands run with ``--json``."""

from __future__ import annotations

from typing import Any

from quirks.testing import run_cli

__all__ = ["run_json", "run_parsed"]


def run_parsed(*argv: str) -> tuple[int, Any, str]:
    """Exit code, stdout and stderr; with ``--json`` stdout is parsed (and must be JSON), and an
    empty stdout (a command that failed before printing) is ``{}``."""
    result = run_cli(*argv)
    if "--json" not in argv or not result.stdout.strip():
        return result.exit_code, ({} if "--json" in argv else result.stdout), result.stderr
    return result.exit_code, result.json, result.stderr


def run_json(*argv: str, code: int = 0) -> Any:
    """The JSON document of ``quirks <argv> --json``, after checking its exit code."""
    result = run_cli(*argv, "--json")
    assert result.exit_code == code, result.stderr
    return result.json
