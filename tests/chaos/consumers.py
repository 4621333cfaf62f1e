"""The chaos consumers: a stream consumer that fails, times out and crashes at random.

Each invocation picks its fate from ``CHAOS_SEED``, the consumer's name and the request id (so a run
is reproducible in distribution, and every retry draws again): ``ok`` writes one ledger item per
record and returns; ``fail`` raises before writing; ``timeout`` sleeps past the function timeout;
``crash`` exits the process (``os._exit``); ``crash-late`` writes half the ledger items, then exits
(a retry then duplicates them, as at-least-once delivery does). Ledger items are
``<consumer>#<order>#<request id>``, so duplicates stay visible.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

import boto3

FATES = (("fail", 0.06), ("timeout", 0.01), ("crash", 0.03), ("crash-late", 0.02))


def fate(seed: str, consumer: str, request_id: str) -> str:
    digest = hashlib.sha256(f"{seed}/{consumer}/{request_id}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    for name, share in FATES:
        if draw < share:
            return name
        draw -= share
    return "ok"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    consumer = os.environ["CHAOS_CONSUMER"]
    chosen = fate(os.environ.get("CHAOS_SEED", "0"), consumer, context.aws_request_id)
    orders = [r["dynamodb"]["Keys"]["pk"]["S"] for r in event.get("Records", [])]
    if chosen == "fail":
        raise RuntimeError(f"{consumer} failed on purpose")
    if chosen == "timeout":
        time.sleep(context.get_remaining_time_in_millis() / 1000 + 1)
    if chosen == "crash":
        os._exit(3)
    table = boto3.resource("dynamodb").Table(os.environ["CHAOS_LEDGER"])
    written = orders[: len(orders) // 2] if chosen == "crash-late" else orders
    with table.batch_writer() as batch:
        for order in written:
            batch.put_item(Item={"pk": f"{consumer}#{order}#{context.aws_request_id}"})
    if chosen == "crash-late":
        os._exit(4)
    return {"processed": len(orders)}
