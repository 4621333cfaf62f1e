"""Cut a target's records into messages and API calls that fit the target's limits (pure).

Records stay in Lambda form. Each record is JSON-encoded once per batch
(:func:`quirks.streams.encoding.encode_records`), and every message body is assembled from those
bytes, so a ``lambda-event`` body is exactly ``{"Records":[<record>,<record>]}`` in compact JSON: the
event Lambda itself would deliver.

Limits, all from :mod:`quirks.limits` (each with the AWS page it comes from):

=============  ======================  ==============  ===========
target         per message / entry     entries / call  bytes / call
=============  ======================  ==============  ===========
lambda         1,048,576 (async)       1               1,048,576
sqs            1,048,576               10              1,048,576
sns            262,144 (or configured) 10              = message
eventbridge    1,000,000               10              1,000,000
kinesis        1,048,576               500             5,242,880
=============  ======================  ==============  ===========

A record that alone exceeds its target's message limit becomes an *oversize* message: the
dispatcher sends it as an S3 claim check, or fails it for that target when no claim-check
location is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from quirks import limits as aws_limits
from quirks.streams.encoding import event_body, pack_calls, pack_events

if TYPE_CHECKING:
    from collections.abc import Sequence

    from quirks.fanout.config import Target, TargetType

__all__ = [
    "ENVELOPE_RESERVE",
    "LIMITS",
    "Limits",
    "Message",
    "limits_for",
    "plan_calls",
    "plan_messages",
]


@dataclass(frozen=True, slots=True)
class Limits:
    """Size and count limits of one target type."""

    message_bytes: int
    entries_per_call: int
    bytes_per_call: int


LIMITS: dict[TargetType, Limits] = {
    "lambda": Limits(
        aws_limits.LAMBDA_ASYNC_PAYLOAD_BYTES, 1, aws_limits.LAMBDA_ASYNC_PAYLOAD_BYTES
    ),
    "sqs": Limits(
        aws_limits.SQS_MAX_MESSAGE_BYTES,
        aws_limits.SQS_ENTRIES_PER_CALL,
        aws_limits.SQS_BATCH_BYTES,
    ),
    "sns": Limits(
        aws_limits.SNS_MESSAGE_BYTES, aws_limits.SNS_ENTRIES_PER_CALL, aws_limits.SNS_MESSAGE_BYTES
    ),
    "eventbridge": Limits(
        aws_limits.EVENTBRIDGE_ENTRY_BYTES,
        aws_limits.EVENTBRIDGE_ENTRIES_PER_CALL,
        aws_limits.EVENTBRIDGE_ENTRY_BYTES,
    ),
    "kinesis": Limits(
        aws_limits.KINESIS_RECORD_BYTES,
        aws_limits.KINESIS_RECORDS_PER_CALL,
        aws_limits.KINESIS_BYTES_PER_CALL,
    ),
}
ENVELOPE_RESERVE = 512
"""Bytes a service adds around our body that count against its limit, left free in every message:
EventBridge counts Source and DetailType, Kinesis the partition key (at most 256 bytes), SQS/SNS
message attributes."""


def limits_for(target: Target) -> Limits:
    """The limits in force for a target (``max_message_bytes``: the queue's or topic's own)."""
    base = LIMITS[target.type]
    if target.type in ("sns", "sqs") and target.max_message_bytes:
        size = target.max_message_bytes
        return Limits(size, base.entries_per_call, size)
    return base


@dataclass(frozen=True, slots=True)
class Message:
    """One message (Lambda event, SQS message, SNS message, EventBridge entry, Kinesis record).

    ``indexes`` are the positions of the carried records in the batch, in stream order. ``body`` is
    ``None`` for an oversize record that must travel as a claim check.
    """

    indexes: tuple[int, ...]
    body: bytes | None

    @property
    def size(self) -> int:
        """Bytes of the body (0 for an oversize record, which travels as a small claim check)."""
        return len(self.body) if self.body is not None else 0


def plan_messages(
    indexes: Sequence[int], encoded: Sequence[bytes], target: Target, limit: int | None = None
) -> list[Message]:
    """The messages carrying ``indexes`` (positions into ``encoded``) for ``target``.

    ``lambda-event`` packs consecutive records into ``{"Records": [...]}`` bodies up to the limit;
    ``record`` makes one message per record. Order is kept.
    """
    max_body = (limit or limits_for(target).message_bytes) - ENVELOPE_RESERVE
    if target.format == "record":
        return [Message((i,), encoded[i] if len(encoded[i]) <= max_body else None) for i in indexes]
    chosen = list(indexes)
    messages: list[Message] = []
    for chunk in pack_events([len(encoded[i]) for i in chosen], max_body):
        carried = tuple(chosen[chunk.start : chunk.stop])
        body = event_body([encoded[i] for i in carried]) if chunk.fits else None
        messages.append(Message(carried, body))
    return messages


def plan_calls(
    messages: Sequence[Message], target: Target, claim_check_size: int = 1024
) -> list[list[Message]]:
    """Group messages into API calls within the target's entry and byte limits, keeping order."""
    limits = limits_for(target)
    sizes = [(m.size or claim_check_size) + ENVELOPE_RESERVE for m in messages]
    return [
        [messages[i] for i in call]
        for call in pack_calls(sizes, limits.entries_per_call, limits.bytes_per_call)
    ]
