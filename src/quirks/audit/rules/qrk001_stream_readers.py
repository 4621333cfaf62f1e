"""QRK001: more readers on a DynamoDB stream shard than it serves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import UNKNOWN_INSTANCES, recovery_consumers, stream_readers
from quirks.audit.model import Mapping, Table
from quirks.limits import GLOBAL_TABLE_STREAM_READERS_PER_SHARD, STREAM_READERS_PER_SHARD

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def _recovery_readers(inventory: Inventory, table: Table) -> set[str]:
    """Recovery functions that read this stream when pointers to it arrive (ad-hoc readers)."""
    names: set[str] = set()
    for mapping in inventory.of(Mapping):
        if mapping.on_failure and inventory.find(Table, mapping.source) == table:
            names |= {f.name for f in recovery_consumers(inventory, mapping.on_failure)}
    return names


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    for _key, (table, readers) in stream_readers(inventory).items():
        if table is None:
            continue
        limit = (
            GLOBAL_TABLE_STREAM_READERS_PER_SHARD
            if table.global_table
            else STREAM_READERS_PER_SHARD
        )
        if len(readers) > limit:
            kind = "global table" if table.global_table else "table"
            recovery = _recovery_readers(inventory, table)
            also = (
                f"; and, while it recovers pointers, {', '.join(sorted(recovery))}"
                if recovery
                else ""
            )
            # A reader whose for_each/count is unknown counts once: the real number is higher.
            at_least = "at least " if any(r.endswith(UNKNOWN_INSTANCES) for r in readers) else ""
            yield rule.finding(
                table,
                f"{at_least}{len(readers)} readers on each shard of the {kind}'s stream (at most {limit}): "
                + "; ".join(sorted(readers))
                + also,
            )


RULE = Rule(
    id="QRK001",
    slug="stream-readers",
    severity="error",
    title="Too many readers on a DynamoDB stream shard",
    why="A DynamoDB stream shard serves at most two simultaneous readers (one for a global table); "
    "every further mapping or pipe is throttled and falls behind until its records expire.",
    doc="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.Processing",
    fix="Read the stream once with the fan-out handler (quirks.fanout, terraform/modules/stream-fanout) "
    "and deliver to the consumers from there.",
    check=check,
    needs=frozenset({"mappings", "tables"}),
)
