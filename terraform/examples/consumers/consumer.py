"""An example consumer of the ``orders`` stream: it records each order it took in a ledger table.

One handler serves every consumer of the examples; ``CONSUMER`` names the one it is. It accepts
each shape a consumer of the stream can receive:

* a DynamoDB stream event: from its own event source mapping (the recovery-only example), or from
  the fan-out function's ``lambda`` target, which sends exactly that event asynchronously;
* an SQS event whose bodies are fan-out messages (``{"Records": [...]}`` or one record);
* an SNS event whose messages are fan-out messages.

With ``REJECT_MULTIPLES_OF=7`` it refuses orders whose amount is a multiple of 7, as a consumer with a
bug would: it records them as rejected and then fails the invocation, so the failure path of the
stack (async on-failure destination, partial batch response, alerts) can be seen working.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

_table = None


def _ledger() -> Any:
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["LEDGER_TABLE"])
    return _table


def _stream_records(message: Any) -> list[dict[str, Any]]:
    if isinstance(message, dict) and isinstance(message.get("Records"), list):
        return [r for r in message["Records"] if isinstance(r, dict) and "dynamodb" in r]
    if isinstance(message, dict) and "dynamodb" in message:
        return [message]
    return []


def _orders(event: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(message id for a partial batch response, order id, amount) of every order in the event."""
    orders = []
    for record in event.get("Records", []):
        if record.get("eventSource") == "aws:sqs":
            message_id, records = record["messageId"], _stream_records(json.loads(record["body"]))
        elif "Sns" in record:
            message_id, records = "", _stream_records(json.loads(record["Sns"]["Message"]))
        else:
            message_id, records = "", _stream_records(record)
        for item in records:
            image = item["dynamodb"].get("NewImage") or item["dynamodb"]["Keys"]
            amount = int(image.get("amount", {}).get("N", "1"))
            orders.append((message_id, item["dynamodb"]["Keys"]["pk"]["S"], amount))
    return orders


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Record every order; fail (or report the SQS messages) for the ones this consumer rejects."""
    consumer = os.environ["CONSUMER"]
    divisor = int(os.environ.get("REJECT_MULTIPLES_OF", "0"))
    rejected: list[tuple[str, str]] = []
    with _ledger().batch_writer(overwrite_by_pkeys=["pk"]) as batch:
        for message_id, order, amount in _orders(event):
            status = "rejected" if divisor and amount % divisor == 0 else "processed"
            batch.put_item(Item={"pk": f"{consumer}#{status}#{order}", "amount": amount})
            if status == "rejected":
                rejected.append((message_id, order))
    if rejected and all(message_id for message_id, _ in rejected):
        return {"batchItemFailures": [{"itemIdentifier": m} for m, _ in rejected]}
    if rejected:
        raise ValueError(f"{consumer} rejected orders {sorted(o for _, o in rejected)}")
    return {"batchItemFailures": []}
