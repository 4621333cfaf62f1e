"""The AppSync real-time protocol as data: messages to send, messages received (https://docs.aws.amazon.com/appsync/latest/devguide/real-time-websocket-client.html).

Pure: no I/O. The websocket adapter (:mod:`quirks.appsync.realtime`) sends what these functions
build and feeds what it receives to :func:`parse_message`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from quirks import jsonsafe
from quirks.errors import FormatError

__all__ = [
    "DEFAULT_KEEPALIVE_TIMEOUT",
    "SUBPROTOCOL",
    "ServerMessage",
    "connection_init",
    "describe_errors",
    "header_subprotocol",
    "keepalive_timeout",
    "parse_message",
    "query_auth_url",
    "start",
    "stop",
]

SUBPROTOCOL = "graphql-ws"
# What AppSync sends in connection_ack today (5 minutes); used when an ack names no timeout.
DEFAULT_KEEPALIVE_TIMEOUT = 300.0

KNOWN_TYPES = frozenset(
    {
        "connection_ack",
        "connection_error",
        "ka",
        "start_ack",
        "data",
        "complete",
        "error",
    }
)


def _b64_json(value: dict[str, Any]) -> bytes:
    return base64.b64encode(json.dumps(value, separators=(",", ":")).encode())


def header_subprotocol(headers: dict[str, Any]) -> str:
    """The ``header-<base64url>`` subprotocol carrying the auth headers (keeps tokens out of URLs)."""
    encoded = base64.urlsafe_b64encode(json.dumps(headers, separators=(",", ":")).encode())
    return "header-" + encoded.decode("ascii").rstrip("=")


def query_auth_url(url: str, headers: dict[str, Any]) -> str:
    """``url`` with the auth headers as the ``header`` and ``payload`` query parameters."""
    parts = urlsplit(url)
    query = urlencode({"header": _b64_json(headers).decode("ascii"), "payload": "e30="})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def connection_init() -> str:
    return json.dumps({"type": "connection_init"})


def start(
    subscription_id: str,
    query: str,
    variables: dict[str, Any] | None,
    authorization: dict[str, Any],
) -> str:
    """A ``start`` message; ``data`` is the JSON string that IAM signatures are computed over."""
    return json.dumps(
        {
            "id": subscription_id,
            "type": "start",
            "payload": {
                "data": start_data(query, variables),
                "extensions": {"authorization": authorization},
            },
        }
    )


def start_data(query: str, variables: dict[str, Any] | None) -> str:
    """The ``payload.data`` string of a ``start`` message (also the body an IAM signature covers)."""
    return json.dumps({"query": query, "variables": variables or {}}, separators=(",", ":"))


def stop(subscription_id: str) -> str:
    return json.dumps({"id": subscription_id, "type": "stop"})


@dataclass(frozen=True)
class ServerMessage:
    """One message from the server; ``id`` is ``None`` for connection-level messages."""

    type: str
    id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def parse_message(text: str | bytes) -> ServerMessage:
    """Parse one websocket frame; raises :class:`FormatError` naming what is wrong."""
    try:
        raw = jsonsafe.loads(text, "message")
    except FormatError as exc:
        raise FormatError("", f"not JSON: {exc.problem}") from None
    if not isinstance(raw, dict):
        raise FormatError("", "message is not a JSON object")
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise FormatError("type", "missing or not a string")
    if kind not in KNOWN_TYPES:
        raise FormatError("type", f"unknown message type {kind!r}")
    ident = raw.get("id")
    if ident is not None and not isinstance(ident, str):
        raise FormatError("id", "not a string")
    payload = raw.get("payload")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise FormatError("payload", "not a JSON object")
    return ServerMessage(type=kind, id=ident or None, payload=payload)


def keepalive_timeout(ack: ServerMessage) -> float:
    """Seconds without any message after which the connection counts as dead.

    AppSync sends ``connectionTimeoutMs``; the Amplify simulator sends ``connectionTimeout``
    (also in milliseconds).
    """
    for key in ("connectionTimeoutMs", "connectionTimeout"):
        value = ack.payload.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value) / 1000.0
    return DEFAULT_KEEPALIVE_TIMEOUT


def describe_errors(payload: dict[str, Any]) -> str:
    """One line describing the ``errors`` of an ``error``/``connection_error`` payload."""
    errors = payload.get("errors")
    if not isinstance(errors, list) or not errors:
        message = payload.get("message")
        return str(message) if message else json.dumps(payload) if payload else "unknown error"
    parts = []
    for error in errors:
        if not isinstance(error, dict):
            parts.append(str(error))
            continue
        text = str(error.get("message") or "")
        kind = error.get("errorType")
        code = error.get("errorCode")
        prefix = ": ".join(str(p) for p in (kind, code) if p)
        path = error.get("path")
        where = f" at {'.'.join(str(p) for p in path)}" if isinstance(path, list) and path else ""
        if prefix and not text.startswith(prefix):
            text = f"{prefix}: {text}"
        parts.append(f"{text}{where}")
    return "; ".join(parts)
