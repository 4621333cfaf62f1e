"""QRK010: an SQS source queue without a redrive policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.model import Mapping, Queue

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    seen: set[str] = set()
    for mapping in inventory.of(Mapping):
        queue = inventory.find(Queue, mapping.source)
        if queue is None or queue.key in seen or queue.redrive:
            continue
        seen.add(queue.key)
        yield rule.finding(
            queue,
            f"source of {mapping.name} with no redrive policy: a message that keeps failing is "
            "retried until its retention period ends, then deleted unseen",
        )


RULE = Rule(
    id="QRK010",
    slug="source-queue-no-redrive",
    severity="warning",
    title="SQS source queue without a redrive policy",
    why="For an SQS event source, failures go to the source queue's dead-letter queue: an "
    "on-failure destination on the mapping is not used, and without a redrive policy failing "
    "messages are retried until they expire.",
    doc="https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html",
    fix="Give the queue a redrive_policy with a dead-letter queue and alarm on that queue "
    "(quirks alarms apply).",
    check=check,
    needs=frozenset({"queues", "mappings"}),
)
