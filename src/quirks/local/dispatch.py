"""Which backend answers a request of the local cloud: the local Lambda, the emulator's own handlers, or moto.

Requests whose path belongs to the Lambda API go to :class:`~quirks.local.lambda_api.LambdaApi`. Three
JSON operations families that moto gets wrong are answered (or completed) here: CloudWatch Logs
subscription filters (moto has no Lambda to deliver to), Logs account policies (moto answers them
with a 500, which SDKs retry for minutes) and DynamoDB Streams reads (the reader limit and trim
horizon moto lacks). Everything else goes to moto's server application.

Request bodies the emulator reads itself are read by their ``CONTENT_LENGTH`` up to
:data:`quirks.jsonsafe.MAX_BYTES`, and parsed with :func:`quirks.jsonsafe.loads`.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

from quirks import jsonsafe
from quirks.errors import FormatError
from quirks.local.account_policies import OPERATIONS as ACCOUNT_POLICY_OPERATIONS
from quirks.local.lambda_api import LAMBDA_PATH_PREFIXES
from quirks.local.shards import OPERATIONS as STREAM_READ_OPERATIONS
from quirks.local.shards import TARGET_PREFIX as STREAMS_TARGET_PREFIX
from quirks.local.subscriptions import TARGET_PREFIX

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from quirks.local.account_policies import AccountPolicies
    from quirks.local.lambda_api import LambdaApi
    from quirks.local.shards import StreamReads
    from quirks.local.subscriptions import SubscriptionRouter

__all__ = ["Dispatcher"]

MotoResponse = tuple[str, list[tuple[str, str]], bytes]

_JSON_TYPE = ("Content-Type", "application/x-amz-json-1.1")
_SUBSCRIPTION_TARGETS = frozenset(
    f"{TARGET_PREFIX}{op}"
    for op in ("PutSubscriptionFilter", "DescribeSubscriptionFilters", "DeleteSubscriptionFilter")
)
_ACCOUNT_POLICY_TARGETS = frozenset(f"{TARGET_PREFIX}{op}" for op in ACCOUNT_POLICY_OPERATIONS)
_STREAM_READ_TARGETS = frozenset(f"{STREAMS_TARGET_PREFIX}{op}" for op in STREAM_READ_OPERATIONS)


def read_body(environ: dict[str, Any]) -> bytes | None:
    """The request body by its ``CONTENT_LENGTH``; None when that length is not one we read."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 <= length <= jsonsafe.MAX_BYTES:
        return None
    return environ["wsgi.input"].read(length) if length else b""


def json_object(body: bytes) -> dict[str, Any] | None:
    """``body`` as a JSON object (``{}`` when empty); None when it is not one."""
    try:
        parsed = jsonsafe.loads(body, "request body") if body else {}
    except FormatError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _reply(start_response: Any, code: int, reply: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(reply).encode()
    start_response(
        f"{code} {'OK' if code == 200 else 'Bad Request'}",
        [_JSON_TYPE, ("Content-Length", str(len(payload)))],
    )
    return [payload]


def _malformed(start_response: Any) -> list[bytes]:
    # What AWS's JSON protocol answers for a body it cannot read.
    reply = {"__type": "SerializationException", "message": "The request body is not valid JSON"}
    return _reply(start_response, 400, reply)


class Dispatcher:
    """The local cloud's WSGI application (behind :class:`~quirks.local.guard.LoopbackGuard`)."""

    def __init__(
        self,
        moto_app: Callable[[dict[str, Any], Any], Iterable[bytes]],
        lambda_app: LambdaApi,
        subscriptions: SubscriptionRouter,
        account_policies: AccountPolicies,
        stream_reads: StreamReads,
    ) -> None:
        self.moto_app = moto_app
        self.lambda_app = lambda_app
        self.subscriptions = subscriptions
        self.account_policies = account_policies
        self.stream_reads = stream_reads

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(LAMBDA_PATH_PREFIXES):
            return self.lambda_app(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target in _SUBSCRIPTION_TARGETS:
            return self._logs_call(environ, start_response, target.removeprefix(TARGET_PREFIX))
        if target in _ACCOUNT_POLICY_TARGETS:
            return self._account_policy_call(environ, start_response, target)
        if target in _STREAM_READ_TARGETS:
            return self._stream_read(environ, start_response, target)
        return self.moto_app(environ, start_response)

    def call_moto(self, environ: dict[str, Any], body: bytes) -> MotoResponse:
        """Run a request through moto with ``body`` and capture its response."""
        captured: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        copy = dict(environ, **{"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
        chunks = b"".join(self.moto_app(copy, start))
        return captured["status"], captured["headers"], chunks

    def _moto_filters(self, environ: dict[str, Any], group: str) -> MotoResponse:
        describe = json.dumps({"logGroupName": group}).encode()
        probe = dict(environ, HTTP_X_AMZ_TARGET=f"{TARGET_PREFIX}DescribeSubscriptionFilters")
        return self.call_moto(probe, describe)

    def _logs_call(
        self, environ: dict[str, Any], start_response: Any, operation: str
    ) -> Iterable[bytes]:
        body = read_body(environ)
        request = None if body is None else json_object(body)
        if body is None or request is None:
            return _malformed(start_response)
        if not self.subscriptions.owns(operation, request):
            status, headers, data = self.call_moto(environ, body)
            start_response(status, headers)
            return [data]
        if operation == "DeleteSubscriptionFilter":
            return _reply(start_response, *self.subscriptions.delete(request))
        group = request.get("logGroupName", "")
        status, _, data = self._moto_filters(environ, group)
        moto_filters = json_object(data) if status.startswith("200") else None
        existing = None if moto_filters is None else moto_filters.get("subscriptionFilters", [])
        if operation == "PutSubscriptionFilter":
            return _reply(start_response, *self.subscriptions.put(request, existing))
        if existing is None:  # moto's own answer (an unknown group) is the right one
            start_response(status, [_JSON_TYPE])
            return [data]
        return _reply(start_response, 200, self.subscriptions.describe(group, existing))

    def _account_policy_call(
        self, environ: dict[str, Any], start_response: Any, target: str
    ) -> Iterable[bytes]:
        body = read_body(environ)
        request = None if body is None else json_object(body)
        if request is None:
            return _malformed(start_response)
        operation = target.removeprefix(TARGET_PREFIX)
        return _reply(start_response, *self.account_policies.handle(operation, request))

    def _stream_read(
        self, environ: dict[str, Any], start_response: Any, target: str
    ) -> Iterable[bytes]:
        body = read_body(environ)
        if body is None:
            return _malformed(start_response)
        status, headers, data = self.stream_reads.handle(
            target.removeprefix(STREAMS_TARGET_PREFIX),
            body,
            lambda request: self.call_moto(environ, request),
        )
        start_response(status, headers)
        return [data]
