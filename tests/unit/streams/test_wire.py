"""Every builder of :mod:`quirks.streams.wire` round-trips through the parser that reads it, and
what it builds validates with the Powertools model for that AWS format."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser.models import (
    CloudWatchLogsModel,
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from quirks.alerts.decode import decode_event
from quirks.streams import (
    AsyncInvocationFailure,
    DeadLetterMessage,
    StreamBatchFailure,
    parse_failure_message,
    records_from_lambda_event,
    wire,
)
from quirks.streams.failures import UNKNOWN_SHARD, stream_batch_from_async

STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-12-01T00:00:00.000"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:billing"
NOW = 1_764_574_560.123  # 2025-12-01T07:36:00.123Z

keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


def lambda_record(key: str, sequence: int, created: int = 1_764_574_000) -> dict[str, Any]:
    return {
        "eventID": f"{sequence:032x}",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": created,
            "Keys": {"pk": {"S": key}},
            "NewImage": {"pk": {"S": key}, "amount": {"N": str(sequence)}},
            "SequenceNumber": f"{sequence:021d}",
            "SizeBytes": 20 + len(key),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": STREAM,
    }


batches = st.lists(keys, min_size=1, max_size=8).map(
    lambda ks: [lambda_record(k, 10**20 + 3 * i + 1) for i, k in enumerate(ks)]
)


@given(batches)
def test_stream_event_parses_back_and_validates(records: list[dict[str, Any]]) -> None:
    event = wire.stream_event(records)
    DynamoDBStreamModel.model_validate(event)
    parsed = records_from_lambda_event(json.loads(json.dumps(event)))
    assert [r.sequence_number for r in parsed] == [r["dynamodb"]["SequenceNumber"] for r in records]


def pointer_for(records: list[dict[str, Any]], condition: str, attempts: int) -> wire.StreamPointer:
    return wire.stream_pointer(
        records=records,
        shard_id="shardId-00000001764574000000-abcdef12",
        stream_arn=STREAM,
        function_arn=FUNCTION,
        condition=condition,
        attempts=attempts,
        request_id="c6a7f4a2-0f7c-4d2e-9e0a-2f1f8e0b3d11",
        function_error="Unhandled",
        now=NOW,
    )


@given(
    batches,
    st.sampled_from(["RetryAttemptsExhausted", "RecordAgeExceeded"]),
    st.integers(min_value=0, max_value=10_000),
)
def test_stream_pointer_parses_back_and_validates(
    records: list[dict[str, Any]], condition: str, attempts: int
) -> None:
    pointer = pointer_for(records, condition, attempts)
    DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(pointer)
    parsed = parse_failure_message(json.dumps(pointer))
    assert isinstance(parsed, StreamBatchFailure)
    assert parsed.records is None
    batch = parsed.batch
    assert (batch.stream_arn, batch.batch_size) == (STREAM, len(records))
    assert batch.start_sequence_number == records[0]["dynamodb"]["SequenceNumber"]
    assert batch.end_sequence_number == records[-1]["dynamodb"]["SequenceNumber"]
    assert parsed.request_context.condition == condition
    assert parsed.request_context.approximate_invoke_count == attempts
    assert parsed.response_context.function_error == "Unhandled"
    assert parsed.timestamp == datetime.fromtimestamp(NOW, UTC).replace(microsecond=123000)


@given(batches)
def test_s3_failure_object_carries_the_records_back(records: list[dict[str, Any]]) -> None:
    body = wire.s3_failure_object(pointer_for(records, "RetryAttemptsExhausted", 3), records)
    DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(body)
    parsed = parse_failure_message(json.dumps(body).encode())
    assert isinstance(parsed, StreamBatchFailure)
    assert parsed.records is not None
    assert [r.keys for r in parsed.records] == [r["dynamodb"]["Keys"] for r in records]


def test_s3_keys_follow_the_documented_layouts_and_the_given_clock() -> None:
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    stream_key = wire.s3_failure_key("esm-uuid", "shardId-1", NOW)
    assert re.fullmatch(
        rf"aws/lambda/esm-uuid/shardId-1/2025/12/01/2025-12-01T07\.36\.00-{uuid}", stream_key
    )
    async_key = wire.s3_async_failure_key("billing", NOW)
    assert re.fullmatch(
        rf"aws/lambda/async/billing/2025/12/01/2025-12-01T07\.36\.00-{uuid}", async_key
    )
    assert wire.s3_async_failure_key("billing", NOW) != async_key  # a fresh UUID each time


@given(batches, st.integers(min_value=1, max_value=3), st.booleans())
def test_async_record_parses_back_and_yields_its_stream_records(
    records: list[dict[str, Any]], attempts: int, responded: bool
) -> None:
    record = wire.async_record(
        function_arn=FUNCTION,
        request_id="c6a7f4a2-0f7c-4d2e-9e0a-2f1f8e0b3d11",
        condition="RetriesExhausted",
        attempts=attempts,
        request_payload=wire.stream_event(records),
        function_error="Unhandled" if responded else None,
        response_payload={"errorType": "ValueError", "errorMessage": "bad"},
        responded=responded,
        now=NOW,
    )
    parsed = parse_failure_message(json.dumps(record))
    assert isinstance(parsed, AsyncInvocationFailure)
    assert parsed.request_context.function_arn == f"{FUNCTION}:$LATEST"
    assert parsed.request_context.approximate_invoke_count == attempts
    assert parsed.response_payload == (
        {"errorType": "ValueError", "errorMessage": "bad"} if responded else None
    )
    batch = stream_batch_from_async(parsed)
    assert batch is not None
    assert batch.records is not None
    assert batch.batch.shard_id == UNKNOWN_SHARD
    assert len(batch.records) == len(records)
    stripped = parse_failure_message(json.dumps(wire.without_payloads(record)))
    assert isinstance(stripped, AsyncInvocationFailure)
    assert stripped.request_payload is None
    assert stripped.response_payload is None


@given(st.text(max_size=1500), st.dictionaries(keys, st.integers(), max_size=3))
def test_dead_letter_attributes_parse_back(message: str, event: dict[str, int]) -> None:
    attributes = wire.dead_letter_attributes("c6a7f4a2-0f7c-4d2e-9e0a-2f1f8e0b3d11", message)
    parsed = parse_failure_message(json.dumps(event), attributes)
    assert isinstance(parsed, DeadLetterMessage)
    assert parsed.request_id == "c6a7f4a2-0f7c-4d2e-9e0a-2f1f8e0b3d11"
    assert parsed.error_message == (message[:1024] or "Unhandled")
    assert parsed.event == event


@given(st.lists(keys, min_size=1, max_size=10, unique=True), st.data())
def test_partial_batch_response_reads_back_as_the_failed_indexes(
    identifiers: list[str], data: st.DataObject
) -> None:
    failed = data.draw(st.lists(st.sampled_from(identifiers), unique=True))
    payload = json.dumps(wire.partial_batch_response(failed)).encode()
    assert wire.failed_items(payload, identifiers) == [identifiers.index(i) for i in failed]
    unknown = json.dumps(wire.partial_batch_response([*failed, "not-in-batch"])).encode()
    assert wire.failed_items(unknown, identifiers) is None


@settings(max_examples=50)
@given(
    st.lists(
        st.tuples(st.integers(min_value=1_600_000_000_000, max_value=2_000_000_000_000), st.text()),
        max_size=5,
    )
)
def test_awslogs_event_decodes_back_and_validates(lines: list[tuple[int, str]]) -> None:
    events: list[wire.LogEventEntry] = [
        {"id": wire.awslogs_event_id(ms, serial), "timestamp": ms, "message": text}
        for serial, (ms, text) in enumerate(lines)
    ]
    document = wire.awslogs_document(
        owner="123456789012",
        log_group="/aws/lambda/billing",
        log_stream="2025/12/01/[$LATEST]0123456789abcdef0123456789abcdef",
        subscription_filters=["quirks-errors"],
        events=events,
    )
    event = wire.awslogs_event(document)
    CloudWatchLogsModel.model_validate(event)
    batch = decode_event(event)
    assert (batch.owner, batch.log_group, batch.message_type) == (
        "123456789012",
        "/aws/lambda/billing",
        "DATA_MESSAGE",
    )
    assert [(e.id, e.timestamp, e.message) for e in batch.events] == [
        (e["id"], e["timestamp"], e["message"]) for e in events
    ]
    assert all(len(e["id"]) == 56 for e in events)
