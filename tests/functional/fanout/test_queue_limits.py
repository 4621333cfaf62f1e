"""SQS queues keep their own MaximumMessageSize: 1 MiB at most, 256 KiB on queues most tooling makes
(the Terraform AWS provider 5.x). Messages to targets and diverted records must fit the queue's own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quirks import aws
from quirks.fanout.config import parse_config
from quirks.fanout.divert import DivertError, divert
from quirks.fanout.targets import EntryFailure, Outgoing, send_to_queue, with_queue_limits
from quirks.streams.encoding import encode_records
from tests.functional.fanout.conftest import Sinks, make_record, receive_all


def _queue(name: str, max_bytes: int) -> str:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"MaximumMessageSize": str(max_bytes)})
    return str(url["QueueUrl"])


def _arn(url: str) -> str:
    attributes = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def queue_send(owner: str, queue: str, messages: Any) -> dict[int, EntryFailure]:
    """Divert's sender, without retries: one SendMessageBatch to the queue."""
    outgoing: list[Outgoing] = list(messages)
    return send_to_queue(queue, outgoing)


def test_sqs_targets_take_the_queue_limit_unless_configured(sinks: Sinks) -> None:
    small = _queue("small-target", 262_144)
    large = _queue("large-target", 1_048_576)
    config = with_queue_limits(
        parse_config(
            {
                "targets": [
                    {"id": "small", "type": "sqs", "destination": _arn(small)},
                    {"id": "large", "type": "sqs", "destination": large},
                    {"id": "set", "type": "sqs", "destination": small, "max_message_bytes": 4096},
                    {"id": "bus", "type": "eventbridge", "destination": sinks.bus},
                ],
                "failure_destination": sinks.failures,
            }
        )
    )
    limits = {t.id: t.max_message_bytes for t in config.targets}
    assert limits == {"small": 262_144, "large": 1_048_576, "set": 4096, "bus": None}


def test_an_unreadable_queue_counts_as_256_kib(sinks: Sinks) -> None:
    missing = "arn:aws:sqs:us-east-1:123456789012:no-such-queue"
    assert aws.queue_max_message_bytes(missing) == 262_144


def _records(count: int, size: int) -> list[dict[str, Any]]:
    return [make_record(seq, size=size) for seq in range(1, count + 1)]


def test_divert_packs_to_the_queue_size(sinks: Sinks) -> None:
    small = _queue("small-failures", 262_144)
    records = _records(6, 100_000)  # ~600 KB: one 1 MiB message, but three under 256 KiB
    divert(_arn(small), "billing", records, encode_records(records), queue_send)
    bodies = [m["Body"].encode() for m in receive_all(small)]
    assert len(bodies) == 3
    assert all(len(body) <= 262_144 - 512 for body in bodies)
    lines = [json.loads(line) for body in bodies for line in body.split(b"\n") if line]
    assert sorted(r["dynamodb"]["SequenceNumber"] for r in lines) == sorted(
        r["dynamodb"]["SequenceNumber"] for r in records
    )


def test_a_record_over_the_queue_size_is_not_lost_but_refused(sinks: Sinks) -> None:
    small = _queue("tiny-failures", 262_144)
    records = _records(1, 300_000)
    with pytest.raises(DivertError, match="does not fit an SQS message; use an s3://"):
        divert(small, "billing", records, encode_records(records), queue_send)
    assert receive_all(small) == []  # nothing half-sent: the dispatcher holds the batch instead
