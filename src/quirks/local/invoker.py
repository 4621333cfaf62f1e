"""Invocation semantics of the local Lambda: synchronous, asynchronous (queued, retried), dry run.

The quirk users must see is reproduced on purpose: a ``RequestResponse`` failure is returned in-band
(``X-Amz-Function-Error``) and never reaches a destination or DLQ; only ``Event`` invocations are
retried (``MaximumRetryAttempts``, first retry after ~1 min then ~2 min, scaled by ``time_factor``),
expire after ``MaximumEventAgeInSeconds``, and end in OnSuccess/OnFailure destinations or the
``DeadLetterConfig``.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from quirks.limits import LAMBDA_ASYNC_PAYLOAD_BYTES, LAMBDA_SYNC_PAYLOAD_BYTES
from quirks.local.clock import Clock
from quirks.local.destinations import async_record, deliver, deliver_dead_letter
from quirks.local.errors import DestinationDeliveryError, LambdaApiError, RuntimeClosed, Throttled
from quirks.local.runtime import new_log_stream

if TYPE_CHECKING:
    from quirks.local.functions import FunctionRegistry
    from quirks.local.models import EventInvokeConfig, FunctionConfig
    from quirks.local.runtime import FunctionRuntime, InvocationResult
    from quirks.local.telemetry import Telemetry

__all__ = ["LambdaService"]

log = logging.getLogger(__name__)

RETRY_DELAYS = (60.0, 120.0)
THROTTLE_RETRY_DELAY = 1.0


@dataclass(order=True)
class _AsyncTask:
    due: float
    seq: int
    function: str = field(compare=False)
    payload: bytes = field(compare=False)
    request_id: str = field(compare=False)
    enqueued: float = field(compare=False)
    config: FunctionConfig = field(compare=False)
    """The function's configuration as last seen: where the event goes if the function is deleted."""
    invoke_config: EventInvokeConfig | None = field(compare=False)
    attempts: int = field(default=0, compare=False)
    last_result: InvocationResult | None = field(default=None, compare=False)


