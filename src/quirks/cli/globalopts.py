"""Global options anywhere on the line, as the AWS CLI accepts them (``aws s3 ls --profile prod``).

click only reads the root command's options before the command name. :func:`hoist_global_options`
moves every root option found after it (``quirks alarms plan --region eu-west-1 --debug``) to the
front, before click parses anything. It reads the option names from the command tree itself, so a
new global option, or a new command, needs nothing here. A command that defines an option with the
same name keeps it; values of a command's own options are never mistaken for global options, and
everything after ``--`` is left alone.
"""

from __future__ import annotations

from typing import Any

__all__ = ["hoist_global_options"]


def _options(command: Any) -> dict[str, bool]:
    """Option names of ``command`` -> whether the option takes a value."""
    names: dict[str, bool] = {}
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") != "option":
            continue
        takes_value = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
        for name in (*param.opts, *getattr(param, "secondary_opts", ())):
            names[name] = takes_value
    return names


def _split(token: str) -> tuple[str, bool]:
    """``--region=eu-west-1`` -> (``--region``, True); ``--region`` -> (``--region``, False)."""
    if token.startswith("--") and "=" in token:
        return token.split("=", 1)[0], True
    return token, False


def hoist_global_options(root: Any, argv: list[str]) -> list[str]:
    """``argv`` with the root's options that follow a command name moved before the command."""
    global_options = _options(root)
    front: list[str] = []
    hoisted: list[str] = []
    rest: list[str] = []
    current = root
    own = global_options  # the options the command being read defines itself
    at_root = True
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        if token == "--":
            rest.extend(argv[index - 1 :])
            break
        name, inline = _split(token)
        target = front if at_root else rest
        if name in own and token.startswith("-"):
            target.append(token)
            if own[name] and not inline and index < len(argv):
                target.append(argv[index])
                index += 1
            continue
        if not at_root and name in global_options and token.startswith("-"):
            hoisted.append(token)
            if global_options[name] and not inline and index < len(argv):
                hoisted.append(argv[index])
                index += 1
            continue
        subcommands = getattr(current, "commands", None)
        if subcommands and token in subcommands:
            current = subcommands[token]
            own = _options(current)
            at_root = False
        rest.append(token)
    return [*front, *hoisted, *rest]
