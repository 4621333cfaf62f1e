"""Send recovered records back to a consumer: a Lambda function (as a stream event) or an SQS queue.

* :func:`chunk_records` (pure) splits records into Lambda events that each stay under the invoke
  payload limit: 6 MB for synchronous invokes, 1 MB for asynchronous ones
  (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), with the one packer
  the fan-out uses (:func:`quirks.streams.encoding.pack_events`).
* :class:`LambdaReplayer` invokes synchronously by default so that a function error surfaces; it stops
  at the first failed chunk, so records are never delivered out of order.
* :class:`QueueReplayer` sends one message per record (its Lambda event record JSON) with
  ``SendMessageBatch``, checking every entry (a 200 response does not mean all were sent).

Each record is JSON-encoded once (:func:`quirks.streams.encoding.encode_record`): those bytes size
the chunks and are the payloads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from quirks import aws
from quirks.errors import FormatError
from quirks.limits import (
    LAMBDA_ASYNC_PAYLOAD_BYTES,
    LAMBDA_SYNC_PAYLOAD_BYTES,
    SQS_BATCH_BYTES,
    SQS_ENTRIES_PER_CALL,
)
from quirks.streams.encoding import (
    encode_records,
    event_body,
    item_key_digest,
    pack_calls,
    pack_events,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

__all__ = [
    "LambdaReplayer",
    "QueueReplayer",
    "RecordTooLargeError",
    "ReplayResult",
    "Replayer",
    "chunk_records",
    "describe_failure",
]


class RecordTooLargeError(FormatError):
    """A single record does not fit into one payload (a :class:`ValueError` too)."""


def _chunk_bounds(
    records: Sequence[dict[str, Any]], encoded: Sequence[bytes], limit: int
) -> list[tuple[int, int]]:
    chunks = pack_events([len(e) for e in encoded], limit)
    for chunk in chunks:
        if not chunk.fits:
            sequence = records[chunk.start].get("dynamodb", {}).get("SequenceNumber")
            raise RecordTooLargeError(
                f"record {sequence}",
                f"is {len(encoded[chunk.start])} bytes, over the {limit}-byte payload limit",
            )
    return [(chunk.start, chunk.stop) for chunk in chunks]


def chunk_records(records: Sequence[dict[str, Any]], limit: int) -> list[list[dict[str, Any]]]:
    """Split records, in order, into chunks whose ``{"Records": [...]}`` JSON is at most ``limit``."""
    bounds = _chunk_bounds(records, encode_records(records), limit)
    return [list(records[start:stop]) for start, stop in bounds]


@dataclass
class ReplayResult:
    """What a replay delivered and what it did not."""

    target: str
    records: int = 0
    records_sent: int = 0
    calls: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "records": self.records,
            "records_sent": self.records_sent,
            "calls": self.calls,
            "failed": self.failed,
        }


class Replayer(Protocol):
    """Delivers Lambda event records somewhere."""

    def replay(
        self, records: Sequence[dict[str, Any]], encoded: Sequence[bytes] | None = None
    ) -> ReplayResult:
        """Send ``records`` in order; report what failed. ``encoded``, when given, is each
        record's :func:`~quirks.streams.encoding.encode_record` bytes, sent as they are."""
        ...


def _encoded(records: Sequence[dict[str, Any]], encoded: Sequence[bytes] | None) -> Sequence[bytes]:
    """The records' bytes: the caller's (already encoded for the archive), or encoded now."""
    if encoded is None:
        return encode_records(records)
    if len(encoded) != len(records):
        raise ValueError(f"{len(encoded)} encoded records for {len(records)} records")
    return encoded


def _bounds(chunk: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "first": chunk[0]["dynamodb"]["SequenceNumber"] if chunk else None,
        "last": chunk[-1]["dynamodb"]["SequenceNumber"] if chunk else None,
        "records": len(chunk),
    }


def _function_error(body: str) -> str:
    """``errorType: errorMessage`` of a Lambda error payload, else its first 500 characters."""
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("errorMessage"), str):
        kind = payload.get("errorType")
        message = " ".join(payload["errorMessage"].split())[:500]
        return f"{kind}: {message}" if isinstance(kind, str) else message
    return body[:500]


