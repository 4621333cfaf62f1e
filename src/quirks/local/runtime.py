"""Run a function's handler in worker processes, as Lambda execution environments do.

A :class:`FunctionRuntime` keeps a pool of warm :mod:`quirks.local.worker` processes for one function
(one invocation per process at a time, a new process when all are busy, up to a concurrency limit),
enforces the timeout by killing the process, and reports crashes and timeouts the way Lambda does:
an in-band error payload with ``FunctionError: Unhandled`` and the platform log lines.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quirks.arns import lambda_log_group
from quirks.local.errors import RuntimeClosed, Throttled
from quirks.local.platform_logs import Invocation, TimedLine, platform_lines
from quirks.timestamps import iso_millis

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.local.models import InvocationStatus

__all__ = ["FunctionRuntime", "FunctionSpec", "InvocationResult", "new_log_stream"]

_PASSTHROUGH_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "HOME")


_TIMED_OUT = object()
_EXITED = object()


@dataclass(frozen=True)
class FunctionSpec:
    """What a runtime needs to know about a function."""

    name: str
    arn: str
    handler: str
    code_dir: Path | None = None
    environment: dict[str, str] = field(default_factory=dict)
    timeout_seconds: float = 3.0
    memory_mb: int = 128
    log_format: str = "Text"
    log_level: str = "INFO"
    log_group: str = ""
    """``LoggingConfig.LogGroup``; empty for ``/aws/lambda/<name>``."""
    region: str = "us-east-1"
    version: str = "$LATEST"
    extra_paths: tuple[str, ...] = ()
    base_environment: dict[str, str] = field(default_factory=dict)
    """Settings every function gets (fake credentials, endpoints); function variables win."""


@dataclass(frozen=True)
class InvocationResult:
    """The outcome of one invocation, as Lambda reports it."""

    request_id: str
    payload: bytes
    function_error: str | None
    error_type: str | None
    logs: list[str]
    duration_ms: float
    status: InvocationStatus
    log_stream: str = ""
    """The log stream of the execution environment that ran it (one per instance, as on AWS)."""
    log_times: list[int] = field(default_factory=list)
    """When each line of ``logs`` was written (epoch milliseconds)."""

    @property
    def failed(self) -> bool:
        return self.function_error is not None


def new_log_stream(version: str = "$LATEST") -> str:
    """A log stream name as Lambda gives each execution environment: ``YYYY/MM/DD/[version]<hex>``."""
    return f"{datetime.now(UTC):%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"


class _Worker:
    def __init__(self, spec: FunctionSpec, env: dict[str, str], spawned: float) -> None:
        self.log_stream = env["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.spawned = spawned
        self.invocations = 0
        self.max_memory_mb = 40  # until the worker reports its own peak
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "quirks.local.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=str(spec.code_dir) if spec.code_dir else None,
            text=True,
            encoding="utf-8",  # the event is sent as is, non-ASCII included; both ends agree
            bufsize=1,
        )
        self.stderr_lines: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._lock:
                self.stderr_lines.append(line.rstrip("\n"))

    def take_stderr(self) -> list[str]:
        with self._lock:
            lines, self.stderr_lines = self.stderr_lines, []
        return lines

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait(timeout=10)


class FunctionRuntime:
    """Warm worker processes for one function; thread-safe."""

    def __init__(
        self,
        spec: FunctionSpec,
        max_concurrency: int = 10,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.spec = spec
        self.max_concurrency = max_concurrency
        self._now = now
        """The emulator's clock: every time this runtime reports (log, platform record) is on it."""
        self._idle: list[_Worker] = []
        self._busy = 0
        self._lock = threading.Lock()
        self._closed = False

    def environment(self) -> dict[str, str]:
        """The environment a worker process starts with: Lambda's variables plus the function's."""
        spec = self.spec
        env = {k: os.environ[k] for k in _PASSTHROUGH_ENV if k in os.environ}
        env.update(spec.base_environment)
        paths = [str(spec.code_dir)] if spec.code_dir else []
        paths += list(spec.extra_paths)
        # The worker module itself must import: add where quirks is installed.
        paths.append(str(Path(__file__).resolve().parents[2]))
        env.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
                "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group or lambda_log_group(spec.name),
                "AWS_LAMBDA_LOG_STREAM_NAME": new_log_stream(spec.version),
                "AWS_LAMBDA_LOG_FORMAT": spec.log_format,
                "AWS_LAMBDA_LOG_LEVEL": spec.log_level,
                "AWS_REGION": spec.region,
                "AWS_DEFAULT_REGION": spec.region,
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
                "LAMBDA_TASK_ROOT": str(spec.code_dir or ""),
                "PYTHONPATH": os.pathsep.join(paths),
                "QUIRKS_LOCAL_HANDLER": spec.handler,
            }
        )
        env.update(spec.environment)
        return env

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeClosed(f"function {self.spec.name} is shut down")
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    self._busy += 1
                    return worker
            if self._busy >= self.max_concurrency:
                raise Throttled(f"Rate Exceeded: {self.spec.name} is at its concurrency limit")
            self._busy += 1
        try:
            return _Worker(self.spec, self.environment(), self._now())
        except BaseException:
            with self._lock:
                self._busy -= 1
            raise

    def _release(self, worker: _Worker, reusable: bool) -> None:
        with self._lock:
            self._busy -= 1
            if reusable and worker.alive() and not self._closed:
                self._idle.append(worker)
                return
        worker.kill()

    def invoke(self, payload: bytes, request_id: str | None = None) -> InvocationResult:
        """Run the handler once with ``payload`` (JSON bytes) and return what Lambda would report."""
        request_id = request_id or str(uuid.uuid4())
        spec = self.spec
        worker = self._acquire()
        started = time.monotonic()
        started_epoch = self._now()
        deadline = time.time() + spec.timeout_seconds  # the worker's own (wall) clock counts down
        request = {
            "request_id": request_id,
            "deadline_ms": int(deadline * 1000),
            "clock_offset": started_epoch - time.time(),
            "function_name": spec.name,
            "function_arn": spec.arn,
            "function_version": spec.version,
            "memory_mb": spec.memory_mb,
        }
        reusable = False
        try:
            event = payload.decode("utf-8") if payload else ""
            response = self._exchange(worker, request, event, started + spec.timeout_seconds)
            duration = (time.monotonic() - started) * 1000
            now_epoch = self._now()
            now = int(now_epoch * 1000)
            stderr = [(now, line) for line in worker.take_stderr()]
            if response is _TIMED_OUT or response is _EXITED:
                status: InvocationStatus = "timeout" if response is _TIMED_OUT else "crash"
                if status == "timeout":
                    worker.kill()
                    message = f"Task timed out after {spec.timeout_seconds:.2f} seconds"
                    error = {
                        "errorType": "Sandbox.Timedout",
                        "errorMessage": f"RequestId: {request_id} Error: {message}",
                    }
                    # Lambda reports the timeout itself as the duration.
                    duration = spec.timeout_seconds * 1000
                    lines = stderr
                    if spec.log_format != "JSON":  # JSON: platform.runtimeDone says "timeout"
                        lines = [*stderr, (now, f"{iso_millis(now_epoch)} {request_id} {message}")]
                else:
                    code = worker.process.wait(timeout=10)
                    text = f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}"
                    error = {"errorType": "Runtime.ExitError", "errorMessage": text}
                    lines = [*stderr, (now, text), (now, "Runtime.ExitError")]
                run = self._run(worker, request_id, started_epoch, duration, status, error, None)
                return self._result(run, json.dumps(error).encode(), lines, worker.log_stream)
            reusable = True
            logs = list(response.get("logs", []))
            times = list(response.get("log_times", []))
            body = stderr + [
                (int(times[i]) if i < len(times) else now, line) for i, line in enumerate(logs)
            ]
            if response.get("ok"):
                run = self._run(
                    worker, request_id, started_epoch, duration, "success", None, response
                )
                return self._result(run, response["result"].encode(), body, worker.log_stream)
            error = response["error"]
            run = self._run(worker, request_id, started_epoch, duration, "error", error, response)
            return self._result(run, json.dumps(error).encode(), body, worker.log_stream)
        finally:
            worker.invocations += 1
            self._release(worker, reusable)

    def _run(
        self,
        worker: _Worker,
        request_id: str,
        started: float,
        duration_ms: float,
        status: InvocationStatus,
        error: dict[str, Any] | None,
        response: dict[str, Any] | None,
    ) -> Invocation:
        """What Lambda reports about this invocation, from the worker's own figures."""
        response = response or {}
        if "max_rss_mb" in response:
            worker.max_memory_mb = int(response["max_rss_mb"])
        init_ms = response.get("init_ms") if worker.invocations == 0 else None
        if init_ms is not None:
            duration_ms = max(0.0, duration_ms - float(init_ms))  # init is reported on its own
        return Invocation(
            request_id=request_id,
            version=self.spec.version,
            memory_mb=self.spec.memory_mb,
            started=started,
            ended=self._now(),
            duration_ms=duration_ms,
            status=status,
            error_type=error.get("errorType") if error else None,
            max_memory_mb=min(self.spec.memory_mb, worker.max_memory_mb),
            init_ms=float(init_ms) if init_ms is not None else None,
            init_started=worker.spawned if init_ms is not None else None,
        )

    def _exchange(
        self, worker: _Worker, request: dict[str, Any], event: str, deadline: float
    ) -> Any:
        """The worker's response, or ``_TIMED_OUT`` / ``_EXITED``.

        The event follows the request line as it is, its length in the request: it is JSON
        already, and embedding it as a JSON string would encode it a second time.
        """
        assert worker.process.stdin is not None
        assert worker.process.stdout is not None
        try:
            header = json.dumps({**request, "payload_chars": len(event)})
            worker.process.stdin.write(header + "\n" + event)
            worker.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return _EXITED
        with selectors.DefaultSelector() as selector:
            selector.register(worker.process.stdout, selectors.EVENT_READ)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(timeout=remaining):
                return _TIMED_OUT
        line = worker.process.stdout.readline()
        if not line:
            return _EXITED
        return json.loads(line)

    def _result(
        self, run: Invocation, payload: bytes, body: list[TimedLine], log_stream: str
    ) -> InvocationResult:
        timed = platform_lines(run, body, self.spec.log_format)
        return InvocationResult(
            request_id=run.request_id,
            payload=payload,
            function_error="Unhandled" if run.error_type else None,
            error_type=run.error_type,
            logs=[line for _, line in timed],
            duration_ms=run.duration_ms,
            status=run.status,
            log_stream=log_stream,
            log_times=[when for when, _ in timed],
        )

    def close(self) -> None:
        """Stop every worker process."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()
