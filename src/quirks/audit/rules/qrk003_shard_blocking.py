"""QRK003: a stream mapping that can hold a shard for the stream's whole retention."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import is_stream_mapping, toolkit_handler
from quirks.audit.model import Function, Mapping

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def _infinite(value: int | None) -> bool:
    return value is None or value < 0


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    for mapping in inventory.of(Mapping):
        if not is_stream_mapping(inventory, mapping):
            continue
        if {"max_retries", "max_record_age", "bisect"} & set(mapping.unknown):
            continue
        function = inventory.find(Function, mapping.function)
        if function is not None and toolkit_handler(function) == "fanout":
            continue  # it checkpoints per target: holding the shard is a target's chosen mode
        if (
            _infinite(mapping.max_retries)
            and _infinite(mapping.max_record_age)
            and not mapping.bisect
        ):
            yield rule.finding(
                mapping,
                "infinite retries, no maximum record age and no bisect: one bad record stops its "
                "shard until the record expires, 24 hours later",
            )


RULE = Rule(
    id="QRK003",
    slug="shard-blocking",
    severity="warning",
    title="Stream mapping can block a shard for 24 hours",
    why="By default a stream mapping retries a failing batch until its records expire from the "
    "stream, and no later record of that shard is processed meanwhile.",
    doc="https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html",
    fix="Set maximum_retry_attempts, maximum_record_age_in_seconds and bisect_batch_on_function_error, "
    "with an on-failure destination the recovery handler (quirks.recovery) archives.",
    check=check,
    needs=frozenset({"mappings", "functions"}),
)
