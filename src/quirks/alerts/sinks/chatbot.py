"""AWS Chatbot through SNS: custom notifications (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html), one thread per fingerprint."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError

from quirks import aws
from quirks.alerts.render import chatbot_digest, chatbot_notification
from quirks.alerts.sinks.base import DeliveryError
from quirks.errors import AwsError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from quirks.alerts.dedupe import Alert
    from quirks.alerts.render import Origin

__all__ = ["ChatbotSink"]


class ChatbotSink:
    """Publishes the custom notification JSON to an SNS topic that Chatbot subscribes to."""

    name = "chatbot"

    def __init__(self, topic_arn: str, *, clients: aws.ClientFactory | None = None) -> None:
        self.topic_arn = topic_arn
        self.client = (clients or aws.current()).client("sns")

    def send(self, alert: Alert, origin: Origin) -> None:
        self._publish(chatbot_notification(alert, origin))

    def send_digest(self, alerts: Sequence[Alert], origin: Origin) -> None:
        self._publish(chatbot_digest(alerts, origin))

    def _publish(self, body: dict[str, Any]) -> None:
        try:
            self.client.publish(TopicArn=self.topic_arn, Message=json.dumps(body))
        except (AwsError, BotoCoreError) as exc:
            raise DeliveryError(f"SNS publish to {self.topic_arn} failed: {exc}") from None
