"""Events to test a consumer with, built from plain Python by the code the local cloud uses.

Each builder here is a thin layer of defaults over :mod:`quirks.streams.wire` and
:mod:`quirks.streams.codec`, the same code the local cloud delivers with, so a test event and a
delivered one cannot differ in shape:

* :func:`stream_record` / :func:`stream_event` — a DynamoDB stream event as Lambda invokes a
  consumer with it (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html), from plain items
  (``{"pk": "order-1", "total": 42}``), typed the way boto3's ``TypeSerializer`` types them;
* :func:`on_failure_pointer` — what a stream event source mapping sends its on-failure SQS queue
  or SNS topic (:func:`sns_notification` wraps it as an SQS subscription of the topic receives it),
  and :func:`s3_failure_object` for an S3 destination
  (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html);
* :func:`async_invocation_record` — the record an asynchronous invocation's destination receives
  (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html);
* :func:`awslogs_event` — a CloudWatch Logs subscription's Lambda event
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html).
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from boto3.dynamodb.types import Binary, TypeSerializer

from quirks.arns import lambda_function_arn
from quirks.limits import DEFAULT_ACCOUNT, FILTER_NAME
from quirks.streams import wire
from quirks.streams.codec import record_to_lambda
from quirks.streams.model import EventName, StreamRecord, StreamViewType, UserIdentity
from quirks.timestamps import iso_millis

if TYPE_CHECKING:
    from quirks.streams.attributes import Item

__all__ = [
    "DEFAULT_FUNCTION_ARN",
    "DEFAULT_SHARD_ID",
    "DEFAULT_STREAM_ARN",
    "async_invocation_record",
    "awslogs_event",
    "on_failure_pointer",
    "s3_failure_object",
    "sns_notification",
    "stream_event",
    "stream_record",
    "to_item",
]

DEFAULT_STREAM_ARN = (
    f"arn:aws:dynamodb:us-east-1:{DEFAULT_ACCOUNT}:table/orders/stream/2026-01-01T00:00:00.000"
)
"""The stream records come from unless a test names another (the table is ``orders``)."""

DEFAULT_FUNCTION_ARN = lambda_function_arn("us-east-1", DEFAULT_ACCOUNT, "consumer")
"""The function a pointer or an async record says failed, unless a test names another."""

DEFAULT_SHARD_ID = "shardId-00000001767225600000-00000001"

_serializer = TypeSerializer()
# Stream sequence numbers are increasing within a shard; records built without one get the next
# of this counter, so an event's records are in order (and never equal) as a real shard's are.
_sequences = itertools.count(4_421_584_500_000_000_017_450_439_091)


def _typable(value: Any) -> Any:
    """boto3's serializer refuses floats (they would lose digits); a test's ``1.5`` means "1.5"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {k: _typable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_typable(v) for v in value]
    if isinstance(value, set | frozenset):
        return {_typable(v) for v in value}
    return value


def _unwrapped(value: Any) -> Any:
    """The serializer's ``Binary`` wrappers as the plain bytes the codec expects."""
    if isinstance(value, Binary):
        return bytes(value.value)  # type: ignore[attr-defined]  # missing from the stubs
    if isinstance(value, dict):
        return {k: _unwrapped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrapped(v) for v in value]
    return value


def to_item(plain: Mapping[str, Any]) -> Item:
    """A plain item (``{"pk": "a", "n": 1}``) as typed attribute values (``{"pk": {"S": "a"}, ...}``).

    Types follow boto3's ``TypeSerializer`` (the one its resource API writes items with): ``str``
    is S, numbers are N, ``bytes`` B, sets SS/NS/BS, lists L, dicts M, ``None`` NULL. Floats are
    taken by their ``repr`` (``1.5`` is ``{"N": "1.5"}``).
    """
    return {name: _unwrapped(_serializer.serialize(_typable(v))) for name, v in plain.items()}


