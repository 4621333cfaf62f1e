"""Send recovered records back to a consumer: a Lambda function (as a stream event) or an SQS queue.

* :func:`chunk_records` (pure) splits records into Lambda events that each stay under the invoke
  payload limit: 6 MB for synchronous invokes, 1 MB for asynchronous ones (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
* :class:`LambdaReplayer` invokes synchronously by default so that a function error surfaces; it stops
  at the first failed chunk, so records are never delivered out of order.
* :class:`QueueReplayer` sends one message per record (its Lambda event record JSON) with
  ``SendMessageBatch``, checking every entry (a 200 response does not mean all were sent).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from quirks import aws

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

__all__ = [
    "ASYNC_PAYLOAD_LIMIT",
    "SQS_BATCH_LIMIT",
    "SYNC_PAYLOAD_LIMIT",
    "LambdaReplayer",
    "QueueReplayer",
    "ReplayResult",
    "Replayer",
    "chunk_records",
    "describe_failure",
    "record_size",
]

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
SQS_BATCH_LIMIT = 1024 * 1024
_EVENT_OVERHEAD = len(b'{"Records":[]}')


def record_size(record: dict[str, Any]) -> int:
    """Bytes a record adds to a compact JSON event (without the separating comma)."""
    return len(json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


class RecordTooLargeError(ValueError):
    """A single record does not fit into one payload."""


def chunk_records(records: Sequence[dict[str, Any]], limit: int) -> list[list[dict[str, Any]]]:
    """Split records, in order, into chunks whose ``{"Records": [...]}`` JSON is at most ``limit``."""
    chunks: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = _EVENT_OVERHEAD
    for record in records:
        extra = record_size(record) + (1 if current else 0)
        if _EVENT_OVERHEAD + extra > limit:
            sequence = record.get("dynamodb", {}).get("SequenceNumber")
            raise RecordTooLargeError(
                f"record {sequence} is {extra} bytes, over the {limit}-byte payload limit"
            )
        if size + extra > limit:
            chunks.append(current)
            current, size = [], _EVENT_OVERHEAD
            extra = record_size(record)
        current.append(record)
        size += extra
    if current:
        chunks.append(current)
    return chunks


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

    def replay(self, records: Sequence[dict[str, Any]]) -> ReplayResult:
        """Send ``records`` in order; report what failed."""
        ...


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

    def __init__(self, function: str, *, asynchronous: bool = False, client: Any = None) -> None:
        self.function = function  # a name, a (partial) ARN, or a qualified ARN: Lambda takes all
        self.asynchronous = asynchronous
        self._client = client

    def replay(self, records: Sequence[dict[str, Any]]) -> ReplayResult:
        result = ReplayResult(target=f"lambda:{self.function}", records=len(records))
        limit = ASYNC_PAYLOAD_LIMIT if self.asynchronous else SYNC_PAYLOAD_LIMIT
        try:
            chunks = chunk_records(records, limit)
        except RecordTooLargeError as exc:
            result.failed.append({"error": str(exc), "records": len(records)})
            return result
        client = self._client or aws.client("lambda")
        for index, chunk in enumerate(chunks):
            payload = json.dumps({"Records": chunk}, separators=(",", ":"), ensure_ascii=False)
            result.calls += 1
            try:
                response = client.invoke(
                    FunctionName=self.function,
                    InvocationType="Event" if self.asynchronous else "RequestResponse",
                    Payload=payload.encode("utf-8"),
                )
            except aws.ENVIRONMENT_ERRORS:
                raise  # no credentials, region or endpoint: say so once, with the fix
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
            else:
                if not response.get("FunctionError"):
                    result.records_sent += len(chunk)
                    continue
                body = response["Payload"].read().decode("utf-8", "replace")
                error = f"{response['FunctionError']}: {_function_error(body)}"
            not_sent = sum(len(c) for c in chunks[index + 1 :])
            result.failed.append({**_bounds(chunk), "error": error, "not_sent_after": not_sent})
            break  # keep order: never deliver later records before earlier ones
        return result


class QueueReplayer:
    """Sends each record as one SQS message (its Lambda event record JSON)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.fifo = url.endswith(".fifo")

    def _entry(self, index: int, record: dict[str, Any]) -> SendMessageBatchRequestEntryTypeDef:
        body = json.dumps(record, separators=(",", ":"), ensure_ascii=False)
        entry: SendMessageBatchRequestEntryTypeDef = {"Id": str(index), "MessageBody": body}
        if self.fifo:
            # Order is kept per item key, as the stream keeps it.
            keys = json.dumps(record["dynamodb"]["Keys"], sort_keys=True).encode("utf-8")
            entry["MessageGroupId"] = hashlib.sha256(keys).hexdigest()[:64]
            entry["MessageDeduplicationId"] = str(record.get("eventID", index))[:128]
        return entry

    def replay(self, records: Sequence[dict[str, Any]]) -> ReplayResult:
        result = ReplayResult(target=self.url, records=len(records))
        sqs = aws.client("sqs")
        batches: list[list[tuple[int, dict[str, Any]]]] = [[]]
        size = 0
        for index, record in enumerate(records):
            entry_size = record_size(record)
            if len(batches[-1]) == 10 or (batches[-1] and size + entry_size > SQS_BATCH_LIMIT):
                batches.append([])
                size = 0
            batches[-1].append((index, record))
            size += entry_size
        for batch in (b for b in batches if b):
            result.calls += 1
            response = sqs.send_message_batch(
                QueueUrl=self.url, Entries=[self._entry(i, r) for i, r in batch]
            )
            result.records_sent += len(response.get("Successful", []))
            by_id = {str(i): r for i, r in batch}
            for failure in response.get("Failed", []):
                result.failed.append(
                    {
                        "first": by_id[failure["Id"]]["dynamodb"]["SequenceNumber"],
                        "records": 1,
                        "error": f"{failure.get('Code')}: {failure.get('Message', '')}",
                    }
                )
        return result
