"""Send one API call's worth of messages to a target and report which entries failed.

One function per target type; all share :func:`send_call`'s contract: given the outgoing messages
of one call (already within the target's limits), return ``{position: EntryFailure}`` for every entry
that was *not* accepted. A 200 response from a batch API does not mean every entry was delivered
(https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html): SQS and SNS list ``Failed`` entries, EventBridge and Kinesis return per-entry
``ErrorCode`` with ``FailedEntryCount`` / ``FailedRecordCount``. An exception fails every entry of
the call. Retrying is the dispatcher's job.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.errors import AwsError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from quirks.fanout.config import FanoutConfig, Target

__all__ = ["EntryFailure", "Outgoing", "send_call", "send_to_queue", "with_queue_limits"]

# Codes of a refused entry or call that retrying cannot fix: the entry or the destination is wrong.
# Throttling is never among them: botocore's own list decides it (AwsError.throttling).
PERMANENT_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "RequestTooLargeException",
        "InvalidRequestContentException",
        "AccessDeniedException",
        "AccessDenied",
        "NotFound",
        "NotFoundException",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "InvalidParameterValue",
        "InvalidParameter",
        "InvalidParameterException",
        "InvalidMessageContents",
        "BatchRequestTooLong",
        "ValidationException",
        "AuthorizationError",
    }
)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready to send: body, ordering key (partition key / group id), dedup id."""

    body: bytes
    key: str
    dedup_id: str


@dataclass(frozen=True, slots=True)
class EntryFailure:
    """Why one entry was not accepted, and whether sending it again may help."""

    reason: str
    retryable: bool


def _from_exception(exc: Exception) -> EntryFailure:
    if not isinstance(exc, AwsError):  # no answer at all (connection, timeout): try again
        return EntryFailure(f"{type(exc).__name__}: {exc}", retryable=True)
    retryable = exc.throttling or exc.code not in PERMANENT_CODES
    return EntryFailure(exc.brief(), retryable=retryable)


def _entry_failure(
    code: str | None, message: str | None, sender_fault: bool = False
) -> EntryFailure:
    code = code or "Unknown"
    retryable = not sender_fault and code not in PERMANENT_CODES
    return EntryFailure(f"{code}: {message or ''}".rstrip(": "), retryable)


def _lambda(
    clients: aws.ClientFactory, target: Target, messages: Sequence[Outgoing]
) -> dict[int, EntryFailure]:
    client = clients.client("lambda")
    failures: dict[int, EntryFailure] = {}
    for position, message in enumerate(messages):
        try:
            response = client.invoke(
                FunctionName=target.destination, InvocationType="Event", Payload=message.body
            )
        except AwsError as exc:
            failures[position] = _from_exception(exc)
            continue
        status = response.get("StatusCode")
        if status != 202:
            failures[position] = EntryFailure(f"Invoke returned status {status}", True)
    return failures


def _is_fifo(destination: str) -> bool:
    return destination.endswith(".fifo")


def send_to_queue(
    destination: str, messages: Sequence[Outgoing], *, clients: aws.ClientFactory | None = None
) -> dict[int, EntryFailure]:
    """One ``SendMessageBatch`` to a queue (URL or ARN); the failed entries by position."""
    clients = clients or aws.current()
    entries: list[Any] = []
    for position, message in enumerate(messages):
        entry: dict[str, Any] = {"Id": str(position), "MessageBody": message.body.decode("utf-8")}
        if _is_fifo(destination):
            entry["MessageGroupId"] = message.key
            entry["MessageDeduplicationId"] = message.dedup_id
        entries.append(entry)
    response = clients.client("sqs").send_message_batch(
        QueueUrl=aws.queue_url(destination, clients), Entries=entries
    )
    return {
        int(failed["Id"]): _entry_failure(
            failed.get("Code"), failed.get("Message"), failed.get("SenderFault", False)
        )
        for failed in response.get("Failed", [])
    }