def _size(*items: Item | None) -> int:
    # AWS does not document how SizeBytes is counted; this is the size of the typed JSON, which is
    # the right order of magnitude and grows with the item, which is what consumers look at.
    return len(json.dumps([i for i in items if i is not None], default=str).encode())


def _event_name(new_image: object, old_image: object) -> EventName:
    if new_image is not None and old_image is not None:
        return "MODIFY"
    return "INSERT" if new_image is not None else "REMOVE"


def stream_record(
    new_image: Mapping[str, Any] | None = None,
    old_image: Mapping[str, Any] | None = None,
    *,
    keys: Sequence[str] = ("pk",),
    event_name: EventName | None = None,
    sequence_number: int | str | None = None,
    view_type: StreamViewType = "NEW_AND_OLD_IMAGES",
    stream_arn: str = DEFAULT_STREAM_ARN,
    created: float | None = None,
    event_id: str | None = None,
    ttl_delete: bool = False,
) -> dict[str, Any]:
    """One DynamoDB stream record in Lambda form (``event["Records"][i]``), from plain items.

    ``new_image`` alone is an INSERT, both a MODIFY, ``old_image`` alone a REMOVE (``event_name``
    overrides). ``keys`` names the key attributes, copied from the images into ``Keys``.
    ``view_type`` drops the images the stream would not carry (``KEYS_ONLY`` keeps only
    ``Keys``). Without ``sequence_number`` the record gets the next of an increasing counter.
    ``ttl_delete`` marks a REMOVE as made by DynamoDB's time to live.
    """
    if new_image is None and old_image is None:
        raise ValueError("stream_record needs new_image, old_image or both")
    new = to_item(new_image) if new_image is not None else None
    old = to_item(old_image) if old_image is not None else None
    source = new if new is not None else old
    assert source is not None
    missing = [k for k in keys if k not in source]
    if missing:
        raise ValueError(f"the image has no key attribute {missing[0]!r} (pass keys=...)")
    number = next(_sequences) if sequence_number is None else int(sequence_number)
    record = StreamRecord(
        event_id=event_id or uuid.uuid4().hex,
        event_name=event_name or _event_name(new_image, old_image),
        sequence_number=str(number),
        keys={k: source[k] for k in keys},
        size_bytes=_size(new, old),
        stream_view_type=view_type,
        approximate_creation_date_time=int(time.time()) if created is None else created,
        new_image=new if view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else None,
        old_image=old if view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else None,
        user_identity=UserIdentity("Service", "dynamodb.amazonaws.com") if ttl_delete else None,
    ).with_source(stream_arn)
    return record_to_lambda(record)


def stream_event(records: Iterable[Mapping[str, Any]]) -> wire.StreamEvent:
    """The event a stream event source mapping invokes a consumer with: ``{"Records": [...]}``."""
    return wire.stream_event([dict(r) for r in records])


def on_failure_pointer(
    records: Sequence[Mapping[str, Any]],
    *,
    condition: Literal["RetryAttemptsExhausted", "RecordAgeExceeded"] = "RetryAttemptsExhausted",
    attempts: int = 3,
    function_arn: str = DEFAULT_FUNCTION_ARN,
    shard_id: str = DEFAULT_SHARD_ID,
    request_id: str | None = None,
    function_error: str | None = "Unhandled",
    now: float | None = None,
    arrivals: tuple[float, float] | None = None,
) -> wire.StreamPointer:
    """The message a stream mapping sends its SQS or SNS on-failure destination for ``records``
    (Lambda-form records of one shard, in order): where the batch is, not the records.

    The stream ARN is the records' ``eventSourceARN``. ``arrivals`` (epoch seconds of the first and
    last record) overrides the records' creation times.
    """
    if not records:
        raise ValueError("a pointer describes a batch of at least one record")
    batch = [dict(r) for r in records]
    return wire.stream_pointer(
        records=batch,
        shard_id=shard_id,
        stream_arn=str(batch[0]["eventSourceARN"]),
        function_arn=function_arn,
        condition=condition,
        attempts=attempts,
        request_id=request_id,
        function_error=function_error,
        now=time.time() if now is None else now,
        arrivals=arrivals,
    )


