"""Global options after the command: moved in front, from the command tree, never from values."""

from __future__ import annotations

from typing import Annotated

import pytest
import typer
import typer.main

from quirks.cli.app import app as quirks_app
from quirks.cli.globalopts import hoist_global_options

root = typer.Typer()
sub = typer.Typer()
root.add_typer(sub, name="grp")


@root.callback()
def _root(
    region: Annotated[str | None, typer.Option()] = None,
    debug: Annotated[bool, typer.Option("--debug")] = False,
) -> None: ...


@sub.callback(invoke_without_command=True)
def _grp(queue: Annotated[str | None, typer.Option()] = None) -> None: ...


@sub.command()
def leaf(
    query: Annotated[str, typer.Option("--query", "-q")] = "",
    debug: Annotated[bool, typer.Option("--debug")] = False,  # its own, not the global one
) -> None: ...


TREE = typer.main.get_command(root)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["grp", "leaf", "--region", "eu"], ["--region", "eu", "grp", "leaf"]),
        (["grp", "leaf", "--region=eu"], ["--region=eu", "grp", "leaf"]),
        (["--region", "a", "grp", "leaf"], ["--region", "a", "grp", "leaf"]),
        # a value of the command's own option is never taken for a global option
        (["grp", "leaf", "-q", "--region"], ["grp", "leaf", "-q", "--region"]),
        (["grp", "leaf", "--query=--region", "x"], ["grp", "leaf", "--query=--region", "x"]),
        # the command's own --debug stays with it
        (["grp", "leaf", "--debug"], ["grp", "leaf", "--debug"]),
        # group options between group and command, and globals there
        (
            ["grp", "--queue", "leaf", "--region", "r", "leaf"],
            ["--region", "r", "grp", "--queue", "leaf", "leaf"],
        ),
        (["grp", "--debug"], ["--debug", "grp"]),
        # nothing after -- moves
        (["grp", "leaf", "--", "--region", "x"], ["grp", "leaf", "--", "--region", "x"]),
    ],
)
def test_hoisting(argv: list[str], expected: list[str]) -> None:
    assert hoist_global_options(TREE, argv) == expected


def test_every_global_option_of_quirks_is_found_from_the_tree() -> None:
    command = typer.main.get_command(quirks_app)
    argv = ["alarms", "plan", "--json", "--region", "r", "--profile", "p", "--endpoint-url", "u"]
    argv += ["--max-attempts", "2", "--debug"]
    assert hoist_global_options(command, argv) == [
        "--region",
        "r",
        "--profile",
        "p",
        "--endpoint-url",
        "u",
        "--max-attempts",
        "2",
        "--debug",
        "alarms",
        "plan",
        "--json",
    ]
