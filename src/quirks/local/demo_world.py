"""What ``quirks demo`` provisions in the local cloud, and how it reads the consumers' side effects."""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Any

from quirks.alerts.patterns import DEFAULT_PATTERN
from quirks.local.cloud import DEFAULT_ACCOUNT
from quirks.local.stack import SHIM_HANDLER, handler_package
from quirks.streams.archive import iter_archive

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.local.cloud import LocalCloud
    from quirks.local.webhook_sink import WebhookSink

__all__ = ["ARCHIVE_BUCKET", "CONSUMERS", "LEDGER", "REJECTING", "DemoWorld", "create_function"]

CONSUMERS = ("billing", "search", "notifications", "analytics")
REJECTING = "analytics"
LEDGER = "demo-ledger"
ARCHIVE_BUCKET = "demo-archive"


def create_function(
    lam: Any, name: str, handler: str, environment: dict[str, str], timeout: int = 30
) -> str:
    """Create a function whose code is ``handler``, an import path; returns its ARN."""
    return str(
        lam.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/{name}",
            Handler=SHIM_HANDLER,
            Code={"ZipFile": handler_package(handler)},
            Timeout=timeout,
            Environment={"Variables": environment},
        )["FunctionArn"]
    )


class DemoWorld:
    """The demo's resources in the local cloud, and readers for the side effects they leave."""

    def __init__(self, cloud: LocalCloud, sink: WebhookSink, say: Callable[[str], None]) -> None:
        self.cloud = cloud
        self.sink = sink
        self.say = say
        self.clients = cloud.clients
        self.lam = self.clients.client("lambda")
        self.sqs = self.clients.client("sqs")
        self.logs = self.clients.client("logs")
        self.alerts_arn = ""

    def queue(self, name: str) -> tuple[str, str]:
        """Create a queue; returns its URL and ARN."""
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        return url, f"arn:aws:sqs:{self.cloud.region}:{DEFAULT_ACCOUNT}:{name}"

    def stream_table(self, name: str) -> str:
        """Create an orders table with a stream; returns the stream ARN."""
        return str(
            self.clients.client("dynamodb").create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )["TableDescription"]["LatestStreamArn"]
        )

    def setup_shared(self) -> None:
        ddb = self.clients.client("dynamodb")
        ddb.create_table(
            TableName=LEDGER,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self.clients.client("s3").create_bucket(Bucket=ARCHIVE_BUCKET)
        self.alerts_arn = create_function(
            self.lam,
            "demo-alerts",
            "quirks.alerts.handler.lambda_handler",
            {"QUIRKS_SLACK_WEBHOOK_URL": self.sink.url, "QUIRKS_SLACK_MIN_INTERVAL": "0.05"},
        )

    def consumer(self, phase: str, consumer: str) -> str:
        name = f"{phase}-{consumer}"
        arn = create_function(
            self.lam,
            name,
            "quirks.local.demo_consumers.handler",
            {
                "QUIRKS_DEMO_CONSUMER": consumer,
                "QUIRKS_DEMO_PHASE": phase,
                "QUIRKS_DEMO_LEDGER": LEDGER,
                "QUIRKS_DEMO_REJECT": "true" if consumer == REJECTING else "false",
            },
        )
        group = f"/aws/lambda/{name}"
        self.logs.create_log_group(logGroupName=group)
        self.logs.put_subscription_filter(
            logGroupName=group,
            filterName="quirks-errors",
            filterPattern=DEFAULT_PATTERN,
            destinationArn=self.alerts_arn,
        )
        return arn

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
