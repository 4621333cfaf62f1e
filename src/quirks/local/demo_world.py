"""What ``quirks demo`` provisions in the local cloud, and how it reads the consumers' side effects."""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Any

from quirks.local.stack import (
    BucketSpec,
    FunctionSpec,
    InvokeConfigSpec,
    LogSubscriptionSpec,
    MappingSpec,
    QueueSpec,
    Stack,
    TableSpec,
    provision,
)
from quirks.streams.archive import iter_archive
from quirks.timeouts import HANDLER_PATHS

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.local.cloud import LocalCloud
    from quirks.local.webhook_sink import WebhookSink

__all__ = [
    "ARCHIVE_BUCKET",
    "CONSUMERS",
    "LEDGER",
    "REJECTING",
    "DemoWorld",
    "demo_function",
    "provision_direct",
    "provision_fanout",
]

CONSUMERS = ("billing", "search", "notifications", "analytics")
REJECTING = "analytics"
LEDGER = "demo-ledger"
ARCHIVE_BUCKET = "demo-archive"
_TIMEOUT = 30  # seconds: the demo's functions wait on a shared, throttled local cloud


class DemoWorld:
    """The demo's resources in the local cloud, and readers for the side effects they leave.

    Resources are declared as a :class:`~quirks.local.stack.Stack` and created by
    :func:`~quirks.local.stack.provision`, the code ``quirks local up --stack`` runs.
    """

    def __init__(self, cloud: LocalCloud, sink: WebhookSink, say: Callable[[str], None]) -> None:
        self.cloud = cloud
        self.sink = sink
        self.say = say
        self.clients = cloud.clients
        self.lam = self.clients.client("lambda")
        self.alerts_arn = ""

    def provision(self, **resources: Any) -> dict[str, str]:
        """Create ``resources`` (the fields of a :class:`Stack`) in the cloud's region."""
        return provision(Stack(region=self.cloud.region, **resources), self.clients)

    def stream_arn(self, table: str) -> str:
        """The stream ARN of a table created with a stream."""
        description = self.clients.client("dynamodb").describe_table(TableName=table)["Table"]
        return description["LatestStreamArn"]

    def setup_shared(self) -> None:
        """The consumers' ledger, the recovery archive bucket, and the alerts function."""
        created = self.provision(
            tables=(TableSpec(LEDGER),),
            buckets=(BucketSpec(ARCHIVE_BUCKET),),
            functions=(
                demo_function(
                    "demo-alerts",
                    HANDLER_PATHS["alerts"],
                    {
                        "QUIRKS_SLACK_WEBHOOK_URL": self.sink.url,
                        "QUIRKS_SLACK_MIN_INTERVAL": "0.05",
                    },
                ),
            ),
        )
        self.alerts_arn = created["function:demo-alerts"]

    def consumer(
        self, phase: str, consumer: str, *, dead_letter: str | None = None
    ) -> FunctionSpec:
        """The function ``<phase>-<consumer>``: one of the four consumers, on the ledger."""
        return demo_function(
            f"{phase}-{consumer}",
            "quirks.local.demo_consumers.handler",
            {
                "QUIRKS_DEMO_CONSUMER": consumer,
                "QUIRKS_DEMO_PHASE": phase,
                "QUIRKS_DEMO_LEDGER": LEDGER,
                "QUIRKS_DEMO_REJECT": "true" if consumer == REJECTING else "false",
            },
            dead_letter=dead_letter,
        )

    def alerted(self, function_name: str) -> LogSubscriptionSpec:
        """The subscription of a function's log group to the alerts function."""
        return LogSubscriptionSpec(destination=self.alerts_arn, function=function_name)

    def write(self, table: str, orders: list[tuple[str, int]]) -> None:
        ddb = self.clients.client("dynamodb")
        for start in range(0, len(orders), 25):
            chunk = orders[start : start + 25]
            ddb.batch_write_item(
                RequestItems={
                    table: [
                        {"PutRequest": {"Item": {"pk": {"S": key}, "amount": {"N": str(amount)}}}}
                        for key, amount in chunk
                    ]
                }
            )
            time.sleep(0.05)  # a steady flow, so that lag builds up visibly

    def ledger(self, phase: str) -> dict[tuple[str, str], set[str]]:
        """(consumer, status) -> orders, from the consumers' ledger entries."""
        found: dict[tuple[str, str], set[str]] = {}
        paginator = self.clients.client("dynamodb").get_paginator("scan")
        for page in paginator.paginate(TableName=LEDGER):
            for item in page["Items"]:
                entry_phase, consumer, status, order = item["pk"]["S"].split("#", 3)
                if entry_phase == phase:
                    found.setdefault((consumer, status), set()).add(order)
        return found

    def archived(self, phase: str, consumer: str) -> set[str]:
        """Orders in the recovery archives of a consumer."""
        s3 = self.clients.client("s3")
        orders: set[str] = set()
        paginator = s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=ARCHIVE_BUCKET, Prefix=f"{phase}/{consumer}/"):
            for obj in page.get("Contents", []):
                if obj["Key"].endswith(".jsonl.gz"):
                    body = s3.get_object(Bucket=ARCHIVE_BUCKET, Key=obj["Key"])["Body"].read()
                    orders |= {
                        r["dynamodb"]["Keys"]["pk"]["S"] for r in iter_archive(io.BytesIO(body))
                    }
        return orders


