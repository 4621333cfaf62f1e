"""Chaos: one stream, the fan-out handler, four consumers failing, timing out and crashing at random,
and ``kill -9`` of random worker processes (consumers and the fan-out function alike).

Counted from the consumers' own side effects: ``seen`` (ledger items), ``duplicated`` (ledger items
beyond the first per order), ``diverted`` (orders in the consumer's async OnFailure messages, or in
the fan-out handler's failure destination), ``lost`` (an order neither seen nor diverted).

Run: ``python -m tests.chaos.fanout`` (``CHAOS_RECORDS``, default 10,000; ``CHAOS_SEED``).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import threading
import time
from typing import Any

from quirks.limits import DEFAULT_ACCOUNT
from quirks.local.cloud import LocalCloud
from quirks.local.stack import SHIM_HANDLER, handler_package
from tests.chaos.common import REPO, Summary, fresh_moto, kill_random, records_from_env, wait_until

CONSUMERS = ("billing", "search", "notifications", "analytics")
LEDGER = "chaos-ledger"
UNDELIVERABLE = "chaos-undeliverable"
TIME_FACTOR = 0.002  # async retries after 120 ms and 240 ms instead of 1 and 2 minutes


def _function(lam: Any, name: str, handler: str, env: dict[str, str], timeout: int) -> None:
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/{name}",
        Handler=SHIM_HANDLER,
        Code={"ZipFile": handler_package(handler, (str(REPO),))},
        Timeout=timeout,
        Environment={"Variables": env},
    )


def _table(ddb: Any, name: str, stream: bool) -> str:
    extra = (
        {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}}
        if stream
        else {}
    )
    description = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )["TableDescription"]
    return str(description.get("LatestStreamArn", ""))


class _Observer:
    """Reads the side effects: ledger items, OnFailure messages, the fan-out's diverted records."""

    def __init__(self, cloud: LocalCloud, queues: dict[str, str]) -> None:
        self.clients = cloud.clients
        self.queues = queues
        self.diverted_messages: dict[str, dict[str, set[str]]] = {c: {} for c in CONSUMERS}

    def ledger(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {c: {} for c in CONSUMERS}
        paginator = self.clients.client("dynamodb").get_paginator("scan")
        for page in paginator.paginate(TableName=LEDGER):
            for item in page["Items"]:
                consumer, order, _ = item["pk"]["S"].split("#", 2)
                counts[consumer][order] = counts[consumer].get(order, 0) + 1
        return counts

    def diverted(self) -> dict[str, set[str]]:
        sqs = self.clients.client("sqs")
        found: dict[str, set[str]] = {}
        for consumer, url in self.queues.items():
            seen = self.diverted_messages[consumer]
            while True:
                batch = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=3600
                ).get("Messages", [])
                if not batch:
                    break
                for message in batch:
                    payload = json.loads(message["Body"]).get("requestPayload") or {}
                    seen[message["MessageId"]] = {
                        r["dynamodb"]["Keys"]["pk"]["S"] for r in payload.get("Records", [])
                    }
            found[consumer] = set().union(*seen.values()) if seen else set()
        s3 = self.clients.client("s3")
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=UNDELIVERABLE):
            for obj in page.get("Contents", []):
                consumer = obj["Key"].split("/", 1)[0]
                body = s3.get_object(Bucket=UNDELIVERABLE, Key=obj["Key"])["Body"].read()
                lines = gzip.GzipFile(fileobj=io.BytesIO(body)).read().splitlines()
                found.setdefault(consumer, set()).update(
                    json.loads(line)["dynamodb"]["Keys"]["pk"]["S"] for line in lines if line
                )
        return found


