"""QRK004: an SQS or SNS on-failure destination that only ever holds pointers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.arns import arn_tail
from quirks.audit.core import Rule
from quirks.audit.derive import is_stream_mapping, recovery_consumers
from quirks.audit.model import Mapping, Queue, Resource, Topic

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    reported: set[str] = set()
    for mapping in inventory.of(Mapping):
        target = mapping.on_failure
        if not target or not is_stream_mapping(inventory, mapping):
            continue
        destination: Resource | None = inventory.find(Queue, target) or inventory.find(
            Topic, target
        )
        if destination is None:
            if ":sqs:" not in target and ":sns:" not in target:
                continue  # S3 keeps the records themselves; anything else is not ours to judge
            name = arn_tail(target)
            destination = (
                Queue(key=target, name=name, arn=target)
                if ":sqs:" in target
                else Topic(key=target, name=name, arn=target)
            )
        if destination.key in reported or recovery_consumers(inventory, target):
            continue
        reported.add(destination.key)
        yield rule.finding(
            destination,
            f"on-failure destination of {mapping.name}: it receives pointers to the failed "
            "records, and nothing reads the records they point to before the stream drops them "
            "24 hours after they arrived",
        )


RULE = Rule(
    id="QRK004",
    slug="pointer-only-destination",
    severity="error",
    title="On-failure destination receives pointers nobody turns into records",
    why="An SQS or SNS on-failure destination of a stream mapping gets only the shard and sequence "
    "numbers of a failed batch; the records stay in the stream, which deletes them after 24 hours.",
    doc="https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html",
    fix="Consume the queue with the recovery handler (quirks.recovery, terraform/modules/"
    "stream-recovery), which archives the records, or use an S3 on-failure destination.",
    check=check,
    needs=frozenset({"mappings", "queues", "topics", "functions"}),
)
