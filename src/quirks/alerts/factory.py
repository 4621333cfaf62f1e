"""Composition root for alerts: sinks, suppression store, notifier and the subscriptions adapter.

No side effects at import: the Lambda handler and the CLI (``send-test``, ``attach``/``detach``)
both build their objects here, on one :class:`~quirks.aws.ClientFactory`.
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
from quirks.alerts.subscriptions import LogSubscriptions
from quirks.arns import lambda_log_group
from quirks.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from quirks.alerts.sinks.base import Sink

__all__ = ["build_notifier", "build_sinks", "build_store", "build_subscriptions"]


def build_subscriptions(*, clients: aws.ClientFactory | None = None) -> LogSubscriptions:
    """The adapter ``quirks alerts attach/detach`` reads and changes subscriptions through."""
    return LogSubscriptions(clients=clients or aws.current())


def build_sinks(settings: AlertSettings, *, clients: aws.ClientFactory | None = None) -> list[Sink]:
    """The configured sinks: Slack and/or Chatbot via SNS."""
    clients = clients or aws.current()
    sinks: list[Sink] = []
    if settings.has_slack:
        url = resolve_webhook_url(settings, clients=clients)
        sinks.append(SlackSink(url, pacer=Pacer(settings.slack_min_interval)))
    if settings.sns_topic:
        sinks.append(ChatbotSink(settings.sns_topic, clients=clients))
    if not sinks:
        raise ConfigurationError(
            "no alert destination is configured",
            "set QUIRKS_SLACK_WEBHOOK_SECRET / _SSM / _URL, or QUIRKS_ALERTS_SNS_TOPIC",
        )
    return sinks


def build_store(
    settings: AlertSettings, *, clients: aws.ClientFactory | None = None
) -> SuppressionStore:
    """DynamoDB windows when ``QUIRKS_ALERTS_DEDUPE_TABLE`` is set, else per container."""
    window_ms = settings.window_seconds * 1000
    if settings.dedupe_table:
        return DynamoStore(settings.dedupe_table, window_ms, clients=clients or aws.current())
    return MemoryStore(window_ms)


def build_notifier(
    environ: Mapping[str, str] | None = None, *, clients: aws.ClientFactory | None = None
) -> Notifier:
    """A notifier configured from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    clients = clients or aws.current()
    settings = AlertSettings.from_env(environ)
    function = environ.get("AWS_LAMBDA_FUNCTION_NAME")
    return Notifier(
        build_sinks(settings, clients=clients),
        build_store(settings, clients=clients),
        region=clients.region(),
        redactor=Redactor(settings.redact_patterns),
        max_messages=settings.max_messages,
        # Lambda sets AWS_LAMBDA_LOG_GROUP_NAME to LoggingConfig.LogGroup (or the default).
        own_log_group=environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        or (lambda_log_group(function) if function else None),
    )
