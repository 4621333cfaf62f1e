"""Decode CloudWatch Logs subscription deliveries (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html).

A delivery to Lambda is ``{"awslogs": {"data": "<base64 of compressed JSON>"}}``. The JSON names the
log group and stream and carries ``logEvents``; ``messageType`` is ``DATA_MESSAGE`` or
``CONTROL_MESSAGE`` (a reachability probe without errors in it). Deliveries of an account-level
subscription policy add ``policyLevel`` (``ACCOUNT_LEVEL_POLICY``) and may be zlib- rather than
gzip-compressed (Powertools' own sample event for them is zlib): both are accepted, as Powertools
decodes them (``zlib.MAX_WBITS | 32``). Decompressed size and JSON depth are bounded
(:mod:`quirks.jsonsafe`). Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass
from typing import Any

from quirks import jsonsafe
from quirks.errors import FormatError
from quirks.fields import Fields

__all__ = [
    "CONTROL_MESSAGE",
    "DATA_MESSAGE",
    "LogBatch",
    "LogEvent",
    "PayloadError",
    "decode_data",
    "decode_event",
]

DATA_MESSAGE = "DATA_MESSAGE"
CONTROL_MESSAGE = "CONTROL_MESSAGE"


class PayloadError(FormatError):
    """A subscription delivery is not base64, not gzip/zlib, not JSON, or misses a key."""


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One log event: CloudWatch's id, its timestamp in epoch milliseconds, and the message."""

    id: str
    timestamp: int
    message: str


@dataclass(frozen=True, slots=True)
class LogBatch:
    """One decoded delivery of a subscription filter."""

    owner: str
    log_group: str
    log_stream: str
    subscription_filters: tuple[str, ...]
    message_type: str
    events: tuple[LogEvent, ...]
    policy_level: str | None = None
    """``ACCOUNT_LEVEL_POLICY`` for a delivery of an account-level subscription policy."""

    @property
    def is_control(self) -> bool:
        """True for the reachability probe CloudWatch sends when a subscription is created."""
        return self.message_type == CONTROL_MESSAGE


_FIELDS = Fields(PayloadError)


def _parse_document(document: Any) -> LogBatch:
    if not isinstance(document, dict):
        raise PayloadError("", "the decoded payload is not a JSON object")
    message_type = _FIELDS.require(document, "messageType", "", str)
    raw_events = _FIELDS.require(document, "logEvents", "", list)
    events = []
    for index, raw in enumerate(raw_events):
        path = f"logEvents[{index}]."
        if not isinstance(raw, dict):
            raise PayloadError(f"logEvents[{index}]", "not an object")
        events.append(
            LogEvent(
                id=str(_FIELDS.require(raw, "id", path, str)),
                timestamp=int(_FIELDS.require(raw, "timestamp", path, int)),
                message=_FIELDS.require(raw, "message", path, str),
            )
        )
    filters = document.get("subscriptionFilters") or []
    if not isinstance(filters, list):
        raise PayloadError("subscriptionFilters", "expected list")
    policy_level = document.get("policyLevel")
    if policy_level is not None and not isinstance(policy_level, str):
        raise PayloadError("policyLevel", f"expected str, got {type(policy_level).__name__}")
    return LogBatch(
        owner=str(_FIELDS.require(document, "owner", "", str)),
        log_group=str(_FIELDS.require(document, "logGroup", "", str)),
        log_stream=str(_FIELDS.require(document, "logStream", "", str)),
        subscription_filters=tuple(str(f) for f in filters),
        message_type=message_type,
        events=tuple(events),
        policy_level=policy_level,
    )


def _decompress(compressed: bytes) -> bytes:
    """gzip or zlib (``MAX_WBITS | 32`` detects the header), at most ``jsonsafe.MAX_BYTES`` out."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    try:
        raw = inflater.decompress(compressed, jsonsafe.MAX_BYTES + 1)
    except zlib.error as exc:
        raise PayloadError("awslogs.data", f"not gzip or zlib: {exc}") from None
    if len(raw) > jsonsafe.MAX_BYTES:
        raise PayloadError(
            "awslogs.data", f"decompresses to more than {jsonsafe.MAX_BYTES:,} bytes"
        )
    if not inflater.eof:
        raise PayloadError("awslogs.data", "not gzip or zlib: truncated")
    return raw


def decode_data(data: str | bytes) -> LogBatch:
    """Decode the ``awslogs.data`` string: base64, then gzip or zlib, then JSON.

    Raises :class:`PayloadError` naming the stage or field that failed.
    """
    try:
        compressed = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PayloadError("awslogs.data", f"not base64: {exc}") from None
    raw = _decompress(compressed)
    try:
        document = jsonsafe.loads(raw, "awslogs.data")
    except FormatError as exc:
        raise PayloadError(exc.field, exc.problem) from None
    return _parse_document(document)


def decode_event(event: Any) -> LogBatch:
    """Decode a Lambda invocation event ``{"awslogs": {"data": ...}}``."""
    if not isinstance(event, dict):
        raise PayloadError("", "the event is not a JSON object")
    awslogs = event.get("awslogs")
    if not isinstance(awslogs, dict):
        raise PayloadError("awslogs", "missing: not a CloudWatch Logs subscription event")
    data = awslogs.get("data")
    if not isinstance(data, str):
        raise PayloadError("awslogs.data", "missing or not a string")
    return decode_data(data)
