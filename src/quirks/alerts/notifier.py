"""The notifier: classify a delivery, control noise, and deliver each alert in isolation.

Both the Lambda handler and ``quirks alerts send-test`` use it. Failure isolation: every alert is
delivered on its own; a failure is logged at ERROR as an error of the notifier (with the fingerprint
and the sink, never a secret) and the rest of the batch still goes out.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quirks.alerts.classify import classify_batch
from quirks.alerts.dedupe import Alert, SuppressionStore, group
from quirks.alerts.redact import Redactor
from quirks.alerts.render import Origin

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from quirks.alerts.decode import LogBatch, LogEvent
    from quirks.alerts.sinks.base import Sink

__all__ = ["Notifier", "Outcome"]

log = logging.getLogger("quirks.alerts")

# Stop sending this long before the invocation's timeout (a Slack call may take a few seconds).
DEADLINE_RESERVE_MS = 5_000


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one delivery produced."""

    log_group: str
    events: int
    errors: int
    alerts: int
    sent: int
    suppressed: int
    follow_ups: int
    failed: int
    skipped: str | None = None


class Notifier:
    """Turns log deliveries into alerts at one or more sinks."""

    def __init__(
        self,
        sinks: Sequence[Sink],
        store: SuppressionStore,
        *,
        region: str,
        redactor: Redactor | None = None,
        own_log_group: str | None = None,
        clock: Callable[[], int] = _now_ms,
        follow_up_interval_ms: int = 30_000,
        max_messages: int = 10,
    ) -> None:
        self.sinks = tuple(sinks)
        self.store = store
        self.region = region
        self.redactor = redactor or Redactor()
        self.own_log_group = own_log_group
        self.clock = clock
        self.follow_up_interval_ms = follow_up_interval_ms
        self.max_messages = max(2, max_messages)
        self._last_sweep: int | None = None

    def _admit(self, alert: Alert, now_ms: int) -> Alert | None:
        try:
            admission = self.store.admit(alert, now_ms)
        except Exception as exc:  # the store is down: a duplicate is better than a lost alert
            log.error(
                "alert suppression store failed; sending without suppression",
                extra={"fingerprint": alert.fingerprint, "error": f"{type(exc).__name__}: {exc}"},
            )
            return alert
        if not admission.send:
            return None
        return dataclasses.replace(
            alert,
            previously_suppressed=admission.previously_suppressed,
            suppressed_since=admission.suppressed_since,
        )

    def _classification_failed(self, event: LogEvent, exc: Exception) -> None:
        # The exception text may quote the event: it is redacted like everything that leaves.
        log.error(
            "could not classify a log event; it was skipped",
            extra={
                "event_id": event.id,
                "error": self.redactor.text(f"{type(exc).__name__}: {exc}"),
            },
        )

    def _follow_ups(self, now_ms: int) -> list[Alert]:
        # A shared store is scanned at most every follow_up_interval_ms per container.
        if self._last_sweep is not None and now_ms - self._last_sweep < self.follow_up_interval_ms:
            return []
        self._last_sweep = now_ms
        try:
            return self.store.due_follow_ups(now_ms)
        except Exception as exc:
            log.error(
                "could not read due follow-ups", extra={"error": f"{type(exc).__name__}: {exc}"}
            )
            return []

    def deliver(
        self,
        alerts: Sequence[Alert],
        origin: Origin,
        remaining_ms: Callable[[], int] | None = None,
    ) -> tuple[int, int]:
        """Send every alert to every sink; returns (delivered, failed) counts of (alert, sink).

        Beyond ``max_messages`` alerts, the first ``max_messages - 1`` go out one by one and the
        rest as one digest, so that a burst of distinct errors neither floods the channel nor
        outlasts the invocation at Slack's pace. With ``remaining_ms`` (the invocation's time left),
        alerts that can no longer be sent before the deadline are logged at ERROR with their
        content instead of being cut off.
        """
        if len(alerts) > self.max_messages:
            single, digest = (
                list(alerts[: self.max_messages - 1]),
                list(alerts[self.max_messages - 1 :]),
            )
        else:
            single, digest = list(alerts), []
        sent = failed = 0
        for sink in self.sinks:
            for alert in single:
                if remaining_ms is not None and remaining_ms() < DEADLINE_RESERVE_MS:
                    failed += 1
                    self._log_failure(alert, sink.name, "out of time before the Lambda timeout")
                    continue
                try:
                    sink.send(alert, origin)
                except Exception as exc:
                    failed += 1
                    self._log_failure(alert, sink.name, f"{type(exc).__name__}: {exc}")
                else:
                    sent += 1
            if digest:
                error = None
                if remaining_ms is not None and remaining_ms() < DEADLINE_RESERVE_MS:
                    error = "out of time before the Lambda timeout"
                else:
                    try:
                        sink.send_digest(digest, origin)
                    except Exception as exc:
                        error = f"{type(exc).__name__}: {exc}"
                if error is None:
                    sent += len(digest)
                else:
                    failed += len(digest)
                    for alert in digest:
                        self._log_failure(alert, sink.name, f"digest: {error}")
        return sent, failed

    def _log_failure(self, alert: Alert, sink: str, error: str) -> None:
        # The line carries the alert itself (redacted), so that nothing is lost for a reader.
        log.error(
            "alert delivery failed",
            extra={
                "sink": sink,
                "fingerprint": alert.fingerprint,
                "function": alert.record.function_name,
                "error_type": alert.record.error_type,
                "error_message": alert.record.message[:1000],
                "request_id": alert.record.request_id,
                "occurrences": alert.count,
                "follow_up": alert.follow_up,
                "error": self.redactor.text(error),
            },
        )

    def process(self, batch: LogBatch, remaining_ms: Callable[[], int] | None = None) -> Outcome:
        """Classify every event of ``batch`` and deliver the resulting alerts and due follow-ups."""
        if self.own_log_group and batch.log_group == self.own_log_group:
            log.warning("ignored a delivery from the notifier's own log group (loop guard)")
            return Outcome(batch.log_group, len(batch.events), 0, 0, 0, 0, 0, 0, "own-log-group")
        records = [
            self.redactor.record(r) for r in classify_batch(batch, self._classification_failed)
        ]
        grouped = group(records)
        now_ms = self.clock()
        to_send = [a for a in (self._admit(alert, now_ms) for alert in grouped) if a is not None]
        suppressed = sum(a.count for a in grouped) - sum(a.count for a in to_send)
        follow_ups = self._follow_ups(now_ms)
        origin = Origin(account=batch.owner, region=self.region)
        sent, failed = self.deliver([*to_send, *follow_ups], origin, remaining_ms)
        return Outcome(
            log_group=batch.log_group,
            events=len(batch.events),
            errors=len(records),
            alerts=len(to_send),
            sent=sent,
            suppressed=suppressed,
            follow_ups=len(follow_ups),
            failed=failed,
        )
