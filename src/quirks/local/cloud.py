"""The embedded cloud: moto for the AWS APIs and the local Lambda, behind one endpoint on 127.0.0.1.

Requests whose path belongs to the Lambda API go to :class:`~quirks.local.lambda_api.LambdaApi`;
everything else goes to moto's server application. So one ``AWS_ENDPOINT_URL`` serves every service,
and moto never sees (let alone runs) a Lambda function or a stream event source mapping — both of
which break streams in moto (a known gap of moto).
"""

from __future__ import annotations

import dataclasses
import io
import json
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.alerts.patterns import compile_pattern
from quirks.fanout.filters import compile_filters
from quirks.local import moto_compat, sns_lambda
from quirks.local.account_policies import OPERATIONS as ACCOUNT_POLICY_OPERATIONS
from quirks.local.account_policies import AccountPolicies
from quirks.local.clock import Clock
from quirks.local.functions import FunctionRegistry, LambdaApiError
from quirks.local.guard import LoopbackGuard
from quirks.local.invoker import LambdaService
from quirks.local.lambda_api import LAMBDA_PATH_PREFIXES, LambdaApi
from quirks.local.mappings import MappingApi, MappingConfig, MappingRegistry
from quirks.local.pollers import PollerContext, StreamPoller
from quirks.local.readers import ShardReaderLimiter
from quirks.local.runtime import InvocationResult
from quirks.local.shards import DEFAULT_RETENTION, StreamReads
from quirks.local.shards import OPERATIONS as STREAM_READ_OPERATIONS
from quirks.local.shards import TARGET_PREFIX as STREAMS_TARGET_PREFIX
from quirks.local.sqs_poller import SqsPoller
from quirks.local.subscriptions import TARGET_PREFIX, SubscriptionRouter
from quirks.local.telemetry import Telemetry

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["DEFAULT_ACCOUNT", "LocalCloud"]

DEFAULT_ACCOUNT = "123456789012"
_SUBSCRIPTION_OPERATIONS = (
    "PutSubscriptionFilter",
    "DescribeSubscriptionFilters",
    "DeleteSubscriptionFilter",
)
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "quirks-local",
    "AWS_SECRET_ACCESS_KEY": "quirks-local",
    "AWS_SESSION_TOKEN": "quirks-local",
}