def _sqs(
    clients: aws.ClientFactory, target: Target, messages: Sequence[Outgoing]
) -> dict[int, EntryFailure]:
    return send_to_queue(target.destination, messages, clients=clients)


def _sns(
    clients: aws.ClientFactory, target: Target, messages: Sequence[Outgoing]
) -> dict[int, EntryFailure]:
    entries: list[Any] = []
    for position, message in enumerate(messages):
        entry: dict[str, Any] = {"Id": str(position), "Message": message.body.decode("utf-8")}
        if _is_fifo(target.destination):
            entry["MessageGroupId"] = message.key
            entry["MessageDeduplicationId"] = message.dedup_id
        entries.append(entry)
    response = clients.client("sns").publish_batch(
        TopicArn=target.destination, PublishBatchRequestEntries=entries
    )
    return {
        int(failed["Id"]): _entry_failure(
            failed.get("Code"), failed.get("Message"), failed.get("SenderFault", False)
        )
        for failed in response.get("Failed", [])
    }


def _eventbridge(
    clients: aws.ClientFactory, target: Target, messages: Sequence[Outgoing]
) -> dict[int, EntryFailure]:
    entries: list[Any] = [
        {
            "Source": target.source,
            "DetailType": target.detail_type,
            "Detail": message.body.decode("utf-8"),
            "EventBusName": target.destination,
        }
        for message in messages
    ]
    response = clients.client("events").put_events(Entries=entries)
    failures: dict[int, EntryFailure] = {}
    if response.get("FailedEntryCount", 0):
        for position, result in enumerate(response.get("Entries", [])):
            if result.get("ErrorCode"):
                failures[position] = _entry_failure(result["ErrorCode"], result.get("ErrorMessage"))
    return failures


def _kinesis(
    clients: aws.ClientFactory, target: Target, messages: Sequence[Outgoing]
) -> dict[int, EntryFailure]:
    records: list[Any] = [{"Data": m.body, "PartitionKey": m.key[:256]} for m in messages]
    client = clients.client("kinesis")
    if target.destination.startswith("arn:"):
        response = client.put_records(StreamARN=target.destination, Records=records)
    else:
        response = client.put_records(StreamName=target.destination, Records=records)
    failures: dict[int, EntryFailure] = {}
    if response.get("FailedRecordCount", 0):
        for position, result in enumerate(response.get("Records", [])):
            if result.get("ErrorCode"):
                failures[position] = _entry_failure(result["ErrorCode"], result.get("ErrorMessage"))
    return failures


_SENDERS: dict[
    str, Callable[[aws.ClientFactory, Target, Sequence[Outgoing]], dict[int, EntryFailure]]
] = {
    "lambda": _lambda,
    "sqs": _sqs,
    "sns": _sns,
    "eventbridge": _eventbridge,
    "kinesis": _kinesis,
}


def with_queue_limits(
    config: FanoutConfig, *, clients: aws.ClientFactory | None = None
) -> FanoutConfig:
    """``config`` with each SQS target's ``max_message_bytes`` set from its queue, when not given.

    A queue's ``MaximumMessageSize`` is 1 MiB at most, but queues made by most tooling (the Terraform
    AWS provider 5.x among them) keep 256 KiB: packing to 1 MiB there would fail every message. Read
    once, at cold start; a queue that cannot be read counts as 256 KiB, which always fits.
    """
    targets = tuple(
        replace(target, max_message_bytes=aws.queue_max_message_bytes(target.destination, clients))
        if target.type == "sqs" and target.max_message_bytes is None
        else target
        for target in config.targets
    )
    return replace(config, targets=targets)


def send_call(
    target: Target, messages: Sequence[Outgoing], *, clients: aws.ClientFactory | None = None
) -> dict[int, EntryFailure]:
    """Send one call; the failed entries by position (an exception fails them all)."""
    try:
        return _SENDERS[target.type](clients or aws.current(), target, messages)
    except Exception as exc:  # any failure of the call fails its entries; the dispatcher decides
        failure = _from_exception(exc)
        return dict.fromkeys(range(len(messages)), failure)
