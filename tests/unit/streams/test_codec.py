"""Lossless conversion between the Lambda, get_records and archive forms of a stream record."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore import parsers
from hypothesis import given
from hypothesis import strategies as st

from quirks.errors import RecordFormatError
from quirks.streams import (
    lambda_event,
    lambda_event_from_get_records,
    record_from_get_records,
    record_from_lambda,
    record_to_get_records,
    record_to_lambda,
    records_from_lambda_event,
)
from tests.support.events import load_event
from tests.support.strategies import lambda_records

_MODEL = botocore.session.get_session().get_service_model("dynamodbstreams")
_GET_RECORDS = _MODEL.operation_model("GetRecords")


def boto3_get_records(wire_records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What boto3 returns for a GetRecords HTTP response with these records.

    botocore's own parser is the oracle: it turns the API's JSON (epoch numbers, base64 blobs) into
    datetimes and bytes exactly as a real ``get_records`` call would.
    """
    body = json.dumps({"Records": wire_records}).encode()
    parser = parsers.create_parser(_MODEL.metadata["protocol"])
    parsed = parser.parse(
        {"body": body, "headers": {}, "status_code": 200}, _GET_RECORDS.output_shape
    )
    return parsed["Records"]  # type: ignore[no-any-return]


def api_wire_form(lambda_record: dict[str, Any]) -> dict[str, Any]:
    """The GetRecords API JSON of a record Lambda delivered (no ARN; capitalized userIdentity)."""
    wire = {k: v for k, v in lambda_record.items() if k != "eventSourceARN"}
    if "userIdentity" in wire:
        identity = wire["userIdentity"]
        wire["userIdentity"] = {"PrincipalId": identity["principalId"], "Type": identity["type"]}
    return wire


@given(lambda_records())
def test_lambda_form_round_trips_exactly(record: dict[str, Any]) -> None:
    original = copy.deepcopy(record)
    assert record_to_lambda(record_from_lambda(record)) == original
    # Field order is part of "byte-compatible with what Lambda delivers".
    assert json.dumps(record_to_lambda(record_from_lambda(record))) == json.dumps(original)
    assert record == original, "parsing must not mutate its input"


@given(lambda_records())
def test_get_records_form_becomes_what_lambda_delivers(record: dict[str, Any]) -> None:
    (from_boto3,) = boto3_get_records([api_wire_form(record)])
    converted = record_to_lambda(record_from_get_records(from_boto3, record["eventSourceARN"]))
    assert converted == record


@given(lambda_records())
def test_lambda_form_becomes_what_get_records_returns(record: dict[str, Any]) -> None:
    (from_boto3,) = boto3_get_records([api_wire_form(record)])
    assert record_to_get_records(record_from_lambda(record)) == from_boto3


@given(st.lists(lambda_records(), max_size=5))
def test_lambda_event_from_get_records(records: list[dict[str, Any]]) -> None:
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"
    for record in records:
        record["eventSourceARN"] = arn
    event = lambda_event_from_get_records(
        boto3_get_records([api_wire_form(r) for r in records]), arn
    )
    assert event == {"Records": records}


