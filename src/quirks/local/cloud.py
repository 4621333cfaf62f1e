"""The embedded cloud: moto for the AWS APIs and the local Lambda, behind one endpoint on 127.0.0.1.

Requests whose path belongs to the Lambda API go to :class:`~quirks.local.lambda_api.LambdaApi`;
everything else goes to moto's server application (:mod:`quirks.local.dispatch` decides). So one ``AWS_ENDPOINT_URL`` serves every service,
and moto never sees (let alone runs) a Lambda function or a stream event source mapping — both of
which break streams in moto (a known gap of moto).
"""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.alerts.patterns import compile_pattern
from quirks.fanout.filters import compile_filters
from quirks.limits import DEFAULT_ACCOUNT
from quirks.local import moto_compat, sns_lambda
from quirks.local.account_policies import AccountPolicies
from quirks.local.clock import Clock
from quirks.local.dispatch import Dispatcher
from quirks.local.errors import LambdaApiError, invalid
from quirks.local.functions import FunctionRegistry
from quirks.local.guard import LoopbackGuard
from quirks.local.invoker import LambdaService
from quirks.local.lambda_api import LambdaApi
from quirks.local.mapping_api import MappingApi
from quirks.local.mappings import MappingRegistry
from quirks.local.pollers import PollerContext, StreamPoller
from quirks.local.readers import ShardReaderLimiter
from quirks.local.runtime import InvocationResult
from quirks.local.shards import DEFAULT_RETENTION, StreamReads
from quirks.local.sqs_poller import SqsPoller
from quirks.local.subscriptions import SubscriptionRouter
from quirks.local.telemetry import Telemetry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from werkzeug.serving import BaseWSGIServer

    from quirks.local.models import MappingConfig

__all__ = ["LocalCloud"]

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "quirks-local",
    "AWS_SECRET_ACCESS_KEY": "quirks-local",
    "AWS_SESSION_TOKEN": "quirks-local",
}


class LocalCloud:
    """The whole local cloud, built (and its port bound) here; :meth:`start` starts its threads.

    Stop with :meth:`stop`, or use it as a context manager. Construction raises ``OSError`` when
    ``host:port`` cannot be bound.
    """

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
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.host = host
        self.region = region
        self.clock = clock or Clock(time_factor)
        self.time_factor = self.clock.time_factor
        self.stream_retention = stream_retention
        # Bind first: functions need the final URL in their environment.
        self._server = _bind(host, port, self._dispatch)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="quirks-local", daemon=True
        )
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
            compile_filters=_filter_engine,
            clock=self.clock,
            created_at=self.stream_reads.created_at,
            region=self.region,
        )
        self.subscriptions = SubscriptionRouter(
            DEFAULT_ACCOUNT,
            invoke_async=self.lambda_service.invoke_async,
            function_exists=_exists(registry),
            compile_pattern=_pattern_engine,
        )
        self.telemetry.add_log_listener(self.subscriptions.on_events)
        self.account_policies = AccountPolicies(DEFAULT_ACCOUNT)
        self.mappings = MappingRegistry(self._mapping_changed)
        lambda_app = LambdaApi(self.lambda_service)
        mapping_api = MappingApi(
            self.mappings,
            lambda name: registry.get(name).arn,
            registry.resources,
            self._validate_mapping,
        )
        lambda_app.add(mapping_api.rules())
        self._dispatcher = Dispatcher(
            DomainDispatcherApplication(create_backend_app),
            lambda_app,
            self.subscriptions,
            self.account_policies,
            self.stream_reads,
        )

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
        """Start serving: the HTTP server, the async invokers and the telemetry flusher."""
        moto_compat.install()  # before moto serves a request: Terraform polls what it wrote
        moto_compat.stamp_stream_records_with(self.clock.time)
        sns_lambda.route_to(self.lambda_service.invoke_async)  # SNS "lambda" subscriptions
        self.telemetry.start()
        self.lambda_service.start()
        self._thread.start()
        return self

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        # Late-bound (the server is bound before the dispatcher exists) and the one seam a
        # recording subclass overrides (tests/e2e keeps every request the emulator answers).
        return self._dispatcher(environ, start_response)

    def _invoke_for_poller(self, function: str, payload: bytes) -> InvocationResult:
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
            raise invalid(f"Invalid filter pattern definition: {exc}") from None

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

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every mapping has caught up with its source and no async event is queued or
        running (tests, the demo): then anything that was going to arrive has arrived."""
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
        """Stop every thread :meth:`start` started and release the port."""
        sns_lambda.route_to(None)
        moto_compat.stamp_stream_records_with(time.time)  # this cloud's clock goes with it
        for poller in list(self.pollers.values()):
            poller.stop()
        self.lambda_service.close()
        self.telemetry.close()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _bind(host: str, port: int, app: Callable[[dict[str, Any], Any], Any]) -> BaseWSGIServer:
    """A threaded server on ``host:port``, not yet serving.

    We bind the socket ourselves: werkzeug prints to stderr and exits on a port in use, where we
    raise ``OSError``. Every request, moto's included, passes the guard: a web page must not reach
    code that runs as the user.
    """
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    listener = socket.create_server((host, port))
    try:
        return make_server(
            host,
            listener.getsockname()[1],
            LoopbackGuard(app, host),
            threaded=True,
            request_handler=QuietHandler,
            fd=listener.fileno(),
        )
    finally:
        listener.close()  # werkzeug serves a duplicate of the descriptor


def _filter_engine(patterns: tuple[str, ...]) -> Callable[[dict[str, Any]], bool]:
    """Lambda event filtering, by the fan-out filter engine."""
    return compile_filters(list(patterns)).matches


def _pattern_engine(pattern: str) -> Callable[[str], bool]:
    """CloudWatch Logs filter patterns, by the alerts engine."""
    return compile_pattern(pattern).matches


def _exists(registry: FunctionRegistry) -> Callable[[str], bool]:
    def exists(arn: str) -> bool:
        try:
            registry.get(arn)
        except LambdaApiError:
            return False
        return True

    return exists
