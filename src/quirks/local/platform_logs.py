"""The lines Lambda itself writes around an invocation: ``START``/``END``/``REPORT`` or ``platform.*``.

Text format ("AWS Lambda function logging in Python",
https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html): ``REPORT`` carries ``Init
Duration`` on an execution environment's first request and ``Status: timeout`` (with ``Duration``
equal to the timeout) when it timed out. JSON format (the Telemetry API schema,
https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html): ``platform.initStart``,
``platform.initRuntimeDone`` and ``platform.initReport`` on a cold start; ``platform.start``;
``platform.runtimeDone`` and ``platform.report`` with ``status`` and, when it is not ``success``,
``errorType``; ``metrics`` with ``maxMemoryUsedMB`` (and ``initDurationMs`` on a cold start).

Pure: the caller gives the times and figures, and gets ``(epoch ms, line)`` pairs back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quirks.timestamps import iso_millis

if TYPE_CHECKING:
    from quirks.local.models import InvocationStatus

__all__ = ["Invocation", "TimedLine", "platform_lines"]

TimedLine = tuple[int, str]


@dataclass(frozen=True)
class Invocation:
    """What Lambda reports about one invocation."""

    request_id: str
    version: str
    memory_mb: int
    started: float  # epoch seconds
    ended: float
    duration_ms: float
    status: InvocationStatus
    error_type: str | None
    max_memory_mb: int
    init_ms: float | None = None  # set on an execution environment's first invocation
    init_started: float | None = None


def _ms(epoch: float) -> int:
    return int(epoch * 1000)


def _status(status: str) -> str:
    return "error" if status == "crash" else status


def platform_lines(run: Invocation, body: list[TimedLine], log_format: str) -> list[TimedLine]:
    """The invocation's whole log: Lambda's own lines around ``body`` (the function's lines)."""
    billed = max(1, int(run.duration_ms + 0.999))
    if log_format == "JSON":
        return _json_lines(run, body, billed)
    report = (
        f"REPORT RequestId: {run.request_id}\tDuration: {run.duration_ms:.2f} ms\t"
        f"Billed Duration: {billed} ms\tMemory Size: {run.memory_mb} MB\t"
        f"Max Memory Used: {run.max_memory_mb} MB"
    )
    if run.init_ms is not None:
        report += f"\tInit Duration: {run.init_ms:.2f} ms"
    if run.status == "timeout":
        report += "\tStatus: timeout"
    return [
        (_ms(run.started), f"START RequestId: {run.request_id} Version: {run.version}"),
        *body,
        (_ms(run.ended), f"END RequestId: {run.request_id}"),
        (_ms(run.ended), report),
    ]


def _record(epoch: float, kind: str, record: dict[str, object]) -> TimedLine:
    return _ms(epoch), json.dumps({"time": iso_millis(epoch), "type": kind, "record": record})


def _json_lines(run: Invocation, body: list[TimedLine], billed: int) -> list[TimedLine]:
    lines: list[TimedLine] = []
    if run.init_ms is not None and run.init_started is not None:
        init = {"initializationType": "on-demand", "phase": "init"}
        init_done = run.init_started + run.init_ms / 1000
        lines += [
            _record(
                run.init_started,
                "platform.initStart",
                {**init, "runtimeVersion": "python:3.11", "functionVersion": run.version},
            ),
            _record(init_done, "platform.initRuntimeDone", {**init, "status": "success"}),
            _record(
                init_done,
                "platform.initReport",
                {**init, "status": "success", "metrics": {"durationMs": round(run.init_ms, 2)}},
            ),
        ]
    status = _status(run.status)
    failure: dict[str, object] = {"errorType": run.error_type} if status != "success" else {}
    metrics: dict[str, object] = {
        "durationMs": round(run.duration_ms, 2),
        "billedDurationMs": billed,
        "memorySizeMB": run.memory_mb,
        "maxMemoryUsedMB": run.max_memory_mb,
    }
    if run.init_ms is not None:
        metrics["initDurationMs"] = round(run.init_ms, 2)
    lines.append(
        _record(
            run.started,
            "platform.start",
            {"requestId": run.request_id, "version": run.version},
        )
    )
    lines += body
    lines += [
        _record(
            run.ended,
            "platform.runtimeDone",
            {
                "requestId": run.request_id,
                "status": status,
                **failure,
                "metrics": {"durationMs": round(run.duration_ms, 2)},
            },
        ),
        _record(
            run.ended,
            "platform.report",
            {"requestId": run.request_id, "metrics": metrics, "status": status, **failure},
        ),
    ]
    return lines
