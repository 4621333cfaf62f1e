"""The stack file schema: every field of every section, its type, its allowed values, its references.

Pure. :func:`validate` checks a parsed TOML document completely before anything is created, so a
typo never starts a cloud that silently differs from what was written. Each error names the entry
and field (``event_source_mappings[0] (billing).on_failure: no queue named 'nope' in the stack``) and
unknown names get a suggestion (``enviroment: unknown field (did you mean 'environment'?)``).
The limits are Lambda's and DynamoDB's, from their API references:
https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html,
https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html,
https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_StreamSpecification.html and
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html.
Nested values are checked by the code that will read them: mapping ``filters`` by the fan-out filter
compiler (which the local cloud's pollers use) and a function's inline ``fanout`` by the fan-out
configuration loader (which the fan-out handler uses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quirks.errors import ConfigurationError
from quirks.fanout.config import parse_config
from quirks.fanout.filters import FilterError, compile_pattern
from quirks.fields import closest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["SECTIONS", "StackFileError", "validate"]

_DOCS_FIX = "see docs/local.md for the stack file format"
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@dataclass(frozen=True)
class Field:
    """One field: ``kind`` is str, int, bool, table, list, ref (``kind:name`` or an ARN) or name
    (the plain name of a resource of kind ``refs[0]`` declared in the stack)."""

    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = None
    also: tuple[int, ...] = ()  # values allowed outside ``bounds`` (-1 = "infinite")
    refs: tuple[str, ...] = ()  # the reference kinds allowed (queue, topic, table, ...)


_S, _I, _B, _T, _L = Field("str"), Field("int"), Field("bool"), Field("table"), Field("list")
_NAME = Field("str", required=True)
_FUNCTION = Field("name", required=True, refs=("function",))
_DESTINATION = Field("ref", refs=("queue", "topic", "function", "bucket"))

SECTIONS: dict[str, dict[str, Field]] = {
    "tables": {
        "name": _NAME,
        "hash_key": _S,
        "range_key": _S,
        "stream": Field(
            "str", choices=("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
        ),
    },
    "queues": {"name": _NAME, "attributes": _T, "redrive": _T},
    "topics": {"name": _NAME, "subscriptions": _L},
    "buckets": {"name": _NAME},
    "functions": {
        "name": _NAME,
        "handler": Field("str", required=True),
        "environment": _T,
        "timeout": Field("int", bounds=(1, 900)),
        "memory": Field("int", bounds=(128, 10240)),
        "log_format": Field("str", choices=("Text", "JSON")),
        "dead_letter": Field("ref", refs=("queue", "topic")),
        "fanout": _T,
    },
    "event_invoke_configs": {
        "function": _FUNCTION,
        "maximum_retry_attempts": Field("int", bounds=(0, 2)),
        "maximum_event_age": Field("int", bounds=(60, 21600)),
        "on_success": _DESTINATION,
        "on_failure": _DESTINATION,
    },
    "event_source_mappings": {
        "function": _FUNCTION,
        "source": Field("ref", required=True, refs=("table", "queue")),
        "batch_size": Field("int", bounds=(1, 10000)),
        "batching_window": Field("int", bounds=(0, 300)),
        "starting_position": Field("str", choices=("TRIM_HORIZON", "LATEST")),
        "bisect": _B,
        "maximum_retry_attempts": Field("int", bounds=(-1, 10000)),
        # -1 (infinite, the default) or 60..604800: the API refuses 0..59 although they lie
        # within its "Valid Range" of -1..604800.
        "maximum_record_age": Field("int", bounds=(60, 604800), also=(-1,)),
        "report_batch_item_failures": _B,
        "on_failure": Field("ref", refs=("queue", "topic", "bucket")),
        "filters": _L,
    },
    "log_subscriptions": {
        "function": Field("name", refs=("function",)),
        "log_group": _S,
        "destination": Field("ref", required=True, refs=("function",)),
        "name": _S,
        "filter_pattern": _S,
    },
}
_TOP_LEVEL = ("region", "paths", *SECTIONS)
_SUBSCRIPTION = {
    "protocol": Field("str", choices=("sqs", "lambda")),
    "endpoint": Field("ref", required=True, refs=("queue", "function")),
}
_STREAM_ONLY: tuple[str, ...] = ("starting_position", "on_failure", "bisect")
_STREAM_ONLY += ("maximum_record_age", "maximum_retry_attempts")
# The attributes CreateQueue sets (the others of QueueAttributeName are read-only).
SQS_ATTRIBUTES = (
    "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "Policy",
    "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy",
    "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "FifoQueue",
    "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
)  # fmt: skip
_REDRIVE = {"target": Field("ref", required=True, refs=("queue",)), "max_receive_count": _I}


class StackFileError(ConfigurationError):
    """A stack file is wrong: ``field`` is the entry and field (``functions[0] (billing).timeout``)."""

    def __init__(self, field: str, problem: str, fix: str = _DOCS_FIX) -> None:
        super().__init__(f"stack file: {field}: {problem}", fix)
        self.field = field
        self.problem = problem


_fail = StackFileError


def _suggest(name: str, known: Any) -> str:
    close = closest(name, [str(k) for k in known])
    return f" (did you mean {close!r}?)" if close else ""


def _unknown(where: str, names: Any, known: Any, what: str) -> None:
    for name in sorted(set(names) - set(known)):
        close = closest(name, [str(k) for k in known])
        fix = f"rename it to {close!r}" if close else f"use one of {sorted(known)}"
        raise _fail(f"{where}{name}", f"unknown {what}{_suggest(name, known)}", fix)


class _Checker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.names: dict[str, set[str]] = {"function": set(), "queue": set(), "topic": set()}
        self.names |= {"bucket": set(), "table": set()}
        self.streams: set[str] = set()

    def entries(self, section: str) -> list[dict[str, Any]]:
        entries = self.data.get(section, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise _fail(section, f"must be an array of tables ([[{section}]])")
        return entries

    def fields(self, where: str, entry: dict[str, Any], schema: dict[str, Field]) -> None:
        _unknown(f"{where}.", entry, schema, "field")
        for name, spec in schema.items():
            if name not in entry:
                if spec.required:
                    raise _fail(where, f"{name!r} is required")
                continue
            self.value(f"{where}.{name}", entry[name], spec)

    def value(self, where: str, value: Any, spec: Field) -> None:
        types: dict[str, Any] = {"str": str, "ref": str, "name": str, "int": int, "bool": bool}
        types |= {"table": dict, "list": list}
        expected = types[spec.kind]
        if not isinstance(value, expected) or (spec.kind == "int" and isinstance(value, bool)):
            kind = {
                "str": "a string", "ref": "a reference", "name": "a name", "int": "an integer",
                "bool": "true or false", "table": "an inline table", "list": "a list",
            }[spec.kind]  # fmt: skip
            raise _fail(where, f"must be {kind}, not {value!r}")
        if spec.choices and value not in spec.choices:
            raise _fail(
                where,
                f"{value!r} is not one of {list(spec.choices)}{_suggest(value, spec.choices)}",
            )
        if spec.bounds and not spec.bounds[0] <= value <= spec.bounds[1] and value not in spec.also:
            low, high = spec.bounds
            also = "".join(f"{v}, or " for v in spec.also)
            raise _fail(where, f"{value} is out of range ({also}{low} to {high})")
        if spec.kind == "ref":
            self.reference(where, value, spec.refs)
        if spec.kind == "name" and value not in self.names[spec.refs[0]]:
            known = self.names[spec.refs[0]]
            raise _fail(
                where,
                f"no {spec.refs[0]} named {value!r} in the stack{_suggest(value, known)}",
                f"declare it in [[{spec.refs[0]}s]] or fix the name",
            )

    def reference(self, where: str, value: str, kinds: tuple[str, ...]) -> None:
        if value.startswith("arn:"):
            return
        kind, _, name = value.partition(":")
        if kind not in kinds or not name:
            allowed = ", ".join(f"{k}:<name>" for k in kinds)
            raise _fail(where, f"{value!r} is not a reference here", f"write {allowed} or an ARN")
        known = self.streams if kind == "table" else self.names[kind]
        if name not in known:
            what = "table with a stream" if kind == "table" else kind
            raise _fail(
                where,
                f"no {what} named {name!r} in the stack{_suggest(name, known)}",
                f"declare it in [[{kind}s]] or fix the name",
            )


def _label(section: str, index: int, entry: dict[str, Any]) -> str:
    name = entry.get("name") or entry.get("function")
    return f"{section}[{index}] ({name})" if isinstance(name, str) else f"{section}[{index}]"


def validate(data: dict[str, Any], base_dir: Path) -> None:
    """Check the whole document; raises :class:`StackFileError` naming the first wrong entry and field."""
    _unknown("", data, _TOP_LEVEL, "section")
    region = data.get("region", "us-east-1")
    if not isinstance(region, str) or not _REGION.match(region):
        raise _fail("region", f"{region!r} is not a region name", 'write e.g. region = "eu-west-1"')
    paths = data.get("paths", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise _fail("paths", "must be a list of directories")
    for i, path in enumerate(paths):
        if not (base_dir / path).is_dir():
            raise _fail(f"paths[{i}]", f"{path!r} is not a directory (relative to the stack file)")
    checker = _Checker(data)
    for section, kind in (("tables", "table"), ("queues", "queue"), ("topics", "topic")):
        _collect(checker, section, kind)
    _collect(checker, "buckets", "bucket")
    _collect(checker, "functions", "function")
    for section, schema in SECTIONS.items():
        for i, entry in enumerate(checker.entries(section)):
            where = _label(section, i, entry)
            if section == "log_subscriptions" and not {"function", "log_group"} & set(entry):
                raise _fail(where, "give 'function' or 'log_group'")
            checker.fields(where, entry, schema)
            if section in _EXTRA:
                _EXTRA[section](checker, where, entry)


def _collect(checker: _Checker, section: str, kind: str) -> None:
    for i, entry in enumerate(checker.entries(section)):
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise _fail(f"{section}[{i}]", "'name' is required (a string)")
        if name in checker.names[kind]:
            raise _fail(f"{section}[{i}] ({name})", f"a second {kind} named {name!r}")
        checker.names[kind].add(name)
        if kind == "table" and entry.get("stream"):
            checker.streams.add(name)


def _function_rules(_checker: _Checker, where: str, entry: dict[str, Any]) -> None:
    if "." not in entry["handler"]:
        raise _fail(f"{where}.handler", "must be module.function")
    if "fanout" in entry:
        try:
            parse_config(entry["fanout"])
        except ConfigurationError as exc:
            problem = exc.message.removeprefix("fan-out config: ")
            raise _fail(f"{where}.fanout", problem, exc.fix or _DOCS_FIX) from None


def _queue_rules(checker: _Checker, where: str, entry: dict[str, Any]) -> None:
    _queue_attributes(where, entry.get("attributes", {}))
    if "redrive" in entry:
        checker.fields(f"{where}.redrive", entry["redrive"], _REDRIVE)


def _topic_rules(checker: _Checker, where: str, entry: dict[str, Any]) -> None:
    for j, subscription in enumerate(entry.get("subscriptions", [])):
        if not isinstance(subscription, dict):
            raise _fail(f"{where}.subscriptions[{j}]", "must be an inline table")
        checker.fields(f"{where}.subscriptions[{j}]", subscription, _SUBSCRIPTION)


def _mapping_rules(_checker: _Checker, where: str, entry: dict[str, Any]) -> None:
    source = entry["source"]
    stream = source.startswith("table:") or ":dynamodb:" in source or ":kinesis:" in source
    if stream and "starting_position" not in entry:
        raise _fail(
            f"{where}.starting_position",
            "is required for a stream source",
            'add starting_position = "TRIM_HORIZON" (or "LATEST")',
        )
    for j, pattern in enumerate(entry.get("filters", [])):
        try:  # an inline table, or its JSON text
            compile_pattern(pattern, f"filters[{j}]")
        except FilterError as exc:
            raise _fail(f"{where}.{exc.field}", exc.problem, "see docs/fanout.md") from None
    if not stream:
        for name in _STREAM_ONLY:
            if name in entry:
                raise _fail(f"{where}.{name}", "applies to stream sources only, not to SQS")


# The rules that span fields, by section.
_EXTRA: dict[str, Callable[[_Checker, str, dict[str, Any]], None]] = {
    "functions": _function_rules,
    "queues": _queue_rules,
    "topics": _topic_rules,
    "event_source_mappings": _mapping_rules,
}


def _queue_attributes(where: str, attributes: dict[str, Any]) -> None:
    _unknown(f"{where}.attributes.", attributes, SQS_ATTRIBUTES, "SQS queue attribute")
    for name, value in attributes.items():
        if not isinstance(value, str | int):  # bool is an int
            raise _fail(
                f"{where}.attributes.{name}", f"must be a string, integer or boolean, not {value!r}"
            )
