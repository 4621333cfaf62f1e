"""Recognize Lambda errors in log events and extract what an alert needs (pure, no I/O).

Recognized shapes (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html):

* Python text format: ``[ERROR]`` / ``[CRITICAL]`` records, optionally ``\\t<timestamp>\\t<request
  id>\\t``, with a traceback in the same event (lines split by ``\\n`` or ``\\r``, indented with
  spaces or no-break spaces); uncaught errors as ``[ERROR] Type: message`` + traceback.
* ``Task timed out after N.NN seconds`` (with or without the timestamp / request id prefix).
* Runtime crashes: ``RequestId: ... Error: Runtime exited ...`` followed by ``Runtime.ExitError``.
* JSON format application records at ERROR / CRITICAL / FATAL under ``level`` or ``log_level`` (a
  line without a valid level counts as INFO), including ``errorType`` / ``errorMessage`` /
  ``stackTrace`` and Node's object-valued ``message``.
* Powertools Logger records (``exception``, ``exception_name``, ``location``, ``xray_trace_id``; the
  TypeScript logger's ``error`` object).
* JSON platform records ``platform.runtimeDone`` whose ``record.status`` is not ``success``.
* Node.js text format: ``<ts>\\t<request id>\\tERROR\\tInvoke Error \\t{...}``, ``Uncaught
  Exception``, ``Unhandled Promise Rejection`` and ``console.error`` of an ``Error`` (``Type: msg`` +
  ``at ...`` lines).

Everything else (START/END/REPORT, INFO, warnings, successful platform records) gives ``None``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from quirks import jsonsafe
from quirks.arns import function_name_from_group

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from quirks.alerts.decode import LogBatch, LogEvent

__all__ = ["ErrorKind", "ErrorRecord", "classify", "classify_batch", "function_name_from_group"]

ErrorKind = Literal[
    "python", "node", "timeout", "runtime-exit", "platform", "powertools", "json", "test"
]
"""Which log shape an error was found in (``test``: ``quirks alerts send-test``'s sample)."""

ERROR_LEVELS = frozenset({"ERROR", "CRITICAL", "FATAL"})
TIMEOUT_TYPE = "Sandbox.Timedout"
MAX_STACK_LINES = 12

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z"
_LINES = re.compile(r"\r\n|\r|\n")
_PY_RECORD = re.compile(
    rf"^\[(ERROR|CRITICAL|FATAL)\][ \t]*(?:({_ISO})[ \t]+)?(?:({_UUID})[ \t]+)?(.*)$", re.S
)
_NODE_RECORD = re.compile(rf"^({_ISO})\t({_UUID}|undefined)\t(ERROR|FATAL)\t(.*)$", re.S)
_NODE_ENVELOPE = re.compile(
    r"^(Invoke Error|Uncaught Exception|Unhandled Promise Rejection)\s*(\{.*\})\s*$", re.S
)
_TIMEOUT = re.compile(rf"^(?:{_ISO}\s+)?(?:({_UUID})\s+)?(Task timed out after [\d.]+ seconds)")
_RUNTIME_EXIT = re.compile(
    rf"^\s*(?:RequestId:\s*({_UUID})\s+)?Error:\s+(Runtime exited[^\r\n]*)(?:[\r\n]+\s*(Runtime\.\w+))?"
)
_RUNTIME_ERROR_LINE = re.compile(
    rf"^\s*(?:RequestId:\s*({_UUID})\s+)?(?:Error:\s+)?(Runtime\.(?:ExitError|OutOfMemory))\s*$"
)
_TYPE_PREFIX = re.compile(
    r"^([A-Za-z_$][\w$.]*?(?:Error|Exception|Exit|Interrupt|Fault|Failure|Timeout|Timedout|Warning))"
    r"(?::\s?(.*))?$",
    re.S,
)
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::\s?(.*))?$", re.S)
_PY_FRAME = re.compile(r'^\s*File "[^"]*", line \d+')
_NODE_FRAME = re.compile(r"^\s*at\s")


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """One error found in a log event.

    ``stack`` holds the top of the stack as display lines (at most ``MAX_STACK_LINES``);
    ``top_frame`` is the frame where the error was raised (innermost), used for fingerprints.
    ``timestamp`` is the log event's, in epoch milliseconds.
    """

    kind: ErrorKind
    function_name: str
    request_id: str | None
    error_type: str
    message: str
    stack: tuple[str, ...]
    top_frame: str | None
    timestamp: int
    log_group: str
    log_stream: str
    event_id: str
    xray_trace_id: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class _Found:
    kind: ErrorKind
    error_type: str
    message: str
    request_id: str | None = None
    stack: tuple[str, ...] = ()
    top_frame: str | None = None
    function_name: str | None = None
    xray_trace_id: str | None = None
    location: str | None = None


def _lines(text: str) -> list[str]:
    return [line.replace("\xa0", " ").rstrip() for line in _LINES.split(text)]


