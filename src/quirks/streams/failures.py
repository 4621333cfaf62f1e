"""Parse whatever an on-failure destination or dead-letter queue hands you.

:func:`parse_failure_message` recognizes four shapes (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html) and returns a typed result:

* a **stream batch pointer** (:class:`StreamBatchFailure`): the JSON Lambda sends to an SQS or SNS
  on-failure destination of a DynamoDB or Kinesis event source mapping, with ``DDBStreamBatchInfo``
  (or ``KinesisBatchInfo``): only a shard and a sequence range, not the records;
* the same JSON wrapped in an **SNS notification envelope** (``Type: "Notification"``; with raw
  message delivery there is no envelope and it is the first shape);
* an **S3 on-failure object**: the pointer plus ``payload``, the whole invocation event as an escaped
  JSON string, parsed into :attr:`StreamBatchFailure.records`;
* a **Lambda asynchronous invocation record** (:class:`AsyncInvocationFailure`) from a function's
  OnFailure/OnSuccess destination, with ``requestPayload``.

Given the message attributes as well, an async function's **DLQ message** (body = original event,
attributes ``RequestID``/``ErrorCode``/``ErrorMessage``) becomes a :class:`DeadLetterMessage`.
Anything else raises :class:`~quirks.errors.FailureMessageError` naming the missing or wrong field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from quirks import jsonsafe
from quirks.errors import FailureMessageError, FormatError, RecordFormatError
from quirks.fields import Fields
from quirks.streams.codec import records_from_lambda_event
from quirks.streams.failure_types import (
    STREAM_RETENTION,
    UNKNOWN_SHARD,
    AsyncInvocationFailure,
    BatchInfo,
    DeadLetterMessage,
    FailureMessage,
    RequestContext,
    ResponseContext,
    SnsEnvelope,
    StreamBatchFailure,
)
from quirks.streams.sequence import SequenceRange

if TYPE_CHECKING:
    from quirks.streams.model import StreamRecord

__all__ = [
    "STREAM_RETENTION",
    "UNKNOWN_SHARD",
    "AsyncInvocationFailure",
    "BatchInfo",
    "DeadLetterMessage",
    "FailureMessage",
    "RequestContext",
    "ResponseContext",
    "SnsEnvelope",
    "StreamBatchFailure",
    "is_sqs_message",
    "parse_failure_message",
    "parse_saved_message",
    "parse_sqs_message",
    "split_messages",
    "stream_batch_from_async",
    "unwrap_envelopes",
]

_BATCH_INFO_KEYS: dict[str, Literal["dynamodb", "kinesis"]] = {
    "DDBStreamBatchInfo": "dynamodb",
    "KinesisBatchInfo": "kinesis",
}
_FIELDS = Fields(FailureMessageError)


def _timestamp(data: Mapping[str, Any], name: str, path: str) -> datetime | None:
    text = _FIELDS.optional(data, name, path, str)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise FailureMessageError(f"{path}{name}", f"is not an ISO-8601 time: {text!r}") from None


def _json(text: str | bytes, path: str) -> Any:
    try:
        return jsonsafe.loads(text, path)
    except FormatError as exc:
        raise FailureMessageError(path, exc.problem) from None


def _request_context(data: Mapping[str, Any]) -> RequestContext:
    ctx = _FIELDS.require(data, "requestContext", "", Mapping)
    p = "requestContext."
    return RequestContext(
        request_id=_FIELDS.optional(ctx, "requestId", p, str),
        function_arn=_FIELDS.optional(ctx, "functionArn", p, str),
        condition=_FIELDS.optional(ctx, "condition", p, str),
        approximate_invoke_count=_FIELDS.optional(ctx, "approximateInvokeCount", p, int),
    )


def _response_context(data: Mapping[str, Any]) -> ResponseContext:
    ctx = _FIELDS.optional(data, "responseContext", "", Mapping) or {}
    p = "responseContext."
    return ResponseContext(
        status_code=_FIELDS.optional(ctx, "statusCode", p, int),
        executed_version=_FIELDS.optional(ctx, "executedVersion", p, str),
        function_error=_FIELDS.optional(ctx, "functionError", p, str),
    )


def _batch_info(data: Mapping[str, Any], key: str) -> BatchInfo:
    info = _FIELDS.require(data, key, "", Mapping)
    p = f"{key}."
    stream_arn = _FIELDS.require(info, "streamArn", p, str)
    shard_id = _FIELDS.require(info, "shardId", p, str)
    start = _FIELDS.require(info, "startSequenceNumber", p, str)
    end = _FIELDS.require(info, "endSequenceNumber", p, str)
    batch_size = _FIELDS.require(info, "batchSize", p, int)
    first_arrival = _timestamp(info, "approximateArrivalOfFirstRecord", p)
    last_arrival = _timestamp(info, "approximateArrivalOfLastRecord", p)
    try:  # parsed once: both sequence numbers and their order
        rng = SequenceRange.parse(start, end)
    except RecordFormatError as exc:
        raise FailureMessageError(f"{p}{exc.field}", exc.problem) from None
    batch = BatchInfo(
        source=_BATCH_INFO_KEYS[key],
        stream_arn=stream_arn,
        shard_id=shard_id,
        start_sequence_number=start,
        end_sequence_number=end,
        batch_size=batch_size,
        first_arrival=first_arrival,
        last_arrival=last_arrival,
        range=rng,
    )
    if batch.batch_size < 0:
        raise FailureMessageError(f"{p}batchSize", "must not be negative")
    return batch


def _stream_failure(data: Mapping[str, Any], key: str, sns: SnsEnvelope | None) -> FailureMessage:
    batch = _batch_info(data, key)
    payload: Mapping[str, Any] | None = None
    records: tuple[StreamRecord, ...] | None = None
    if data.get("payload") is not None:
        raw_payload = data["payload"]
        payload = _FIELDS.typed(
            _json(raw_payload, "payload") if isinstance(raw_payload, str) else raw_payload,
            "payload",
            Mapping,
        )
        if batch.source == "dynamodb":
            try:
                records = tuple(records_from_lambda_event(payload))
            except RecordFormatError as exc:
                raise FailureMessageError(f"payload.{exc.field}", exc.problem) from None
    return StreamBatchFailure(
        batch=batch,
        request_context=_request_context(data),
        response_context=_response_context(data),
        version=_FIELDS.optional(data, "version", "", str),
        timestamp=_timestamp(data, "timestamp", ""),
        payload=payload,
        records=records,
        sns=sns,
        raw=data,
    )


def _attribute_values(attributes: Mapping[str, Any] | None) -> dict[str, str]:
    """Flatten SQS (boto3 and Lambda event) and SNS message attributes to name -> string."""
    values: dict[str, str] = {}
    for name, attr in (attributes or {}).items():
        if isinstance(attr, Mapping):
            value = attr.get("StringValue", attr.get("stringValue", attr.get("Value")))
        else:
            value = attr
        if isinstance(value, str):
            values[name] = value
    return values


def _is_dead_letter(values: Mapping[str, str]) -> bool:
    return "ErrorCode" in values or "RequestID" in values


def _sns_envelope(data: Mapping[str, Any], values: Mapping[str, str]) -> FailureMessage:
    envelope = SnsEnvelope(
        message_id=_FIELDS.optional(data, "MessageId", "", str),
        topic_arn=_FIELDS.optional(data, "TopicArn", "", str),
        timestamp=_FIELDS.optional(data, "Timestamp", "", str),
    )
    inner = _FIELDS.require(data, "Message", "", str)
    # A Lambda DLQ on an SNS topic puts RequestID/ErrorCode on the notification itself.
    merged = {**_attribute_values(data.get("MessageAttributes")), **values}
    try:
        decoded: Any = jsonsafe.loads(inner, "Message")
    except FormatError as exc:
        if not _is_dead_letter(merged):
            raise FailureMessageError("Message", exc.problem) from None
        decoded = inner
    return _dispatch(decoded, merged, envelope)


def _dispatch(data: Any, values: Mapping[str, str], sns: SnsEnvelope | None) -> FailureMessage:
    if isinstance(data, Mapping):
        if sns is None and data.get("Type") == "Notification" and "Message" in data:
            return _sns_envelope(data, values)
        for key in _BATCH_INFO_KEYS:
            if key in data:
                return _stream_failure(data, key, sns)
        if "requestPayload" in data or ("requestContext" in data and "responseContext" in data):
            return AsyncInvocationFailure(
                request_context=_request_context(data),
                response_context=_response_context(data),
                request_payload=data.get("requestPayload"),
                response_payload=data.get("responsePayload"),
                version=_FIELDS.optional(data, "version", "", str),
                timestamp=_timestamp(data, "timestamp", ""),
                sns=sns,
                raw=data,
            )
    if _is_dead_letter(values):
        return DeadLetterMessage(
            event=data,
            request_id=values.get("RequestID"),
            error_code=values.get("ErrorCode"),
            error_message=values.get("ErrorMessage"),
        )
    if not isinstance(data, Mapping):
        raise FailureMessageError("message", f"expected a JSON object, got {type(data).__name__}")
    raise FailureMessageError(
        "message",
        "is not a known failure message: expected DDBStreamBatchInfo or KinesisBatchInfo (stream "
        "on-failure pointer), requestPayload (async invocation record), an SNS Notification, or "
        f"DLQ attributes RequestID/ErrorCode; found keys {sorted(map(str, data))[:10]}",
    )


def parse_failure_message(
    message: str | bytes | Mapping[str, Any], attributes: Mapping[str, Any] | None = None
) -> FailureMessage:
    """Parse one on-failure destination or DLQ message into a typed result.

    ``message`` is the message body (a string or bytes of JSON) or the already-decoded object.
    ``attributes`` are the message attributes, in SQS (boto3 or Lambda event) or SNS form; they are
    only needed to recognize DLQ messages.
    """
    values = _attribute_values(attributes)
    data: Any = message
    if isinstance(message, str | bytes):
        try:
            data = jsonsafe.loads(message, "body")
        except FormatError as exc:
            if not _is_dead_letter(values):
                raise FailureMessageError("body", exc.problem) from None
            data = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return _dispatch(data, values, None)


def parse_sqs_message(message: Mapping[str, Any]) -> FailureMessage:
    """Parse an SQS message as boto3 ``receive_message`` or a Lambda SQS event record gives it."""
    if "Body" in message:
        body, attributes = message["Body"], message.get("MessageAttributes")
    elif "body" in message:
        body, attributes = message["body"], message.get("messageAttributes")
    else:
        raise FailureMessageError("Body", "is missing: not an SQS message")
    if not isinstance(body, str):
        raise FailureMessageError("Body", f"expected a string, got {type(body).__name__}")
    return parse_failure_message(body, attributes)


def split_messages(text: str) -> list[Any]:
    """Split a file of failure messages into its messages, without judging them.

    Accepts a JSON array of messages, a single JSON object, or JSON Lines (one message per line).
    A JSON Lines line that is not JSON is returned as its raw string, so that
    :func:`parse_failure_message` reports it as garbage in its place instead of failing the file.
    """
    stripped = text.strip()
    if not stripped:
        return []
    try:  # the user's own file: no size limit as a whole, but each message is bounded
        whole = jsonsafe.loads(stripped, "file", max_bytes=len(stripped))
    except FormatError:
        whole = None
    else:
        if isinstance(whole, list):
            return whole
        if isinstance(whole, dict):
            return [whole]
    messages: list[Any] = []
    for line in stripped.split("\n"):
        if not line.strip():
            continue
        try:
            messages.append(jsonsafe.loads(line, "line"))
        except FormatError:
            messages.append(line)
    return messages


def stream_batch_from_async(record: AsyncInvocationFailure) -> StreamBatchFailure | None:
    """The DynamoDB stream records an async invocation record carries, as a batch failure with
    its records (like an S3 on-failure object); ``None`` when ``requestPayload`` is not a stream
    event of one DynamoDB stream, or when the record is a success.

    This is what a fan-out's Lambda target sends its OnFailure destination: the records the
    target function could not process, in full.
    """
    payload = record.request_payload
    if record.succeeded or not isinstance(payload, Mapping):
        return None
    if not isinstance(payload.get("Records"), list) or not payload["Records"]:
        return None
    try:
        records = sorted(records_from_lambda_event(payload), key=lambda r: r.sequence)
    except (RecordFormatError, FailureMessageError, ValueError):
        return None
    arns = {r.event_source_arn for r in records}
    if len(arns) != 1 or any(r.event_source != "aws:dynamodb" for r in records):
        return None
    (stream_arn,) = arns
    if not stream_arn:
        return None
    first, last = records[0], records[-1]
    return StreamBatchFailure(
        batch=BatchInfo(
            source="dynamodb",
            stream_arn=stream_arn,
            shard_id=UNKNOWN_SHARD,
            start_sequence_number=first.sequence_number,
            end_sequence_number=last.sequence_number,
            batch_size=len(records),
            first_arrival=first.created_at,
            last_arrival=last.created_at,
            range=SequenceRange(first.sequence, last.sequence),
        ),
        request_context=record.request_context,
        response_context=record.response_context,
        version=record.version,
        timestamp=record.timestamp,
        payload=payload,
        records=tuple(records),
        sns=record.sns,
        raw=record.raw,
    )


def is_sqs_message(entry: Any) -> bool:
    """Whether ``entry`` is a whole SQS message (boto3 ``Body`` or Lambda event ``body`` form)."""
    return isinstance(entry, dict) and (
        "Body" in entry or ("body" in entry and ("messageId" in entry or "receiptHandle" in entry))
    )


def unwrap_envelopes(entries: list[Any]) -> list[Any]:
    """Unwrap saved envelopes: ``aws sqs receive-message`` output and Lambda SQS events."""
    expanded: list[Any] = []
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("Messages"), list):
            expanded.extend(entry["Messages"])
        elif (
            isinstance(entry, dict)
            and isinstance(entry.get("Records"), list)
            and all(is_sqs_message(r) for r in entry["Records"])
        ):
            expanded.extend(entry["Records"])
        else:
            expanded.append(entry)
    return expanded


def parse_saved_message(entry: Any) -> FailureMessage:
    """Parse one saved message: a body, or a whole SQS message as boto3 or Lambda gives it."""
    return parse_sqs_message(entry) if is_sqs_message(entry) else parse_failure_message(entry)
