"""Cut a target's records into messages and API calls that fit the target's limits (pure).

Records stay in Lambda form. Each record is JSON-encoded once per batch (:func:`encode_records`), and
every message body is assembled from those bytes, so a ``lambda-event`` body is exactly
``{"Records":[<record>,<record>]}`` in compact JSON: the event Lambda itself would deliver.

Limits (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html; "MB" is taken as 10^6 bytes and "MiB" as 2^20, so we stay below either):

=============  ======================  ==============  ===========
target         per message / entry     entries / call  bytes / call
=============  ======================  ==============  ===========
lambda         1,000,000 (async)       1               1,000,000
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

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from quirks.fanout.config import Target

__all__ = [
    "LIMITS",
    "Limits",
    "Message",
    "encode_record",
    "encode_records",
    "event_body",
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


LIMITS: dict[str, Limits] = {
    "lambda": Limits(1_000_000, 1, 1_000_000),
    "sqs": Limits(1_048_576, 10, 1_048_576),
    "sns": Limits(262_144, 10, 262_144),
    "eventbridge": Limits(1_000_000, 10, 1_000_000),
    "kinesis": Limits(1_048_576, 500, 5_242_880),
}
# Bytes a target adds around our body that count against its limit: EventBridge counts Source and
# DetailType, Kinesis the partition key (at most 256 bytes), SQS/SNS message attributes.
_ENVELOPE_RESERVE = 512


def limits_for(target: Target) -> Limits:
    """The limits in force for a target (``max_message_bytes``: the queue's or topic's own)."""
    base = LIMITS[target.type]
    if target.type in ("sns", "sqs") and target.max_message_bytes:
        size = target.max_message_bytes
        return Limits(size, base.entries_per_call, size)
    return base


def encode_record(record: Any) -> bytes:
    """A record as compact UTF-8 JSON, the unit every message is built from."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode_records(records: Sequence[Any]) -> list[bytes]:
    """:func:`encode_record` for each record, in order."""
    return [encode_record(record) for record in records]


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


_OPEN = b'{"Records":['
_CLOSE = b"]}"


def event_body(parts: Sequence[bytes]) -> bytes:
    """``{"Records":[...]}`` from encoded records: the event Lambda would deliver."""
    return _OPEN + b",".join(parts) + _CLOSE


def plan_messages(
    indexes: Sequence[int], encoded: Sequence[bytes], target: Target, limit: int | None = None
) -> list[Message]:
    """The messages carrying ``indexes`` (positions into ``encoded``) for ``target``.

    ``lambda-event`` packs consecutive records into ``{"Records": [...]}`` bodies up to the limit;
    ``record`` makes one message per record. Order is kept.
    """
    max_body = (limit or limits_for(target).message_bytes) - _ENVELOPE_RESERVE
    messages: list[Message] = []
    if target.format == "record":
        for i in indexes:
            body = encoded[i]
            messages.append(Message((i,), body if len(body) <= max_body else None))
        return messages
    fixed = len(_OPEN) + len(_CLOSE)
    current: list[int] = []
    size = fixed
    for i in indexes:
        length = len(encoded[i])
        if fixed + length > max_body:
            if current:
                messages.append(Message(tuple(current), event_body([encoded[j] for j in current])))
                current, size = [], fixed
            messages.append(Message((i,), None))
            continue
        extra = length + (1 if current else 0)
        if current and size + extra > max_body:
            messages.append(Message(tuple(current), event_body([encoded[j] for j in current])))
            current, size, extra = [], fixed, length
        current.append(i)
        size += extra
    if current:
        messages.append(Message(tuple(current), event_body([encoded[j] for j in current])))
    return messages


def plan_calls(
    messages: Sequence[Message], target: Target, claim_check_size: int = 1024
) -> list[list[Message]]:
    """Group messages into API calls within the target's entry and byte limits, keeping order."""
    limits = limits_for(target)
    calls: list[list[Message]] = []
    current: list[Message] = []
    size = 0
    for message in messages:
        length = (message.size or claim_check_size) + _ENVELOPE_RESERVE
        if current and (
            len(current) >= limits.entries_per_call or size + length > limits.bytes_per_call
        ):
            calls.append(current)
            current, size = [], 0
        current.append(message)
        size += length
    if current:
        calls.append(current)
    return calls
