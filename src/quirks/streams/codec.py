"""Lossless conversions between the forms a DynamoDB stream record takes.

=================  ==========================  ==================  =================
form               ApproximateCreationDateTime  binaries (B, BS)    stream ARN
=================  ==========================  ==================  =================
Lambda event       epoch seconds (a number)     base64 strings      ``eventSourceARN``
boto3 get_records  ``datetime``                 ``bytes``           absent
archive line       as the Lambda event          as the Lambda event as the Lambda event
=================  ==========================  ==================  =================

``userIdentity`` is ``{"type", "principalId"}`` in a Lambda event and ``{"Type", "PrincipalId"}`` in
``get_records`` output. Every parser here raises :class:`~quirks.errors.RecordFormatError` naming the
offending field, never ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from quirks.errors import RecordFormatError
from quirks.fields import Fields
from quirks.streams import wire
from quirks.streams.attributes import Item, item_copy, item_from_lambda, item_to_lambda
from quirks.streams.model import (
    EVENT_NAMES,
    STREAM_VIEW_TYPES,
    EventName,
    StreamRecord,
    StreamViewType,
    UserIdentity,
)
from quirks.streams.sequence import parse_sequence_number

__all__ = [
    "lambda_event",
    "lambda_event_from_get_records",
    "record_from_get_records",
    "record_from_lambda",
    "record_to_get_records",
    "record_to_lambda",
    "records_from_lambda_event",
]

_TOP_KEYS = frozenset(
    {
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
        "userIdentity",
    }
)
_FIELDS = Fields(RecordFormatError)
_DYNAMODB_KEYS = frozenset(
    {
        "ApproximateCreationDateTime",
        "Keys",
        "NewImage",
        "OldImage",
        "SequenceNumber",
        "SizeBytes",
        "StreamViewType",
    }
)


def _epoch_from_datetime(moment: object, path: str) -> int | float:
    if not isinstance(moment, datetime):
        raise RecordFormatError(path, f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    return int(seconds) if moment.microsecond == 0 else seconds


def _epoch_number(value: object, path: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordFormatError(path, f"expected epoch seconds, got {type(value).__name__}")
    return value


def _record(
    data: object,
    path: str,
    *,
    lambda_form: bool,
    stream_arn: str | None = None,
    region: str | None = None,
) -> StreamRecord:
    fields = _FIELDS
    top = fields.mapping(data, path or "record")
    prefix = f"{path}." if path else ""
    ddb: Mapping[str, Any] = fields.require(top, "dynamodb", prefix, Mapping)
    dprefix = f"{prefix}dynamodb."
    convert = item_from_lambda if lambda_form else item_copy
    # Lambda events always name the region and the stream; get_records output has neither.
    outside = fields.require if lambda_form else fields.optional

    event_name = fields.require(top, "eventName", prefix, str)
    if event_name not in EVENT_NAMES:
        raise RecordFormatError(f"{prefix}eventName", f"unknown event name {event_name!r}")
    view_type = fields.require(ddb, "StreamViewType", dprefix, str)
    if view_type not in STREAM_VIEW_TYPES:
        raise RecordFormatError(f"{dprefix}StreamViewType", f"unknown view type {view_type!r}")
    sequence_number = fields.require(ddb, "SequenceNumber", dprefix, str)
    parse_sequence_number(sequence_number, f"{dprefix}SequenceNumber")
    size = fields.require(ddb, "SizeBytes", dprefix, int)

    created: int | float | None = None
    if ddb.get("ApproximateCreationDateTime") is not None:
        raw = ddb["ApproximateCreationDateTime"]
        created_path = f"{dprefix}ApproximateCreationDateTime"
        created = (
            _epoch_number(raw, created_path)
            if lambda_form
            else _epoch_from_datetime(raw, created_path)
        )

    images: dict[str, Item | None] = {}
    for name in ("NewImage", "OldImage"):
        images[name] = convert(ddb[name], f"{dprefix}{name}") if ddb.get(name) is not None else None

    identity = None
    if top.get("userIdentity") is not None:
        raw_identity = fields.mapping(top["userIdentity"], f"{prefix}userIdentity")
        type_key, principal_key = (
            ("type", "principalId") if lambda_form else ("Type", "PrincipalId")
        )
        identity = UserIdentity(
            type=fields.require(raw_identity, type_key, f"{prefix}userIdentity.", str),
            principal_id=fields.require(raw_identity, principal_key, f"{prefix}userIdentity.", str),
        )

    record = StreamRecord(
        event_id=fields.require(top, "eventID", prefix, str),
        event_name=cast("EventName", event_name),
        sequence_number=sequence_number,
        keys=convert(fields.require(ddb, "Keys", dprefix, Mapping), f"{dprefix}Keys"),
        size_bytes=size,
        stream_view_type=cast("StreamViewType", view_type),
        approximate_creation_date_time=created,
        new_image=images["NewImage"],
        old_image=images["OldImage"],
        event_version=fields.require(top, "eventVersion", prefix, str),
        event_source=fields.require(top, "eventSource", prefix, str),
        aws_region=outside(top, "awsRegion", prefix, str),
        event_source_arn=outside(top, "eventSourceARN", prefix, str),
        user_identity=identity,
        extra={k: v for k, v in top.items() if k not in _TOP_KEYS},
        extra_dynamodb={k: v for k, v in ddb.items() if k not in _DYNAMODB_KEYS},
    )
    if stream_arn is not None:
        record = record.with_source(stream_arn, region)
    return record


def record_from_lambda(data: object, path: str = "") -> StreamRecord:
    """Parse one record of a Lambda DynamoDB stream event (or one archive line, decoded)."""
    return _record(data, path, lambda_form=True)


def record_from_get_records(
    data: object, stream_arn: str | None = None, region: str | None = None, path: str = ""
) -> StreamRecord:
    """Parse one record of boto3 ``get_records`` output.

    Pass the ``stream_arn`` the records were read from so that the record can become a Lambda event
    record; ``region`` is only used when the record itself has no ``awsRegion``.
    """
    return _record(data, path, lambda_form=False, stream_arn=stream_arn, region=region)


def _dynamodb_section(record: StreamRecord, item: Any, created: Any) -> dict[str, Any]:
    section: dict[str, Any] = {}
    if created is not None:
        section["ApproximateCreationDateTime"] = created
    section["Keys"] = item(record.keys)
    if record.new_image is not None:
        section["NewImage"] = item(record.new_image)
    if record.old_image is not None:
        section["OldImage"] = item(record.old_image)
    section["SequenceNumber"] = record.sequence_number
    section["SizeBytes"] = record.size_bytes
    section["StreamViewType"] = record.stream_view_type
    section.update(record.extra_dynamodb)
    return section


def record_to_lambda(record: StreamRecord) -> dict[str, Any]:
    """The record exactly as Lambda delivers it in ``event["Records"]`` (field order included)."""
    if record.event_source_arn is None or record.aws_region is None:
        raise RecordFormatError(
            "eventSourceARN",
            "is unknown: attach the stream ARN with record.with_source(stream_arn) first",
        )
    out: dict[str, Any] = {
        "eventID": record.event_id,
        "eventName": record.event_name,
        "eventVersion": record.event_version,
        "eventSource": record.event_source,
        "awsRegion": record.aws_region,
        "dynamodb": _dynamodb_section(
            record, item_to_lambda, record.approximate_creation_date_time
        ),
    }
    if record.user_identity is not None:
        out["userIdentity"] = {
            "type": record.user_identity.type,
            "principalId": record.user_identity.principal_id,
        }
    out["eventSourceARN"] = record.event_source_arn
    out.update(record.extra)
    return out


def record_to_get_records(record: StreamRecord) -> dict[str, Any]:
    """The record as boto3's ``get_records`` returns it (datetime, bytes, no stream ARN)."""
    out: dict[str, Any] = {
        "eventID": record.event_id,
        "eventName": record.event_name,
        "eventVersion": record.event_version,
        "eventSource": record.event_source,
    }
    if record.aws_region is not None:
        out["awsRegion"] = record.aws_region
    out["dynamodb"] = _dynamodb_section(record, item_copy, record.created_at)
    if record.user_identity is not None:
        out["userIdentity"] = {
            "PrincipalId": record.user_identity.principal_id,
            "Type": record.user_identity.type,
        }
    out.update(record.extra)
    return out


def lambda_event(records: Iterable[StreamRecord]) -> wire.StreamEvent:
    """A DynamoDB stream event ``{"Records": [...]}`` as Lambda would invoke a function with."""
    return wire.stream_event([record_to_lambda(record) for record in records])


def lambda_event_from_get_records(
    records: Iterable[Mapping[str, Any]], stream_arn: str, region: str | None = None
) -> wire.StreamEvent:
    """Turn the ``Records`` of a ``get_records`` response into the event Lambda would deliver."""
    return lambda_event(
        record_from_get_records(raw, stream_arn, region, path=f"Records[{i}]")
        for i, raw in enumerate(records)
    )


def records_from_lambda_event(event: object) -> list[StreamRecord]:
    """Parse every record of a Lambda DynamoDB stream event."""
    records = _FIELDS.require(_FIELDS.mapping(event, "event"), "Records", "", list)
    return [record_from_lambda(raw, f"Records[{i}]") for i, raw in enumerate(records)]
