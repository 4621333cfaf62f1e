"""The typed results of :func:`quirks.streams.failures.parse_failure_message`.

A stream batch given up on (:class:`StreamBatchFailure`), an async invocation record
(:class:`AsyncInvocationFailure`) and a dead-letter message (:class:`DeadLetterMessage`), with the
contexts and batch information they carry
(https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html,
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Mapping

    from quirks.streams.model import StreamRecord
    from quirks.streams.sequence import SequenceRange

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
]

UNKNOWN_SHARD = "shard-unknown"
"""The shard of records recovered from an async invocation record: Lambda's stream event does not
name it, so they are archived under this name (their sequence numbers still order them)."""

STREAM_RETENTION = timedelta(hours=24)
"""How long DynamoDB Streams keeps a record: after this a pointer points at nothing."""


@dataclass(frozen=True, slots=True)
class RequestContext:
    """``requestContext``: which invocation failed and why it was given up."""

    request_id: str | None
    function_arn: str | None
    condition: str | None
    approximate_invoke_count: int | None


@dataclass(frozen=True, slots=True)
class ResponseContext:
    """``responseContext``: what the last invocation returned (``function_error`` may be null)."""

    status_code: int | None
    executed_version: str | None
    function_error: str | None


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """``DDBStreamBatchInfo`` / ``KinesisBatchInfo``: where the failed batch lives in the stream.

    The sequence numbers are kept as on the wire (decimal strings) and, parsed once by whoever
    builds the batch, as :attr:`range`.
    """

    source: Literal["dynamodb", "kinesis"]
    stream_arn: str
    shard_id: str
    start_sequence_number: str
    end_sequence_number: str
    batch_size: int
    first_arrival: datetime | None
    last_arrival: datetime | None
    range: SequenceRange
    """The closed range of sequence numbers the batch spans."""

    @property
    def expires_at(self) -> datetime | None:
        """When the first record of the batch leaves a DynamoDB stream (arrival + 24 h).

        ``None`` for Kinesis, whose retention is configurable per stream.
        """
        if self.source != "dynamodb" or self.first_arrival is None:
            return None
        return self.first_arrival + STREAM_RETENTION


@dataclass(frozen=True, slots=True)
class SnsEnvelope:
    """The SNS notification the message arrived in (absent with raw message delivery)."""

    message_id: str | None
    topic_arn: str | None
    timestamp: str | None


@dataclass(frozen=True, slots=True)
class StreamBatchFailure:
    """A stream event source mapping gave up on a batch.

    From SQS or SNS only the pointer (:attr:`batch`) arrives, and ``records`` is ``None``: the
    records must be read from the stream before they expire. From an S3 on-failure object,
    ``payload`` is the whole invocation event and, for DynamoDB, ``records`` holds its records.
    """

    batch: BatchInfo
    request_context: RequestContext
    response_context: ResponseContext
    version: str | None
    timestamp: datetime | None
    payload: Mapping[str, Any] | None = None
    records: tuple[StreamRecord, ...] | None = None
    sns: SnsEnvelope | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    kind: Literal["stream-batch"] = "stream-batch"

    @property
    def has_records(self) -> bool:
        """True when the message carries the records themselves (S3 destination)."""
        return self.records is not None


@dataclass(frozen=True, slots=True)
class AsyncInvocationFailure:
    """A Lambda asynchronous invocation record (function destination, any condition)."""

    request_context: RequestContext
    response_context: ResponseContext
    request_payload: Any
    response_payload: Any
    version: str | None
    timestamp: datetime | None
    sns: SnsEnvelope | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    kind: Literal["async-invocation"] = "async-invocation"

    @property
    def succeeded(self) -> bool:
        """True for an OnSuccess record (``condition == "Success"``)."""
        return self.request_context.condition == "Success"


@dataclass(frozen=True, slots=True)
class DeadLetterMessage:
    """A message in an async function's dead-letter queue: the original event plus the error."""

    event: Any
    request_id: str | None
    error_code: str | None
    error_message: str | None

    kind: Literal["dead-letter"] = "dead-letter"


FailureMessage: TypeAlias = StreamBatchFailure | AsyncInvocationFailure | DeadLetterMessage
