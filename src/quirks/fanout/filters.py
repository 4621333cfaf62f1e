"""Lambda event filtering (the EventBridge pattern language) applied to stream records.

A pattern is compiled once (:func:`compile_pattern`, :func:`compile_filters`) and then matched
against many records (:meth:`Pattern.matches`); compiling validates the pattern and raises
:class:`FilterError` naming the offending path, so a bad filter fails at cold start, not per record.
The same code serves an event source mapping's ``FilterCriteria`` (:func:`compile_filter_criteria`).

Semantics (Lambda "Filter rule syntax", which defers to EventBridge event patterns):

* A pattern is a JSON object whose leaves are **lists** of rules; a record matches when every field
  named in the pattern matches (AND), and a field matches when any rule of its list matches (OR).
  Fields the pattern does not name are ignored. ``{}`` matches every record.
* Rules: a string, number, ``true``/``false`` or ``null`` (exact match); ``{"prefix": s}``,
  ``{"suffix": s}`` (each also as ``{"equals-ignore-case": s}`` inside), ``{"equals-ignore-case": s}``,
  ``{"wildcard": "a*b"}``, ``{"anything-but": value | [values] | {"prefix"|"suffix"|"equals-ignore-case"
  |"wildcard": ...}}``, ``{"numeric": [op, n, (op, n)]}`` and ``{"exists": bool}``.
* ``"$or": [pattern, ...]`` at any object level matches when any sub-pattern matches.
* When the record's value is a JSON array (a DynamoDB ``SS``/``NS``/``L`` value), the field matches
  when any element matches.
* Exact numbers compare by their JSON text, as Lambda documents ("300, 300.0 and 3.0e2 are not
  considered equal"); a number never equals a string.
* ``numeric`` matches JSON numbers only. DynamoDB ``N`` values travel as JSON **strings**
  (``{"N": "101"}``), so a ``numeric`` rule on ``dynamodb.NewImage.<attr>.N`` never matches, exactly as
  on Lambda; match ``N`` values with exact strings (``{"N": ["101"]}``) or ``prefix`` instead.
* ``exists`` only applies to leaves: ``{"exists": true}`` matches a present non-object value,
  ``{"exists": false}`` matches a missing field (also when a parent object is missing).
* ``anything-but`` matches present values only, never a missing field.

``cidr`` is not supported (stream records carry no IP addresses); it is rejected when compiling.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quirks import jsonsafe
from quirks.errors import FormatError

__all__ = [
    "FilterError",
    "FilterSet",
    "Pattern",
    "compile_filter_criteria",
    "compile_filters",
    "compile_pattern",
    "never_matching",
]

_MISSING = object()
Rule = Callable[[Any], bool]


class FilterError(FormatError):
    """A filter pattern is not valid; ``field`` is its path (``dynamodb.NewImage.status.S[0]``)."""


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _string(value: Any, path: str, what: str) -> str:
    if not isinstance(value, str):
        raise FilterError(path, f"{what} expects a string, got {type(value).__name__}")
    return value


def _wildcard(pattern: str, path: str) -> re.Pattern[str]:
    if "**" in pattern:
        raise FilterError(path, "wildcard must not contain consecutive '*'")
    parts = re.split(r"(?<!\\)\*", pattern)
    return re.compile(".*".join(re.escape(p.replace("\\*", "*")) for p in parts), re.DOTALL)


def _string_test(spec: Any, path: str, what: str) -> Callable[[str], bool]:
    """A test on strings for ``prefix``/``suffix`` values (plain or ``equals-ignore-case``)."""
    if isinstance(spec, Mapping):
        if set(spec) != {"equals-ignore-case"}:
            raise FilterError(path, f"{what} takes a string or {{'equals-ignore-case': string}}")
        folded = _string(spec["equals-ignore-case"], path, what).casefold()
        if what == "prefix":
            return lambda v: v.casefold().startswith(folded)
        return lambda v: v.casefold().endswith(folded)
    text = _string(spec, path, what)
    if what == "prefix":
        return lambda v: v.startswith(text)
    return lambda v: v.endswith(text)


_NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _numeric(spec: Any, path: str) -> Rule:
    if not isinstance(spec, list) or len(spec) not in (2, 4):
        raise FilterError(path, "numeric takes [op, number] or [op, number, op, number]")
    checks: list[tuple[Callable[[float, float], bool], float]] = []
    for i in range(0, len(spec), 2):
        op, bound = spec[i], spec[i + 1]
        if op not in _NUMERIC_OPS:
            raise FilterError(path, f"unknown numeric operator {op!r}")
        if not _is_number(bound):
            raise FilterError(path, f"numeric bound {bound!r} is not a number")
        if len(spec) == 4 and op == "=":
            raise FilterError(path, "'=' cannot be part of a range")
        checks.append((_NUMERIC_OPS[op], float(bound)))
    return lambda v: _is_number(v) and all(check(float(v), bound) for check, bound in checks)


def _anything_but(spec: Any, path: str) -> Rule:
    if isinstance(spec, Mapping):
        if len(spec) != 1:
            raise FilterError(path, "anything-but takes one of prefix, suffix, equals-ignore-case")
        ((kind, value),) = spec.items()
        if kind in ("prefix", "suffix"):
            test = _string_test(value, path, kind)
            return lambda v: isinstance(v, str) and not test(v)
        if kind == "wildcard":
            regex = _wildcard(_string(value, path, kind), path)
            return lambda v: isinstance(v, str) and not regex.fullmatch(v)
        if kind == "equals-ignore-case":
            values = value if isinstance(value, list) else [value]
            folded = {_string(x, path, kind).casefold() for x in values}
            return lambda v: isinstance(v, str) and v.casefold() not in folded
        raise FilterError(path, f"anything-but does not support {kind!r}")
    values = spec if isinstance(spec, list) else [spec]
    if not values:
        raise FilterError(path, "anything-but needs at least one value")
    for value in values:
        if not (isinstance(value, str) or _is_number(value)):
            raise FilterError(path, "anything-but values must be strings or numbers")
    texts = {_json_text(value) for value in values}
    return lambda v: (isinstance(v, str) or _is_number(v)) and _json_text(v) not in texts


def _rule(spec: Any, path: str) -> tuple[Rule, bool | None]:
    """A rule and, for ``exists``, whether it asks for presence (True) or absence (False)."""
    if spec is None or isinstance(spec, str | bool) or _is_number(spec):
        text = _json_text(spec)
        kind = type(spec)
        return (lambda v: type(v) is kind and _json_text(v) == text), None
    if not isinstance(spec, Mapping):
        raise FilterError(path, f"a rule must be a value or an object, got {type(spec).__name__}")
    if len(spec) != 1:
        raise FilterError(path, f"a rule object has exactly one operator, got {sorted(spec)}")
    ((op, value),) = spec.items()
    if op in ("prefix", "suffix"):
        test = _string_test(value, path, op)
        return (lambda v: isinstance(v, str) and test(v)), None
    if op == "equals-ignore-case":
        folded = _string(value, path, op).casefold()
        return (lambda v: isinstance(v, str) and v.casefold() == folded), None
    if op == "wildcard":
        regex = _wildcard(_string(value, path, op), path)
        return (lambda v: isinstance(v, str) and regex.fullmatch(v) is not None), None
    if op == "anything-but":
        return _anything_but(value, path), None
    if op == "numeric":
        return _numeric(value, path), None
    if op == "exists":
        if not isinstance(value, bool):
            raise FilterError(path, "exists takes true or false")
        if value:
            return (lambda v: not isinstance(v, Mapping)), True
        return (lambda v: False), False
    raise FilterError(path, f"unsupported operator {op!r}")


@dataclass(frozen=True, slots=True)
class _Leaf:
    rules: tuple[Rule, ...]
    exists: bool | None  # True/False when the list holds an exists rule

    def matches(self, value: Any) -> bool:
        if value is _MISSING:
            return self.exists is False
        candidates = value if isinstance(value, list) else [value]
        return any(rule(c) for rule in self.rules for c in candidates)


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled pattern: an AND of fields, each a sub-pattern or a leaf list, plus ``$or`` groups."""

    fields: tuple[tuple[str, Pattern | _Leaf], ...]
    any_of: tuple[tuple[Pattern, ...], ...] = ()

    def matches(self, record: Any) -> bool:
        """True when ``record`` (a Lambda-form stream record dict) satisfies the pattern."""
        return self._match(record)

    def _match(self, obj: Any) -> bool:
        for name, sub in self.fields:
            value = obj.get(name, _MISSING) if isinstance(obj, Mapping) else _MISSING
            if isinstance(sub, _Leaf):
                if not sub.matches(value):
                    return False
            elif value is _MISSING:
                if not sub._absent_ok():
                    return False
            elif isinstance(value, list):
                if not any(sub._match(element) for element in value):
                    return False
            elif not sub._match(value):
                return False
        return all(any(p._match(obj) for p in group) for group in self.any_of)

    def _absent_ok(self) -> bool:
        """A missing object matches only when every leaf below asks for absence."""
        return all(
            sub.exists is False if isinstance(sub, _Leaf) else sub._absent_ok()
            for _, sub in self.fields
        ) and all(any(p._absent_ok() for p in group) for group in self.any_of)


