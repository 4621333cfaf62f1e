"""The failure-message parser: four documented shapes, DLQ messages, and typed errors for garbage."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models.dynamodb import (
    DynamoDBStreamLambdaOnFailureDestinationModel,
)
from hypothesis import given
from hypothesis import strategies as st

from quirks.errors import FailureMessageError
from quirks.streams import (
    AsyncInvocationFailure,
    DeadLetterMessage,
    SequenceRange,
    StreamBatchFailure,
    parse_failure_message,
    parse_sqs_message,
    records_from_lambda_event,
)
from quirks.streams.failures import split_messages
from quirks.testing import s3_failure_object, sns_notification
from tests.support.events import load_event

STREAM_FAILURES = "arn:aws:sns:us-east-2:123456789012:stream-failures"


def pointer() -> dict[str, Any]:
    return load_event("ddb-on-failure-sqs.json")  # type: ignore[no-any-return]


def s3_object() -> dict[str, Any]:
    body = pointer()
    event = load_event("dynamodb-stream-event.json")
    body["DDBStreamBatchInfo"]["batchSize"] = 3
    body["DDBStreamBatchInfo"]["startSequenceNumber"] = "4421584500000000017450439091"
    body["DDBStreamBatchInfo"]["endSequenceNumber"] = "4421584500000000017450439093"
    return dict(s3_failure_object(body, event["Records"]))


def test_our_pointer_fixture_is_what_powertools_expects() -> None:
    DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(pointer())


def test_sqs_pointer() -> None:
    result = parse_failure_message(json.dumps(pointer()))
    assert isinstance(result, StreamBatchFailure)
    assert result.kind == "stream-batch"
    assert not result.has_records
    assert result.sns is None
    batch = result.batch
    assert batch.source == "dynamodb"
    assert batch.shard_id == "shardId-00000001573689847184-864758bb"
    assert batch.range == SequenceRange(800000000003126276362, 800000000003126276362)
    assert batch.batch_size == 1
    assert batch.stream_arn.endswith("table/mytable/stream/2019-11-14T00:04:06.388")
    assert batch.first_arrival == datetime(2019, 11, 14, 0, 13, 19, tzinfo=UTC)
    assert batch.expires_at == datetime(2019, 11, 15, 0, 13, 19, tzinfo=UTC)
    assert result.request_context.condition == "RetryAttemptsExhausted"
    assert result.request_context.approximate_invoke_count == 1
    assert result.response_context.function_error == "Unhandled"
    assert result.timestamp == datetime(2019, 11, 14, 0, 13, 49, 717000, tzinfo=UTC)


def test_sns_envelope_and_raw_delivery_give_the_same_pointer() -> None:
    via_sns = parse_failure_message(
        json.dumps(sns_notification(pointer(), topic_arn=STREAM_FAILURES))
    )
    raw = parse_failure_message(json.dumps(pointer()))
    assert isinstance(via_sns, StreamBatchFailure)
    assert isinstance(raw, StreamBatchFailure)
    assert via_sns.batch == raw.batch
    assert via_sns.sns is not None
    assert via_sns.sns.topic_arn == STREAM_FAILURES


def test_s3_object_carries_the_records() -> None:
    result = parse_failure_message(json.dumps(s3_object()).encode())
    assert isinstance(result, StreamBatchFailure)
    assert result.has_records
    assert result.records is not None
    expected = records_from_lambda_event(load_event("dynamodb-stream-event.json"))
    assert list(result.records) == expected


def test_null_function_error_and_other_conditions_are_kept() -> None:
    body = pointer()
    body["responseContext"]["functionError"] = None
    body["requestContext"]["condition"] = "MaximumRecordAgeExceeded"
    result = parse_failure_message(body)
    assert isinstance(result, StreamBatchFailure)
    assert result.response_context.function_error is None
    assert result.request_context.condition == "MaximumRecordAgeExceeded"


def test_kinesis_pointer() -> None:
    body = pointer()
    info = body.pop("DDBStreamBatchInfo")
    info["streamArn"] = "arn:aws:kinesis:us-east-2:123456789012:stream/mystream"
    body["KinesisBatchInfo"] = info
    result = parse_failure_message(body)
    assert isinstance(result, StreamBatchFailure)
    assert result.batch.source == "kinesis"
    assert result.batch.expires_at is None


@pytest.mark.parametrize("wrap", [False, True])
def test_async_invocation_record(wrap: bool) -> None:
    body = load_event("async-on-failure.json")
    result = parse_failure_message(json.dumps(sns_notification(body) if wrap else body))
    assert isinstance(result, AsyncInvocationFailure)
    assert result.request_context.condition == "RetriesExhausted"
    assert not result.succeeded
    assert result.request_payload == body["requestPayload"]
    assert result.response_payload == body["responsePayload"]
    assert (result.sns is not None) is wrap


def test_async_success_record() -> None:
    body = load_event("async-on-failure.json")
    body["requestContext"]["condition"] = "Success"
    body["responsePayload"] = {"ok": True}
    result = parse_failure_message(body)
    assert isinstance(result, AsyncInvocationFailure)
    assert result.succeeded


def test_dead_letter_messages_from_sqs_in_both_shapes_and_from_sns() -> None:
    event = {"Records": [{"EventSource": "aws:sns"}]}
    boto3_message = {
        "MessageId": "m1",
        "ReceiptHandle": "r",
        "Body": json.dumps(event),
        "MessageAttributes": {
            "RequestID": {"StringValue": "req-1", "DataType": "String"},
            "ErrorCode": {"StringValue": "200", "DataType": "Number"},
            "ErrorMessage": {"StringValue": "boom", "DataType": "String"},
        },
    }
    lambda_record = {
        "messageId": "m1",
        "body": json.dumps(event),
        "messageAttributes": {
            "RequestID": {"stringValue": "req-1", "dataType": "String"},
            "ErrorCode": {"stringValue": "200", "dataType": "Number"},
            "ErrorMessage": {"stringValue": "boom", "dataType": "String"},
        },
        "eventSource": "aws:sqs",
    }
    via_sns = {
        "Body": json.dumps(
            sns_notification(
                event, attributes={"RequestID": "req-1", "ErrorCode": "200", "ErrorMessage": "boom"}
            )
        )
    }
    for message in (boto3_message, lambda_record, via_sns):
        result = parse_sqs_message(message)
        assert result == DeadLetterMessage(event, "req-1", "200", "boom")


def test_dead_letter_body_need_not_be_json() -> None:
    result = parse_failure_message("plain text", {"RequestID": {"StringValue": "r"}})
    assert isinstance(result, DeadLetterMessage)
    assert result.event == "plain text"


def test_sqs_message_helpers_use_the_body() -> None:
    result = parse_sqs_message({"Body": json.dumps(pointer())})
    assert isinstance(result, StreamBatchFailure)
    with pytest.raises(FailureMessageError, match="Body"):
        parse_sqs_message({"MessageId": "x"})
    with pytest.raises(FailureMessageError, match="Body"):
        parse_sqs_message({"Body": 5})


def _drop(path: str) -> Any:
    def mutate(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for part in parents:
            body = body[part]
        del body[last]

    return mutate


def _set(path: str, value: Any) -> Any:
    def mutate(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for part in parents:
            body = body[part]
        body[last] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (_drop("DDBStreamBatchInfo.shardId"), "DDBStreamBatchInfo.shardId"),
        (_drop("DDBStreamBatchInfo.streamArn"), "DDBStreamBatchInfo.streamArn"),
        (_drop("DDBStreamBatchInfo.startSequenceNumber"), "DDBStreamBatchInfo.startSequenceNumber"),
        (_drop("DDBStreamBatchInfo.batchSize"), "DDBStreamBatchInfo.batchSize"),
        (_set("DDBStreamBatchInfo.batchSize", "1"), "DDBStreamBatchInfo.batchSize"),
        (_set("DDBStreamBatchInfo.batchSize", True), "DDBStreamBatchInfo.batchSize"),
        (_set("DDBStreamBatchInfo.batchSize", -1), "DDBStreamBatchInfo.batchSize"),
        (
            _set("DDBStreamBatchInfo.endSequenceNumber", "12a"),
            "DDBStreamBatchInfo.endSequenceNumber",
        ),
        (_set("DDBStreamBatchInfo.endSequenceNumber", 5), "DDBStreamBatchInfo.endSequenceNumber"),
        (
            _set("DDBStreamBatchInfo.startSequenceNumber", "900000000003126276362"),
            "DDBStreamBatchInfo.startSequenceNumber",
        ),
        (
            _set("DDBStreamBatchInfo.approximateArrivalOfFirstRecord", "yesterday"),
            "DDBStreamBatchInfo.approximateArrivalOfFirstRecord",
        ),
        (_set("DDBStreamBatchInfo", []), "DDBStreamBatchInfo"),
        (_drop("requestContext"), "requestContext"),
        (
            _set("requestContext.approximateInvokeCount", "1"),
            "requestContext.approximateInvokeCount",
        ),
        (_set("responseContext.statusCode", "200"), "responseContext.statusCode"),
        (_set("timestamp", 17), "timestamp"),
        (_set("payload", "{not json"), "payload"),
        (_set("payload", "[]"), "payload"),
        (_set("payload", json.dumps({"Records": [{"eventID": "x"}]})), "payload.Records[0]"),
    ],
)
def test_broken_pointers_name_the_field(mutate: Any, field: str) -> None:
    body = pointer()
    mutate(body)
    with pytest.raises(FailureMessageError) as info:
        parse_failure_message(json.dumps(body))
    assert info.value.field.startswith(field), info.value.field


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("", "body"),
        ("{not json", "body"),
        (b"\xff\xfe", "body"),
        ("[]", "message"),
        ("42", "message"),
        ("null", "message"),
        ('{"hello": "world"}', "message"),
        ('{"Type": "Notification", "Message": "{not json"}', "Message"),
        ('{"Type": "Notification", "Message": 5}', "Message"),
        ('{"Type": "Notification", "Message": "{}"}', "message"),
    ],
)
def test_garbage_is_a_typed_error(message: str | bytes, field: str) -> None:
    with pytest.raises(FailureMessageError) as info:
        parse_failure_message(message)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "DDBStreamBatchInfo",
                    "requestContext",
                    "responseContext",
                    "payload",
                    "requestPayload",
                    "Type",
                    "Message",
                    "shardId",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=15,
)


@given(json_values)
def test_arbitrary_json_never_raises_anything_but_a_typed_error(value: Any) -> None:
    with contextlib.suppress(FailureMessageError):
        parse_failure_message(json.dumps(value))


@given(st.data())
def test_corrupting_any_field_of_a_real_pointer_gives_a_typed_error_or_a_result(
    data: st.DataObject,
) -> None:
    body = s3_object() if data.draw(st.booleans()) else pointer()
    target = data.draw(st.sampled_from([body, body["DDBStreamBatchInfo"], body["requestContext"]]))
    key = data.draw(st.sampled_from(sorted(target)))
    target[key] = data.draw(json_values)
    with contextlib.suppress(FailureMessageError):
        parse_failure_message(copy.deepcopy(body))


def test_split_messages_accepts_arrays_objects_and_json_lines() -> None:
    one = pointer()
    assert split_messages(json.dumps([one, one])) == [one, one]
    assert split_messages(json.dumps(one)) == [one]
    lines = f"{json.dumps(one)}\n\nnot json\n{json.dumps(one)}\n"
    assert split_messages(lines) == [one, "not json", one]
    assert split_messages("  \n") == []


def test_a_pointers_range_is_parsed_once_and_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from quirks.streams import sequence

    failure = parse_failure_message(load_event("ddb-on-failure-sqs.json"))
    assert isinstance(failure, StreamBatchFailure)
    assert "range" in {f.name for f in dataclasses.fields(failure.batch)}

    def no_parse(*args: Any) -> Any:
        raise AssertionError("the range was parsed again")

    monkeypatch.setattr(sequence.SequenceRange, "parse", no_parse)
    batch = failure.batch
    assert batch.range == sequence.SequenceRange(
        int(batch.start_sequence_number), int(batch.end_sequence_number)
    )


@pytest.mark.parametrize(
    ("mutate", "text"),
    [
        (_set("DDBStreamBatchInfo.batchSize", True), "expected an integer, got bool"),
        (_set("DDBStreamBatchInfo.shardId", 7), "expected a string, got int"),
        (_set("DDBStreamBatchInfo", []), "expected an object, got list"),
        (_drop("DDBStreamBatchInfo.streamArn"), "is missing"),
    ],
)
def test_field_problems_read_as_the_validation_kit_words_them(mutate: Any, text: str) -> None:
    body = pointer()
    mutate(body)
    with pytest.raises(FailureMessageError) as info:
        parse_failure_message(json.dumps(body))
    assert info.value.problem == text
