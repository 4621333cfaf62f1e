"""Fan-out test fixtures: a sink for every target type in moto, and readers for what arrived.

* ``lambda``: a moto function with ``use_docker: false`` (moto never runs code, aws-facts §10); what
  a Lambda target receives is recorded by :class:`RecordingSend`, which wraps the real sender, so the
  payload really goes through ``lambda:Invoke`` against moto.
* ``sqs``: a queue; ``sns``: a topic with a raw-delivery SQS subscription; ``eventbridge``: a bus
  whose rule targets an SQS queue; ``kinesis``: a one-shard stream read with ``get_records``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from quirks import aws
from quirks.fanout.targets import EntryFailure, Outgoing, send_call
from quirks.limits import DEFAULT_ACCOUNT as ACCOUNT
from tests.support.zips import zipped

if TYPE_CHECKING:
    from collections.abc import Sequence

    from quirks.fanout.config import Target

STREAM_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/stream/2026-01-01T00:00:00.000"


def make_record(
    seq: int, *, status: str = "paid", event: str = "INSERT", size: int = 50
) -> dict[str, Any]:
    """A Lambda-form stream record with a ``status`` attribute and padding of ``size`` bytes."""
    key = {"pk": {"S": f"order-{seq}"}}
    return {
        "eventID": f"{seq:032x}",
        "eventName": event,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1767225600,
            "Keys": key,
            "NewImage": {**key, "status": {"S": status}, "pad": {"S": "x" * size}},
            "SequenceNumber": str(10**20 + seq),
            "SizeBytes": size + 40,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": STREAM_ARN,
    }


def receive_all(queue_url: str) -> list[dict[str, Any]]:
    """Every message on a queue (bodies and attributes), deleting nothing."""
    sqs = aws.client("sqs")
    messages: list[dict[str, Any]] = []
    while True:
        page = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600, WaitTimeSeconds=0
        )
        if not page.get("Messages"):
            return messages
        messages.extend(page["Messages"])  # type: ignore[arg-type]


@dataclass
class Sinks:
    """Where each target type delivers in moto, and how to read it back."""

    function: str
    queue: str
    topic: str
    topic_queue: str
    bus: str
    bus_queue: str
    stream: str
    failures: str
    bucket: str

    def sqs_bodies(self, queue: str) -> list[Any]:
        return [json.loads(m["Body"]) for m in receive_all(queue)]

    def sns_bodies(self) -> list[Any]:
        return self.sqs_bodies(self.topic_queue)

    def eventbridge_events(self) -> list[Any]:
        return self.sqs_bodies(self.bus_queue)

    def kinesis_bodies(self) -> list[Any]:
        client = aws.client("kinesis")
        shard = client.describe_stream(StreamName=self.stream)["StreamDescription"]["Shards"][0]
        iterator = client.get_shard_iterator(
            StreamName=self.stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        out: list[Any] = []
        while True:
            page = client.get_records(ShardIterator=iterator, Limit=1000)
            out.extend(json.loads(r["Data"]) for r in page["Records"])
            if not page["Records"]:
                return out
            iterator = page["NextShardIterator"]


def _queue(name: str) -> str:
    return aws.client("sqs").create_queue(QueueName=name)["QueueUrl"]


def _queue_arn(url: str) -> str:
    return aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]


@pytest.fixture
def sinks(aws_env: aws.ClientFactory, moto_lambda_without_docker: None) -> Sinks:
    # IAM has no typed overload in quirks.aws (nothing but this test needs it): the untyped factory.
    role = (
        aws.current()
        .client("iam")
        .create_role(
            RoleName="fanout-test",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
    )
    lam = aws.client("lambda")
    lam.create_function(
        FunctionName="billing",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": zipped(name="index.py")},
    )
    queue = _queue("audit")
    topic_queue = _queue("topic-sink")
    topic = aws.client("sns").create_topic(Name="orders")["TopicArn"]
    aws.client("sns").subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=_queue_arn(topic_queue),
        Attributes={"RawMessageDelivery": "true"},
    )
    bus_queue = _queue("bus-sink")
    events = aws.client("events")
    events.create_event_bus(Name="orders-bus")
    events.put_rule(
        Name="all", EventBusName="orders-bus", EventPattern=json.dumps({"source": [{"prefix": ""}]})
    )
    events.put_targets(
        Rule="all", EventBusName="orders-bus", Targets=[{"Id": "q", "Arn": _queue_arn(bus_queue)}]
    )
    aws.client("kinesis").create_stream(StreamName="orders-stream", ShardCount=1)
    aws.client("s3").create_bucket(Bucket="fanout")
    return Sinks(
        function="billing",
        queue=queue,
        topic=topic,
        topic_queue=topic_queue,
        bus="orders-bus",
        bus_queue=bus_queue,
        stream="orders-stream",
        failures=_queue("failures"),
        bucket="fanout",
    )


@dataclass
class RecordingSend:
    """The real sender, recording every call; ``fail`` injects per-entry failures first.

    ``fail(target, messages)`` returns ``{position: EntryFailure}`` for entries to fail *instead of*
    sending them (moto never produces partial batch failures); the rest are sent for real.
    """

    calls: list[tuple[str, list[bytes]]] = field(default_factory=list)
    delivered: list[tuple[str, bytes]] = field(default_factory=list)
    fail: Any = None

    def __call__(self, target: Target, messages: Sequence[Outgoing]) -> dict[int, EntryFailure]:
        self.calls.append((target.id, [m.body for m in messages]))
        injected: dict[int, EntryFailure] = self.fail(target, messages) if self.fail else {}
        keep = [i for i in range(len(messages)) if i not in injected]
        real = send_call(target, [messages[i] for i in keep]) if keep else {}
        failures = {**injected, **{keep[p]: f for p, f in real.items()}}
        for position, message in enumerate(messages):
            if position not in failures:
                self.delivered.append((target.id, message.body))
        return failures

    def payloads(self, target_id: str) -> list[Any]:
        """The bodies a target accepted, decoded, in order."""
        return [json.loads(body) for tid, body in self.delivered if tid == target_id]