def demo_function(
    name: str,
    handler: str,
    environment: dict[str, str],
    *,
    timeout: int = _TIMEOUT,
    dead_letter: str | None = None,
    fanout: dict[str, Any] | None = None,
) -> FunctionSpec:
    """A demo function whose code is ``handler``, an import path."""
    return FunctionSpec(
        name,
        handler,
        environment=environment,
        timeout=timeout,
        dead_letter=dead_letter,
        fanout=fanout,
    )


def provision_direct(demo: DemoWorld) -> str:
    """The direct phase's resources: four mappings on one stream, each with a failure queue that
    a recovery function consumes. Returns the stream ARN.

    Each consumer also has the DLQ that scanners (checkov CKV_AWS_116) demand of every function:
    it never fires for a stream-invoked function, the quirk ``quirks audit`` reports (QRK005)."""
    queues, functions, mappings, recovery, alerted = [], [], [], [], []
    for consumer in CONSUMERS:
        name = f"direct-{consumer}"
        queues += [QueueSpec(f"{name}-dlq"), QueueSpec(f"{name}-failures")]
        functions.append(demo.consumer("direct", consumer, dead_letter=f"queue:{name}-dlq"))
        mappings.append(
            MappingSpec(
                name,
                "table:orders-direct",
                starting_position="TRIM_HORIZON",
                batch_size=50,
                bisect=True,
                maximum_retry_attempts=1,
                on_failure=f"queue:{name}-failures",
            )
        )
        recovery.append(_recovery("direct", consumer, f"queue:{name}-failures"))
        alerted.append(demo.alerted(name))
    demo.provision(
        tables=(TableSpec("orders-direct", stream="NEW_AND_OLD_IMAGES"),),
        queues=tuple(queues),
        functions=(*functions, *(spec for spec, _ in recovery)),
        event_source_mappings=(*mappings, *(mapping for _, mapping in recovery)),
        log_subscriptions=tuple(alerted),
    )
    return demo.stream_arn("orders-direct")


def _recovery(phase: str, consumer: str, queue: str) -> tuple[FunctionSpec, MappingSpec]:
    """The recovery handler behind a failure queue, archiving to ``s3://demo-archive/<phase>/<consumer>``."""
    name = f"{phase}-{consumer}-recovery"
    archive = {"QUIRKS_ARCHIVE": f"s3://{ARCHIVE_BUCKET}/{phase}/{consumer}"}
    return (
        demo_function(name, HANDLER_PATHS["recovery"], archive, timeout=60),
        MappingSpec(name, queue, batch_size=10, report_batch_item_failures=True),
    )


def provision_fanout(demo: DemoWorld) -> str:
    """The fan-out phase's resources: one mapping feeds the fan-out handler, which invokes the four
    consumers; their failed invocations go to queues a recovery function consumes. Returns the
    stream ARN."""
    queues, functions, configs, recovery, alerted = [], [], [], [], []
    for consumer in CONSUMERS:
        name = f"fanout-{consumer}"
        queues.append(QueueSpec(f"{name}-diverted"))
        functions.append(demo.consumer("fanout", consumer))
        configs.append(
            InvokeConfigSpec(name, maximum_retry_attempts=1, on_failure=f"queue:{name}-diverted")
        )
        # The async records carry the whole stream event: recovery archives them, replayable.
        recovery.append(_recovery("fanout", consumer, f"queue:{name}-diverted"))
        alerted.append(demo.alerted(name))
    created = demo.provision(
        tables=(TableSpec("orders-fanout", stream="NEW_AND_OLD_IMAGES"),),
        queues=(*queues, QueueSpec("fanout-undeliverable")),
        functions=(*functions, *(spec for spec, _ in recovery)),
        event_invoke_configs=tuple(configs),
        event_source_mappings=tuple(mapping for _, mapping in recovery),
        log_subscriptions=tuple(alerted),
    )
    stream = demo.stream_arn("orders-fanout")
    config = {
        "targets": [
            {"id": consumer, "type": "lambda", "destination": f"fanout-{consumer}"}
            for consumer in CONSUMERS
        ],
        "failure_destination": created["queue:fanout-undeliverable"],
    }
    # Its configuration names the queue's URL: a second stack, once the queue exists.
    demo.provision(
        functions=(demo_function("demo-fanout", HANDLER_PATHS["fanout"], {}, fanout=config),),
        event_source_mappings=(
            MappingSpec(
                "demo-fanout",
                stream,
                starting_position="TRIM_HORIZON",
                batch_size=100,
                report_batch_item_failures=True,
            ),
        ),
    )
    return stream