def compile_pattern(pattern: Any, path: str = "") -> Pattern:
    """Validate and compile one pattern (a dict, or its JSON text)."""
    if isinstance(pattern, str):
        try:
            pattern = jsonsafe.loads(pattern, path or "pattern")
        except FormatError as exc:
            raise FilterError(exc.field, exc.problem) from None
    if not isinstance(pattern, Mapping):
        raise FilterError(path or "pattern", "must be a JSON object")
    fields: list[tuple[str, Pattern | _Leaf]] = []
    any_of: list[tuple[Pattern, ...]] = []
    for name, value in pattern.items():
        where = f"{path}.{name}" if path else str(name)
        if name == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise FilterError(where, "$or takes a list of at least two patterns")
            any_of.append(
                tuple(compile_pattern(sub, f"{where}[{i}]") for i, sub in enumerate(value))
            )
        elif isinstance(value, Mapping):
            fields.append((name, compile_pattern(value, where)))
        elif isinstance(value, list):
            if not value:
                raise FilterError(where, "an empty list matches nothing; list at least one rule")
            compiled = [_rule(spec, f"{where}[{i}]") for i, spec in enumerate(value)]
            exists = [flag for _, flag in compiled if flag is not None]
            if len(exists) > 1:
                raise FilterError(where, "at most one exists rule per field")
            fields.append(
                (name, _Leaf(tuple(r for r, _ in compiled), exists[0] if exists else None))
            )
        else:
            raise FilterError(where, f"must be a list of rules or an object, got {value!r}")
    return Pattern(tuple(fields), tuple(any_of))


