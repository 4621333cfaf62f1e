"""The suite's shorthands over :func:`quirks.testing.run_cli` for commands run with ``--json``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quirks.testing import run_cli

if TYPE_CHECKING:
    from quirks.aws import ClientFactory

__all__ = ["run_json", "run_parsed"]


def run_parsed(*argv: str, clients: ClientFactory | None = None) -> tuple[int, Any, str]:
    """Exit code, stdout and stderr; with ``--json`` stdout is parsed (and must be JSON), and an
    empty stdout (a command that failed before printing) is ``{}``."""
    result = run_cli(*argv, clients=clients)
    if "--json" not in argv or not result.stdout.strip():
        return result.exit_code, ({} if "--json" in argv else result.stdout), result.stderr
    return result.exit_code, result.json, result.stderr


def run_json(*argv: str, code: int = 0, clients: ClientFactory | None = None) -> Any:
    """The JSON document of ``quirks <argv> --json``, after checking its exit code."""
    result = run_cli(*argv, "--json", clients=clients)
    assert result.exit_code == code, result.stderr
    return result.json
