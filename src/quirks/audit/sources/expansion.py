"""``for_each`` and ``count`` in ``.tf`` files -> one resource instance per key (pure).

A plan expands them itself; a reading of the ``.tf`` files must too, or four mappings made by one
``for_each`` look like one reader with no function. Only literal collections expand: anything
Terraform would compute (a ``for`` expression, a function of unknowns) leaves the resource
unexpanded, and the caller marks it as one instance of an unknown number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Instance", "bind", "instances"]

_MAX_DEPTH = 8
MAX_INSTANCES = 1000
"""More instances than this is not hand-written configuration: leave the resource unexpanded."""

_INTERPOLATION = re.compile(r"\$\{([^{}]+)\}")
_BARE = re.compile(r"^\s*(each\.key|count\.index|each\.value(?:\.[A-Za-z0-9_-]+)?)\s*$")
_TOKEN = re.compile(r"(?<![\w.\"])(each\.key|count\.index|each\.value(?:\.[A-Za-z0-9_-]+)?)\b")
_COMPARISON = re.compile(r'^\s*"([^"]*)"\s*(==|!=)\s*"([^"]*)"\s*$')


@dataclass(frozen=True)
class Instance:
    """``each.value`` of a ``for_each`` over another resource: that resource's instance."""

    address: str


Binding = dict[str, Any]


def instances(
    body: dict[str, Any],
    literal: Callable[[Any], Any],
    bodies: dict[str, dict[str, Any]],
    depth: int = 0,
) -> list[tuple[str, Binding]] | None:
    """Each instance's address suffix and what ``each``/``count`` mean in it; ``[("", {})]`` for a
    resource with neither; None when the collection cannot be evaluated.

    ``literal`` turns a raw value into a Python literal (or an :class:`Instance` for a reference to
    another resource, whose instances ``bodies`` — raw bodies by ``type.name`` — give).
    """
    if depth > _MAX_DEPTH:
        return None
    if "for_each" in body:
        collection = literal(body["for_each"])
        if isinstance(collection, Instance):
            other = bodies.get(collection.address)
            found = instances(other, literal, bodies, depth + 1) if other is not None else None
            if found is None or any("each.key" not in b for _, b in found):
                return None  # Terraform takes no for_each over a count resource (a tuple) either
            return [
                (
                    index,
                    {"each.key": b["each.key"], "each.value": Instance(collection.address + index)},
                )
                for index, b in found
            ]
        pairs = _pairs(collection)
        if pairs is None or len(pairs) > MAX_INSTANCES:
            return None
        return [(f"[{json.dumps(k)}]", {"each.key": k, "each.value": v}) for k, v in pairs]
    if "count" in body:
        count = literal(body["count"])
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_INSTANCES:
            return None
        return [(f"[{i}]", {"count.index": i}) for i in range(count)]
    return [("", {})]


def _pairs(collection: Any) -> list[tuple[str, Any]] | None:
    """A map's keys and values, or a set's members (each.value is the key): sorted, like Terraform."""
    if isinstance(collection, dict):
        items = {str(k): v for k, v in collection.items() if not str(k).startswith("__")}
        return sorted(items.items())
    if isinstance(collection, list) and all(
        isinstance(m, str | int | float) and not isinstance(m, bool) for m in collection
    ):
        if any(isinstance(m, str) and "${" in m for m in collection):
            return None
        return [(str(m), str(m)) for m in sorted({str(m) for m in collection})]
    return None


def bind(value: Any, binding: Binding) -> Any:
    """``value`` with ``each.key``, ``each.value[.attr]`` and ``count.index`` substituted where they
    are literal; the rest is left for the resolver (which calls it unknown)."""
    if not binding:
        return value
    if isinstance(value, dict):
        return {k: bind(v, binding) for k, v in value.items()}
    if isinstance(value, list):
        return [bind(v, binding) for v in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _INTERPOLATION.fullmatch(value)
    if whole and (bare := _BARE.match(whole.group(1))):
        found = _lookup(bare.group(1), binding)
        if found is not None and not isinstance(found, Instance):
            return found  # a whole value keeps its type (a bool, a number)

    def interpolation(match: re.Match[str]) -> str:
        inner = match.group(1)
        if bare := _BARE.match(inner):
            found = _lookup(bare.group(1), binding)
            if isinstance(found, Instance):
                return "${" + found.address + _attribute(bare.group(1)) + "}"
            if isinstance(found, str | int | float) and not isinstance(found, bool):
                return str(found)
            return match.group(0)
        inner = _TOKEN.sub(lambda t: _token(t, binding), inner)
        if comparison := _COMPARISON.match(inner):
            equal = comparison.group(1) == comparison.group(3)
            return "true" if equal == (comparison.group(2) == "==") else "false"
        return "${" + inner + "}"

    bound = _INTERPOLATION.sub(interpolation, value)
    return {"true": True, "false": False}.get(bound, bound) if whole else bound


def _attribute(name: str) -> str:
    return name[len("each.value") :] if name.startswith("each.value.") else ""


def _lookup(name: str, binding: Binding) -> Any:
    if name in ("each.key", "count.index"):
        return binding.get(name)
    value = binding.get("each.value")
    if isinstance(value, Instance) or name == "each.value":
        return value
    attribute = name[len("each.value.") :]
    return value.get(attribute) if isinstance(value, dict) else None


def _token(match: re.Match[str], binding: Binding) -> str:
    """``each.key`` inside an expression (``aws_x.y[each.key].arn``) -> a quoted literal."""
    found = _lookup(match.group(1), binding)
    if isinstance(found, Instance):
        return found.address + _attribute(match.group(1))
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, int | float):
        return str(found)
    if isinstance(found, str) and "${" not in found:
        return json.dumps(found)
    return match.group(0)
