"""What one batch means for one target, decided before anything is sent (pure).

:func:`plan_target` answers, for a target and a batch of Lambda-form records (already encoded once):

* which records it gets (its filter matches and its checkpoint does not already cover them) and how
  many were skipped as already delivered;
* in how many messages (:func:`~quirks.fanout.chunking.plan_messages`) and API calls
  (:func:`~quirks.fanout.chunking.plan_calls`) they travel;
* which records travel as S3 claim checks, and which fail up front, with why (a record over the
  target's limit when no ``claim_check`` location is configured).

The dispatcher executes a plan (claim checks, sends, retries, divert) and ``quirks fanout simulate``
renders the same plan without sending, so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quirks.fanout.chunking import Message, limits_for, plan_calls, plan_messages

if TYPE_CHECKING:
    from collections.abc import Sequence

    from quirks.fanout.config import Target

__all__ = ["Refusal", "TargetPlan", "oversize_reason", "plan_target"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A selected record the target cannot be sent at all, and why (permanent: retrying cannot help)."""

    index: int
    reason: str


@dataclass(frozen=True, slots=True)
class TargetPlan:
    """One target's share of a batch: records, messages, calls, claim checks, up-front failures.

    Indexes are positions in the batch. ``calls`` hold every message that will be sent, in stream
    order; an oversize message (``body is None``) in a call is sent as a claim check.
    """

    target: Target
    selected: tuple[int, ...]
    skipped: int
    messages: tuple[Message, ...]
    calls: tuple[tuple[Message, ...], ...]
    claim_checks: tuple[int, ...]
    refused: tuple[Refusal, ...]

    @property
    def sendable(self) -> int:
        """Messages that will be sent (claim checks included)."""
        return sum(len(call) for call in self.calls)

    @property
    def largest_message_bytes(self) -> int:
        """The largest message body planned (an oversize record counts as 0: a claim check)."""
        return max((message.size for message in self.messages), default=0)


def oversize_reason(target: Target, size: int) -> str:
    """Why a record of ``size`` encoded bytes fails for ``target`` without a claim check."""
    limit = limits_for(target).message_bytes
    return (
        f"record of {size} bytes is over the {target.type} limit of {limit} bytes "
        "and no claim_check is configured"
    )


def _select(
    target: Target,
    records: Sequence[dict[str, Any]],
    sequences: Sequence[int] | None,
    skip_through: int | None,
) -> tuple[list[int], int]:
    selected: list[int] = []
    skipped = 0
    for i, record in enumerate(records):
        if skip_through is not None and sequences is not None and sequences[i] <= skip_through:
            skipped += 1
        elif target.filter.matches(record):
            selected.append(i)
    return selected, skipped


def plan_target(
    target: Target,
    records: Sequence[dict[str, Any]],
    encoded: Sequence[bytes],
    *,
    claim_check: bool,
    sequences: Sequence[int] | None = None,
    skip_through: int | None = None,
) -> TargetPlan:
    """Plan ``target``'s share of a batch (``encoded[i]`` is ``records[i]`` encoded once).

    ``claim_check``: whether a claim-check location is configured. Records whose sequence number
    (``sequences[i]``) is at or below ``skip_through`` were already delivered: skipped.
    """
    selected, skipped = _select(target, records, sequences, skip_through)
    messages = plan_messages(selected, encoded, target)
    oversize = [m.indexes[0] for m in messages if m.body is None]
    refused: tuple[Refusal, ...] = ()
    if claim_check:
        sendable = messages
    else:
        sendable = [m for m in messages if m.body is not None]
        refused = tuple(Refusal(i, oversize_reason(target, len(encoded[i]))) for i in oversize)
    return TargetPlan(
        target=target,
        selected=tuple(selected),
        skipped=skipped,
        messages=tuple(messages),
        calls=tuple(tuple(call) for call in plan_calls(sendable, target)),
        claim_checks=tuple(oversize) if claim_check else (),
        refused=refused,
    )
