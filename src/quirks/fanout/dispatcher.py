"""Deliver one batch of stream records to every target, in parallel, without losing or re-sending.

Each record is JSON-encoded once per batch (:mod:`quirks.streams.encoding`). For each target (on a
bounded thread pool) the dispatcher plans (:mod:`plan`: the records its filter matches and its
checkpoint does not already cover, cut into messages and calls) and carries the plan out
(:mod:`delivery`): oversize records become S3 claim checks, calls are sent, and only the entries
that failed are retried, with exponential backoff and full jitter. Then, per ``on_failure.mode``:

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

import functools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.fanout.config import failure_queue
from quirks.fanout.delivery import Batch, TargetDelivery, TargetReport
from quirks.fanout.plan import plan_target
from quirks.fanout.targets import EntryFailure, Outgoing, send_call
from quirks.fanout.unreadable import Unreadable, find_unreadable, sequence_field, set_aside
from quirks.streams import wire
from quirks.streams.encoding import encode_records
from quirks.streams.sequence import parse_sequence_number

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from quirks.fanout.checkpoint import CheckpointStore
    from quirks.fanout.config import FanoutConfig, Target

__all__ = ["DispatchResult", "Dispatcher", "TargetReport"]


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


class Dispatcher:
    """Fans batches out to the configured targets. Build once per container; reuse per batch."""

    def __init__(
        self,
        config: FanoutConfig,
        *,
        checkpoints: CheckpointStore | None = None,
        clients: aws.ClientFactory | None = None,
        send: Callable[[Target, Sequence[Outgoing]], dict[int, EntryFailure]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        backoff_base: float = 0.05,
        backoff_cap: float = 2.0,
    ) -> None:
        self.config = config
        self.checkpoints = checkpoints
        self._clients = clients or aws.current()
        self._send = send or functools.partial(send_call, clients=self._clients)
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

    def _send_to_queue(
        self, owner: str, queue: str, messages: Sequence[Outgoing]
    ) -> dict[int, EntryFailure]:
        """Divert's sender: the failure queue of ``owner``, through the same seam and retries."""
        return self.send_with_retries(failure_queue(owner, queue), messages)

    # -- one target ----------------------------------------------------------------------------

    def _deliver(self, target: Target, batch: Batch, skip_through: int | None) -> TargetReport:
        plan = plan_target(
            target,
            batch.records,
            batch.encoded,
            claim_check=self.config.claim_check is not None,
            sequences=batch.sequences,
            skip_through=skip_through,
        )
        delivery = TargetDelivery(
            plan,
            batch,
            send=self.send_with_retries,
            queue_send=self._send_to_queue,
            pool=self._calls,
            claim_check=self.config.claim_check,
            clients=self._clients,
        )
        return delivery.run()

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
            self._send_to_queue,
            clients=self._clients,
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
        batch = Batch(records, encode_records(records), sequences)
        previous: dict[str, int] = {}
        if self.checkpoints is not None:
            previous = self.checkpoints.read(
                [t.id for t in self.config.targets], stream_arn, sequences[0]
            )
        futures = [
            self._pool.submit(self._deliver, target, batch, previous.get(target.id))
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
