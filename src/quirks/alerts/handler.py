"""Lambda entry point for CloudWatch Logs subscription deliveries: ``lambda_handler``.

Lifecycle (as every handler of the toolkit): nothing is built at import; the first invocation
builds the notifier from the environment (:func:`quirks.alerts.factory.build_notifier`) under a
lock and the container keeps it; :func:`reset` forgets it (tests, a changed environment).
Malformed payloads are logged at ERROR and skipped; ``CONTROL_MESSAGE`` probes are ignored;
deliveries from the notifier's own log group are ignored (loop guard).
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from quirks.alerts.decode import PayloadError, decode_event
from quirks.alerts.factory import build_notifier
from quirks.lifecycle import PerContainer
from quirks.timeouts import TimeoutCheck

if TYPE_CHECKING:
    from quirks.alerts.notifier import Notifier

__all__ = ["lambda_handler", "reset"]

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "quirks-alerts"))
copy_config_to_registered_loggers(source_logger=logger, include={"quirks"})

_notifier: PerContainer[Notifier] = PerContainer(lambda: build_notifier())
_check_timeout = TimeoutCheck("alerts")


def reset() -> None:
    """Forget the container's notifier (tests; a changed environment)."""
    _notifier.reset()
    _check_timeout.reset()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Handle one CloudWatch Logs subscription delivery; returns a summary of what was done."""
    _check_timeout(context, logger)
    try:
        batch = decode_event(event)
    except PayloadError as exc:
        logger.error(
            "malformed CloudWatch Logs payload skipped",
            extra={"field": exc.field, "problem": exc.problem},
        )
        return {"skipped": "malformed", "field": exc.field, "problem": exc.problem}
    if batch.is_control:
        logger.info("CONTROL_MESSAGE ignored", extra={"log_group": batch.log_group})
        return {"skipped": "control", "log_group": batch.log_group}
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    outcome = _notifier.get().process(batch, remaining if callable(remaining) else None)
    summary = dataclasses.asdict(outcome)
    logger.info("delivery processed", extra=summary)
    return summary
