"""Slack incoming webhooks through ``slack_sdk``: Block Kit, 429 + ``Retry-After``, ~1 message/s."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from quirks import __version__
from quirks.alerts.render import slack_digest, slack_message
from quirks.alerts.sinks.base import DeliveryError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from quirks.alerts.dedupe import Alert
    from quirks.alerts.render import Origin

__all__ = ["Pacer", "SlackSink"]


class Pacer:
    """Keeps calls at least ``interval`` seconds apart (Slack: about 1 message/s per webhook)."""

    def __init__(
        self,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next call may go out."""
        with self._lock:
            delay = self._next - self._clock()
            if delay > 0:
                self._sleep(delay)
            self._next = self._clock() + self.interval


class SlackSink:
    """Posts Block Kit messages to one webhook.

    A 429 is retried after its ``Retry-After`` (``max_rate_limit_retries`` times); other non-200
    answers and connection failures raise :class:`DeliveryError` naming the status, never the URL.
    """

    name = "slack"

    def __init__(
        self,
        webhook_url: str,
        *,
        pacer: Pacer | None = None,
        timeout: int = 10,
        max_rate_limit_retries: int = 2,
    ) -> None:
        self._client = WebhookClient(
            webhook_url,
            timeout=timeout,
            user_agent_suffix=f"serverless-quirks/{__version__}",
            retry_handlers=[
                ConnectionErrorRetryHandler(max_retry_count=1),
                RateLimitErrorRetryHandler(max_retry_count=max_rate_limit_retries),
            ],
        )
        self.pacer = pacer or Pacer()

    def send(self, alert: Alert, origin: Origin) -> None:
        self._post(slack_message(alert, origin))

    def send_digest(self, alerts: Sequence[Alert], origin: Origin) -> None:
        self._post(slack_digest(alerts, origin))

    def _post(self, body: dict[str, Any]) -> None:
        self.pacer.wait()
        try:
            response = self._client.send_dict(body)
        except Exception as exc:  # slack_sdk surfaces urllib errors; their text holds no secret
            raise DeliveryError(f"Slack webhook unreachable: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise DeliveryError(
                f"Slack webhook answered HTTP {response.status_code}: {response.body[:200]!r}"
            )
