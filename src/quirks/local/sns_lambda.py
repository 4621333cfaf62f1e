"""SNS topics deliver to the local cloud's Lambda functions, as SNS delivers to Lambda on AWS.

An SNS subscription with protocol ``lambda`` makes SNS invoke the function asynchronously with an
event of one record (`Using Lambda with Amazon SNS
<https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html>`_): ``EventSource: "aws:sns"``,
``EventVersion``, ``EventSubscriptionArn`` and ``Sns`` with the notification (``Type``,
``MessageId``, ``TopicArn``, ``Subject``, ``Message``, ``Timestamp``, ``SignatureVersion``,
``Signature``, ``SigningCertUrl``, ``UnsubscribeUrl``, ``MessageAttributes``). moto hands such a
delivery to its own Lambda backend, which does not run the emulator's functions; this module routes
it to the emulator instead, through :func:`route_to` (the local cloud registers its async invoke).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["lambda_event", "route_to"]

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_router: Callable[[str, bytes], object] | None = None
_installed = False


def lambda_event(notification: dict[str, Any], subscription_arn: str) -> dict[str, Any]:
    """The Lambda event for one SNS notification (the HTTP delivery's JSON document)."""
    attributes = {
        name: {"Type": value.get("Type"), "Value": value.get("Value")}
        for name, value in (notification.get("MessageAttributes") or {}).items()
    }
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "EventSource": "aws:sns",
                "Sns": {
                    "SignatureVersion": notification.get("SignatureVersion", "1"),
                    "Timestamp": notification["Timestamp"],
                    "Signature": notification.get("Signature", ""),
                    "SigningCertUrl": notification.get("SigningCertURL", ""),
                    "MessageId": notification["MessageId"],
                    "Message": notification["Message"],
                    "MessageAttributes": attributes,
                    "Type": "Notification",
                    "UnsubscribeUrl": notification.get("UnsubscribeURL", ""),
                    "TopicArn": notification["TopicArn"],
                    "Subject": notification.get("Subject"),
                },
            }
        ]
    }


def route_to(invoke_async: Callable[[str, bytes], object] | None) -> None:
    """Send SNS ``lambda`` deliveries to ``invoke_async(function ARN, payload)``; None stops it."""
    global _router, _installed
    with _lock:
        _router = invoke_async
        if not _installed:
            _patch_subscription_publish()
            _installed = True


def _patch_subscription_publish() -> None:
    from moto.sns.models import Subscription

    publish = Subscription.publish

    def _publish(
        self: Subscription, message: str, message_id: str, *args: Any, **kwargs: Any
    ) -> None:
        router = _router
        if self.protocol != "lambda" or router is None:
            publish(self, message, message_id, *args, **kwargs)
            return
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(
            kwargs.get("message_attributes"), message
        ):
            return
        notification = self.get_post_data(
            message,
            message_id,
            kwargs.get("subject", args[0] if args else None),
            message_attributes=kwargs.get("message_attributes"),
        )
        event = lambda_event(notification, self.arn)
        try:
            router(self.endpoint, json.dumps(event).encode("utf-8"))
        except Exception as exc:  # as on AWS, a failed delivery does not fail the Publish
            _log.warning("SNS delivery to %s failed: %s", self.endpoint, exc)

    Subscription.publish = _publish  # type: ignore[method-assign]
