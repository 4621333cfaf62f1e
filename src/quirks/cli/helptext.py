"""Help text as AWS CLI users read it: ``--region TEXT``, ``--json`` alone, ``ARCHIVES...``.

typer renders Python types as metavars (``<bool>`` after every flag, ``<list[Path]>``,
``{archives}...``) and prints docstrings' reST literals with their double backticks. :func:`tidy`
walks the whole command tree once before parsing, so every command, present or added later, gets
plain metavars (flags none, choices ``a|b``, values ``TEXT``/``INTEGER``/``PATH``, arguments their
upper-case name) and ``'literal'`` instead of ````literal````. Metavars a command sets are kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

__all__ = ["tidy"]

_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
_NAMES: dict[Any, str] = {str: "TEXT", int: "INTEGER", float: "NUMBER", Path: "PATH"}


def _label(param: Any) -> str:
    """``TEXT``, ``INTEGER``, ``PATH``, ``a|b`` for choices, nothing for flags."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    desc = getattr(param, "type_descriptor", None)
    if desc is None:
        return "VALUE"
    if desc.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
    annotation = desc.annotation
    if desc.is_list and get_args(annotation):
        annotation = get_args(annotation)[0]
    if desc.is_path:
        return "PATH"
    return _NAMES.get(annotation, getattr(annotation, "__name__", "VALUE").upper())


def _plain(text: str | None) -> str | None:
    return _LITERAL.sub(r"'\1'", text) if text else text


def _tidy_param(param: Any) -> None:
    if getattr(param, "help", None):
        param.help = _plain(param.help)
    if getattr(param, "metavar", None) is not None:
        return
    if getattr(param, "param_type_name", "") != "argument":
        param.metavar = _label(param)
        return
    # Arguments: FILES... in the usage line and the name column, no Python type beside it.
    name = str(param.name or "value").upper()
    param.metavar = name
    many = "..." if param.nargs != 1 else ""
    usage = f"{name}{many}" if param.required else f"[{name}]{many}"
    param._usage_display_name = lambda: usage
    param._rich_display_name = lambda: f"{name}{many}"
    param.display_type_rich = lambda ctx: None


def tidy(command: Any) -> None:
    """Give every parameter in ``command``'s tree a plain metavar, and help plain literals."""
    command.help = _plain(getattr(command, "help", None))
    if hasattr(command, "short_help"):
        command.short_help = _plain(command.short_help)
    for param in getattr(command, "params", ()):
        _tidy_param(param)
    make_help_option = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = make_help_option(ctx)
        if option is not None:
            option.metavar = ""  # -h/--help is a flag too
        return option

    command.get_help_option = get_help_option
    for sub in (getattr(command, "commands", None) or {}).values():
        tidy(sub)
