"""Notifier settings from the environment, and the webhook URL from Secrets Manager or SSM.

| variable | meaning |
|---|---|
| ``QUIRKS_SLACK_WEBHOOK_SECRET`` | Secrets Manager secret id holding the webhook URL (or JSON ``{"url": ...}``) |
| ``QUIRKS_SLACK_WEBHOOK_SSM`` | SSM SecureString parameter name holding the URL |
| ``QUIRKS_SLACK_WEBHOOK_URL`` | the URL itself (prefer one of the two above) |
| ``QUIRKS_ALERTS_SNS_TOPIC`` | SNS topic ARN for AWS Chatbot custom notifications |
| ``QUIRKS_ALERTS_DEDUPE_TABLE`` | DynamoDB table for suppression windows (else per container) |
| ``QUIRKS_ALERTS_WINDOW_SECONDS`` | suppression window per fingerprint, default 900 |
| ``QUIRKS_ALERTS_REDACT`` | JSON array of extra regular expressions to redact |
| ``QUIRKS_ALERTS_REDACT_DEFAULTS`` | ``false`` to drop the default e-mail / bearer token patterns |
| ``QUIRKS_SLACK_MIN_INTERVAL`` | seconds between two messages to the webhook, default 1.0 |
| ``QUIRKS_ALERTS_MAX_MESSAGES`` | messages per delivery before the rest go out as one digest, default 10 |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from quirks import aws, jsonsafe
from quirks.alerts.redact import DEFAULT_PATTERNS, Redactor
from quirks.errors import ConfigurationError, FormatError
from quirks.parameters import Parameters

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["AlertSettings", "resolve_webhook_url"]

DEFAULT_WINDOW_SECONDS = 900
WEBHOOK_MAX_AGE = 300  # seconds Powertools reuses a webhook URL it read


@dataclass(frozen=True)
class AlertSettings:
    """Everything the notifier reads from its environment."""

    webhook_secret: str | None = None
    webhook_ssm: str | None = None
    webhook_url: str | None = None
    sns_topic: str | None = None
    dedupe_table: str | None = None
    window_seconds: int = DEFAULT_WINDOW_SECONDS
    redact_patterns: tuple[str, ...] = DEFAULT_PATTERNS
    slack_min_interval: float = 1.0
    max_messages: int = 10

    @property
    def has_slack(self) -> bool:
        return bool(self.webhook_secret or self.webhook_ssm or self.webhook_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> AlertSettings:
        """Read and validate the ``QUIRKS_*`` variables."""

        def get(name: str) -> str | None:
            return environ.get(name, "").strip() or None

        try:
            window = int(get("QUIRKS_ALERTS_WINDOW_SECONDS") or DEFAULT_WINDOW_SECONDS)
            interval = float(get("QUIRKS_SLACK_MIN_INTERVAL") or 1.0)
            max_messages = int(get("QUIRKS_ALERTS_MAX_MESSAGES") or 10)
        except ValueError:
            raise ConfigurationError(
                "QUIRKS_ALERTS_WINDOW_SECONDS, QUIRKS_SLACK_MIN_INTERVAL and "
                "QUIRKS_ALERTS_MAX_MESSAGES must be numbers",
                "set them to e.g. 900, 1.0 and 10",
            ) from None
        if max_messages < 2:
            raise ConfigurationError(
                "QUIRKS_ALERTS_MAX_MESSAGES must be at least 2", "use 2 or more (default 10)"
            )
        if window < 0:
            raise ConfigurationError(
                "QUIRKS_ALERTS_WINDOW_SECONDS is negative", "use 0 to disable suppression"
            )
        patterns: tuple[str, ...] = ()
        if (get("QUIRKS_ALERTS_REDACT_DEFAULTS") or "true").lower() != "false":
            patterns = DEFAULT_PATTERNS
        extra = get("QUIRKS_ALERTS_REDACT")
        if extra:
            try:
                values = jsonsafe.loads(extra, "QUIRKS_ALERTS_REDACT")
            except FormatError:
                values = None
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigurationError(
                    "QUIRKS_ALERTS_REDACT is not a JSON array of strings",
                    'write it as ["pattern1", "pattern2"]',
                )
            patterns = (*patterns, *values)
        Redactor(patterns)  # validates the patterns now, not at the first error
        return cls(
            webhook_secret=get("QUIRKS_SLACK_WEBHOOK_SECRET"),
            webhook_ssm=get("QUIRKS_SLACK_WEBHOOK_SSM"),
            webhook_url=get("QUIRKS_SLACK_WEBHOOK_URL"),
            sns_topic=get("QUIRKS_ALERTS_SNS_TOPIC"),
            dedupe_table=get("QUIRKS_ALERTS_DEDUPE_TABLE"),
            window_seconds=window,
            redact_patterns=patterns,
            slack_min_interval=interval,
            max_messages=max_messages,
        )


def _url_from_secret_value(value: str, source: str) -> str:
    text = value.strip()
    if text.startswith("{"):
        try:
            document = jsonsafe.loads(text, source)
        except FormatError:
            document = {}
        text = (
            str(document.get("url") or document.get("webhook_url") or "")
            if isinstance(document, dict)
            else ""
        )
    if not text.startswith("https://") and not text.startswith("http://"):
        raise ConfigurationError(
            f"the Slack webhook from {source} is not a URL",
            'store the webhook URL itself, or JSON {"url": "https://hooks.slack.com/..."}',
        )
    return text


def resolve_webhook_url(
    settings: AlertSettings,
    *,
    clients: aws.ClientFactory | None = None,
    max_age: int = WEBHOOK_MAX_AGE,
) -> str:
    """The webhook URL: Secrets Manager, then SSM SecureString, then the plain variable.

    Read through Powertools' parameters utility (its providers cache for ``max_age`` seconds); the
    notifier is built once per container, so the URL is read once per container. The value is
    never logged, and a source that cannot be read is a :class:`ConfigurationError` naming it.
    """
    parameters = Parameters(clients)
    what = "the Slack webhook"
    fix = "check the name and the role's secretsmanager:GetSecretValue / ssm:GetParameter grant"
    if settings.webhook_secret:
        source = f"secret {settings.webhook_secret}"
        value = parameters.secret(settings.webhook_secret, what=what, fix=fix, max_age=max_age)
    elif settings.webhook_ssm:
        source = f"SSM parameter {settings.webhook_ssm}"
        value = parameters.ssm(settings.webhook_ssm, what=what, fix=fix, max_age=max_age)
    elif settings.webhook_url:
        return _url_from_secret_value(settings.webhook_url, "QUIRKS_SLACK_WEBHOOK_URL")
    else:
        raise ConfigurationError(
            "no Slack webhook is configured",
            "set QUIRKS_SLACK_WEBHOOK_SECRET, QUIRKS_SLACK_WEBHOOK_SSM or QUIRKS_SLACK_WEBHOOK_URL",
        )
    return _url_from_secret_value(value, source)
