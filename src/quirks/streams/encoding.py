"""The one compact-JSON encoding of a Lambda-form stream record, and the one Lambda-event packer.

A record is encoded once (:func:`encode_record`: compact UTF-8 JSON, non-ASCII kept as is) and those
bytes are reused everywhere it travels: a fan-out message body, an archive line, a diverted SQS
body, a replayed event. :func:`event_body` assembles ``{"Records":[...]}`` from encoded records
without decoding them, byte for byte the event Lambda itself would deliver, and
:func:`pack_events` cuts a run of encoded records into such events under a byte limit (the fan-out
planner and the replayer both use it). :func:`pack_calls` groups messages into batch API calls
(``SendMessageBatch``, ``PublishBatch``, ``PutEvents``, ``PutRecords``) under an entry count and a
byte total: the fan-out's calls, the SQS divert and the queue replayer all use it.

:func:`item_key_digest` is the FIFO message group id of a record: the SHA-256 of its item keys, so
that order is kept per item, as the stream keeps it.

Pure and standard library only: the handlers import it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "EVENT_OVERHEAD",
    "EventChunk",
    "encode_record",
    "encode_records",
    "event_body",
    "item_key_digest",
    "pack_calls",
    "pack_events",
]

_OPEN = b'{"Records":['
_CLOSE = b"]}"
EVENT_OVERHEAD = len(_OPEN) + len(_CLOSE)
"""Bytes of ``{"Records":[]}``: what an event adds around its records."""


def encode_record(record: Any) -> bytes:
    """A record as compact UTF-8 JSON: the unit every message, line and event is built from.

    Raises :class:`UnicodeEncodeError` for text that is not valid UTF-8 (a lone surrogate).
    """
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode_records(records: Sequence[Any]) -> list[bytes]:
    """:func:`encode_record` for each record, in order."""
    return [encode_record(record) for record in records]


def event_body(parts: Sequence[bytes]) -> bytes:
    """``{"Records":[...]}`` from encoded records: the event Lambda would deliver."""
    return _OPEN + b",".join(parts) + _CLOSE


@dataclass(frozen=True, slots=True)
class EventChunk:
    """Positions ``start..stop-1`` of the packed sequence, as one event; ``fits`` is False for a
    single record that is over the limit even alone (then ``stop == start + 1``)."""

    start: int
    stop: int
    fits: bool = True


def pack_events(sizes: Sequence[int], limit: int) -> list[EventChunk]:
    """Cut records of encoded ``sizes`` (in order) into events of at most ``limit`` bytes each.

    Greedy: an event is closed only when the next record would not fit. A record too large for an
    event of its own becomes an ``EventChunk(fits=False)`` of its own; the caller decides what
    that means (a claim check, a refusal).
    """
    chunks: list[EventChunk] = []
    start = 0
    size = EVENT_OVERHEAD
    for position, length in enumerate(sizes):
        if EVENT_OVERHEAD + length > limit:
            if position > start:
                chunks.append(EventChunk(start, position))
            chunks.append(EventChunk(position, position + 1, fits=False))
            start, size = position + 1, EVENT_OVERHEAD
            continue
        extra = length + (1 if position > start else 0)  # the separating comma
        if position > start and size + extra > limit:
            chunks.append(EventChunk(start, position))
            start, size, extra = position, EVENT_OVERHEAD, length
        size += extra
    if len(sizes) > start:
        chunks.append(EventChunk(start, len(sizes)))
    return chunks


def pack_calls(sizes: Sequence[int], entries_per_call: int, bytes_per_call: int) -> list[range]:
    """Group messages of ``sizes`` bytes (in order) into calls of at most ``entries_per_call``
    entries and ``bytes_per_call`` bytes together; each call is a range of positions.

    Greedy: a call is closed only when the next message would not fit. A message larger than
    ``bytes_per_call`` alone still gets a call of its own (the service then refuses that entry).
    """
    calls: list[range] = []
    start, total = 0, 0
    for position, size in enumerate(sizes):
        count = position - start
        if count and (count >= entries_per_call or total + size > bytes_per_call):
            calls.append(range(start, position))
            start, total = position, 0
        total += size
    if len(sizes) > start:
        calls.append(range(start, len(sizes)))
    return calls


def item_key_digest(record: Any) -> str:
    """The SHA-256 (hex) of a record's ``dynamodb.Keys``: its FIFO message group id."""
    keys = record["dynamodb"].get("Keys")
    return hashlib.sha256(json.dumps(keys, sort_keys=True).encode("utf-8")).hexdigest()