@dataclass(frozen=True, slots=True)
class FilterSet:
    """Several patterns ORed together, as an event source mapping's filters are.

    No pattern at all means "no filter": every record matches.
    """

    patterns: tuple[Pattern, ...]

    def matches(self, record: Any) -> bool:
        """True when any pattern matches (or when there are none)."""
        return not self.patterns or any(p.matches(record) for p in self.patterns)


def compile_filters(filters: Any, path: str = "filter") -> FilterSet:
    """Compile ``None`` (match all), one pattern, or a list of patterns ORed together."""
    if filters is None:
        return FilterSet(())
    if isinstance(filters, Sequence) and not isinstance(filters, str):
        return FilterSet(tuple(compile_pattern(p, f"{path}[{i}]") for i, p in enumerate(filters)))
    return FilterSet((compile_pattern(filters, path),))


def compile_filter_criteria(criteria: Mapping[str, Any] | None) -> FilterSet:
    """Compile an ESM ``FilterCriteria`` (``{"Filters": [{"Pattern": "<json>"}]}``)."""
    if not criteria:
        return FilterSet(())
    filters = criteria.get("Filters")
    if not isinstance(filters, list):
        raise FilterError("FilterCriteria.Filters", "expected a list")
    patterns = []
    for i, entry in enumerate(filters):
        where = f"FilterCriteria.Filters[{i}].Pattern"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("Pattern"), str):
            raise FilterError(where, "expected a JSON string")
        patterns.append(compile_pattern(entry["Pattern"], where))
    return FilterSet(tuple(patterns))


