"""One validation kit for JSON-shaped input: typed getters that name the dotted path of a bad field.

Wire formats (stream records, on-failure messages, awslogs payloads) and configuration (fan-out
and alarms configs, local stack files) are all plain JSON/TOML objects checked field by field.
Each of those parsers makes one :class:`Fields` with the error it raises, and reads through it::

    fields = Fields(FailureMessageError)
    shard = fields.require(info, "shardId", "DDBStreamBatchInfo.", str)

so every error names exactly what is wrong (``DDBStreamBatchInfo.shardId: expected a string, got
int``) and is the caller's own typed error. Standard library only: the local Lambda worker imports
the parsers that use it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

__all__ = ["MISSING", "Fields", "closest", "kind_name"]

MISSING: Final = "is missing"

_NAMES: Final[dict[type, str]] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    dict: "an object",
    list: "a list",
    Mapping: "an object",
}


def kind_name(kind: type | tuple[type, ...]) -> str:
    """``"a string"``, ``"a string or a list"``: how an expected type reads in an error."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(_NAMES.get(k, k.__name__) for k in kinds)


def closest(name: str, known: Iterable[str]) -> str | None:
    """The name in ``known`` that ``name`` was probably meant to be (difflib's default cutoff)."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return close[0] if close else None


class Fields:
    """Typed getters raising ``error(path, problem)``; ``path`` prefixes end in ``.`` or ``]``.

    ``bool`` is never accepted where ``int`` or ``float`` is asked for (JSON's ``true`` is not 1).
    """

    def __init__(self, error: Callable[[str, str], Exception]) -> None:
        self.error = error

    def fail(self, path: str, problem: str) -> Exception:
        """The caller's error for ``path``, to ``raise``."""
        return self.error(path, problem)

    def typed(self, value: Any, path: str, kind: type | tuple[type, ...]) -> Any:
        """``value`` if it is of ``kind``, else the caller's error naming both."""
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # JSON's true is not a number: refuse a bool where a number (an int subclass) is asked for.
        numeric = any(k in (int, float) for k in kinds)
        if (isinstance(value, bool) and numeric and bool not in kinds) or not isinstance(
            value, kinds
        ):
            raise self.fail(path, f"expected {kind_name(kind)}, got {_got(value)}")
        return value

    def require(
        self,
        data: Mapping[str, Any],
        name: str,
        prefix: str,
        kind: type | tuple[type, ...] = object,
    ) -> Any:
        """``data[name]``, which must be present and of ``kind``."""
        if name not in data:
            raise self.fail(f"{prefix}{name}", MISSING)
        return self.typed(data[name], f"{prefix}{name}", kind)

    def optional(
        self,
        data: Mapping[str, Any],
        name: str,
        prefix: str,
        kind: type | tuple[type, ...] = object,
        default: Any = None,
    ) -> Any:
        """``data[name]`` when present and not null (then of ``kind``), else ``default``."""
        value = data.get(name)
        return default if value is None else self.typed(value, f"{prefix}{name}", kind)

    def mapping(self, value: Any, path: str) -> Mapping[str, Any]:
        """``value`` if it is a JSON object."""
        result: Mapping[str, Any] = self.typed(value, path, Mapping)
        return result

    def only_keys(self, data: Mapping[str, Any], allowed: Iterable[str], prefix: str) -> None:
        """Refuse keys outside ``allowed``, suggesting the closest allowed one."""
        known = sorted(allowed)
        for key in sorted(set(data) - set(known)):
            close = closest(key, known)
            hint = f"did you mean {close!r}?" if close else f"use one of {', '.join(known)}"
            raise self.fail(f"{prefix}{key}", f"unknown setting; {hint}")

    def integer(
        self,
        data: Mapping[str, Any],
        name: str,
        prefix: str,
        *,
        low: int | None = None,
        high: int | None = None,
        default: int | None = None,
    ) -> int:
        """A whole number within ``low..high`` (``default`` when absent and one is given)."""
        if name not in data and default is not None:
            return default
        value: int = self.require(data, name, prefix, int)
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"{'' if low is None else low}..{'' if high is None else high}"
            raise self.fail(f"{prefix}{name}", f"must be within {bounds}, got {value}")
        return value


def _got(value: Any) -> str:
    return "null" if value is None else type(value).__name__
