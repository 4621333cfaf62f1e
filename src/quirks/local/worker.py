"""The process a local Lambda function runs in (``python -m quirks.local.worker``).

One worker process serves one function, one invocation at a time, like a Lambda execution environment:
its own environment variables, its own ``sys.path`` and module cache, so functions never see each
other's imports or settings. The parent talks to it over a pipe, one JSON message per line:

* parent -> worker: ``{"request_id", "payload_chars", "deadline_ms", "function_name",
  "clock_offset", ...}`` then the event itself, ``payload_chars`` characters of JSON text as the
  invoker received it (not re-encoded inside the line); ``clock_offset``: the emulator's clock minus
  wall time, in seconds (log times are written on the emulator's clock, the deadline is wall time)
* worker -> parent: ``{"ok": true, "result": <JSON text>, "logs": [...]}`` or
  ``{"ok": false, "error": {"errorMessage", "errorType", "stackTrace"}, "logs": [...]}``

Log lines are produced in Lambda's formats (text or JSON, per ``AWS_LAMBDA_LOG_FORMAT``) so that they
can be shipped to CloudWatch Logs as Lambda would write them. The parent enforces the timeout by
killing the process; a crash of the process is reported by the parent as ``Runtime.ExitError``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import os
import resource
import sys
import time
import traceback
from typing import Any

from quirks.arns import lambda_log_group
from quirks.timestamps import iso_millis, iso_seconds

__all__ = ["LambdaContext", "format_json_record", "format_log_line", "main", "uncaught_log"]


_CLOCK = {"offset": 0.0}  # the emulator's clock minus wall time, set by each request


def _now() -> float:
    """The emulator's time: what every log line's timestamp says."""
    return time.time() + _CLOCK["offset"]


def _timestamp(epoch: float | None = None) -> str:
    return iso_millis(epoch if epoch is not None else _now())


def _json_timestamp(epoch: float | None = None) -> str:
    """The JSON log format's timestamp: whole seconds, as the runtime's ``JsonFormatter`` writes."""
    return iso_seconds(epoch if epoch is not None else _now())


# LogRecord attributes that are not ``extra=`` fields (the runtime's own list).
_RESERVED_FIELDS = frozenset(
    (
        *[
            "name",
            "msg",
            "args",
            "levelname",
            "levelno",
            "pathname",
            "filename",
            "module",
            "exc_info",
            "exc_text",
        ],
        *[
            "stack_info",
            "lineno",
            "funcName",
            "created",
            "msecs",
            "relativeCreated",
            "thread",
            "threadName",
        ],
        *["processName", "process", "taskName", "aws_request_id", "tenant_id", "_frame_type"],
    )
)
_NBSP = "\u00a0"


def format_log_line(
    level: str, message: str, request_id: str, log_format: str, logger_name: str = "root"
) -> str:
    """One application log record as the Python runtime writes it (text or JSON format)."""
    if log_format == "JSON":
        record = {
            "timestamp": _json_timestamp(),
            "level": level,
            "message": message,
            "logger": logger_name,
            "requestId": request_id,
        }
        return json.dumps(record, ensure_ascii=False, default=str)
    return f"[{level}]\t{_timestamp()}\t{request_id}\t{message}"


def format_json_record(record: logging.LogRecord, request_id: str) -> str:
    """A ``logging`` record in Lambda's JSON log format, as the Python runtime interface client's
    ``JsonFormatter`` builds it: a logged exception in ``errorType``/``errorMessage``/``stackTrace``/
    ``location``, and every ``extra=`` attribute at the top level
    (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html)."""
    levelno = min(50, max(0, record.levelno)) // 10 * 10
    exc_info = record.exc_info
    message = (
        record.msg if isinstance(record.msg, dict) and not record.args else record.getMessage()
    )
    result: dict[str, Any] = {
        "timestamp": _json_timestamp(record.created + _CLOCK["offset"]),
        "level": logging.getLevelName(levelno),
        "message": message,
        "logger": record.name,
        "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
        "errorType": exc_info[0].__name__ if exc_info and exc_info[0] else None,
        "errorMessage": str(exc_info[1]) if exc_info else None,
        "requestId": request_id,
        "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if exc_info else None,
    }
    result.update(
        (key, value)
        for key, value in record.__dict__.items()
        if key not in _RESERVED_FIELDS and key not in result
    )
    return json.dumps(
        {k: v for k, v in result.items() if v is not None}, ensure_ascii=False, default=str
    )


class LambdaContext:
    """The ``context`` object handlers receive (the attributes the Python runtime provides)."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.aws_request_id: str = request["request_id"]
        self.function_name: str = request["function_name"]
        self.function_version: str = request.get("function_version", "$LATEST")
        self.invoked_function_arn: str = request["function_arn"]
        self.memory_limit_in_mb: int = int(request.get("memory_mb", 128))
        self.log_group_name: str = os.environ.get(
            "AWS_LAMBDA_LOG_GROUP_NAME", lambda_log_group(self.function_name)
        )
        self.log_stream_name: str = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms: int = int(request["deadline_ms"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


class _Lines:
    """An invocation's log lines in the order they were written, each with its time (epoch ms):
    Lambda gives every line its own CloudWatch timestamp."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []

    def append(self, text: str) -> None:
        self.items.append((int(_now() * 1000), text))


class _Printed(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` of the handler: every complete line becomes a log line."""

    def __init__(self, lines: _Lines) -> None:
        super().__init__()
        self._lines = lines
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._partial += text
        *complete, self._partial = self._partial.split("\n")
        for line in complete:
            if line:
                self._lines.append(line)
        return len(text)

    def finish(self) -> None:
        if self._partial:
            self._lines.append(self._partial)
            self._partial = ""


class _CaptureHandler(logging.Handler):
    """Routes ``logging`` records into the invocation's log lines, in Lambda's format."""

    def __init__(self) -> None:
        super().__init__()
        self.lines = _Lines()
        self.request_id = ""
        self.log_format = "Text"

    def emit(self, record: logging.LogRecord) -> None:
        if self.log_format == "JSON":
            self.lines.append(format_json_record(record, self.request_id))
            return
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        self.lines.append(
            format_log_line(
                record.levelname, message, self.request_id, self.log_format, record.name
            )
        )


def _load_handler(spec: str) -> Any:
    module_name, _, attr = spec.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{spec}': not enough values to unpack")
    module = importlib.import_module(module_name)
    return getattr(module, attr)


def _user_traceback(exc: BaseException) -> Any:
    """The traceback without this module's own frames (the runtime's frames are not the user's)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb


def _error(
    exc: BaseException, *, error_type: str | None = None, request_id: str = ""
) -> dict[str, Any]:
    """The error payload, as the runtime's ``make_error`` builds it (``requestId`` included)."""
    frames = traceback.extract_tb(_user_traceback(exc))
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": list(traceback.format_list(frames)),
    }


def uncaught_log(error: dict[str, Any], log_format: str) -> str:
    """The log event the runtime writes for an uncaught exception (its ``log_error``): in text,
    ``[ERROR] Type: message``, ``Traceback (most recent call last):`` and the frames, their leading
    spaces turned into no-break spaces — no timestamp, no request id; in JSON, the error payload
    with ``timestamp`` and ``level``."""
    if log_format == "JSON":
        return json.dumps({"timestamp": _json_timestamp(), "level": "ERROR", **error})
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        description += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [description]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            for line in element.splitlines() or [""]:
                stripped = line.lstrip(" ")
                lines.append(_NBSP * (len(line) - len(stripped)) + stripped)
    return "\n".join(lines)


def _max_rss_mb() -> int:
    """The process's peak resident memory, for ``Max Memory Used``."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak / (1024 * 1024 if sys.platform == "darwin" else 1024)) + 1


def _invoke(handler: Any, request: dict[str, Any], capture: _CaptureHandler) -> dict[str, Any]:
    capture.request_id = request["request_id"]
    _CLOCK["offset"] = float(request.get("clock_offset", 0.0))
    lines = capture.lines = _Lines()
    printed = _Printed(lines)
    response: dict[str, Any]
    try:
        event = json.loads(request["payload"]) if request["payload"] else {}
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            result = handler(event, LambdaContext(request))
        response = {"ok": True, "result": json.dumps(result)}
    except Exception as exc:  # everything a handler raises is reported, as the runtime does
        error = _error(exc, request_id=capture.request_id)
        printed.finish()
        lines.append(uncaught_log(error, capture.log_format))
        response = {"ok": False, "error": error}
    printed.finish()
    response["logs"] = [text for _, text in lines.items]
    response["log_times"] = [when for when, _ in lines.items]
    response["max_rss_mb"] = _max_rss_mb()
    return response


def main() -> None:
    """Serve invocations for the handler named in ``QUIRKS_LOCAL_HANDLER`` until stdin closes."""
    init_started = time.monotonic()
    protocol_in = sys.stdin
    protocol_in.reconfigure(encoding="utf-8")  # type: ignore[union-attr]  # as the parent writes
    protocol_out = os.fdopen(os.dup(1), "w", buffering=1)
    # Anything the function or its imports write to fd 1 must not corrupt the protocol stream.
    os.dup2(2, 1)
    code_dir = os.environ.get("LAMBDA_TASK_ROOT")
    if code_dir:
        sys.path.insert(0, code_dir)
    capture = _CaptureHandler()
    capture.log_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "Text")
    root = logging.getLogger()
    root.handlers = [capture]
    root.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper())
    try:
        handler = _load_handler(os.environ["QUIRKS_LOCAL_HANDLER"])
        init_error: dict[str, Any] | None = None
    except Exception as exc:
        error_type = (
            "Runtime.ImportModuleError"
            if isinstance(exc, ImportError)
            else "Runtime.HandlerNotFound"
        )
        init_error = _error(exc, error_type=error_type)
        init_error["errorMessage"] = f"Unable to import module or handler: {exc}"
    init_ms: float | None = (time.monotonic() - init_started) * 1000
    for line in protocol_in:
        request = json.loads(line)
        request["payload"] = protocol_in.read(int(request.pop("payload_chars", 0)))
        if init_error is not None:
            error = {**init_error, "requestId": request["request_id"]}
            response = {
                "ok": False,
                "error": error,
                "logs": [uncaught_log(error, capture.log_format)],
            }
        else:
            response = _invoke(handler, request, capture)
        if init_ms is not None:  # reported once, with the first invocation (a cold start)
            response["init_ms"] = round(init_ms, 2)
            init_ms = None
        protocol_out.write(json.dumps(response) + "\n")
        protocol_out.flush()


if __name__ == "__main__":
    main()
