"""Lambda handler for an SQS trigger on the on-failure queue: recover minutes after a failure.

Configuration (environment):

* ``QUIRKS_ARCHIVE`` (required): a directory or ``s3://bucket/prefix`` for archives and manifests;
* ``QUIRKS_REPLAY_FUNCTION`` (optional): a function to invoke with the recovered records;
* ``POWERTOOLS_SERVICE_NAME`` / ``POWERTOOLS_METRICS_NAMESPACE``: Powertools' own settings
  (defaults ``quirks-recovery`` / ``ServerlessQuirks``).

The whole batch is merged and read at once; then the SQS partial batch response returns the messages
that are not settled (unreadable ranges, write failures, unparseable messages) so that only they are
retried, and eventually reach the queue's own dead-letter queue. Losses are logged at ERROR and
counted in the ``RecordsLost`` metric.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from quirks.lifecycle import PerContainer
from quirks.recovery.factory import build_recovery_from_env
from quirks.recovery.sources import EventSource
from quirks.streams.wire import PartialBatchResponse, partial_batch_response
from quirks.timeouts import TimeoutCheck

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from quirks.recovery.factory import Recovery
    from quirks.recovery.report import RecoveryReport

__all__ = ["lambda_handler", "reset"]

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "quirks-recovery")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "ServerlessQuirks")
SAFETY_MARGIN_MS = 20_000
"""Stop reading this long before the invocation times out, so results are still written."""

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
_check_timeout = TimeoutCheck("recovery")

# Built from the environment on the first invocation, then kept for the container.
_recovery: PerContainer[Recovery] = PerContainer(lambda: build_recovery_from_env())


def reset() -> None:
    """Forget the container's wiring (tests; a changed environment)."""
    _recovery.reset()
    _check_timeout.reset()


def _record_metrics(report: RecoveryReport) -> None:
    metrics.add_metric("PointersReceived", MetricUnit.Count, len(report.pointers))
    metrics.add_metric("RecordsRecovered", MetricUnit.Count, report.records_recovered)
    metrics.add_metric("RecordsLost", MetricUnit.Count, report.records_lost)
    metrics.add_metric("InvalidMessages", MetricUnit.Count, len(report.invalid))
    age = report.oldest_pointer_age_seconds
    if age is not None:
        metrics.add_metric("PointerAge", MetricUnit.Seconds, age)


def _log(report: RecoveryReport) -> None:
    summary = report.summary()
    for lost in summary["lost_ranges"]:
        logger.error("stream records lost", extra={"lost_range": lost})
    for near in summary["near_deadline"]:
        logger.warning("pointer close to its 24 h deadline", extra={"pointer": near})
    for entry in report.invalid + report.unsupported:
        logger.error(
            "message left in the queue: not a DynamoDB stream pointer", extra={"entry": entry}
        )
    for outcome in report.incomplete:
        logger.error("range kept for a retry", extra={"range": outcome.summary()})
    logger.info(
        "recovery finished",
        extra={
            k: summary[k]
            for k in (
                "pointers",
                "ranges",
                "records_recovered",
                "records_lost",
                "archives",
                "manifest",
                "api_calls",
            )
        },
    )


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialBatchResponse:
    """Recover the records the batch's pointers point to; return the unsettled messages."""
    _check_timeout(context, logger)
    recovery = _recovery.get()
    source = EventSource(event.get("Records", []))
    messages = source.receive()
    service = recovery.service(
        should_stop=lambda: context.get_remaining_time_in_millis() < SAFETY_MARGIN_MS
    )
    report = service.run(source, messages)
    if recovery.replayer is not None:
        result = recovery.replayer.replay(report.recovered_records(), report.recovered_encoded())
        report.replay = result.summary()
        if result.failed:
            logger.error("replay failed", extra={"replay": report.replay})
    _record_metrics(report)
    _log(report)
    # What the service did not settle goes back to the queue (its own DLQ after maxReceiveCount).
    settled = set(report.settled)
    return partial_batch_response([m.id for m in messages if m.id not in settled])