def _split_type(text: str) -> tuple[str, str] | None:
    """``"KeyError: 'x'"`` gives ``("KeyError", "'x'")``; prose like ``"Payment failed: x"`` gives None."""
    match = _TYPE_PREFIX.match(text.strip())
    if not match:
        return None
    return match.group(1), (match.group(2) or "").strip()


def _python_traceback(
    lines: list[str],
) -> tuple[tuple[str, ...], str | None, tuple[str, str] | None]:
    """Stack excerpt, innermost frame, and the final ``Type: message`` line of a traceback."""
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("Traceback (most recent"))
    except StopIteration:
        return (), None, None
    body = [line for line in lines[start + 1 :] if line.strip()]
    frames = [i for i, line in enumerate(body) if _PY_FRAME.match(line)]
    final = None
    for line in reversed(body):
        if not line.startswith((" ", "\t")):
            exception = _EXCEPTION_LINE.match(line.strip())
            final = (exception.group(1), (exception.group(2) or "").strip()) if exception else None
            break
    top = None
    if frames:
        last = frames[-1]
        top = body[last].strip()
        if last + 1 < len(body) and not _PY_FRAME.match(body[last + 1]):
            code = body[last + 1].strip()
            if code and not _split_type(code):
                top = f"{top}: {code}"
    stack = tuple(body[-MAX_STACK_LINES:])
    return stack, top, final


def _node_stack(frames: Iterable[Any]) -> tuple[tuple[str, ...], str | None]:
    lines = [str(f).rstrip() for f in frames if str(f).strip()]
    at_lines = [line.strip() for line in lines if _NODE_FRAME.match(line)]
    return tuple(lines[:MAX_STACK_LINES]), (at_lines[0] if at_lines else None)


def _from_text_python(message: str) -> _Found | None:
    match = _PY_RECORD.match(message)
    if not match:
        return None
    level, _, request_id, rest = match.groups()
    lines = _lines(rest)
    stack, top, final = _python_traceback(lines)
    head = lines[0].strip() if lines else ""
    typed = _split_type(head)
    if typed:  # uncaught: "[ERROR] Type: message" then the traceback
        error_type, text = typed
    elif final:  # logger.exception("text"): the traceback ends with "Type: message"
        error_type, detail = final
        text = f"{head}: {detail}" if detail and detail not in head else head
    else:
        error_type, text = level, head
    return _Found("python", error_type, text, request_id, stack, top)


def _from_text_node(message: str) -> _Found | None:
    match = _NODE_RECORD.match(message)
    if not match:
        return None
    _, request_id, level, rest = match.groups()
    request_id = None if request_id == "undefined" else request_id
    envelope = _NODE_ENVELOPE.match(rest)
    if envelope:
        try:
            body = jsonsafe.loads(envelope.group(2), "log event")
        except ValueError:
            body = None
        if isinstance(body, dict):
            found = _error_object(body, "node")
            if found:
                return _with(found, request_id=request_id)
    lines = _lines(rest)
    head = lines[0].strip() if lines else ""
    typed = _split_type(head)
    stack, top = _node_stack(lines[1:])
    if typed:
        return _Found("node", typed[0], typed[1], request_id, stack, top)
    return _Found("node", level, head, request_id, stack, top)


def _with(found: _Found, **changes: Any) -> _Found:
    values = {name: getattr(found, name) for name in found.__slots__}
    values.update({k: v for k, v in changes.items() if v is not None})
    return _Found(**values)


def _error_object(body: Mapping[str, Any], kind: ErrorKind) -> _Found | None:
    """``{"errorType", "errorMessage", "stackTrace" | "stack" | "trace"}`` as Lambda runtimes write it."""
    error_type = body.get("errorType")
    if not isinstance(error_type, str):
        return None
    message = body.get("errorMessage")
    frames = body.get("stackTrace", body.get("stack", body.get("trace"))) or []
    if isinstance(frames, str):
        frames = _lines(frames)
    if not isinstance(frames, list):
        frames = []
    python_like = any('File "' in str(f) for f in frames)
    if python_like:
        lines = [line for f in frames for line in _lines(str(f)) if line.strip()]
        stack, top, _ = _python_traceback(["Traceback (most recent call last):", *lines])
    else:
        stack, top = _node_stack(frames)
    return _Found(kind, error_type, "" if message is None else str(message), None, stack, top)


def _from_timeout(message: str) -> _Found | None:
    match = _TIMEOUT.match(message)
    if not match:
        return None
    return _Found("timeout", TIMEOUT_TYPE, match.group(2), match.group(1))


def _from_runtime_exit(message: str) -> _Found | None:
    match = _RUNTIME_EXIT.match(message)
    if match:
        request_id, text, error_type = match.groups()
        return _Found("runtime-exit", error_type or "Runtime.ExitError", text.strip(), request_id)
    match = _RUNTIME_ERROR_LINE.match(message)
    if match:
        return _Found("runtime-exit", match.group(2), "Runtime exited", match.group(1))
    return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), default=str)


