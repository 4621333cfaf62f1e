"""One way to print results: a JSON document with ``--json``, a rich rendering otherwise."""

from __future__ import annotations

import base64
import dataclasses
import json
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from quirks.errors import UserError

if TYPE_CHECKING:
    from quirks.cli.context import CliState

JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout and nothing else there."),
]


def to_jsonable(value: Any) -> Any:
    """Turn dataclasses, datetimes, bytes, paths, sets and decimals into plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    return value


def emit(
    data: Any, *, as_json: bool, render: Callable[[Console], None], console: Console | None = None
) -> None:
    """Print ``data`` as one JSON document (``as_json``) or call ``render`` with the stdout console."""
    if as_json:
        sys.stdout.write(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        render(console or Console(soft_wrap=True))


def progress(console: Console, *, transient: bool = True) -> Progress:
    """A progress bar on stderr for long work; hidden when stderr is not a terminal.

    Use as ``with progress(state.err) as bar: task = bar.add_task("Reading", total=n)``. It writes to
    the given (stderr) console only, so ``--json`` output on stdout stays clean.
    """
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
        disable=not console.is_terminal,
    )


def confirm_or_exit(cli: CliState, question: str) -> None:
    """Ask ``question`` on the terminal; exit 1 if the answer is no (nothing changed).

    Without a terminal (CI, a pipe) it never guesses: it is a user error whose fix is ``--yes``.
    """
    if not sys.stdin.isatty():
        raise UserError(
            "this command asks before it changes anything, and there is no terminal to ask on",
            "pass --yes to go ahead without asking (e.g. in CI)",
        )
    # Not click.confirm: it writes part of its prompt to stdout, which holds only results here.
    sys.stderr.write(f"{question} [y/N]: ")
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        cli.err.print("Cancelled: nothing was changed.")
        raise typer.Exit(1)