# DynamoDB type descriptors whose values are JSON strings (lists of strings) in stream records.
_STRING_TYPES = frozenset({"S", "N", "B", "SS", "NS", "BS"})
# The attribute maps of a stream record, whose values are wrapped in a type ({"N": "101"}).
_IMAGES = frozenset({"Keys", "NewImage", "OldImage"})


def never_matching(filters: Any, path: str = "filter") -> list[str]:
    """Rules of valid patterns that can never match a DynamoDB stream record, explained.

    A ``numeric`` rule, or an exact number, under ``S``/``N``/``B`` (or their sets) compares a JSON
    number with the JSON *string* the record carries: it never matches, on Lambda either. Takes what
    :func:`compile_filters` takes; returns one sentence per such rule, naming its path.
    """
    if filters is None:
        return []
    if isinstance(filters, Sequence) and not isinstance(filters, str):
        return [n for i, p in enumerate(filters) for n in never_matching(p, f"{path}[{i}]")]
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            return []
    notes: list[str] = []
    if not isinstance(filters, Mapping):
        return notes
    for name, value in filters.items():
        where = f"{path}.{name}"
        if name == "$or" and isinstance(value, list):
            notes.extend(
                n for i, sub in enumerate(value) for n in never_matching(sub, f"{where}[{i}]")
            )
        elif isinstance(value, Mapping) and name in _IMAGES and path.endswith(".dynamodb"):
            notes.extend(_image_notes(value, where))
        elif isinstance(value, Mapping):
            notes.extend(never_matching(value, where))
        elif isinstance(value, list) and name in _STRING_TYPES:
            for i, rule in enumerate(value):
                if isinstance(rule, Mapping) and "numeric" in rule:
                    notes.append(
                        f"{where}[{i}]: a numeric rule never matches: DynamoDB {name} values are "
                        f'strings in stream records (e.g. {{"N": "101"}}), on Lambda too; match '
                        "exact strings or a prefix, or filter in the consumer"
                    )
                elif _is_number(rule):
                    notes.append(
                        f"{where}[{i}]: the number {_json_text(rule)} never matches: DynamoDB "
                        f'{name} values are strings; write it as "{_json_text(rule)}"'
                    )
    return notes


def _image_notes(image: Mapping[str, Any], path: str) -> list[str]:
    """Rules placed on an attribute itself, not under its type key: its value is an object there."""
    notes: list[str] = []
    for name, value in image.items():
        where = f"{path}.{name}"
        if isinstance(value, Mapping):
            notes.extend(never_matching(value, where))  # the type level: {"N": [...]}
            continue
        if not isinstance(value, list):
            continue
        for i, rule in enumerate(value):
            numeric = isinstance(rule, Mapping) and "numeric" in rule
            if numeric or _is_number(rule):
                what = "a numeric rule" if numeric else f"the number {_json_text(rule)}"
                notes.append(
                    f"{where}[{i}]: {what} never matches: stream records wrap each attribute "
                    f'in its type ({{"{name}": {{"N": "101"}}}}), and N values are strings; '
                    f'wrap it in the type: {{"{name}": {{"N": [...]}}}} with string rules, or '
                    "filter in the consumer"
                )
    return notes
