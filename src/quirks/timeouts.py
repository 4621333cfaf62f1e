"""The function timeout each handler needs, and the cold-start check that says when it is short.

Each handler keeps a reserve before its deadline so that what it did is still written when the
invocation ends: the recovery handler stops reading 20 s before it, the alerts notifier stops sending
5 s before it (and paces Slack at about one message per second). Under Lambda's 3 s default timeout
both do nothing at all, silently. So each handler checks once per container, on its first
invocation, how long it was given (``context.get_remaining_time_in_millis()`` at the start of the
first invocation is the configured timeout, within milliseconds) and logs an ERROR naming the setting
to change. The Terraform modules validate ``timeout`` against the same numbers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

__all__ = ["HANDLER_PATHS", "MINIMUM_TIMEOUT_SECONDS", "TimeoutCheck"]

Handler = Literal["fanout", "recovery", "alerts", "alarms"]

HANDLER_PATHS: dict[Handler, str] = {
    handler: f"quirks.{handler}.handler.lambda_handler" for handler in get_args(Handler)
}
"""The Lambda ``Handler`` setting of each of the toolkit's handlers."""

MINIMUM_TIMEOUT_SECONDS: dict[Handler, int] = {
    "fanout": 30,  # retries with backoff to every target: max_attempts x the slowest call
    "recovery": 60,  # a 20 s reserve to write archives and manifests, and time left to read
    "alerts": 15,  # a 5 s reserve, and Slack's pace of ~1 message per second for a burst
    "alarms": 30,  # discovery pages through every function and mapping of the region
}
"""Shortest function timeout, in seconds, under which a handler cannot do its job."""

_WHY: dict[Handler, str] = {
    "fanout": "a target's retries with backoff would be cut off and the whole batch retried",
    "recovery": "it stops reading 20 s before its deadline, so it would archive little or nothing",
    "alerts": "it stops sending 5 s before its deadline, so alerts would be dropped",
    "alarms": "the sync would stop half-way through the region's functions and mappings",
}


class TimeoutCheck:
    """Logs an ERROR once per container when the function's timeout is below the handler's need."""

    def __init__(self, handler: Handler) -> None:
        self.handler: Handler = handler
        self.minimum = MINIMUM_TIMEOUT_SECONDS[handler]
        self.done = False

    def reset(self) -> None:
        """Check again on the next call (a handler's ``reset()``: a fresh container)."""
        self.done = False

    def __call__(self, context: Any, logger: Logger) -> int | None:
        """Check on the first call; returns the configured timeout seen (seconds), else None."""
        if self.done:
            return None
        self.done = True
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if not callable(remaining):
            return None
        configured = math.ceil(int(remaining()) / 1000)
        if configured < self.minimum:
            logger.error(
                f"function timeout {configured} s is below the {self.minimum} s the "
                f"{self.handler} handler needs: {_WHY[self.handler]} (fix: set the function's "
                f"Timeout — Terraform `timeout`, AWS CLI `--timeout` — to at least {self.minimum} s)",
                extra={
                    "configured_timeout_seconds": configured,
                    "minimum_timeout_seconds": self.minimum,
                },
            )
        return configured
