"""Terraform values as both sources hand them over: literals, and ``"${<address>.<attribute>}"``
for references (pure). Shared by the plan/state JSON and the ``.tf`` readers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from quirks.audit.model import Suppression

__all__ = [
    "TfResource",
    "block",
    "evaluate",
    "integer",
    "parse_suppressions",
    "ref",
    "split_reference",
    "strings",
    "text",
    "unknown",
    "unknowns",
]

_REFERENCE = re.compile(r"^\$\{([^{}]+)\}$")
_INTERPOLATION = re.compile(r"\$\{([^{}]+)\}")
_ADDRESS = re.compile(
    r"^((?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*)((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?)(?:\.(.+))?$"
)
_SUPPRESSION = re.compile(r"quirks:ignore[= ]+(QRK\d{3}|[a-z0-9-]+)\b[:\s]*(.*)")


@dataclass(frozen=True)
class TfResource:
    """One resource (instance) of a plan, a state or a ``.tf`` file."""

    address: str
    type: str
    values: dict[str, Any]
    file: str | None = None
    line: int | None = None
    comments: tuple[str, ...] = ()
    expansion: str | None = None
    """``for_each`` or ``count`` when the ``.tf`` reader could not expand it: one instance of an
    unknown number (at least one)."""


def parse_suppressions(comments: tuple[str, ...]) -> tuple[Suppression, ...]:
    """``# quirks:ignore QRK005 invoked by our own code with InvocationType=Event`` -> rule, reason.

    A suppression without a reason is not one: the reason is what a reviewer reads.
    """
    found = []
    for comment in comments:
        match = _SUPPRESSION.search(comment)
        if match and match.group(2).strip():
            found.append(Suppression(match.group(1), match.group(2).strip()))
    return tuple(found)


def split_reference(text: str) -> tuple[str, str | None] | None:
    """``module.m.aws_sqs_queue.q.arn`` -> (``module.m.aws_sqs_queue.q``, ``arn``)."""
    match = _ADDRESS.match(text)
    if not match or match.group(2).startswith(("var.", "local.", "each.", "count.", "path.")):
        return None
    return match.group(1) + match.group(2), match.group(3)


def evaluate(resources: list[TfResource]) -> list[TfResource]:
    """Substitute references to attributes whose value is a known literal (two passes suffice
    for a name built from another resource's name)."""
    by_address = {r.address: r for r in resources}

    def attribute(expression: str) -> Any:
        parts = split_reference(expression)
        if parts is None or parts[1] is None:
            return None
        target = by_address.get(parts[0])
        value = target.values.get(parts[1]) if target else None
        return value if isinstance(value, str | int | float | bool) and not unknown(value) else None

    def substitute(value: Any) -> Any:
        if isinstance(value, str) and "${" in value:
            whole = _REFERENCE.match(value)
            if whole:
                found = attribute(whole.group(1))
                return value if found is None else found
            return _INTERPOLATION.sub(
                lambda m: (
                    str(found) if (found := attribute(m.group(1))) is not None else m.group(0)
                ),
                value,
            )
        if isinstance(value, dict):
            return {k: substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [substitute(v) for v in value]
        return value

    for _ in range(2):
        resources = [replace(r, values=substitute(r.values)) for r in resources]
        by_address = {r.address: r for r in resources}
    return resources


def unknown(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def ref(value: Any) -> str | None:
    """A reference's target address, or a literal; None when unknown or unset."""
    if not isinstance(value, str) or not value:
        return None
    whole = _REFERENCE.match(value)
    if whole:
        parts = split_reference(whole.group(1))
        return parts[0] if parts else None
    return None if "${" in value else value


def unknowns(values: dict[str, Any], **fields: str) -> tuple[str, ...]:
    """The model fields whose Terraform attribute is an expression nobody could evaluate."""
    return tuple(name for name, attribute in fields.items() if unknown(values.get(attribute)))


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value and not unknown(value) else None


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def block(values: dict[str, Any], *path: str) -> dict[str, Any]:
    current: Any = values
    for name in path:
        item = current.get(name) if isinstance(current, dict) else None
        if isinstance(item, list):
            item = item[0] if item else None
        current = item if isinstance(item, dict) else {}
    return current if isinstance(current, dict) else {}


def strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}