def _from_platform(document: Mapping[str, Any]) -> _Found | None:
    if document.get("type") != "platform.runtimeDone":
        return None
    record = document.get("record")
    if not isinstance(record, dict):
        return None
    status = record.get("status")
    if status == "success" or not isinstance(status, str):
        return None
    error_type = record.get("errorType")
    if not isinstance(error_type, str):
        error_type = TIMEOUT_TYPE if status == "timeout" else f"Runtime.{status.capitalize()}"
    text = f"Invocation ended with status {status}"
    metrics = record.get("metrics")
    if isinstance(metrics, dict) and isinstance(metrics.get("durationMs"), int | float):
        text += f" after {metrics['durationMs']} ms"
    request_id = record.get("requestId")
    return _Found("platform", error_type, text, request_id if isinstance(request_id, str) else None)


def _string_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _from_json(document: Mapping[str, Any]) -> _Found | None:
    if "type" in document and "record" in document:
        return _from_platform(document)
    level = document.get("level", document.get("log_level"))
    if not isinstance(level, str) or level.upper() not in ERROR_LEVELS:
        return None  # a line without a valid level counts as INFO
    raw_message = document.get("message", document.get("msg", ""))
    request_id = _string_or_none(
        document.get("requestId")
        or document.get("function_request_id")
        or document.get("AWSRequestId")
    )
    common: dict[str, Any] = {
        "request_id": request_id,
        "function_name": _string_or_none(document.get("function_name")),
        "xray_trace_id": _string_or_none(document.get("xray_trace_id")),
        "location": _string_or_none(document.get("location")),
    }
    if "exception" in document or "exception_name" in document:  # Powertools (Python)
        exception = _text(document.get("exception") or "")
        stack, top, final = _python_traceback(_lines(exception))
        error_type = _string_or_none(document.get("exception_name")) or (
            final[0] if final else level.upper()
        )
        text = _text(raw_message)
        if final and final[1] and final[1] not in text:
            text = f"{text}: {final[1]}" if text else final[1]
        return _Found("powertools", error_type, text, stack=stack, top_frame=top, **common)
    error = document.get("error")
    if isinstance(error, dict) and isinstance(error.get("name"), str):  # Powertools (TypeScript)
        stack, top = _node_stack(_lines(_text(error.get("stack") or "")))
        detail = _text(error.get("message") or "")
        text = _text(raw_message)
        text = f"{text}: {detail}" if detail and detail not in text else text
        return _Found("powertools", error["name"], text, stack=stack, top_frame=top, **common)
    body = raw_message if isinstance(raw_message, dict) else document
    found = _error_object(body, "json")
    if found:
        return _with(found, **common)
    if isinstance(raw_message, str):
        typed = _split_type(_lines(raw_message)[0])
        if typed:
            stack, top = _node_stack(_lines(raw_message)[1:])
            return _Found("json", typed[0], typed[1], stack=stack, top_frame=top, **common)
    return _Found("json", level.upper(), _text(raw_message), **common)


_SKIP_PREFIXES = (
    "START RequestId:",
    "END RequestId:",
    "REPORT RequestId:",
    "INIT_START",
    "EXTENSION",
)


def _find(message: str) -> _Found | None:
    stripped = message.lstrip()
    if not stripped or stripped.startswith(_SKIP_PREFIXES):
        return None
    if stripped.startswith("{"):
        try:
            document = jsonsafe.loads(stripped, "log event")
        except ValueError:
            document = None
        if isinstance(document, dict):
            return _from_json(document)
    return (
        _from_text_python(stripped)
        or _from_text_node(stripped)
        or _from_timeout(stripped)
        or _from_runtime_exit(stripped)
    )


def classify(event: LogEvent, log_group: str, log_stream: str) -> ErrorRecord | None:
    """The error in ``event``, or ``None`` when it is not one of the recognized shapes."""
    found = _find(event.message)
    if found is None:
        return None
    return ErrorRecord(
        kind=found.kind,
        function_name=found.function_name or function_name_from_group(log_group),
        request_id=found.request_id,
        error_type=found.error_type,
        message=found.message,
        stack=found.stack,
        top_frame=found.top_frame,
        timestamp=event.timestamp,
        log_group=log_group,
        log_stream=log_stream,
        event_id=event.id,
        xray_trace_id=found.xray_trace_id,
        location=found.location,
    )


def classify_batch(
    batch: LogBatch, on_error: Callable[[LogEvent, Exception], None] | None = None
) -> list[ErrorRecord]:
    """Every error of a delivery, in order; **all** log events are examined.

    A ``platform.runtimeDone`` failure of a request that already produced another error record in
    the same delivery is folded into it: it says the same thing with less detail. With
    ``on_error``, an event that makes the classifier fail is reported there and skipped, so that
    it cannot hide the other errors of the delivery.
    """
    records = []
    for event in batch.events:
        try:
            record = classify(event, batch.log_group, batch.log_stream)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(event, exc)
            continue
        if record is not None:
            records.append(record)
    explained = {r.request_id for r in records if r.kind != "platform" and r.request_id}
    return [r for r in records if not (r.kind == "platform" and r.request_id in explained)]
