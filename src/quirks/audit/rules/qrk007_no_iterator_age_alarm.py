"""QRK007: a stream consumer without an IteratorAge alarm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import is_stream_mapping, unalarmed
from quirks.audit.model import Function, Mapping

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    consumers = (
        inventory.find(Function, mapping.function)
        for mapping in inventory.of(Mapping)
        if is_stream_mapping(inventory, mapping)
    )
    for function in unalarmed(inventory, consumers, "IteratorAge", "FunctionName"):
        yield rule.finding(
            function,
            "reads a stream and has no IteratorAge alarm: nobody sees it fall behind until "
            "records expire",
        )


RULE = Rule(
    id="QRK007",
    slug="no-iterator-age-alarm",
    severity="warning",
    title="Stream consumer without an IteratorAge alarm",
    why="IteratorAge is how a stream consumer shows that it falls behind, and Lambda creates no "
    "alarm on it; records are lost when it reaches the stream's 24-hour retention.",
    doc="https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
    fix="quirks alarms apply, or terraform/modules/stream-alarms (kept in sync hourly).",
    check=check,
    needs=frozenset({"mappings", "alarms", "functions"}),
)