def run(records: int, seed: int = 1, *, kill_interval: float = 0.7) -> Summary:
    """The whole scenario on a fresh local cloud; returns its summary."""
    started = time.monotonic()
    rng = random.Random(seed)
    orders = [f"order-{i:06d}" for i in range(records)]
    with LocalCloud(time_factor=TIME_FACTOR) as cloud:
        fresh_moto()
        clients = cloud.clients
        lam, ddb, sqs = clients.client("lambda"), clients.client("dynamodb"), clients.client("sqs")
        _table(ddb, LEDGER, stream=False)
        stream = _table(ddb, "chaos-orders", stream=True)
        clients.client("s3").create_bucket(Bucket=UNDELIVERABLE)
        queues = {}
        for consumer in CONSUMERS:
            name = f"chaos-{consumer}"
            _function(
                lam,
                name,
                "tests.chaos.consumers.handler",
                {"CHAOS_CONSUMER": consumer, "CHAOS_LEDGER": LEDGER, "CHAOS_SEED": str(seed)},
                timeout=1,
            )
            queues[consumer] = sqs.create_queue(QueueName=f"{name}-diverted")["QueueUrl"]
            lam.put_function_event_invoke_config(
                FunctionName=name,
                MaximumRetryAttempts=2,
                DestinationConfig={
                    "OnFailure": {
                        "Destination": f"arn:aws:sqs:{cloud.region}:{DEFAULT_ACCOUNT}:{name}-diverted"
                    }
                },
            )
        config = {
            "targets": [
                {"id": c, "type": "lambda", "destination": f"chaos-{c}"} for c in CONSUMERS
            ],
            "failure_destination": f"s3://{UNDELIVERABLE}",
        }
        _function(
            lam,
            "chaos-fanout",
            "quirks.fanout.handler.lambda_handler",
            {"QUIRKS_FANOUT_CONFIG": json.dumps(config)},
            timeout=60,
        )
        lam.create_event_source_mapping(
            FunctionName="chaos-fanout",
            EventSourceArn=stream,
            StartingPosition="TRIM_HORIZON",
            BatchSize=100,
            FunctionResponseTypes=["ReportBatchItemFailures"],
        )
        for first in range(0, records, 25):
            ddb.batch_write_item(
                RequestItems={
                    "chaos-orders": [
                        {"PutRequest": {"Item": {"pk": {"S": order}}}}
                        for order in orders[first : first + 25]
                    ]
                }
            )
        observer = _Observer(cloud, queues)
        expected = set(orders)
        stop = threading.Event()
        kills = 0

        def killer() -> None:
            nonlocal kills
            while not stop.wait(rng.uniform(0.3, 2 * kill_interval)):
                if kill_random(rng, "quirks.local.worker"):
                    kills += 1

        thread = threading.Thread(target=killer, name="chaos-killer", daemon=True)
        thread.start()
        state: dict[str, Any] = {}

        def settled() -> bool:
            state["ledger"], state["diverted"] = observer.ledger(), observer.diverted()
            return all(
                expected <= set(state["ledger"][c]) | state["diverted"].get(c, set())
                for c in CONSUMERS
            )

        wait_until(settled, timeout=120 + records / 20, step=3.0)
        stop.set()
        thread.join()
        cloud.lambda_service.wait_idle(timeout=30)
        settled()
    per_consumer = {}
    lost = duplicated = diverted = 0
    for consumer in CONSUMERS:
        ledger, rescued = state["ledger"][consumer], state["diverted"].get(consumer, set())
        seen = set(ledger) & expected
        counts = {
            "seen": len(seen),
            "diverted": len((rescued - seen) & expected),
            "duplicated": sum(n - 1 for n in ledger.values()),
            "lost": len(expected - seen - rescued),
        }
        per_consumer[consumer] = counts
        lost += counts["lost"]
        duplicated += counts["duplicated"]
        diverted += counts["diverted"]
    return Summary(
        scenario="fanout",
        written=records,
        lost=lost,
        duplicated=duplicated,
        diverted=diverted,
        kills=kills,
        seconds=time.monotonic() - started,
        detail={"consumers": per_consumer, "seed": seed},
    )


def main() -> int:
    summary = run(records_from_env(10_000), int(os.environ.get("CHAOS_SEED", "1")))
    print(summary.line())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
