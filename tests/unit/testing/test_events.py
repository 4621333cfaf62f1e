"""quirks.testing's events are what AWS sends: each validates with the Powertools parser model
for its format, reads back through Powertools' data class, and parses with the toolkit's own parser."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import (
    CloudWatchLogsEvent,
    DynamoDBStreamEvent,
)
from aws_lambda_powertools.utilities.parser.models import (
    CloudWatchLogsModel,
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
    SnsNotificationModel,
)
from hypothesis import given
from hypothesis import strategies as st

from quirks import testing
from quirks.alerts.decode import decode_event
from quirks.streams import (
    AsyncInvocationFailure,
    StreamBatchFailure,
    parse_failure_message,
    records_from_lambda_event,
)
from tests.support.events import load_event

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
scalars = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.none(),
    st.binary(min_size=1, max_size=16),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=8,
)
items = st.dictionaries(names.filter(lambda n: n != "pk"), values, max_size=5).flatmap(
    lambda rest: st.text(min_size=1, max_size=12).map(lambda pk: {"pk": pk, **rest})
)


def plain(value: Any) -> Any:
    """Powertools' deserialised value in the test's own terms: numbers are Decimals there, and
    binaries stay the base64 text the Lambda event carries them as."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@given(st.lists(st.tuples(items, st.sampled_from(["insert", "modify", "remove"])), min_size=1))
def test_stream_events_from_plain_items_validate_and_read_back(
    changes: list[tuple[dict[str, Any], str]],
) -> None:
    records = [
        testing.stream_record(
            None if kind == "remove" else item, item if kind != "insert" else None
        )
        for item, kind in changes
    ]
    event = testing.stream_event(records)
    DynamoDBStreamModel.model_validate(json.loads(json.dumps(event)))
    read = list(DynamoDBStreamEvent(json.loads(json.dumps(event))).records)
    expected = {"insert": "INSERT", "modify": "MODIFY", "remove": "REMOVE"}
    for record, (item, kind) in zip(read, changes, strict=True):
        assert record.event_name is not None
        assert record.event_name.name == expected[kind]
        assert record.dynamodb is not None
        assert plain(record.dynamodb.keys) == {"pk": item["pk"]}
        image = record.dynamodb.old_image if kind == "remove" else record.dynamodb.new_image
        assert plain(image) == plain(item)
    parsed = records_from_lambda_event(json.loads(json.dumps(event)))
    in_order = sorted({r.sequence for r in parsed})  # increasing and distinct, as in a shard
    assert [r.sequence for r in parsed] == in_order


def test_stream_record_types_numbers_sets_and_views_as_dynamodb_does() -> None:
    record = testing.stream_record(
        {"pk": "o-1", "total": 1.5, "tags": {"a", "b"}, "blob": b"\x00"},
        {"pk": "o-1", "total": 1},
        sequence_number=42,
        created=1_700_000_000,
    )
    assert record["eventName"] == "MODIFY"
    ddb = record["dynamodb"]
    assert ddb["NewImage"]["total"] == {"N": "1.5"}
    assert sorted(ddb["NewImage"]["tags"]["SS"]) == ["a", "b"]
    assert ddb["NewImage"]["blob"] == {"B": "AA=="}  # base64, as in a Lambda event
    assert (ddb["SequenceNumber"], ddb["ApproximateCreationDateTime"]) == ("42", 1_700_000_000)
    keys_only = testing.stream_record({"pk": "o-1"}, view_type="KEYS_ONLY")
    assert "NewImage" not in keys_only["dynamodb"]
    assert keys_only["dynamodb"]["Keys"] == {"pk": {"S": "o-1"}}
    expired = testing.stream_record(old_image={"pk": "o-1"}, ttl_delete=True)
    assert records_from_lambda_event({"Records": [expired]})[0].is_ttl_delete
    with pytest.raises(ValueError, match="no key attribute 'id'"):
        testing.stream_record({"pk": "o-1"}, keys=("id",))
    with pytest.raises(ValueError, match="needs new_image, old_image or both"):
        testing.stream_record()


