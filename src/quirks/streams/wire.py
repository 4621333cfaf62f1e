"""AWS's wire formats around streams and failures, typed once, with a builder for each.

Every shape the toolkit *writes* — the local cloud's deliveries, the fan-out's responses, the tests'
fixtures — is built here, and :mod:`quirks.streams.failures`, :mod:`quirks.streams.codec` and
:mod:`quirks.alerts.decode` parse the same shapes, so a builder and its parser cannot drift apart:

* the Lambda stream event ``{"Records": [...]}`` (records from :func:`quirks.streams.codec.record_to_lambda`);
* the on-failure **pointer** a stream event source mapping sends to SQS or SNS, and the **S3
  on-failure object** (pointer + ``payload``) and its key
  (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html);
* the **async invocation record** sent to an OnSuccess/OnFailure destination, and the **DLQ message
  attributes** (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html);
* the **partial batch response** (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html);
* the CloudWatch Logs **awslogs** subscription payload
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html).
"""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal, NotRequired, TypedDict

from quirks.timestamps import iso_millis, iso_seconds

__all__ = [
    "AsyncInvocationRecord",
    "AsyncRequestContext",
    "AwslogsDocument",
    "BatchItemFailure",
    "DDBStreamBatchInfo",
    "DeadLetterAttributes",
    "LogEventEntry",
    "PartialBatchResponse",
    "PointerRequestContext",
    "ResponseContext",
    "StreamEvent",
    "StreamPointer",
    "async_record",
    "awslogs_document",
    "awslogs_event",
    "awslogs_event_id",
    "dead_letter_attributes",
    "failed_items",
    "partial_batch_response",
    "s3_async_failure_key",
    "s3_failure_key",
    "s3_failure_object",
    "stream_event",
    "stream_pointer",
    "without_payloads",
]


# -- the Lambda stream event -------------------------------------------------------------------


class StreamEvent(TypedDict):
    """The event a stream event source mapping invokes its function with."""

    Records: list[dict[str, Any]]


def stream_event(records: list[dict[str, Any]]) -> StreamEvent:
    """The invocation event for Lambda-format stream records."""
    return {"Records": list(records)}


# -- the on-failure pointer and the S3 object --------------------------------------------------


class PointerRequestContext(TypedDict):
    requestId: str
    functionArn: str
    condition: str
    approximateInvokeCount: int


class ResponseContext(TypedDict):
    statusCode: int
    executedVersion: str
    functionError: NotRequired[str | None]


class DDBStreamBatchInfo(TypedDict):
    shardId: str
    startSequenceNumber: str
    endSequenceNumber: str
    approximateArrivalOfFirstRecord: str
    approximateArrivalOfLastRecord: str
    batchSize: int
    streamArn: str


class StreamPointer(TypedDict):
    requestContext: PointerRequestContext
    responseContext: ResponseContext
    version: str
    timestamp: str
    DDBStreamBatchInfo: DDBStreamBatchInfo
    payload: NotRequired[str]


"""What a stream mapping sends its on-failure destination: where the batch is, not the records."""


def stream_pointer(
    *,
    records: list[dict[str, Any]],
    shard_id: str,
    stream_arn: str,
    function_arn: str,
    condition: str,
    attempts: int,
    request_id: str | None,
    function_error: str | None,
    now: float,
    arrivals: tuple[float, float] | None = None,
) -> StreamPointer:
    """The pointer for a batch of Lambda-format DynamoDB stream records given up on.

    ``arrivals`` (first, last; epoch seconds) overrides the records' own creation times.
    """
    first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
    if arrivals is not None:
        first = {**first, "ApproximateCreationDateTime": arrivals[0]}
        last = {**last, "ApproximateCreationDateTime": arrivals[1]}

    def arrival(section: dict[str, Any]) -> str:
        # Whole seconds, like the records' own creation times and AWS's example; the pointer's
        # ``timestamp`` keeps its milliseconds.
        return iso_seconds(float(section.get("ApproximateCreationDateTime", now)))

    return {
        "requestContext": {
            "requestId": request_id or str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": function_error,
        },
        "version": "1.0",
        "timestamp": iso_millis(now),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": arrival(first),
            "approximateArrivalOfLastRecord": arrival(last),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }


def s3_failure_object(pointer: StreamPointer, records: list[dict[str, Any]]) -> StreamPointer:
    """The S3 on-failure object: the pointer plus the invocation event as an escaped string."""
    return {**pointer, "payload": json.dumps(stream_event(records))}


def s3_failure_key(mapping_uuid: str, shard_id: str, now: float) -> str:
    """``aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<UUID>``."""
    return _s3_key(f"aws/lambda/{mapping_uuid}/{shard_id}", now)


def s3_async_failure_key(function_name: str, now: float) -> str:
    """``aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<UUID>``: an async record's key."""
    return _s3_key(f"aws/lambda/async/{function_name}", now)


