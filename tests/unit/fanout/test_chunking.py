"""Chunking holds at the limits and keeps order; lambda-event bodies are the original event."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.fanout.chunking import (
    LIMITS,
    limits_for,
    plan_calls,
    plan_messages,
)
from quirks.fanout.config import parse_config
from quirks.streams.encoding import encode_records

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/failures"


def make_target(kind: str, fmt: str = "lambda-event", **extra: Any) -> Any:
    raw = {"id": "t", "type": kind, "destination": "d", "format": fmt, **extra}
    raw["on_failure"] = {"destination": QUEUE}
    return parse_config({"targets": [raw]}).targets[0]


def record(seq: int, payload_bytes: int = 100) -> dict[str, Any]:
    return {
        "eventID": f"id{seq}",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "Keys": {"pk": {"S": f"k{seq % 7}"}},
            "NewImage": {"pk": {"S": f"k{seq % 7}"}, "blob": {"S": "x" * payload_bytes}},
            "SequenceNumber": str(10**20 + seq),
            "SizeBytes": 100,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026",
    }


@pytest.mark.parametrize("kind", sorted(LIMITS))
def test_lambda_event_bodies_are_the_records_in_order_within_limits(kind: str) -> None:
    target = make_target(kind)
    records = [record(i, 30_000) for i in range(120)]
    encoded = encode_records(records)
    messages = plan_messages(range(len(records)), encoded, target)
    limit = limits_for(target).message_bytes
    carried: list[dict[str, Any]] = []
    for message in messages:
        assert message.body is not None
        assert len(message.body) <= limit
        event = json.loads(message.body)
        assert event == {"Records": [records[i] for i in message.indexes]}
        carried.extend(event["Records"])
    assert carried == records
    for call in plan_calls(messages, target):
        assert len(call) <= limits_for(target).entries_per_call
        assert sum(m.size for m in call) <= limits_for(target).bytes_per_call


def test_record_near_the_limit_fits_alone_and_one_over_is_oversize() -> None:
    target = make_target("sqs", "record")
    limit = limits_for(target).message_bytes
    base = len(encode_records([record(1, 0)])[0])
    fits = record(1, limit - 512 - base)
    over = record(2, limit - 512 - base + 1)
    encoded = encode_records([fits, over])
    assert len(encoded[0]) == limit - 512
    messages = plan_messages([0, 1], encoded, target)
    assert messages[0].body == encoded[0]
    assert messages[1].body is None
    assert [len(call) for call in plan_calls(messages, target)] == [1, 1]


def test_400kb_item_with_both_images_is_oversize_for_sns_but_not_for_sqs() -> None:
    big = record(1)
    big["dynamodb"]["OldImage"] = {"blob": {"S": "o" * 400_000}}
    big["dynamodb"]["NewImage"] = {"blob": {"S": "n" * 400_000}}
    encoded = encode_records([record(0), big, record(2)])
    sns = plan_messages([0, 1, 2], encoded, make_target("sns"))
    assert [(m.indexes, m.body is None) for m in sns] == [
        ((0,), False),
        ((1,), True),
        ((2,), False),
    ]
    sqs = plan_messages([0, 1, 2], encoded, make_target("sqs"))
    assert [m.indexes for m in sqs] == [(0, 1, 2)]
    assert sqs[0].body is not None
    assert 800_000 < len(sqs[0].body) <= limits_for(make_target("sqs")).message_bytes
    larger_sns = make_target("sns", max_message_bytes=1_048_576)
    assert all(m.body is not None for m in plan_messages([0, 1, 2], encoded, larger_sns))


def test_kinesis_calls_hold_500_records_and_5_mib() -> None:
    target = make_target("kinesis", "record")
    records = [record(i, 20_000) for i in range(600)]
    messages = plan_messages(range(600), encode_records(records), target)
    calls = plan_calls(messages, target)
    assert all(len(c) <= 500 for c in calls)
    assert all(sum(m.size + 512 for m in c) <= 5_242_880 for c in calls)
    assert [i for c in calls for m in c for i in m.indexes] == list(range(600))


@given(st.lists(st.integers(min_value=0, max_value=300_000), min_size=1, max_size=12))
def test_every_record_is_carried_exactly_once_in_order(sizes: list[int]) -> None:
    records = [record(i, size) for i, size in enumerate(sizes)]
    encoded = encode_records(records)
    for kind in ("sns", "eventbridge"):
        for fmt in ("lambda-event", "record"):
            target = make_target(kind, fmt)
            messages = plan_messages(range(len(records)), encoded, target)
            assert [i for m in messages for i in m.indexes] == list(range(len(records)))
            for m in messages:
                assert m.body is None or len(m.body) <= limits_for(target).message_bytes