def s3_failure_object(
    pointer: wire.StreamPointer, records: Sequence[Mapping[str, Any]]
) -> wire.StreamPointer:
    """The object an S3 on-failure destination receives: the pointer plus the invocation event."""
    return wire.s3_failure_object(pointer, [dict(r) for r in records])


def sns_notification(
    message: Mapping[str, Any] | str,
    *,
    topic_arn: str = f"arn:aws:sns:us-east-1:{DEFAULT_ACCOUNT}:on-failure",
    message_id: str | None = None,
    timestamp: float | None = None,
    attributes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The body an SQS queue subscribed to an SNS topic receives for ``message`` (raw delivery off):
    https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html."""
    envelope: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message_id or str(uuid.uuid4()),
        "TopicArn": topic_arn,
        "Message": message if isinstance(message, str) else json.dumps(message),
        "Timestamp": iso_millis(time.time() if timestamp is None else timestamp),
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    if attributes:
        envelope["MessageAttributes"] = {
            name: {"Type": "String", "Value": value} for name, value in attributes.items()
        }
    return envelope


def async_invocation_record(
    request_payload: Any,
    *,
    condition: Literal["Success", "RetriesExhausted", "EventAgeExceeded"] = "RetriesExhausted",
    attempts: int = 3,
    function_arn: str = DEFAULT_FUNCTION_ARN,
    function_error: str | None = "Unhandled",
    response_payload: Any = None,
    responded: bool = True,
    request_id: str | None = None,
    now: float | None = None,
) -> wire.AsyncInvocationRecord:
    """The record an asynchronous invocation's OnFailure (or OnSuccess) destination receives.

    ``responded=False`` leaves out ``responsePayload``, as for an invocation that timed out or
    whose event expired before it ran.
    """
    return wire.async_record(
        function_arn=function_arn,
        request_id=request_id or str(uuid.uuid4()),
        condition=condition,
        attempts=attempts,
        request_payload=request_payload,
        function_error=None if condition == "Success" else function_error,
        response_payload=response_payload,
        responded=responded,
        now=time.time() if now is None else now,
    )


def awslogs_event(
    messages: Iterable[str | tuple[int, str]],
    *,
    log_group: str = "/aws/lambda/consumer",
    log_stream: str = "2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
    owner: str = DEFAULT_ACCOUNT,
    subscription_filters: Sequence[str] = (FILTER_NAME,),
    message_type: Literal["DATA_MESSAGE", "CONTROL_MESSAGE"] = "DATA_MESSAGE",
    ids: Sequence[str] | None = None,
) -> dict[str, dict[str, str]]:
    """The event a CloudWatch Logs subscription invokes a function with: ``{"awslogs": {"data": ...}}``.

    Each message is a string (logged now) or ``(epoch milliseconds, string)``. Each event gets the
    56-digit id CloudWatch Logs writes, from its timestamp and position, unless ``ids`` gives the
    events' ids in order (one per message: for a test that checks ids come through as sent).
    ``message_type="CONTROL_MESSAGE"`` builds the reachability probe CloudWatch Logs sends when a
    subscription is created.
    """
    now_ms = int(time.time() * 1000)
    events: list[wire.LogEventEntry] = []
    for serial, message in enumerate(messages):
        stamp, text = (now_ms, message) if isinstance(message, str) else message
        events.append(
            {"id": wire.awslogs_event_id(stamp, serial), "timestamp": stamp, "message": text}
        )
    if ids is not None:
        if len(ids) != len(events):
            raise ValueError(f"{len(ids)} ids for {len(events)} messages: give one id per message")
        for event, given in zip(events, ids, strict=True):
            event["id"] = given
    document = wire.awslogs_document(
        owner=owner,
        log_group=log_group,
        log_stream=log_stream,
        subscription_filters=list(subscription_filters),
        events=events,
        message_type=message_type,
    )
    return wire.awslogs_event(document)