def _s3_key(prefix: str, now: float) -> str:
    moment = datetime.fromtimestamp(now, UTC)
    return f"{prefix}/{moment:%Y/%m/%d}/{moment:%Y-%m-%dT%H.%M.%S}-{uuid.uuid4()}"


# -- the async invocation record and the DLQ attributes ----------------------------------------


class AsyncRequestContext(TypedDict):
    requestId: str
    functionArn: str
    condition: str
    approximateInvokeCount: int


class AsyncInvocationRecord(TypedDict):
    """The record an async invocation's OnSuccess/OnFailure destination receives."""

    version: str
    timestamp: str
    requestContext: AsyncRequestContext
    requestPayload: Any
    responseContext: ResponseContext
    responsePayload: NotRequired[Any]


def async_record(
    *,
    function_arn: str,
    request_id: str,
    condition: Literal["Success", "RetriesExhausted", "EventAgeExceeded"],
    attempts: int,
    request_payload: Any,
    function_error: str | None,
    response_payload: Any = None,
    responded: bool,
    now: float,
) -> AsyncInvocationRecord:
    """The async invocation record (``functionArn`` qualified with ``$LATEST`` as AWS writes it)."""
    response_context: ResponseContext = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error:
        response_context["functionError"] = function_error
    record: AsyncInvocationRecord = {
        "version": "1.0",
        "timestamp": iso_millis(now),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": request_payload,
        "responseContext": response_context,
    }
    if responded:
        record["responsePayload"] = response_payload
    return record


def without_payloads(record: AsyncInvocationRecord) -> AsyncInvocationRecord:
    """The record with its payloads dropped, as Lambda sends one too big for SNS (256 KB):
    "Lambda will drop the payload when sending OnFailure event to the destination"
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-eventinvokeconfig-onfailure.html)."""
    slim: dict[str, Any] = {k: v for k, v in record.items() if k != "responsePayload"}
    slim.pop("requestPayload", None)
    return slim  # type: ignore[return-value]


class _StringAttribute(TypedDict):
    DataType: str
    StringValue: str


class DeadLetterAttributes(TypedDict):
    RequestID: _StringAttribute
    ErrorCode: _StringAttribute
    ErrorMessage: _StringAttribute


def dead_letter_attributes(request_id: str, error_message: str) -> DeadLetterAttributes:
    """The message attributes of a function's DLQ message (the body is the original event)."""
    return {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": error_message[:1024] or "Unhandled"},
    }


# -- the partial batch response -----------------------------------------------------------------


class BatchItemFailure(TypedDict):
    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    batchItemFailures: list[BatchItemFailure]


def partial_batch_response(identifiers: list[str] | tuple[str, ...] = ()) -> PartialBatchResponse:
    """``{"batchItemFailures": [{"itemIdentifier": ...}]}``; empty means every record succeeded."""
    return {"batchItemFailures": [{"itemIdentifier": i} for i in identifiers]}


def failed_items(payload: bytes, identifiers: list[str]) -> list[int] | None:
    """The indexes a function's partial batch response reports as failed, as Lambda reads it:
    ``None`` (the whole batch failed) when any ``itemIdentifier`` is empty or not in the batch; a
    response that is not an object with failures means success (``[]``)."""
    try:
        response = json.loads(payload) if payload else None
    except ValueError:
        return []
    failures = response.get("batchItemFailures") if isinstance(response, dict) else None
    if not failures or not isinstance(failures, list):
        return []
    indexes = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in identifiers:
            return None
        indexes.append(identifiers.index(identifier))
    return indexes


# -- the awslogs payload ------------------------------------------------------------------------


class LogEventEntry(TypedDict):
    id: str
    timestamp: int
    message: str


class AwslogsDocument(TypedDict):
    messageType: str
    owner: str
    logGroup: str
    logStream: str
    subscriptionFilters: list[str]
    logEvents: list[LogEventEntry]


def awslogs_event_id(timestamp_ms: int, serial: int) -> str:
    """A log event id of the 56 digits CloudWatch Logs writes, ordered by time then by ``serial``."""
    return f"{timestamp_ms:015d}{serial:041d}"[-56:]


def awslogs_document(
    *,
    owner: str,
    log_group: str,
    log_stream: str,
    subscription_filters: list[str],
    events: list[LogEventEntry],
    message_type: str = "DATA_MESSAGE",
) -> AwslogsDocument:
    """The document CloudWatch Logs gzips into a subscription's ``awslogs`` event."""
    return {
        "messageType": message_type,
        "owner": owner,
        "logGroup": log_group,
        "logStream": log_stream,
        "subscriptionFilters": subscription_filters,
        "logEvents": events,
    }


def awslogs_event(
    document: AwslogsDocument, *, deterministic: bool = False
) -> dict[str, dict[str, str]]:
    """The Lambda event ``{"awslogs": {"data": <base64 gzip JSON>}}`` for a document."""
    payload = gzip.compress(
        json.dumps(document).encode("utf-8"), mtime=0 if deterministic else None
    )
    return {"awslogs": {"data": base64.b64encode(payload).decode("ascii")}}