def test_documented_event_round_trips() -> None:
    event = load_event("dynamodb-stream-event.json")
    records = records_from_lambda_event(event)
    assert [r.event_name for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[2].is_ttl_delete
    assert not records[0].is_ttl_delete
    assert records[0].keys == {"Id": {"N": "101"}}
    assert records[0].table_name == "ExampleTableWithStream"
    assert records[0].created_at == datetime(2015, 4, 9, tzinfo=UTC)
    assert lambda_event(records) == event


def test_binaries_are_bytes_in_boto3_form_and_base64_in_lambda_form() -> None:
    record = load_event("dynamodb-stream-event.json")["Records"][0]
    record["dynamodb"]["NewImage"]["blob"] = {"B": "AP8="}
    record["dynamodb"]["NewImage"]["blobs"] = {"BS": ["AA==", "/w=="]}
    model = record_from_lambda(record)
    assert model.new_image is not None
    assert model.new_image["blob"] == {"B": b"\x00\xff"}
    assert model.new_image["blobs"] == {"BS": [b"\x00", b"\xff"]}
    assert record_to_get_records(model)["dynamodb"]["NewImage"]["blob"] == {"B": b"\x00\xff"}


def test_thirty_eight_digit_numbers_stay_exact() -> None:
    record = load_event("dynamodb-stream-event.json")["Records"][0]
    big = "12345678901234567890123456789012345678"
    record["dynamodb"]["NewImage"]["n"] = {"N": big}
    assert record_to_lambda(record_from_lambda(record))["dynamodb"]["NewImage"]["n"] == {"N": big}


def test_get_records_record_needs_a_stream_arn_for_the_lambda_form() -> None:
    record = api_wire_form(load_event("dynamodb-stream-event.json")["Records"][0])
    (from_boto3,) = boto3_get_records([record])
    model = record_from_get_records(from_boto3)
    with pytest.raises(RecordFormatError, match="eventSourceARN"):
        record_to_lambda(model)
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/x"
    assert record_to_lambda(model.with_source(arn))["eventSourceARN"] == arn


def test_region_is_taken_from_the_arn_when_the_record_has_none() -> None:
    record = api_wire_form(load_event("dynamodb-stream-event.json")["Records"][0])
    del record["awsRegion"]
    (from_boto3,) = boto3_get_records([record])
    arn = "arn:aws:dynamodb:eu-central-1:123456789012:table/T/stream/x"
    assert record_from_get_records(from_boto3, arn).aws_region == "eu-central-1"


def test_unknown_fields_survive_a_round_trip() -> None:
    record = load_event("dynamodb-stream-event.json")["Records"][0]
    record["futureField"] = {"a": 1}
    record["dynamodb"]["FutureInner"] = "x"
    assert record_to_lambda(record_from_lambda(record)) == record


def test_naive_datetime_from_get_records_is_taken_as_utc() -> None:
    record = api_wire_form(load_event("dynamodb-stream-event.json")["Records"][0])
    (from_boto3,) = boto3_get_records([record])
    from_boto3["dynamodb"]["ApproximateCreationDateTime"] = datetime(2015, 4, 9)
    model = record_from_get_records(from_boto3, "arn:aws:dynamodb:us-east-1:1:table/T/stream/x")
    assert model.approximate_creation_date_time == 1428537600


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.pop("eventID"), "eventID"),
        (lambda r: r.pop("dynamodb"), "dynamodb"),
        (lambda r: r["dynamodb"].pop("Keys"), "dynamodb.Keys"),
        (lambda r: r["dynamodb"].pop("SequenceNumber"), "dynamodb.SequenceNumber"),
        (lambda r: r["dynamodb"].update(SequenceNumber="12x"), "dynamodb.SequenceNumber"),
        (lambda r: r["dynamodb"].update(SizeBytes="26"), "dynamodb.SizeBytes"),
        (lambda r: r["dynamodb"].update(StreamViewType="ALL"), "dynamodb.StreamViewType"),
        (lambda r: r.update(eventName="UPSERT"), "eventName"),
        (lambda r: r.pop("eventSourceARN"), "eventSourceARN"),
        (
            lambda r: r["dynamodb"].update(ApproximateCreationDateTime="yesterday"),
            "dynamodb.ApproximateCreationDateTime",
        ),
        (lambda r: r["dynamodb"]["Keys"].update(Id={"N": 101}), "dynamodb.Keys.Id.N"),
        (lambda r: r["dynamodb"]["Keys"].update(Id={"X": "1"}), "dynamodb.Keys.Id"),
        (lambda r: r["dynamodb"]["Keys"].update(Id={"S": "a", "N": "1"}), "dynamodb.Keys.Id"),
        (lambda r: r["dynamodb"]["NewImage"].update(b={"B": "not base64!"}), "NewImage.b.B"),
        (lambda r: r["dynamodb"]["NewImage"].update(m={"M": [1]}), "NewImage.m.M"),
        (lambda r: r["dynamodb"]["NewImage"].update(l={"L": {"a": 1}}), "NewImage.l.L"),
        (lambda r: r["dynamodb"]["NewImage"].update(n={"NULL": False}), "NewImage.n.NULL"),
        (lambda r: r["dynamodb"]["NewImage"].update(t={"BOOL": "true"}), "NewImage.t.BOOL"),
        (lambda r: r["dynamodb"]["NewImage"].update(s={"SS": ["a", 1]}), "NewImage.s.SS"),
        (lambda r: r.update(userIdentity={"type": "Service"}), "userIdentity.principalId"),
    ],
)
def test_malformed_records_name_the_field(mutate: Any, field: str) -> None:
    record = load_event("dynamodb-stream-event.json")["Records"][0]
    mutate(record)
    with pytest.raises(RecordFormatError) as info:
        record_from_lambda(record)
    assert field in info.value.field


@given(lambda_records(), st.data())
def test_dropping_any_field_is_either_fine_or_a_typed_error(
    record: dict[str, Any], data: st.DataObject
) -> None:
    section = data.draw(st.sampled_from([record, record["dynamodb"]]))
    section.pop(data.draw(st.sampled_from(sorted(section))))
    with contextlib.suppress(RecordFormatError):
        record_from_lambda(record)


def test_events_without_records_list_are_rejected() -> None:
    with pytest.raises(RecordFormatError, match="Records"):
        records_from_lambda_event({})
    with pytest.raises(RecordFormatError, match="Records"):
        records_from_lambda_event({"Records": {}})
    with pytest.raises(RecordFormatError, match=r"Records\[0\]"):
        records_from_lambda_event({"Records": [None]})


@pytest.mark.parametrize(
    ("path", "value", "field", "text"),
    [
        (("dynamodb", "SizeBytes"), True, "dynamodb.SizeBytes", "expected an integer, got bool"),
        (("eventName",), None, "eventName", "expected a string, got null"),
        (("dynamodb",), [], "dynamodb", "expected an object, got list"),
        (("dynamodb", "Keys"), "pk", "dynamodb.Keys", "expected an object, got str"),
    ],
)
def test_record_field_problems_name_the_field(
    path: tuple[str, ...], value: Any, field: str, text: str
) -> None:
    record = copy.deepcopy(load_event("dynamodb-stream-event.json")["Records"][0])
    target = record
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    with pytest.raises(RecordFormatError) as info:
        record_from_lambda(record)
    assert (info.value.field, info.value.problem) == (field, text)