def describe_failure(failure: dict[str, Any]) -> str:
    """One line for one entry of :attr:`ReplayResult.failed` (what the CLI prints)."""
    count = failure.get("records", 0)
    first, last = failure.get("first"), failure.get("last")
    where = f"{count} record(s)"
    if first and last and first != last:
        where += f" (sequence {first}..{last})"
    elif first:
        where += f" (sequence {first})"
    text = f"{where}: {failure.get('error', 'unknown error')}"
    if failure.get("not_sent_after"):
        text += f"; the {failure['not_sent_after']} record(s) after them were not sent (order kept)"
    return text


class LambdaReplayer:
    """Invokes a function with stream events, synchronously unless ``asynchronous``."""

    def __init__(
        self,
        function: str,
        *,
        asynchronous: bool = False,
        clients: aws.ClientFactory | None = None,
    ) -> None:
        self.function = function  # a name, a (partial) ARN, or a qualified ARN: Lambda takes all
        self.asynchronous = asynchronous
        self._clients = clients or aws.current()

    def replay(
        self, records: Sequence[dict[str, Any]], encoded: Sequence[bytes] | None = None
    ) -> ReplayResult:
        result = ReplayResult(target=f"lambda:{self.function}", records=len(records))
        limit = LAMBDA_ASYNC_PAYLOAD_BYTES if self.asynchronous else LAMBDA_SYNC_PAYLOAD_BYTES
        encoded = _encoded(records, encoded)
        try:
            bounds = _chunk_bounds(records, encoded, limit)
        except RecordTooLargeError as exc:
            result.failed.append({"error": str(exc), "records": len(records)})
            return result
        client = self._clients.client("lambda")
        for start, stop in bounds:
            chunk = records[start:stop]
            result.calls += 1
            try:
                response = client.invoke(
                    FunctionName=self.function,
                    InvocationType="Event" if self.asynchronous else "RequestResponse",
                    Payload=event_body(encoded[start:stop]),
                )
            except aws.ENVIRONMENT_ERRORS:
                raise  # no credentials, region or endpoint: say so once, with the fix
            except Exception as exc:  # any failure: reported, and nothing after it is sent
                error = f"{type(exc).__name__}: {exc}"
            else:
                if not response.get("FunctionError"):
                    result.records_sent += len(chunk)
                    continue
                body = response["Payload"].read().decode("utf-8", "replace")
                error = f"{response['FunctionError']}: {_function_error(body)}"
            not_sent = len(records) - stop
            result.failed.append({**_bounds(chunk), "error": error, "not_sent_after": not_sent})
            break  # keep order: never deliver later records before earlier ones
        return result


class QueueReplayer:
    """Sends each record as one SQS message (its Lambda event record JSON)."""

    def __init__(self, url: str, *, clients: aws.ClientFactory | None = None) -> None:
        self.url = url
        self.fifo = url.endswith(".fifo")
        self._clients = clients or aws.current()

    def _entry(
        self, index: int, record: dict[str, Any], body: bytes
    ) -> SendMessageBatchRequestEntryTypeDef:
        entry: SendMessageBatchRequestEntryTypeDef = {
            "Id": str(index),
            "MessageBody": body.decode("utf-8"),
        }
        if self.fifo:
            # Order is kept per item key, as the stream keeps it.
            entry["MessageGroupId"] = item_key_digest(record)
            entry["MessageDeduplicationId"] = str(record.get("eventID", index))[:128]
        return entry

    def _batches(self, encoded: Sequence[bytes]) -> list[range]:
        sizes = [len(body) for body in encoded]
        return pack_calls(sizes, SQS_ENTRIES_PER_CALL, SQS_BATCH_BYTES)

    def replay(
        self, records: Sequence[dict[str, Any]], encoded: Sequence[bytes] | None = None
    ) -> ReplayResult:
        result = ReplayResult(target=self.url, records=len(records))
        sqs = self._clients.client("sqs")
        encoded = _encoded(records, encoded)
        for batch in self._batches(encoded):
            result.calls += 1
            response = sqs.send_message_batch(
                QueueUrl=self.url, Entries=[self._entry(i, records[i], encoded[i]) for i in batch]
            )
            result.records_sent += len(response.get("Successful", []))
            for failure in response.get("Failed", []):
                record = records[int(failure["Id"])]
                result.failed.append(
                    {
                        "first": record["dynamodb"]["SequenceNumber"],
                        "records": 1,
                        "error": f"{failure.get('Code')}: {failure.get('Message', '')}",
                    }
                )
        return result
