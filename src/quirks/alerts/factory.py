"""Build the notifier's sinks, suppression store and the notifier itself from the environment.

No side effects at import: the Lambda handler and the CLI (``send-test``) both use it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from quirks import aws
from quirks.alerts.config import AlertSettings, resolve_webhook_url
from quirks.alerts.dedupe import DynamoStore, MemoryStore, SuppressionStore
from quirks.alerts.notifier import Notifier
from quirks.alerts.redact import Redactor
from quirks.alerts.sinks.chatbot import ChatbotSink
from quirks.alerts.sinks.slack import Pacer, SlackSink
from quirks.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from quirks.alerts.sinks.base import Sink

__all__ = ["build_notifier", "build_sinks", "build_store"]


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
        max_messages=settings.max_messages,
        own_log_group=environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        or (
            f"/aws/lambda/{environ['AWS_LAMBDA_FUNCTION_NAME']}"
            if environ.get("AWS_LAMBDA_FUNCTION_NAME")
            else None
        ),
    )
