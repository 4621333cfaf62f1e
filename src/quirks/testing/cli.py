"""Run the ``quirks`` command in-process and look at what a user would see.

:func:`run_cli` runs the console script's own entry point (:func:`quirks.cli.main`: global options
anywhere on the line, one-line errors, exit code 2 for what the user can fix) inside typer's
``CliRunner`` isolation, which swaps stdin, stdout and stderr for buffers of its own. So the result
is what a shell would show, and a test needs no ``capsys``.
"""

from __future__ import annotations

import json
import sys
from typing import IO, TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.aws import ClientFactory

__all__ = ["CliResult", "run_cli"]


class CliResult(NamedTuple):
    """What one ``quirks`` command line did: its exit code and everything it printed.

    A named tuple, so ``code, out, err = run_cli(...)`` works as well as ``result.stdout``.
    """

    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        """stdout parsed as the one JSON document ``--json`` prints.

        Raises ``ValueError`` (with stderr in the message) when stdout is not JSON, which is how a
        failed command shows in a test.
        """
        try:
            return json.loads(self.stdout)
        except ValueError as exc:
            raise ValueError(
                f"stdout is not one JSON document ({exc}); exit code {self.exit_code}, "
                f"stderr: {self.stderr.strip() or '(empty)'}"
            ) from None


def run_cli(
    *argv: str,
    stdin: str | IO[str] = "",
    env: dict[str, str | None] | None = None,
    clients: ClientFactory | None = None,
    resolver: Callable[[str], bool] | None = None,
) -> CliResult:
    """Run ``quirks <argv...>`` and return its exit code, stdout and stderr.

    ``stdin`` is the text the command reads (``-`` arguments, answers to questions) or a stream to
    read instead (one whose ``isatty()`` is true stands for a terminal). ``env`` sets (or, with
    ``None``, removes) environment variables for this run only. ``clients`` replaces the client
    factory the global options would build (a factory with fault-injecting clients, say), and
    ``resolver`` the system DNS lookup ``quirks cognito-domain`` checks names with.
    """
    from typer.testing import CliRunner

    from quirks.cli import main

    runner = CliRunner()
    with runner.isolation(input=stdin if isinstance(stdin, str) else None, env=env) as streams:
        if not isinstance(stdin, str):
            sys.stdin = stdin  # the isolation puts its own stdin back when it ends
        code = main(list(argv), clients=clients, resolver=resolver)
        sys.stdout.flush()
        sys.stderr.flush()
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return CliResult(
        exit_code=code, stdout=out.decode("utf-8"), stderr=err.decode("utf-8", "replace")
    )
