"""Carry out one target's :class:`~quirks.fanout.plan.TargetPlan` for one batch.

:class:`TargetDelivery` runs the plan in four steps, each a small method:

1. **prepare**: oversize records become S3 claim checks; every message gets its ordering key and
   deduplication id (:class:`~quirks.fanout.targets.Outgoing`);
2. **send**: the planned calls, concurrently where the target's service keeps no order anyway,
   else in order, holding everything after the first record that blocks (``block`` mode);
3. **settle**: a delivered message counts, a failed one marks its records (a rejected event is
   resent record by record so that only its poison record fails);
4. **divert**: records still undelivered go to the failure destination, with the bytes they were
   encoded to once; what cannot be diverted, or must block, is held.

What happened is a :class:`TargetReport`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quirks.fanout.chunking import Message
from quirks.fanout.claimcheck import store_claim_check
from quirks.fanout.divert import DivertError, divert
from quirks.fanout.targets import EntryFailure, Outgoing
from quirks.streams.encoding import event_body, item_key_digest

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from concurrent.futures import Executor

    from quirks import aws
    from quirks.fanout.config import Mode, Target, TargetType
    from quirks.fanout.divert import QueueSend
    from quirks.fanout.plan import TargetPlan

__all__ = ["HELD_BACK", "Batch", "TargetDelivery", "TargetReport"]

MAX_REASONS = 5
HELD_BACK = EntryFailure("held back to keep order", retryable=True)

Outcomes = list[tuple[Message, EntryFailure | None]]


@dataclass
class TargetReport:
    """What happened to one target in one batch."""

    target: str
    type: TargetType
    mode: Mode
    selected: int = 0
    skipped: int = 0
    delivered: int = 0
    messages: int = 0
    calls: int = 0
    retries: int = 0
    claim_checked: int = 0
    diverted: int = 0
    diverted_to: str | None = None
    held: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        """Records this target did not receive in this batch (diverted or held)."""
        return self.diverted + len(self.held)

    def note(self, reason: str) -> None:
        """Keep a few distinct failure reasons for logs and reports."""
        if reason not in self.reasons and len(self.reasons) < MAX_REASONS:
            self.reasons.append(reason)


@dataclass(frozen=True)
class Batch:
    """One batch as every target sees it: the records, each encoded once, and their sequences."""

    records: Sequence[dict[str, Any]]
    encoded: Sequence[bytes]
    sequences: Sequence[int]


def _sha(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


def _unordered(target: Target) -> bool:
    """True when the target's service keeps no order for its consumers (and nothing blocks)."""
    if target.on_failure.mode != "divert":
        return False
    if target.type in ("lambda", "eventbridge"):
        return True
    return target.type in ("sqs", "sns") and not target.destination.endswith(".fifo")


