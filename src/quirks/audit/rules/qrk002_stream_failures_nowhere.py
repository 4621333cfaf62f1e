"""QRK002: a stream mapping that gives up on records and sends them nowhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import is_stream_mapping
from quirks.audit.model import Mapping

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def _finite(value: int | None) -> bool:
    return value is not None and value >= 0


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    for mapping in inventory.of(Mapping):
        if not is_stream_mapping(inventory, mapping) or mapping.on_failure:
            continue
        if {"on_failure", "max_retries", "max_record_age"} & set(mapping.unknown):
            continue
        if _finite(mapping.max_retries) or _finite(mapping.max_record_age):
            yield rule.finding(
                mapping,
                "the mapping discards a batch after its retries or record age run out, and has no "
                "on-failure destination: those records are gone without a trace",
            )


RULE = Rule(
    id="QRK002",
    slug="stream-failures-nowhere",
    severity="error",
    title="Stream mapping discards failed batches without a destination",
    why="With finite retries or a maximum record age, Lambda skips a failing batch and, without an "
    "on-failure destination, keeps no record of what it skipped.",
    doc="https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html",
    fix="Add an on-failure destination and archive what it receives with the recovery handler "
    "(quirks.recovery, terraform/modules/stream-recovery).",
    check=check,
    needs=frozenset({"mappings"}),
)