class LocalCloud:
    """Start with :meth:`start`, stop with :meth:`stop` (or use it as a context manager)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        region: str = "us-east-1",
        time_factor: float = 1.0,
        clock: Clock | None = None,
        stream_retention: float = DEFAULT_RETENTION,
    ) -> None:
        self.host = host
        self.port = port
        self.region = region
        self.clock = clock or Clock(time_factor)
        self.time_factor = self.clock.time_factor
        self.stream_retention = stream_retention
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.lambda_service: LambdaService | None = None
        self.telemetry: Telemetry | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        """The variables that point unmodified AWS SDK code at this cloud."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            **FAKE_CREDENTIALS,
        }

    def start(self) -> LocalCloud:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        moto_compat.install()  # before moto serves a request: Terraform polls what it wrote
        moto_compat.stamp_stream_records_with(self.clock.time)
        moto_app = DomainDispatcherApplication(create_backend_app)
        # Bind first: functions need the final URL in their environment. We bind the socket
        # ourselves: werkzeug prints to stderr and exits on a port in use, where we raise OSError.
        # Every request, moto's included, passes the guard: a web page must not reach code that
        # runs as the user.
        listener = socket.create_server((self.host, self.port))
        try:
            self._server = make_server(
                self.host,
                listener.getsockname()[1],
                LoopbackGuard(self._dispatch, self.host),
                threaded=True,
                request_handler=QuietHandler,
                fd=listener.fileno(),
            )
        finally:
            listener.close()  # werkzeug serves a duplicate of the descriptor
        self.port = int(self._server.server_address[1])
        self._moto_app = moto_app
        # The emulator's own calls (logs, metrics, destinations) never depend on process settings.
        settings = aws.AwsSettings(
            endpoint_url=self.url,
            region=self.region,
            credentials=(
                FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
            ),
        )
        self.clients = aws.ClientFactory(settings)
        self.telemetry = Telemetry(self.clients, now=self.clock.time)
        registry = FunctionRegistry(
            DEFAULT_ACCOUNT, self.region, base_environment=self.environment(), now=self.clock.time
        )
        self.lambda_service = LambdaService(registry, self.telemetry, clock=self.clock)
        self._lambda_app = LambdaApi(self.lambda_service)
        sns_lambda.route_to(self.lambda_service.invoke_async)  # SNS "lambda" subscriptions
        self.limiter = ShardReaderLimiter(self.clock.monotonic)
        self.stream_reads = StreamReads(
            self.clock,
            self.limiter,
            account=DEFAULT_ACCOUNT,
            region=self.region,
            retention=self.stream_retention,
        )
        self.pollers: dict[str, StreamPoller | SqsPoller] = {}
        self._checkpoints: dict[str, str] = {}  # by mapping UUID, across its pollers
        self._poller_context = PollerContext(
            clients=self.clients,
            reads=aws.ClientFactory(dataclasses.replace(settings, max_attempts=1)),
            telemetry=self.telemetry,
            invoke=self._invoke_for_poller,
            compile_filters=_filter_engine(),
            clock=self.clock,
            created_at=self.stream_reads.created_at,
            region=self.region,
        )
        self.subscriptions = SubscriptionRouter(
            DEFAULT_ACCOUNT,
            invoke_async=self.lambda_service.invoke_async,
            function_exists=_exists(registry),
            compile_pattern=_pattern_engine(),
        )
        self.telemetry.add_log_listener(self.subscriptions.on_events)
        self.account_policies = AccountPolicies(DEFAULT_ACCOUNT)
        self.mappings = MappingRegistry(self._mapping_changed)
        mapping_api = MappingApi(
            self.mappings, lambda name: registry.get(name).arn, self._validate_mapping
        )
        self._lambda_app.register("esm", mapping_api.rules(), mapping_api)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="quirks-local", daemon=True
        )
        self._thread.start()
        return self

    def _invoke_for_poller(self, function: str, payload: bytes) -> InvocationResult:
        assert self.lambda_service is not None
        try:
            return self.lambda_service.invoke(function, payload)
        except LambdaApiError as exc:  # throttled or deleted: the batch failed, pollers retry
            body = json.dumps({"errorType": exc.error_type, "errorMessage": exc.message}).encode()
            return InvocationResult("", body, "Unhandled", exc.error_type, [], 0.0, "error")

    def _validate_mapping(self, mapping: MappingConfig) -> None:
        if not mapping.filters:
            return
        try:
            self._poller_context.compile_filters(mapping.filters)
        except ValueError as exc:  # the engine's FormatError names the bad field
            raise LambdaApiError(
                400, "InvalidParameterValueException", f"Invalid filter pattern definition: {exc}"
            ) from None

    def _mapping_changed(self, old: MappingConfig | None, new: MappingConfig | None) -> None:
        """Replace a mapping's poller; a stream mapping's position outlives its pollers.

        An update or a disable/enable must not re-deliver what was already processed: the new
        poller resumes after the old one's checkpoint (only a deleted mapping forgets it).
        """
        if old is not None and old.uuid in self.pollers:
            stopped = self.pollers.pop(old.uuid)
            stopped.stop()
            if isinstance(stopped, StreamPoller) and stopped.checkpoint is not None:
                self._checkpoints[old.uuid] = stopped.checkpoint
        if new is None:
            if old is not None:
                self._checkpoints.pop(old.uuid, None)
            return
        if new.enabled:
            poller: StreamPoller | SqsPoller
            if new.source == "dynamodb":
                checkpoint = self._checkpoints.get(new.uuid)
                poller = StreamPoller(new, self._poller_context, checkpoint=checkpoint)
            else:
                poller = SqsPoller(new, self._poller_context)
            self.pollers[new.uuid] = poller
            poller.start()

    def _call_moto(
        self, environ: dict[str, Any], body: bytes
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """Run a request through moto with ``body`` and capture its response."""
        captured: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        copy = dict(environ, **{"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
        chunks = b"".join(self._moto_app(copy, start))
        return captured["status"], captured["headers"], chunks

    def _logs_call(
        self, environ: dict[str, Any], start_response: Any, operation: str
    ) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        request = json.loads(body or b"{}")
        if not self.subscriptions.owns(operation, request):
            status, headers, data = self._call_moto(environ, body)
            start_response(status, headers)
            return [data]
        if operation == "DeleteSubscriptionFilter":
            code, reply = self.subscriptions.delete(request)
        else:
            group = request.get("logGroupName", "")
            describe = json.dumps({"logGroupName": group}).encode()
            probe = dict(environ, HTTP_X_AMZ_TARGET=f"{TARGET_PREFIX}DescribeSubscriptionFilters")
            status, _, data = self._call_moto(probe, describe)
            moto_filters = (
                json.loads(data).get("subscriptionFilters", [])
                if status.startswith("200")
                else None
            )
            if operation == "PutSubscriptionFilter":
                code, reply = self.subscriptions.put(request, moto_filters)
            elif moto_filters is None:
                start_response(status, [("Content-Type", "application/x-amz-json-1.1")])
                return [data]
            else:
                code, reply = 200, self.subscriptions.describe(group, moto_filters)
        payload = json.dumps(reply).encode()
        start_response(
            f"{code} {'OK' if code == 200 else 'Bad Request'}",
            [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def _account_policy_call(
        self, environ: dict[str, Any], start_response: Any, target: str
    ) -> Iterable[bytes]:
        """Logs account policies: moto answers them with a 500, which SDKs retry for minutes."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        request = json.loads(body or b"{}")
        operation = target.removeprefix(TARGET_PREFIX)
        code, reply = self.account_policies.handle(operation, request)
        payload = json.dumps(reply).encode()
        start_response(
            f"{code} {'OK' if code == 200 else 'Bad Request'}",
            [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def _stream_read(
        self, environ: dict[str, Any], start_response: Any, target: str
    ) -> Iterable[bytes]:
        """Stream reads, with the reader limit and the trim horizon moto lacks."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, headers, data = self.stream_reads.handle(
            target.removeprefix(STREAMS_TARGET_PREFIX),
            body,
            lambda request: self._call_moto(environ, request),
        )
        start_response(status, headers)
        return [data]

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(LAMBDA_PATH_PREFIXES):
            return self._lambda_app(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target in {f"{TARGET_PREFIX}{op}" for op in _SUBSCRIPTION_OPERATIONS}:
            return self._logs_call(environ, start_response, target.removeprefix(TARGET_PREFIX))
        if target in {f"{TARGET_PREFIX}{op}" for op in ACCOUNT_POLICY_OPERATIONS}:
            return self._account_policy_call(environ, start_response, target)
        if target in {f"{STREAMS_TARGET_PREFIX}{op}" for op in STREAM_READ_OPERATIONS}:
            return self._stream_read(environ, start_response, target)
        return self._moto_app(environ, start_response)  # type: ignore[no-any-return]

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every mapping has caught up with its source and no async event is queued or
        running (tests, the demo): then anything that was going to arrive has arrived."""
        assert self.lambda_service is not None
        deadline = time.monotonic() + timeout
        # Two more empty polls each: the second one started after this call.
        wanted = {uuid: poller.idle_polls + 2 for uuid, poller in list(self.pollers.items())}
        while time.monotonic() < deadline:
            pollers = list(self.pollers.items())
            caught_up = all(p.idle_polls >= wanted.get(uuid, 2) for uuid, p in pollers)
            if caught_up and self.lambda_service.wait_idle(timeout=0):
                return True
            time.sleep(0.02)  # a condition polled under a deadline, not a wait for an effect
        return False

    def reset(self) -> None:
        """Forget every resource: moto's state, functions, queued async events' targets."""
        assert self.lambda_service is not None
        assert self.telemetry is not None
        self.mappings.reset()
        self.subscriptions.reset()
        self.account_policies.reset()
        self.lambda_service.wait_idle(timeout=10)
        self.telemetry.flush()
        self.lambda_service.registry.reset()
        self._moto_reset()
        self.telemetry.forget_groups()

    def _moto_reset(self) -> None:
        """``POST /moto-api/reset``, signed like any SDK call so that the guard lets it in."""
        import urllib.request

        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        request = AWSRequest(method="POST", url=f"{self.url}/moto-api/reset", data=b"")
        key, secret, token = (
            FAKE_CREDENTIALS[n]
            for n in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
        )
        SigV4Auth(Credentials(key, secret, token), "moto-api", self.region).add_auth(request)
        raw = urllib.request.Request(
            f"{self.url}/moto-api/reset",
            data=b"",
            method="POST",
            headers=dict(request.headers.items()),
        )
        with urllib.request.urlopen(raw, timeout=10):
            pass

    def stop(self) -> None:
        sns_lambda.route_to(None)
        moto_compat.stamp_stream_records_with(time.time)  # this cloud's clock goes with it
        for poller in list(getattr(self, "pollers", {}).values()):
            poller.stop()
        if self.lambda_service is not None:
            self.lambda_service.close()
        if self.telemetry is not None:
            self.telemetry.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _filter_engine() -> Any:
    """Lambda event filtering, by the fan-out filter engine."""

    def compile_patterns(patterns: tuple[str, ...]) -> Any:
        return compile_filters(list(patterns)).matches

    return compile_patterns


def _pattern_engine() -> Any:
    """CloudWatch Logs filter patterns, by the alerts engine."""

    def compile_text(pattern: str) -> Any:
        return compile_pattern(pattern).matches

    return compile_text


def _exists(registry: FunctionRegistry) -> Any:
    def exists(arn: str) -> bool:
        try:
            registry.get(arn)
        except LambdaApiError:
            return False
        return True

    return exists
