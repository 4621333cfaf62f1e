"""Logs and metrics of local functions, written to CloudWatch (moto) the way Lambda writes them.

* Logs: each invocation's lines go to the function's log group (``/aws/lambda/<name>`` or its
  ``LoggingConfig.LogGroup``), in a stream named like Lambda's (``YYYY/MM/DD/[$LATEST]<hex>``), one
  log event per line except that a multi-line record (an ``[ERROR]`` with its traceback) stays one
  event, as Lambda keeps it.
* Metrics: ``AWS/Lambda`` with dimension ``FunctionName``: Invocations, Errors, Throttles, Duration,
  IteratorAge, AsyncEventAge, DestinationDeliveryFailures, DeadLetterErrors.

Both are buffered and flushed by a background thread so that telemetry never slows an invocation;
:meth:`Telemetry.flush` writes everything pending (tests and shutdown call it).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_cloudwatch.type_defs import MetricDatumTypeDef
    from mypy_boto3_logs.type_defs import InputLogEventTypeDef

    from quirks import aws

__all__ = ["Telemetry", "group_log_lines", "group_timed_lines"]

log = logging.getLogger(__name__)


def group_log_lines(lines: list[str]) -> list[str]:
    """Lines as CloudWatch log events: continuation lines (tracebacks) join the record above."""
    return [text for _, text in group_timed_lines([(0, line) for line in lines])]


def group_timed_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """:func:`group_log_lines` for ``(epoch ms, line)`` pairs: an event keeps its first line's time."""
    events: list[tuple[int, str]] = []
    for when, line in lines:
        continuation = line.startswith((" ", "\t", "Traceback ")) or (
            events and events[-1][1].startswith("[ERROR]") and not _starts_record(line)
        )
        if events and continuation:
            events[-1] = (events[-1][0], events[-1][1] + "\n" + line)
        else:
            events.append((when, line))
    return events


def _starts_record(line: str) -> bool:
    return (
        line.startswith(("[", "START ", "END ", "REPORT ", "{", "RequestId: "))
        or line[:4].isdigit()
    )


class Telemetry:
    """Buffered CloudWatch Logs and metrics writer for the local Lambda."""

    def __init__(
        self,
        clients: aws.ClientFactory,
        flush_interval: float = 0.5,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.clients = clients
        self.now = now
        """The emulator's clock: metric and default log timestamps are on it."""
        self._logs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self._metrics: list[dict[str, Any]] = []
        self._known_groups: set[str] = set()
        self._known_streams: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._listeners: list[Any] = []
        self.samples: deque[tuple[float, str, str, float]] = deque(maxlen=200_000)
        """Recent metric values as (epoch seconds, function, metric, value), for reports and charts."""
        self._thread = threading.Thread(target=self._run, args=(flush_interval,), daemon=True)

    def start(self) -> None:
        """Start flushing every ``flush_interval`` seconds (until :meth:`close`)."""
        self._thread.start()

    def add_log_listener(self, listener: Any) -> None:
        """Call ``listener(log_group, log_stream, events)`` after events are written (subscriptions)."""
        self._listeners.append(listener)

    def log(
        self, group: str, stream: str, lines: list[str], times: list[int] | None = None
    ) -> None:
        """Queue an invocation's lines; ``times`` (epoch ms per line) default to now."""
        now = int(self.now() * 1000)
        timed = [(times[i] if times and i < len(times) else now, t) for i, t in enumerate(lines)]
        # CloudWatch Logs refuses empty messages (PutLogEvents: length 1 or more); a killed
        # worker (Ctrl-C) leaves them, and one would fail the whole batch of its neighbours.
        events = [
            {"timestamp": when, "message": text} for when, text in group_timed_lines(timed) if text
        ]
        with self._lock:
            self._logs[(group, stream)].extend(events)

    def metric(self, function_name: str, name: str, value: float, unit: str = "Count") -> None:
        datum = {
            "MetricName": name,
            "Dimensions": [{"Name": "FunctionName", "Value": function_name}],
            "Value": value,
            "Unit": unit,
            "Timestamp": datetime.fromtimestamp(self.now(), UTC),
        }
        with self._lock:
            self._metrics.append(datum)
            self.samples.append((self.now(), function_name, name, value))

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.flush()
            except Exception:  # telemetry must never take the emulator down; say so loudly
                log.exception("failed to write local Lambda logs or metrics")

    def flush(self) -> None:
        """Write every buffered log event and metric now."""
        with self._flush_lock:
            with self._lock:
                logs, self._logs = self._logs, defaultdict(list)
                metrics, self._metrics = self._metrics, []
            for (group, stream), events in logs.items():
                self._write_logs(group, stream, events)
            for start in range(0, len(metrics), 500):
                self.clients.client("cloudwatch").put_metric_data(
                    Namespace="AWS/Lambda",
                    MetricData=cast("list[MetricDatumTypeDef]", metrics[start : start + 500]),
                )

    def _write_logs(self, group: str, stream: str, events: list[dict[str, Any]]) -> None:
        logs = self.clients.client("logs")
        if group not in self._known_groups:
            with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
                logs.create_log_group(logGroupName=group)
            self._known_groups.add(group)
        if (group, stream) not in self._known_streams:
            with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
                logs.create_log_stream(logGroupName=group, logStreamName=stream)
            self._known_streams.add((group, stream))
        # PutLogEvents takes a batch in time order only; sorted() keeps equal times in line order.
        events = sorted(events, key=lambda event: event["timestamp"])
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=cast("list[InputLogEventTypeDef]", events),
        )
        for listener in self._listeners:
            listener(group, stream, events)

    def forget_groups(self) -> None:
        """Forget which groups exist (after the AWS emulator was reset)."""
        with self._lock:
            self._known_groups.clear()
            self._known_streams.clear()

    def close(self) -> None:
        """Stop the flusher and write what is still buffered."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.flush()
