"""``quirks.fanout.handler.lambda_handler``: the function behind the stream's only event source mapping.

Importing the module does no I/O. The first invocation loads and validates the configuration and
builds the dispatcher (:func:`quirks.fanout.factory.build_dispatcher`, under a lock), so a bad
configuration fails that invocation with a message naming the target and field, before any record
is touched; Lambda then retries the batch. The dispatcher, its thread pool and its AWS clients are
reused by warm invocations; :func:`reset` forgets them (tests).

Returns the partial batch response (``ReportBatchItemFailures`` must be enabled on the ESM): empty
when every target received or durably diverted its records, otherwise the lowest sequence number
still owed to a target. Powertools' ``process_partial_response`` is not used because failures here
belong to (record, target) pairs, not to records: the dispatcher computes the one identifier Lambda
needs (it resumes from the lowest one reported anyway, https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).

Logs: Powertools Logger, correlation id ``<first sequence>-<last sequence>`` of the batch; records a
target could not take are logged at ERROR with the reasons. Metrics (EMF, namespace
``ServerlessQuirks`` unless ``POWERTOOLS_METRICS_NAMESPACE`` is set), dimensions ``service``
(``POWERTOOLS_SERVICE_NAME``, default ``quirks-fanout``) and ``target``:
``Delivered``, ``Failed``, ``Diverted``, ``Held``, ``ClaimChecked``, ``Retries`` (counts) and
``DispatchLatency`` (milliseconds).
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from quirks.errors import RecordFormatError
from quirks.fanout.factory import build_dispatcher
from quirks.lifecycle import PerContainer
from quirks.streams import wire
from quirks.timeouts import TimeoutCheck

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from quirks.fanout.delivery import TargetReport
    from quirks.fanout.dispatcher import Dispatcher

__all__ = ["lambda_handler", "reset"]

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "quirks-fanout")
logger = Logger(service=SERVICE)
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "ServerlessQuirks")

# Built from the configuration on the first invocation; the lambda looks the factory up then.
_dispatcher: PerContainer[Dispatcher] = PerContainer(
    lambda: build_dispatcher(), close=lambda dispatcher: dispatcher.close()
)
_check_timeout = TimeoutCheck("fanout")


def reset() -> None:
    """Forget the dispatcher (the next invocation reloads the configuration)."""
    _dispatcher.reset()
    _check_timeout.reset()


def _emit_metrics(report: TargetReport, milliseconds: float) -> None:
    # The service dimension is the deployment's own (the Terraform module sets it to the function
    # name), so two fan-out functions with a target of the same id keep separate metrics.
    metrics = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
    metrics.add_dimension(name="target", value=report.target)
    metrics.add_metric(name="Delivered", unit=MetricUnit.Count, value=report.delivered)
    metrics.add_metric(name="Failed", unit=MetricUnit.Count, value=report.failed)
    metrics.add_metric(name="Diverted", unit=MetricUnit.Count, value=report.diverted)
    metrics.add_metric(name="Held", unit=MetricUnit.Count, value=len(report.held))
    metrics.add_metric(name="ClaimChecked", unit=MetricUnit.Count, value=report.claim_checked)
    metrics.add_metric(name="Retries", unit=MetricUnit.Count, value=report.retries)
    metrics.add_metric(name="DispatchLatency", unit=MetricUnit.Milliseconds, value=milliseconds)
    metrics.flush_metrics()


def _summary(report: TargetReport) -> dict[str, Any]:
    return {
        "target": report.target,
        "selected": report.selected,
        "skipped": report.skipped,
        "delivered": report.delivered,
        "diverted": report.diverted,
        "diverted_to": report.diverted_to,
        "held": len(report.held),
        "claim_checked": report.claim_checked,
        "retries": report.retries,
        "reasons": report.reasons,
    }


def _sequence(record: Any) -> Any:
    dynamodb = record.get("dynamodb") if isinstance(record, dict) else None
    return dynamodb.get("SequenceNumber") if isinstance(dynamodb, dict) else None


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Fan one DynamoDB stream batch out to every configured target."""
    _check_timeout(context, logger)
    dispatcher = _dispatcher.get()
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise RecordFormatError("Records", "expected a DynamoDB stream event with a Records list")
    if not records:
        return dict(wire.partial_batch_response())
    logger.set_correlation_id(f"{_sequence(records[0])}-{_sequence(records[-1])}")
    stream_arn = records[0].get("eventSourceARN") if isinstance(records[0], dict) else None
    logger.append_keys(stream_arn=stream_arn, batch_size=len(records))
    started = time.perf_counter()
    result = dispatcher.dispatch(records)
    elapsed_ms = (time.perf_counter() - started) * 1000
    for report in result.reports:
        _emit_metrics(report, report.seconds * 1000)
        if report.held:
            logger.error(
                "target is owed records; the batch will be retried", extra=_summary(report)
            )
        elif report.diverted:
            logger.error("records diverted to the failure destination", extra=_summary(report))
        else:
            logger.info("target delivered", extra=_summary(report))
    for unreadable in result.unreadable:
        # The reason and the place only: the record itself may hold data not meant for logs.
        logger.error(
            "unreadable record set aside"
            if unreadable.kept_at
            else "unreadable record reported in the partial batch response",
            extra={
                "index": unreadable.index,
                "reason": unreadable.reason,
                "kept_at": unreadable.kept_at,
            },
        )
    response = dict(result.batch_response())
    logger.info(
        "batch dispatched",
        extra={"milliseconds": round(elapsed_ms, 1), "resume_at": result.resume_sequence},
    )
    return response
