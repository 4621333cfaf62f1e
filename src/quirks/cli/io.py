"""Reading a command's input file: a path, or ``-`` for standard input (as the AWS CLI's
``file://-`` and most Unix tools read it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from quirks.errors import UserError

__all__ = ["STDIN", "read_text"]

STDIN = "-"
"""The path that means standard input."""


def read_text(
    path: Path | str,
    *,
    missing_fix: str,
    not_text_fix: str = "pass a JSON or JSON Lines file",
    errors: Literal["strict", "replace"] = "strict",
) -> str:
    """The UTF-8 text of ``path`` (``-``: standard input).

    A missing file, or with ``errors="strict"`` one that is not UTF-8, is a :class:`UserError`
    with ``missing_fix`` / ``not_text_fix`` as its fix; ``errors="replace"`` reads any bytes.
    """
    if str(path) == STDIN:
        return sys.stdin.read()
    file = Path(path)
    if not file.is_file():
        raise UserError(f"{path} does not exist", missing_fix)
    try:
        return file.read_text(encoding="utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text", not_text_fix) from exc
