"""The four consumers of ``quirks demo``: each records what it did in a ledger table.

``handler`` serves every consumer; the environment says which one it is. A consumer processes every
record of its event: it writes ``<phase>#<consumer>#processed#<order>`` to the ledger for each record
it accepts. The rejecting consumer (``QUIRKS_DEMO_REJECT=true``) refuses orders whose amount is a
multiple of 7: it writes ``...#rejected#<order>`` for them and then fails the invocation, as a consumer
with a bug would. The demo's counts come from these ledger entries (the consumers' own side effects),
not from the emulator's bookkeeping.
"""

from __future__ import annotations

import os
from typing import Any

import boto3

__all__ = ["REJECT_DIVISOR", "handler", "is_rejected"]

REJECT_DIVISOR = 7


def is_rejected(amount: int) -> bool:
    """The rejecting consumer's rule: it cannot handle amounts that are multiples of 7."""
    return amount % REJECT_DIVISOR == 0


def _orders(event: dict[str, Any]) -> list[tuple[str, int]]:
    orders = []
    for record in event.get("Records", []):
        image = record["dynamodb"].get("NewImage") or record["dynamodb"]["Keys"]
        amount = int(image.get("amount", {}).get("N", "1"))
        orders.append((record["dynamodb"]["Keys"]["pk"]["S"], amount))
    return orders


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process a DynamoDB stream event (from an event source mapping or from fan-out)."""
    consumer = os.environ["QUIRKS_DEMO_CONSUMER"]
    phase = os.environ["QUIRKS_DEMO_PHASE"]
    rejecting = os.environ.get("QUIRKS_DEMO_REJECT") == "true"
    table = boto3.resource("dynamodb").Table(os.environ["QUIRKS_DEMO_LEDGER"])
    rejected = []
    with table.batch_writer(overwrite_by_pkeys=["pk"]) as batch:
        for order, amount in _orders(event):
            status = "rejected" if rejecting and is_rejected(amount) else "processed"
            batch.put_item(Item={"pk": f"{phase}#{consumer}#{status}#{order}"})
            if status == "rejected":
                rejected.append(order)
    if rejected:
        raise ValueError(
            f"{consumer} rejected order {rejected[0]}: amount is a multiple of {REJECT_DIVISOR}"
        )
    return {"processed": len(event.get("Records", []))}
