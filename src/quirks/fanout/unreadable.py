"""Records of a batch the dispatcher cannot read: find them, and set them aside without the others.

A record is unreadable when it is not an object or has no usable ``dynamodb.SequenceNumber``:
without one it can be neither ordered, checkpointed nor archived. AWS never sends such a record,
but one hand-made or damaged event must not fail its neighbours (docs/reliability.md), so each is
kept, as received and with the reason, at the failure destination; when there is none, or writing
there fails, it is reported in the partial batch response so Lambda's own retries and on-failure
destination keep it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quirks.errors import RecordFormatError
from quirks.fanout.divert import DivertError, divert_unreadable
from quirks.streams.sequence import parse_sequence_number

if TYPE_CHECKING:
    from collections.abc import Sequence

    from quirks import aws
    from quirks.fanout.divert import QueueSend

__all__ = ["Unreadable", "find_unreadable", "sequence_field", "set_aside"]


@dataclass(frozen=True)
class Unreadable:
    """A record of the batch the dispatcher could not read, and what became of it."""

    index: int
    reason: str
    identifier: str
    """Its ``SequenceNumber`` as received when that is a string, else ``""`` (which Lambda reads
    as "the whole batch failed")."""
    kept_at: str | None = None
    """Where it was set aside; None when it is reported in the partial batch response instead."""


def sequence_field(record: Any, index: int) -> Any:
    """``record["dynamodb"]["SequenceNumber"]``, or a :class:`RecordFormatError` naming the record."""
    if not isinstance(record, dict):
        raise RecordFormatError(
            f"Records[{index}]", f"expected an object, got {type(record).__name__}"
        )
    dynamodb = record.get("dynamodb")
    if not isinstance(dynamodb, dict):
        raise RecordFormatError(f"Records[{index}].dynamodb", "expected an object")
    return dynamodb.get("SequenceNumber")


def find_unreadable(records: Sequence[Any]) -> dict[int, str]:
    """The index of each record the dispatcher cannot read, with why."""
    reasons: dict[int, str] = {}
    for index, record in enumerate(records):
        try:
            parse_sequence_number(
                sequence_field(record, index), f"Records[{index}].dynamodb.SequenceNumber"
            )
        except RecordFormatError as exc:
            reasons[index] = str(exc)
    return reasons


def _identifier(record: Any) -> str:
    dynamodb = record.get("dynamodb") if isinstance(record, dict) else None
    sequence = dynamodb.get("SequenceNumber") if isinstance(dynamodb, dict) else None
    return sequence if isinstance(sequence, str) else ""


def set_aside(
    records: Sequence[Any],
    reasons: dict[int, str],
    destination: str | None,
    send: QueueSend,
    *,
    clients: aws.ClientFactory | None = None,
) -> list[Unreadable]:
    """Keep the unreadable ``records`` at ``destination``, or leave them to the batch response."""
    kept_at: str | None = None
    if destination is not None:
        items = [(i, records[i], reason) for i, reason in sorted(reasons.items())]
        try:
            kept_at = divert_unreadable(destination, items, send, clients=clients)
        except DivertError as exc:
            reasons = {i: f"{reason} (not kept: {exc})" for i, reason in reasons.items()}
    return [
        Unreadable(i, reason, _identifier(records[i]), kept_at)
        for i, reason in sorted(reasons.items())
    ]
