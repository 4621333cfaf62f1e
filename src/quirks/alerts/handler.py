"""Lambda entry point for CloudWatch Logs subscription deliveries: ``lambda_handler``.

Dependencies are built once per container from the environment (see :mod:`quirks.alerts.config`).
Malformed payloads are logged at ERROR and skipped; ``CONTROL_MESSAGE`` probes are ignored;
deliveries from the notifier's own log group are ignored (loop guard).
"""

from __future__ import annotations

import dataclasses
import os
import threading
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

from quirks import aws
from quirks.alerts.config import AlertSettings, resolve_webhook_url
from quirks.alerts.decode import PayloadError, decode_event
from quirks.alerts.dedupe import DynamoStore, MemoryStore, SuppressionStore
from quirks.alerts.notifier import Notifier
from quirks.alerts.redact import Redactor
from quirks.alerts.sinks.chatbot import ChatbotSink
from quirks.alerts.sinks.slack import Pacer, SlackSink
from quirks.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from quirks.alerts.sinks.base import Sink

__all__ = ["build_notifier", "lambda_handler", "reset"]

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "quirks-alerts"))
copy_config_to_registered_loggers(source_logger=logger, include={"quirks"})

_notifier: Notifier | None = None
_lock = threading.Lock()


def build_sinks(settings: AlertSettings) -> list[Sink]:
    """The configured sinks: Slack and/or Chatbot via SNS."""
    sinks: list[Sink] = []
    if settings.has_slack:
        sinks.append(
            SlackSink(resolve_webhook_url(settings), pacer=Pacer(settings.slack_min_interval))
        )
    if settings.sns_topic:
        sinks.append(ChatbotSink(settings.sns_topic))
    if not sinks:
        raise ConfigurationError(
            "no alert destination is configured",
            "set QUIRKS_SLACK_WEBHOOK_SECRET / _SSM / _URL, or QUIRKS_ALERTS_SNS_TOPIC",
        )
    return sinks


def build_store(settings: AlertSettings) -> SuppressionStore:
    """DynamoDB windows when ``QUIRKS_ALERTS_DEDUPE_TABLE`` is set, else per container."""
    window_ms = settings.window_seconds * 1000
    if settings.dedupe_table:
        return DynamoStore(settings.dedupe_table, window_ms)
    return MemoryStore(window_ms)


def build_notifier(environ: Mapping[str, str] | None = None) -> Notifier:
    """A notifier configured from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    settings = AlertSettings.from_env(environ)
    return Notifier(
        build_sinks(settings),
        build_store(settings),
        region=aws.current().region(),
        redactor=Redactor(settings.redact_patterns),
        own_log_group=environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        or (
            f"/aws/lambda/{environ['AWS_LAMBDA_FUNCTION_NAME']}"
            if environ.get("AWS_LAMBDA_FUNCTION_NAME")
            else None
        ),
    )


def reset() -> None:
    """Forget the container's notifier (tests; a changed environment)."""
    global _notifier
    with _lock:
        _notifier = None


def _get_notifier() -> Notifier:
    global _notifier
    with _lock:
        if _notifier is None:
            _notifier = build_notifier()
        return _notifier


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Handle one CloudWatch Logs subscription delivery; returns a summary of what was done."""
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
    outcome = _get_notifier().process(batch)
    summary = dataclasses.asdict(outcome)
    logger.info("delivery processed", extra=summary)
    return summary
