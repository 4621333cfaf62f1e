"""QRK009: a mapping that retries the whole batch for one bad record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import is_stream_mapping
from quirks.audit.model import Mapping, Queue

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    for mapping in inventory.of(Mapping):
        polled = is_stream_mapping(inventory, mapping) or inventory.find(Queue, mapping.source)
        if (not polled and ":sqs:" not in mapping.source) or "response_types" in mapping.unknown:
            continue
        if "ReportBatchItemFailures" not in mapping.response_types:
            yield rule.finding(
                mapping,
                "no ReportBatchItemFailures: one failing record makes Lambda retry (and the "
                "function reprocess) the whole batch",
            )


RULE = Rule(
    id="QRK009",
    slug="no-batch-item-failures",
    severity="warning",
    title="Mapping without ReportBatchItemFailures",
    why="Without partial batch responses, one failing record fails its whole batch: the records "
    "before it are processed again and, on a stream, the shard waits.",
    doc="https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html",
    fix='Set function_response_types = ["ReportBatchItemFailures"] and return batchItemFailures '
    "(the fan-out and recovery handlers do).",
    check=check,
    needs=frozenset({"mappings"}),
)