def test_on_failure_pointer_in_its_sqs_sns_and_s3_forms_validates_and_parses() -> None:
    records = [testing.stream_record({"pk": f"o-{i}"}) for i in range(3)]
    pointer = testing.on_failure_pointer(records, attempts=2, now=1_764_574_560.5)
    DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(pointer)
    parsed = parse_failure_message(json.dumps(pointer))  # the SQS form: the pointer is the body
    assert isinstance(parsed, StreamBatchFailure)
    assert parsed.batch.batch_size == 3
    assert parsed.batch.stream_arn == testing.DEFAULT_STREAM_ARN
    assert parsed.batch.start_sequence_number == records[0]["dynamodb"]["SequenceNumber"]
    assert parsed.batch.end_sequence_number == records[-1]["dynamodb"]["SequenceNumber"]
    assert parsed.request_context.approximate_invoke_count == 2

    envelope = testing.sns_notification(pointer, attributes={"source": "esm"})
    SnsNotificationModel.model_validate(envelope)
    via_sns = parse_failure_message(json.dumps(envelope))
    assert isinstance(via_sns, StreamBatchFailure)
    assert via_sns.batch == parsed.batch

    s3_object = testing.s3_failure_object(pointer, records)
    DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(s3_object)
    via_s3 = parse_failure_message(json.dumps(s3_object))
    assert isinstance(via_s3, StreamBatchFailure)
    assert via_s3.records is not None
    assert [r.keys for r in via_s3.records] == [r["dynamodb"]["Keys"] for r in records]
    with pytest.raises(ValueError, match="at least one record"):
        testing.on_failure_pointer([])


def shape(value: Any) -> Any:
    """The keys and value types of a JSON document, to compare with AWS's own example."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    return type(value).__name__


def test_async_invocation_record_has_the_shape_of_the_documented_example() -> None:
    documented = load_event("async-on-failure.json")  # AWS's example, from its documentation
    record = testing.async_invocation_record(
        {"ORDER_IDS": ["o-1"]}, response_payload={"errorMessage": "boom"}
    )
    assert shape(json.loads(json.dumps(record))) == shape(documented)
    parsed = parse_failure_message(json.dumps(record))
    assert isinstance(parsed, AsyncInvocationFailure)
    assert parsed.request_context.function_arn == f"{testing.DEFAULT_FUNCTION_ARN}:$LATEST"
    assert parsed.request_payload == {"ORDER_IDS": ["o-1"]}
    assert parsed.response_payload == {"errorMessage": "boom"}
    timed_out = testing.async_invocation_record({"a": 1}, responded=False)
    assert "responsePayload" not in timed_out
    succeeded = testing.async_invocation_record({"a": 1}, condition="Success", response_payload=1)
    assert "functionError" not in succeeded["responseContext"]


def test_awslogs_event_validates_and_decodes_with_powertools_and_the_toolkit() -> None:
    event = testing.awslogs_event(
        [(1_764_574_560_000, "ERROR boom"), "INFO fine"], log_group="/aws/lambda/billing"
    )
    CloudWatchLogsModel.model_validate(event)
    data = CloudWatchLogsEvent(event).parse_logs_data()
    assert data.log_group == "/aws/lambda/billing"
    assert data.owner == "123456789012"
    assert data.subscription_filters == ["quirks-errors"]
    assert [e.message for e in data.log_events] == ["ERROR boom", "INFO fine"]
    assert data.log_events[0].timestamp == 1_764_574_560_000
    batch = decode_event(event)
    assert [e.message for e in batch.events] == ["ERROR boom", "INFO fine"]


def test_awslogs_event_keeps_given_ids_and_builds_a_control_message() -> None:
    event = testing.awslogs_event([(5, "a"), (6, "b")], ids=["7", "42"])
    CloudWatchLogsModel.model_validate(event)
    assert [(e.id, e.timestamp, e.message) for e in decode_event(event).events] == [
        ("7", 5, "a"),
        ("42", 6, "b"),
    ]
    default = decode_event(testing.awslogs_event([(5, "a"), (5, "b")])).events
    assert [len(e.id) for e in default] == [56, 56]
    assert default[0].id < default[1].id  # ordered as CloudWatch orders them
    with pytest.raises(ValueError, match="1 ids for 2 messages"):
        testing.awslogs_event(["a", "b"], ids=["1"])
    control = testing.awslogs_event([], message_type="CONTROL_MESSAGE")
    CloudWatchLogsModel.model_validate(control)
    assert decode_event(control).is_control
    assert not decode_event(testing.awslogs_event([])).is_control


def test_importing_quirks_testing_pulls_in_neither_pytest_nor_the_local_cloud() -> None:
    script = (
        "import sys, quirks.testing; "
        "print(sorted(m for m in ('pytest', 'moto', 'quirks.local') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
