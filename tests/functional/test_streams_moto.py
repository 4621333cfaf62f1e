"""Records read from a real (moto) stream become the events Lambda delivers."""

from __future__ import annotations

import base64
import io
from decimal import Decimal

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.parser.models.dynamodb import (
    DynamoDBStreamModel,
    DynamoDBStreamRecordModel,
)

from quirks import aws
from quirks.streams import (
    encode_archive,
    iter_archive,
    lambda_event_from_get_records,
    record_from_lambda,
    record_to_get_records,
)
from tests.support.dynamo import create_stream_table

ITEM = {
    "pk": {"S": "order#1"},
    "s": {"S": "naïve ☃ \u2028"},
    "empty": {"S": ""},
    "n": {"N": "12345678901234567890123456789012345678"},
    "b": {"B": b"\x00\xffbinary"},
    "empty_b": {"B": b""},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "-2.5"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "m": {"M": {"inner": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}]}}},
    "l": {"L": [{"M": {"deep": {"N": "0.000001"}}}]},
    "null": {"NULL": True},
    "bool": {"BOOL": True},
}


def test_moto_records_validate_as_lambda_events(aws_env: aws.ClientFactory) -> None:
    table = create_stream_table("orders")
    table.put(ITEM)
    table.put({**ITEM, "n": {"N": "2"}})
    table.delete({"pk": {"S": "order#1"}})
    raw = table.read_all()
    assert len(raw) == 3

    event = lambda_event_from_get_records(raw, table.stream_arn)

    DynamoDBStreamModel.model_validate(event)
    for record in event["Records"]:
        DynamoDBStreamRecordModel.model_validate(record)
        assert record["eventSourceARN"] == table.stream_arn
        assert record["awsRegion"] == "us-east-1"
        assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int | float)
    assert [r["eventName"] for r in event["Records"]] == ["INSERT", "MODIFY", "REMOVE"]
    assert event["Records"][0]["dynamodb"]["NewImage"]["b"] == {"B": "AP9iaW5hcnk="}

    # Powertools' own deserializer sees exactly the item that was written.
    parsed = DynamoDBStreamEvent(event)
    first = next(iter(parsed.records))
    assert first.dynamodb is not None
    image = first.dynamodb.new_image
    assert image["n"] == Decimal("12345678901234567890123456789012345678")
    # Powertools leaves binaries base64-encoded, as Lambda delivers them.
    assert base64.b64decode(image["b"]) == b"\x00\xffbinary"
    assert {base64.b64decode(v) for v in image["bs"]} == {b"\x01", b"\x02"}
    assert image["s"] == "naïve ☃ \u2028"
    assert image["m"] == {"inner": ["x", None, False]}


def test_moto_records_round_trip_through_the_archive(aws_env: aws.ClientFactory) -> None:
    table = create_stream_table("archive", view_type="NEW_IMAGE")
    table.put_all({**ITEM, "pk": {"S": f"k{i}"}} for i in range(20))
    raw = table.read_all()
    event = lambda_event_from_get_records(raw, table.stream_arn)
    restored = list(iter_archive(io.BytesIO(encode_archive(event["Records"]))))
    assert restored == event["Records"]
    # ... and back to exactly what get_records returned.
    assert [record_to_get_records(record_from_lambda(r)) for r in restored] == raw


def test_streams_client_works_against_the_emulator(aws_env: aws.ClientFactory) -> None:
    table = create_stream_table("routing")
    streams = aws.client("dynamodbstreams").list_streams()["Streams"]
    assert [s["StreamArn"] for s in streams] == [table.stream_arn]
