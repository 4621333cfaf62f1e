"""Where alerts go: a Slack incoming webhook, or SNS for AWS Chatbot."""

from quirks.alerts.sinks.base import DeliveryError, Sink

__all__ = ["DeliveryError", "Sink"]
