"""The ``quirks`` command line: one typer sub-app per capability, all sharing one context.

typer and rich come with the ``cli`` extra (``pip install 'serverless-quirks[cli]'``): the Lambda
handlers and library users do without them. :func:`main` is the console script; without the extra
it prints what to install and exits 2 instead of a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    import typer

    from quirks.aws import ClientFactory

__all__ = ["app", "main"]

CLI_DEPENDENCIES = frozenset({"typer", "rich", "packaging", "click"})


def main(
    argv: list[str] | None = None,
    *,
    clients: ClientFactory | None = None,
    resolver: Callable[[str], bool] | None = None,
) -> int:
    """Run the CLI and return its exit code; ``clients`` and ``resolver`` are injected (tests)."""
    try:
        from quirks.cli.app import main as run
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in CLI_DEPENDENCIES:
            raise
        sys.stderr.write(
            f"quirks: error: the command line needs {exc.name}, which is not installed "
            "(fix: pip install 'serverless-quirks[cli]')\n"
        )
        return 2
    return run(argv, clients=clients, resolver=resolver)


def __getattr__(name: str) -> Any:
    if name == "app":
        from quirks.cli.app import app

        return app
    raise AttributeError(name)


if TYPE_CHECKING:
    app: typer.Typer
