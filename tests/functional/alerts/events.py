"""Builders of realistic error log events for the alerts tests."""

from __future__ import annotations

import json
import uuid

from quirks.alerts.decode import LogEvent

BASE_MS = 1714644672345


def error_message(kind: int, i: int) -> str:
    """One of five distinct errors (by ``kind``), with ids and numbers that vary with ``i``."""
    request_id = str(uuid.UUID(int=i + 1))
    if kind == 0:
        return f"[ERROR]\t2024-05-02T10:11:12.345Z\t{request_id}\tKeyError: 'order-{i}'\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 14, in handler\n    order = orders['order-{i}']\n"
    if kind == 1:
        return f"2024-05-02T10:11:12.345Z {request_id} Task timed out after {3 + i % 3}.0{i % 10} seconds\n"
    if kind == 2:
        return json.dumps(
            {
                "timestamp": "2024-05-02T10:11:12Z",
                "level": "ERROR",
                "message": f"Stock for sku {i} below zero",
                "requestId": request_id,
            }
        )
    if kind == 3:
        return f'2024-05-02T10:11:12.345Z\t{request_id}\tERROR\tInvoke Error \t{{"errorType":"Error","errorMessage":"upstream {500 + i % 4} after {i} ms","stack":["Error: x","    at call (/var/task/index.js:12:11)"]}}\n'
    return f"RequestId: {request_id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n"


def error_events(count: int, kinds: int = 5, start: int = 0) -> list[LogEvent]:
    """``count`` error events cycling through ``kinds`` distinct fingerprints."""
    return [
        LogEvent(
            id=str(10**20 + start + i),
            timestamp=BASE_MS + start + i,
            message=error_message((start + i) % kinds, start + i),
        )
        for i in range(count)
    ]


def noise_events(count: int) -> list[LogEvent]:
    """START / REPORT / INFO lines that must not produce alerts."""
    lines = [
        "START RequestId: 00000000-0000-0000-0000-000000000001 Version: $LATEST\n",
        "REPORT RequestId: 00000000-0000-0000-0000-000000000001\tDuration: 1.00 ms\tBilled Duration: 2 ms\n",
        "[INFO]\t2024-05-02T10:11:12.345Z\t00000000-0000-0000-0000-000000000001\tall good\n",
    ]
    return [LogEvent(id=str(i), timestamp=BASE_MS + i, message=lines[i % 3]) for i in range(count)]
