"""Deliver one batch of stream records to every target, in parallel, without losing or re-sending.

For each target (on a bounded thread pool): select the records its filter matches and that its
checkpoint does not already cover, cut them into messages and calls (:mod:`chunking`), turn
oversize records into S3 claim checks, send, and retry only the entries that failed, with
exponential backoff and full jitter. Then, per ``on_failure.mode``:

* ``divert``: records still undelivered go, in full, to the failure destination (:mod:`divert`);
  the batch moves on. If even that fails, the records are held as in ``block`` mode.
* ``block``: the first record that could not be delivered, and every later one, are held; records
  that failed permanently (a poison record, not fixed by retrying) are diverted instead when a
  failure destination is configured.

A record the dispatcher cannot read (not an object, no usable ``dynamodb.SequenceNumber``) never
fails its neighbours: it is set aside — kept as received, with the reason, at the top-level
``failure_destination`` (:mod:`unreadable`) — and the others are delivered. Without
a failure destination (or when writing there fails) it is reported in the partial batch response
instead, so that Lambda retries the batch and finally keeps a pointer to it on its own on-failure
path: never dropped.

Held records make the batch fail from the lowest held sequence number
(:meth:`DispatchResult.batch_response`); before returning, every target's progress is
checkpointed at that resume point, so the retried batch skips what each target already received.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quirks.fanout.chunking import (
    Message,
    encode_records,
    event_body,
    limits_for,
    plan_calls,
    plan_messages,
)
from quirks.fanout.claimcheck import store_claim_check
from quirks.fanout.divert import DivertError, divert
from quirks.fanout.targets import EntryFailure, Outgoing, send_call
from quirks.fanout.unreadable import Unreadable, find_unreadable, sequence_field, set_aside
from quirks.streams import wire
from quirks.streams.sequence import parse_sequence_number

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from quirks.fanout.checkpoint import CheckpointStore
    from quirks.fanout.config import FanoutConfig, Target

__all__ = ["DispatchResult", "Dispatcher", "TargetReport"]

MAX_REASONS = 5
HELD_BACK = EntryFailure("held back to keep order", retryable=True)


@dataclass
class TargetReport:
    """What happened to one target in one batch."""

    target: str
    type: str
    mode: str
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


@dataclass
class DispatchResult:
    """The outcome of one batch: a report per target, and where Lambda must resume (if anywhere)."""

    reports: list[TargetReport]
    resume_sequence: str | None = None
    unreadable: list[Unreadable] = field(default_factory=list)

    def batch_response(self) -> wire.PartialBatchResponse:
        """The partial batch response for Lambda (``ReportBatchItemFailures``)."""
        identifiers = [] if self.resume_sequence is None else [self.resume_sequence]
        identifiers += [u.identifier for u in self.unreadable if u.kept_at is None]
        return wire.partial_batch_response(identifiers)


def _unordered(target: Target) -> bool:
    """True when the target's service keeps no order for its consumers (and nothing blocks)."""
    if target.on_failure.mode != "divert":
        return False
    if target.type in ("lambda", "eventbridge"):
        return True
    return target.type in ("sqs", "sns") and not target.destination.endswith(".fifo")


