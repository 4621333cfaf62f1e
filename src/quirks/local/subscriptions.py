"""CloudWatch Logs subscription filters whose destination is a local Lambda function.

moto refuses a Lambda destination it does not host and, even with one, needs Docker to deliver
(a known gap of moto). So the local cloud answers ``PutSubscriptionFilter``, ``DescribeSubscriptionFilters``
and ``DeleteSubscriptionFilter`` for Lambda destinations itself (other destinations still go to moto),
keeps AWS's limit of two filters per log group (counting moto's), and delivers every matching log
event that local functions write, in the ``awslogs`` format (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html), by an asynchronous
invocation — as CloudWatch Logs does. Patterns are evaluated by the alerts filter-pattern engine.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quirks.limits import LOGS_FILTERS_PER_GROUP
from quirks.streams import wire

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Subscription", "SubscriptionRouter"]
TARGET_PREFIX = "Logs_20140328."


@dataclass(frozen=True)
class Subscription:
    log_group: str
    name: str
    pattern: str
    destination_arn: str
    created: int


def _error(error_type: str, message: str, status: int = 400) -> tuple[int, dict[str, Any]]:
    return status, {"__type": error_type, "message": message}


class SubscriptionRouter:
    """Intercepts the subscription API calls it owns and delivers matching events."""

    def __init__(
        self,
        owner: str,
        invoke_async: Callable[[str, bytes], Any],
        function_exists: Callable[[str], bool],
        compile_pattern: Callable[[str], Callable[[str], bool]],
    ) -> None:
        self.owner = owner
        self.invoke_async = invoke_async
        self.function_exists = function_exists
        self.compile_pattern = compile_pattern
        self._subscriptions: dict[tuple[str, str], tuple[Subscription, Callable[[str], bool]]] = {}
        self._lock = threading.Lock()
        self._event_ids = 0

    def owns(self, operation: str, body: dict[str, Any]) -> bool:
        """True when this router answers the call instead of moto."""
        if operation == "PutSubscriptionFilter":
            return ":lambda:" in str(body.get("destinationArn", ""))
        if operation == "DeleteSubscriptionFilter":
            with self._lock:
                return (body.get("logGroupName"), body.get("filterName")) in self._subscriptions
        return operation == "DescribeSubscriptionFilters"

    def mine(self, group: str) -> list[Subscription]:
        with self._lock:
            return [sub for (g, _), (sub, _) in self._subscriptions.items() if g == group]

    def put(
        self, body: dict[str, Any], moto_filters: list[dict[str, Any]] | None
    ) -> tuple[int, dict[str, Any]]:
        """``PutSubscriptionFilter`` for a Lambda destination; ``moto_filters`` None = no such group."""
        group, name = body.get("logGroupName"), body.get("filterName")
        pattern, destination = body.get("filterPattern", ""), body.get("destinationArn", "")
        if not group or not name:
            return _error("InvalidParameterException", "logGroupName and filterName are required")
        if moto_filters is None:
            return _error("ResourceNotFoundException", "The specified log group does not exist.")
        if not self.function_exists(destination):
            return _error(
                "InvalidParameterException",
                "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
            )
        try:
            matcher = self.compile_pattern(pattern)
        except ValueError as exc:
            return _error("InvalidParameterException", f"Invalid filter pattern: {exc}")
        with self._lock:
            names = {f.get("filterName") for f in moto_filters} | {
                n for (g, n) in self._subscriptions if g == group
            }
            if name not in names and len(names) >= LOGS_FILTERS_PER_GROUP:
                return _error("LimitExceededException", "Resource limit exceeded.")
            subscription = Subscription(group, name, pattern, destination, int(time.time() * 1000))
            self._subscriptions[(group, name)] = (subscription, matcher)
        return 200, {}

    def delete(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            key = (str(body.get("logGroupName")), str(body.get("filterName")))
            self._subscriptions.pop(key, None)
        return 200, {}

    def describe(self, group: str, moto_filters: list[dict[str, Any]]) -> dict[str, Any]:
        ours = [
            {
                "filterName": sub.name,
                "logGroupName": sub.log_group,
                "filterPattern": sub.pattern,
                "destinationArn": sub.destination_arn,
                "distribution": "ByLogStream",
                "creationTime": sub.created,
            }
            for sub in self.mine(group)
        ]
        return {"subscriptionFilters": moto_filters + ours}

    def on_events(self, group: str, stream: str, events: list[dict[str, Any]]) -> None:
        """Telemetry listener: deliver the events that match each subscription of ``group``."""
        with self._lock:
            subscriptions = [(s, m) for (g, _), (s, m) in self._subscriptions.items() if g == group]
        for subscription, matcher in subscriptions:
            matching: list[wire.LogEventEntry] = []
            for event in events:
                if matcher(event["message"]):
                    self._event_ids += 1
                    event_id = wire.awslogs_event_id(event["timestamp"], self._event_ids)
                    matching.append(
                        {
                            "id": event_id,
                            "timestamp": event["timestamp"],
                            "message": event["message"],
                        }
                    )
            if matching:
                document = wire.awslogs_document(
                    owner=self.owner,
                    log_group=group,
                    log_stream=stream,
                    subscription_filters=[subscription.name],
                    events=matching,
                )
                payload = json.dumps(wire.awslogs_event(document)).encode()
                self.invoke_async(subscription.destination_arn, payload)

    def reset(self) -> None:
        with self._lock:
            self._subscriptions.clear()