class TargetDelivery:
    """One target, one batch: prepare, send, settle, divert (see the module docstring)."""

    def __init__(
        self,
        plan: TargetPlan,
        batch: Batch,
        *,
        send: Callable[[Target, Sequence[Outgoing], TargetReport | None], dict[int, EntryFailure]],
        queue_send: QueueSend,
        pool: Executor,
        claim_check: str | None,
        clients: aws.ClientFactory | None = None,
    ) -> None:
        self.plan = plan
        self.target = plan.target
        self.batch = batch
        self._send = send
        self._queue_send = queue_send
        self._pool = pool
        self._claim_check = claim_check
        self._clients = clients
        self.report = TargetReport(
            self.target.id,
            self.target.type,
            self.target.on_failure.mode,
            selected=len(plan.selected),
            skipped=plan.skipped,
        )
        self.failed: dict[int, EntryFailure] = {
            refusal.index: EntryFailure(refusal.reason, retryable=False) for refusal in plan.refused
        }
        self.hold_from = len(batch.records)

    def blocking(self, failure: EntryFailure) -> bool:
        """Whether a failure holds the target (block mode: retryable, or nowhere to divert to)."""
        on_failure = self.target.on_failure
        return on_failure.mode == "block" and (failure.retryable or on_failure.destination is None)

    def run(self) -> TargetReport:
        """Deliver the plan; the report says what arrived, what was diverted and what is held."""
        started = time.perf_counter()
        calls = self._prepare()
        # In block mode nothing after the first blocking record is sent: order per key is kept.
        self._hold(self.failed)
        self._send_calls(calls)
        self._divert()
        self.report.seconds = time.perf_counter() - started
        return self.report

    # -- 1. prepare ----------------------------------------------------------------------------

    def outgoing(self, message: Message) -> Outgoing:
        """The message with its ordering key and deduplication id."""
        records = self.batch.records
        first, last = records[message.indexes[0]], records[message.indexes[-1]]
        assert message.body is not None, "an oversize message is sent as its claim check"
        if self.target.format == "record":
            key = item_key_digest(first)
        else:
            key = _sha(str(first.get("eventSourceARN", "")).encode())
        first_seq, last_seq = (
            first["dynamodb"]["SequenceNumber"],
            last["dynamodb"]["SequenceNumber"],
        )
        return Outgoing(
            message.body, key, _sha(f"{self.target.id}|{first_seq}|{last_seq}".encode())
        )

    def _claim_checked(self, message: Message) -> Message | None:
        """An oversize message as its claim check; None (and a failure) when it cannot be stored."""
        index = message.indexes[0]
        assert self._claim_check is not None  # the plan only keeps oversize records to check
        try:
            body = store_claim_check(
                self._claim_check,
                self.target.id,
                self.batch.records[index],
                self.batch.encoded[index],
                clients=self._clients,
            )
        except Exception as exc:  # any failure: hold or divert the record, never drop it
            self.failed[index] = EntryFailure(f"claim check not stored: {exc}", retryable=True)
            return None
        self.report.claim_checked += 1
        return Message(message.indexes, body)

    def _prepare(self) -> list[list[tuple[Message, Outgoing]]]:
        calls: list[list[tuple[Message, Outgoing]]] = []
        for planned in self.plan.calls:
            ready: list[tuple[Message, Outgoing]] = []
            for message in planned:
                sendable = message if message.body is not None else self._claim_checked(message)
                if sendable is not None:
                    ready.append((sendable, self.outgoing(sendable)))
            if ready:
                calls.append(ready)
        return calls

    # -- 2. send -------------------------------------------------------------------------------

    def _send_calls(self, calls: list[list[tuple[Message, Outgoing]]]) -> None:
        if _unordered(self.target) and len(calls) > 1:
            # The service keeps no order for its consumers anyway: send the calls concurrently.
            for outcomes in self._pool.map(self._send_call, calls):
                self._settle(outcomes)
            return
        for pairs in calls:
            sendable = [(m, o) for m, o in pairs if m.indexes[0] < self.hold_from]
            for message, _ in pairs[len(sendable) :]:
                for index in message.indexes:
                    self.failed[index] = HELD_BACK
            if sendable:
                self._settle(self._send_call(sendable))

    def _send_call(self, pairs: Sequence[tuple[Message, Outgoing]]) -> Outcomes:
        """Send one call with retries; each message with its final failure (None: delivered)."""
        final = self._send(self.target, [o for _, o in pairs], self.report)
        outcomes: Outcomes = []
        for offset, (message, _) in enumerate(pairs):
            failure = final.get(offset)
            if failure is None or failure.retryable or len(message.indexes) == 1:
                outcomes.append((message, failure))
            else:
                outcomes.extend(self._one_by_one(message))
        return outcomes

    def _one_by_one(self, message: Message) -> Outcomes:
        """A rejected event takes only its poison record down: resend its records one by one,
        stopping (block mode) at the first that must hold the target."""
        outcomes: Outcomes = []
        held = False
        for index in message.indexes:
            single = Message((index,), event_body([self.batch.encoded[index]]))
            if held:
                outcomes.append((single, HELD_BACK))
                continue
            result = self._send(self.target, [self.outgoing(single)], self.report).get(0)
            held = result is not None and self.blocking(result)
            outcomes.append((single, result))
        return outcomes

    # -- 3. settle -----------------------------------------------------------------------------

    def _hold(self, failures: dict[int, EntryFailure]) -> None:
        blocking = [i for i, failure in failures.items() if self.blocking(failure)]
        self.hold_from = min([self.hold_from, *blocking])

    def _settle(self, outcomes: Outcomes) -> None:
        for message, failure in outcomes:
            if failure is None:
                self.report.messages += 1
                self.report.delivered += len(message.indexes)
                continue
            for index in message.indexes:
                self.failed[index] = failure
            if self.blocking(failure):
                self.hold_from = min(self.hold_from, message.indexes[0])

    # -- 4. divert -----------------------------------------------------------------------------

    def _divert(self) -> None:
        report = self.report
        to_divert: list[int] = []
        for index, failure in sorted(self.failed.items()):
            report.note(failure.reason)
            if self.blocking(failure):
                report.held.append(index)
            else:
                to_divert.append(index)
        if not to_divert:
            return
        destination = self.target.on_failure.destination
        try:
            if destination is None:
                raise DivertError("no failure destination is configured")
            report.diverted_to = divert(
                destination,
                self.target.id,
                [self.batch.records[i] for i in to_divert],
                [self.batch.encoded[i] for i in to_divert],
                self._queue_send,
                clients=self._clients,
            )
            report.diverted = len(to_divert)
        except DivertError as exc:
            report.note(f"divert failed: {exc}")
            report.held = sorted(set(report.held) | set(to_divert))
