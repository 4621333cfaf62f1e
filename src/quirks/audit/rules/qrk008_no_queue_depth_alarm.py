"""QRK008: an on-failure queue without a depth alarm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import unalarmed
from quirks.audit.model import InvokeConfig, Mapping, Queue

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    targets = [m.on_failure for m in inventory.of(Mapping)]
    targets += [c.on_failure for c in inventory.of(InvokeConfig)]
    queues = (inventory.find(Queue, target) for target in targets)
    metric = "ApproximateNumberOfMessagesVisible"
    for queue in unalarmed(inventory, queues, metric, "QueueName"):
        yield rule.finding(
            queue,
            f"an on-failure queue without an {metric} alarm: failures wait there unseen",
        )


RULE = Rule(
    id="QRK008",
    slug="no-queue-depth-alarm",
    severity="warning",
    title="On-failure queue without a depth alarm",
    why="A message on an on-failure queue is a failure nobody has handled yet, and for a stream a "
    "pointer to records that expire; SQS raises no alarm by itself.",
    doc="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html",
    fix="quirks alarms apply, or terraform/modules/stream-alarms; terraform/modules/stream-recovery "
    "alarms on its pointer queue.",
    check=check,
    needs=frozenset({"alarms", "queues", "functions"}),
)