def _sha(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


class Dispatcher:
    """Fans batches out to the configured targets. Build once per container; reuse per batch."""

    def __init__(
        self,
        config: FanoutConfig,
        *,
        checkpoints: CheckpointStore | None = None,
        send: Callable[[Target, Sequence[Outgoing]], dict[int, EntryFailure]] = send_call,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        backoff_base: float = 0.05,
        backoff_cap: float = 2.0,
    ) -> None:
        self.config = config
        self.checkpoints = checkpoints
        self._send = send
        self._sleep = sleep
        self._jitter = jitter
        self._base = backoff_base
        self._cap = backoff_cap
        self._pool = ThreadPoolExecutor(
            max_workers=min(config.concurrency, max(1, len(config.targets))),
            thread_name_prefix="fanout",
        )
        self._calls = ThreadPoolExecutor(
            max_workers=config.concurrency, thread_name_prefix="fanout-call"
        )
        self._counters = threading.Lock()

    def close(self) -> None:
        """Stop the worker threads."""
        self._pool.shutdown(wait=True)
        self._calls.shutdown(wait=True)

    # -- sending with retries ------------------------------------------------------------------

    def send_with_retries(
        self, target: Target, messages: Sequence[Outgoing], report: TargetReport | None = None
    ) -> dict[int, EntryFailure]:
        """Send one call; resend only failed entries, with backoff. Returns final failures."""
        pending = list(range(len(messages)))
        final: dict[int, EntryFailure] = {}
        for attempt in range(target.max_attempts):
            failures = self._send(target, [messages[i] for i in pending])
            if report is not None:
                with self._counters:
                    report.calls += 1
            retry: list[int] = []
            for position, failure in failures.items():
                index = pending[position]
                if failure.retryable and attempt + 1 < target.max_attempts:
                    retry.append(index)
                else:
                    final[index] = failure
            if not retry:
                break
            if report is not None:
                with self._counters:
                    report.retries += len(retry)
            pending = sorted(retry)
            self._sleep(min(self._cap, self._base * 2**attempt) * self._jitter())
        return final

    # -- one target ----------------------------------------------------------------------------

    def _outgoing(self, target: Target, message: Message, records: Sequence[Any]) -> Outgoing:
        first, last = records[message.indexes[0]], records[message.indexes[-1]]
        body = message.body
        if body is None:
            raise ValueError("oversize message")
        if target.format == "record":
            key = _sha(json.dumps(first["dynamodb"].get("Keys"), sort_keys=True).encode())
        else:
            key = _sha(str(first.get("eventSourceARN", "")).encode())
        span = f"{target.id}|{first['dynamodb']['SequenceNumber']}|{last['dynamodb']['SequenceNumber']}"
        return Outgoing(body, key, _sha(span.encode()))

    def _send_call(
        self,
        target: Target,
        pairs: Sequence[tuple[Message, Outgoing]],
        records: Sequence[dict[str, Any]],
        encoded: Sequence[bytes],
        report: TargetReport,
        blocking: Callable[[EntryFailure], bool],
    ) -> list[tuple[Message, EntryFailure | None]]:
        """Send one call with retries; each message with its final failure (None: delivered)."""
        final = self.send_with_retries(target, [o for _, o in pairs], report)
        outcomes: list[tuple[Message, EntryFailure | None]] = []
        for offset, (message, _) in enumerate(pairs):
            failure = final.get(offset)
            if failure is None or failure.retryable or len(message.indexes) == 1:
                outcomes.append((message, failure))
                continue
            # A rejected event takes only its poison record down: resend its records one by one,
            # stopping (block mode) at the first that must hold the target.
            held = False
            for index in message.indexes:
                single = Message((index,), event_body([encoded[index]]))
                if held:
                    outcomes.append((single, HELD_BACK))
                    continue
                outgoing = self._outgoing(target, single, records)
                result = self.send_with_retries(target, [outgoing], report).get(0)
                held = result is not None and blocking(result)
                outcomes.append((single, result))
        return outcomes

    def _deliver(
        self,
        target: Target,
        records: Sequence[dict[str, Any]],
        encoded: Sequence[bytes],
        sequences: Sequence[int],
        skip_through: int | None,
    ) -> TargetReport:
        started = time.perf_counter()
        report = TargetReport(target.id, target.type, target.on_failure.mode)
        selected: list[int] = []
        for i, record in enumerate(records):
            if skip_through is not None and sequences[i] <= skip_through:
                report.skipped += 1
            elif target.filter.matches(record):
                selected.append(i)
        report.selected = len(selected)
        failed: dict[int, EntryFailure] = {}
        ready: list[tuple[Message, Outgoing]] = []
        limit = limits_for(target).message_bytes
        for message in plan_messages(selected, encoded, target):
            if message.body is None:
                index = message.indexes[0]
                if self.config.claim_check is None:
                    failed[index] = EntryFailure(
                        f"record of {len(encoded[index])} bytes is over the {target.type} limit "
                        f"of {limit} bytes and no claim_check is configured",
                        retryable=False,
                    )
                    continue
                try:
                    body = store_claim_check(
                        self.config.claim_check, target.id, records[index], encoded[index]
                    )
                except Exception as exc:
                    failed[index] = EntryFailure(f"claim check not stored: {exc}", retryable=True)
                    continue
                message = Message(message.indexes, body)
                report.claim_checked += 1
            ready.append((message, self._outgoing(target, message, records)))
        block = target.on_failure.mode == "block"
        can_divert = target.on_failure.destination is not None

        def blocking(failure: EntryFailure) -> bool:
            return block and (failure.retryable or not can_divert)

        # In block mode nothing after the first blocking record is sent: order per key is kept.
        hold_from = min((i for i, f in failed.items() if blocking(f)), default=len(records))
        calls = []
        position = 0
        for call in plan_calls([m for m, _ in ready], target):
            calls.append(ready[position : position + len(call)])
            position += len(call)

        def settle(outcomes: list[tuple[Message, EntryFailure | None]]) -> None:
            nonlocal hold_from
            for settled, failure in outcomes:
                if failure is None:
                    report.messages += 1
                    report.delivered += len(settled.indexes)
                    continue
                for index in settled.indexes:
                    failed[index] = failure
                if blocking(failure):
                    hold_from = min(hold_from, settled.indexes[0])

        if _unordered(target) and len(calls) > 1:
            # The service keeps no order for its consumers anyway: send the calls concurrently.
            results = self._calls.map(
                lambda pairs: self._send_call(target, pairs, records, encoded, report, blocking),
                calls,
            )
            for outcomes in results:
                settle(outcomes)
        else:
            for pairs in calls:
                sendable = [(m, o) for m, o in pairs if m.indexes[0] < hold_from]
                for message, _ in pairs[len(sendable) :]:
                    for index in message.indexes:
                        failed[index] = HELD_BACK
                if sendable:
                    settle(self._send_call(target, sendable, records, encoded, report, blocking))
        to_divert: list[int] = []
        for index, failure in sorted(failed.items()):
            report.note(failure.reason)
            if block and (failure.retryable or not can_divert):
                report.held.append(index)
            else:
                to_divert.append(index)
        if to_divert:
            destination = target.on_failure.destination
            try:
                if destination is None:
                    raise DivertError("no failure destination is configured")
                report.diverted_to = divert(
                    destination,
                    target.id,
                    [records[i] for i in to_divert],
                    lambda t, m: self.send_with_retries(t, m),
                )
                report.diverted = len(to_divert)
            except DivertError as exc:
                report.note(f"divert failed: {exc}")
                report.held = sorted(set(report.held) | set(to_divert))
        report.seconds = time.perf_counter() - started
        return report

    # -- one batch -----------------------------------------------------------------------------

    def dispatch(self, records: Sequence[dict[str, Any]]) -> DispatchResult:
        """Deliver a batch (the ``Records`` of a Lambda DynamoDB stream event)."""
        reasons = find_unreadable(records)
        if not reasons:
            return self._dispatch(records)
        unreadable = set_aside(
            records,
            reasons,
            self.config.failure_destination,
            lambda t, m: self.send_with_retries(t, m),
        )
        readable = [r for i, r in enumerate(records) if i not in reasons]
        result = self._dispatch(readable) if readable else DispatchResult([])
        result.unreadable = unreadable
        return result

    def _dispatch(self, records: Sequence[dict[str, Any]]) -> DispatchResult:
        if not records:
            return DispatchResult([])
        sequences = [
            parse_sequence_number(sequence_field(r, i), f"Records[{i}].dynamodb.SequenceNumber")
            for i, r in enumerate(records)
        ]
        stream_arn = str(records[0].get("eventSourceARN", ""))
        encoded = encode_records(records)
        previous: dict[str, int] = {}
        if self.checkpoints is not None:
            previous = self.checkpoints.read(
                [t.id for t in self.config.targets], stream_arn, sequences[0]
            )
        futures = [
            self._pool.submit(
                self._deliver, target, records, encoded, sequences, previous.get(target.id)
            )
            for target in self.config.targets
        ]
        reports = [future.result() for future in futures]
        held = [index for report in reports for index in report.held]
        if not held:
            return DispatchResult(reports)
        resume_index = min(held)
        resume = sequences[resume_index]
        if self.checkpoints is not None:
            progress: dict[str, int] = {}
            for report in reports:
                first_held = min(report.held) if report.held else len(records)
                if first_held > resume_index:
                    progress[report.target] = sequences[first_held - 1]
            self.checkpoints.advance_all(stream_arn, resume, progress)
        return DispatchResult(reports, records[resume_index]["dynamodb"]["SequenceNumber"])
