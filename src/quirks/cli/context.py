"""Global CLI state: the options given before the command, and the consoles to write to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console

from quirks import aws

if TYPE_CHECKING:
    from collections.abc import Callable

    import typer


@dataclass(frozen=True)
class Injected:
    """What :func:`quirks.cli.main` hands the commands instead of building it (tests use it)."""

    clients: aws.ClientFactory | None = None
    # How names are resolved in DNS (``cognito-domain`` asks about a parent domain it cannot see).
    resolver: Callable[[str], bool] | None = None


@dataclass
class CliState:
    """What the global options set up; stored on the typer context as ``ctx.obj``.

    ``out`` writes to stdout (results only), ``err`` to stderr (progress, warnings, errors), so that
    ``--json`` output on stdout is never mixed with anything else.
    """

    settings: aws.AwsSettings = field(default_factory=aws.AwsSettings)
    debug: bool = False
    # The exit code of user errors: 2, except where a command gives 2 another meaning
    # (``alarms plan --detailed-exitcode``: 2 = changes), which sets it to 1.
    user_error_exit: int = 2
    # Where --max-attempts came from ("--max-attempts" or "default"), for ``quirks config``.
    max_attempts_source: str = "default"
    out: Console = field(default_factory=lambda: Console(soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))

    # The client factory the global options configured (or main(clients=...) handed in).
    factory: aws.ClientFactory | None = None
    # A DNS resolver main(resolver=...) handed in; None: the system resolver.
    resolver: Callable[[str], bool] | None = None

    @property
    def clients(self) -> aws.ClientFactory:
        """The client factory commands pass to the ``build_*`` functions."""
        return self.factory or aws.current()


_last_state = CliState()


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of a command's context (created if a command runs without the root)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def remember(current: CliState) -> None:
    """Keep the state of this run so that error handling outside click can see ``--debug``."""
    global _last_state
    _last_state = current


def last_state() -> CliState:
    """The state of the most recent run (for the error handler)."""
    return _last_state