class LambdaService:
    """Runs invocations for a :class:`FunctionRegistry` and records their logs and metrics."""

    def __init__(
        self,
        registry: FunctionRegistry,
        telemetry: Telemetry,
        *,
        time_factor: float = 1.0,
        clock: Clock | None = None,
        async_workers: int = 4,
    ) -> None:
        self.registry = registry
        self.telemetry = telemetry
        self.clock = clock or Clock(time_factor)
        self.time_factor = self.clock.time_factor
        self._queue: list[_AsyncTask] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._closed = False
        self._in_flight = 0
        self._streams: dict[str, str] = {}
        self._workers = [
            threading.Thread(target=self._async_loop, name=f"lambda-async-{i}", daemon=True)
            for i in range(async_workers)
        ]
        self.clock.on_advance(self._wake)

    def start(self) -> None:
        """Start the workers that run queued ``Event`` invocations (until :meth:`close`)."""
        for worker in self._workers:
            worker.start()

    def _wake(self) -> None:
        with self._cv:
            self._cv.notify_all()

    # -- synchronous ---------------------------------------------------------------------------

    def invoke(self, function: str, payload: bytes) -> InvocationResult:
        """A ``RequestResponse`` invocation: errors come back in the result, nowhere else."""
        if len(payload) > LAMBDA_SYNC_PAYLOAD_BYTES:
            raise LambdaApiError(
                413,
                "RequestEntityTooLargeException",
                f"Request must be smaller than {LAMBDA_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation",
            )
        try:
            config, runtime = self._resolve(function)
            try:
                return self._run(config, runtime, payload)
            except RuntimeClosed:  # updated or deleted since the lookup: look again (404 if gone)
                config, runtime = self._resolve(function)
                return self._run(config, runtime, payload)
        except Throttled as exc:
            raise LambdaApiError(429, "TooManyRequestsException", str(exc)) from None

    def _resolve(self, function: str) -> tuple[FunctionConfig, FunctionRuntime]:
        """The function and its runtime, looked up once per attempt (404 when deleted)."""
        config = self.registry.get(function)
        return config, self.registry.runtime(config.name)

    def _run(
        self,
        config: FunctionConfig,
        runtime: FunctionRuntime,
        payload: bytes,
        request_id: str | None = None,
    ) -> InvocationResult:
        """One run on an already resolved runtime; raises ``Throttled`` and ``RuntimeClosed``."""
        try:
            result = runtime.invoke(payload, request_id)
        except Throttled:
            self.telemetry.metric(config.name, "Throttles", 1)
            raise
        stream = result.log_stream or self._streams.setdefault(config.name, new_log_stream())
        self.telemetry.log(config.log_group_name, stream, result.logs, result.log_times)
        self.telemetry.metric(config.name, "Invocations", 1)
        self.telemetry.metric(config.name, "Errors", 1 if result.failed else 0)
        self.telemetry.metric(config.name, "Duration", result.duration_ms, "Milliseconds")
        return result

    # -- asynchronous --------------------------------------------------------------------------

    def invoke_async(self, function: str, payload: bytes) -> str:
        """An ``Event`` invocation: queued, returns the request id at once (HTTP 202)."""
        if len(payload) > LAMBDA_ASYNC_PAYLOAD_BYTES:
            raise LambdaApiError(
                413,
                "RequestEntityTooLargeException",
                f"Request must be smaller than {LAMBDA_ASYNC_PAYLOAD_BYTES} bytes for the InvokeAsync operation",
            )
        config = self.registry.get(function)  # unknown functions fail now, as on AWS
        invoke_config = self.registry.invoke_config(config.name)
        request_id = str(uuid.uuid4())
        now = self.clock.monotonic()
        task = _AsyncTask(
            now, next(self._seq), function, payload, request_id, now, config, invoke_config
        )
        self._schedule(task)
        return request_id

    def _schedule(self, task: _AsyncTask) -> None:
        with self._cv:
            heapq.heappush(self._queue, task)
            self._cv.notify()

    def _async_loop(self) -> None:
        while True:
            with self._cv:
                while not self._closed and (
                    not self._queue or self._queue[0].due > self.clock.monotonic()
                ):
                    timeout = self._queue[0].due - self.clock.monotonic() if self._queue else None
                    self._cv.wait(timeout=timeout)
                if self._closed:
                    return
                task = heapq.heappop(self._queue)
                self._in_flight += 1
            try:
                self._attempt(task)
            except Exception:  # a bug here must be visible, and must not kill the worker thread
                log.exception(
                    "async invocation %s of %s failed unexpectedly", task.request_id, task.function
                )
            finally:
                with self._cv:
                    self._in_flight -= 1
                    self._cv.notify_all()

    def _age_seconds(self, task: _AsyncTask) -> float:
        return self.clock.elapsed(task.enqueued)

    def _attempt(self, task: _AsyncTask) -> None:
        try:  # one lookup per attempt: a delete landing after it shows as RuntimeClosed below
            config, runtime = self._resolve(task.function)
            invoke_config = self.registry.invoke_config(config.name)
        except LambdaApiError:
            self._orphaned(task)
            return
        task.config, task.invoke_config = config, invoke_config
        max_retries = invoke_config.maximum_retry_attempts if invoke_config else 2
        max_age = invoke_config.maximum_event_age_seconds if invoke_config else 21600
        if self._age_seconds(task) > max_age:
            self._finish(task, None, "EventAgeExceeded", config, invoke_config)
            return
        try:
            result = self._run(config, runtime, task.payload, task.request_id)
        except Throttled:  # Lambda keeps the event and tries again later
            task.due = self.clock.monotonic() + self.clock.real(THROTTLE_RETRY_DELAY)
            self._schedule(task)
            return
        except RuntimeClosed:  # updated or deleted since the lookup: the next lookup tells which
            task.due = self.clock.monotonic()
            self._schedule(task)
            return
        task.last_result = result
        task.attempts += 1
        self.telemetry.metric(
            config.name, "AsyncEventAge", self._age_seconds(task) * 1000, "Milliseconds"
        )
        if not result.failed:
            self._finish(task, result, "Success", config, invoke_config)
        elif task.attempts > max_retries:
            self._finish(task, result, "RetriesExhausted", config, invoke_config)
        else:
            delay = RETRY_DELAYS[min(task.attempts - 1, len(RETRY_DELAYS) - 1)]
            task.due = self.clock.monotonic() + self.clock.real(delay)
            self._schedule(task)

    def _orphaned(self, task: _AsyncTask) -> None:
        """The function was deleted with this event still queued (before or between attempts).

        AWS does not document this case; the local cloud's choice is to never lose the event
        silently: it ends as ``RetriesExhausted`` (with the last attempt's response, if any) in the
        OnFailure destination or dead-letter queue configured when the event was last looked at.
        """
        log.warning(
            "function %s was deleted with async event %s pending; sending it to its failure target",
            task.function,
            task.request_id,
        )
        self._finish(task, task.last_result, "RetriesExhausted", task.config, task.invoke_config)

    def _finish(
        self,
        task: _AsyncTask,
        result: InvocationResult | None,
        condition: Literal["Success", "RetriesExhausted", "EventAgeExceeded"],
        config: FunctionConfig,
        invoke_config: EventInvokeConfig | None,
    ) -> None:
        # The configuration as the attempt started: a function deleted while its invocation ran
        # still has its result delivered where it was configured to go.
        destination = None
        if invoke_config is not None:
            destination = (
                invoke_config.on_success if condition == "Success" else invoke_config.on_failure
            )
        if destination:
            record_time = self.clock.time()
            record = async_record(
                function_arn=config.arn,
                request_id=task.request_id,
                condition=condition,
                attempts=task.attempts,
                payload=task.payload,
                result=result,
                now=record_time,
            )
            try:
                deliver(
                    destination,
                    record,
                    function_name=config.name,
                    invoke_lambda=self._invoke_destination,
                    clients=self.telemetry.clients,
                    now=record_time,
                )
            except DestinationDeliveryError as exc:
                self.telemetry.metric(config.name, "DestinationDeliveryFailures", 1)
                log.error("destination delivery for %s failed: %s", task.request_id, exc)
            return
        if condition != "Success" and config.dead_letter_target:
            try:
                deliver_dead_letter(
                    config.dead_letter_target,
                    task.payload,
                    task.request_id,
                    result,
                    self.telemetry.clients,
                )
            except DestinationDeliveryError as exc:
                self.telemetry.metric(config.name, "DeadLetterErrors", 1)
                log.error("dead-letter delivery for %s failed: %s", task.request_id, exc)
            return
        if condition != "Success":
            log.warning(
                "async event %s of %s discarded after %s (no destination or DLQ)",
                task.request_id,
                config.name,
                condition,
            )

    def _invoke_destination(self, function_arn: str, payload: bytes) -> None:
        self.invoke_async(function_arn, payload)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no async event is queued or running (for tests and the demo)."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cv.wait(timeout=min(remaining, 0.1))
        return True

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        for worker in self._workers:
            if worker.is_alive():
                worker.join(timeout=5)
        self.registry.close()
