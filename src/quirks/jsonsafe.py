"""Bounded JSON parsing for everything that comes from outside (messages, records, payloads, files).

:func:`loads` is :func:`json.loads` with a size and a nesting-depth limit, and one error type: every
failure — not JSON, too big, too deep, not UTF-8, even a :class:`RecursionError` inside the decoder —
is a :class:`~quirks.errors.FormatError` (a ``ValueError``) naming what was being parsed. So one
hostile message (3 KB of ``[`` nested 1,500 deep used to raise ``RecursionError`` and stop a whole
recovery run) is reported in its place, and its neighbours are processed as usual.

The depth limit also protects the code that walks the result afterwards (attribute decoders, JSON
re-encoding), which recurses once or twice per level.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from quirks.errors import FormatError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "check_depth", "check_value_depth", "loads"]

MAX_BYTES = 16 * 1024 * 1024
"""Large enough for the biggest thing AWS hands a function (a 6 MB synchronous payload, escaped
once more inside an S3 on-failure object); anything bigger is not a message."""

MAX_DEPTH = 128
"""Deeper than any real message: a DynamoDB item nests at most 32 levels (two JSON levels each in
the attribute-value form), under a handful of envelope levels."""

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def check_depth(text: str, what: str, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`FormatError` when brackets (outside strings) nest deeper than ``max_depth``.

    Linear time; the common case (fewer opening brackets than the limit) costs two ``count`` calls.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    deepest = max(accumulate(_STEP[c] for c in brackets), default=0)
    if deepest > max_depth:
        raise FormatError(what, f"is nested deeper than {max_depth} levels")


def check_value_depth(value: Any, what: str, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`FormatError` when lists and dicts in ``value`` nest deeper than ``max_depth``.

    For documents parsed by something other than :func:`loads` (YAML). Iterative, so it cannot
    overflow the stack itself; each container is walked once per depth it is reached at, so YAML
    aliases that share one list many times over cost no more than the limit allows.
    """
    seen: dict[int, int] = {}
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, list | dict):
            continue
        if depth > max_depth:
            raise FormatError(what, f"is nested deeper than {max_depth} levels")
        if seen.get(id(node), 0) >= depth:
            continue
        seen[id(node)] = depth
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children)


def loads(
    data: str | bytes | bytearray,
    what: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """Parse ``data`` as JSON within the limits; ``what`` names it in the error (``"body"``)."""
    if len(data) > max_bytes:
        raise FormatError(what, f"is {len(data):,} bytes, more than the {max_bytes:,} accepted")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    except UnicodeDecodeError as exc:
        raise FormatError(what, f"is not JSON (not UTF-8): {exc}") from None
    check_depth(text, what, max_depth)
    try:
        return json.loads(text)
    except RecursionError:  # belt and braces: the decoder's own limit, below ours on a small stack
        raise FormatError(what, "is nested too deeply") from None
    except ValueError as exc:
        raise FormatError(what, f"is not JSON: {exc}") from None
