"""The local worker writes logs and errors exactly as the Python runtime interface client does.

The reference is AWS's own code (``awslambdaric``): its ``log_error``, ``make_error`` and
``JsonFormatter``, fed the same exception or log record as the worker.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest

from quirks.local import worker

bootstrap = pytest.importorskip("awslambdaric.bootstrap")
log_utils = pytest.importorskip("awslambdaric.lambda_runtime_log_utils")


class Sink:
    """The telemetry sink Lambda uses: one frame per error, lines joined with newlines."""

    def __init__(self) -> None:
        self.frames: list[str] = []

    def log_error(self, message_lines: list[str]) -> None:
        self.frames.append("\n".join(message_lines))


def _raise() -> None:
    def inner() -> None:
        raise KeyError("missing")

    inner()


def _caught() -> BaseException:
    try:
        _raise()
    except KeyError as exc:
        return exc
    raise AssertionError("unreachable")


def test_uncaught_exceptions_are_logged_as_the_runtime_logs_them() -> None:
    error = worker._error(_caught(), request_id="req-1")
    sink = Sink()
    bootstrap.log_error(error, sink)
    assert worker.uncaught_log(error, "Text") == sink.frames[0]
    assert worker.uncaught_log(error, "Text").startswith("[ERROR] KeyError: 'missing'\n")


def test_error_payloads_carry_the_request_id() -> None:
    exc = _caught()
    ours = worker._error(exc, request_id="req-1")
    theirs = bootstrap.make_error(str(exc), "KeyError", ours["stackTrace"], "req-1")
    assert list(ours) == list(theirs)
    assert ours == theirs


def _record(**extra: Any) -> logging.LogRecord:
    logger = logging.getLogger("app")
    try:
        _raise()
    except KeyError:
        exc_info = sys.exc_info()
    return logger.makeRecord(
        "app", logging.ERROR, __file__, 42, "caught %s", ("it",), exc_info, "handler", extra
    )


@pytest.mark.parametrize("with_exception", [True, False])
def test_json_records_match_the_runtime_formatter(with_exception: bool) -> None:
    ours_record, their_record = _record(order_id=7), _record(order_id=7)
    if not with_exception:
        ours_record.exc_info = their_record.exc_info = None
    their_record.aws_request_id = "req-1"
    ours = json.loads(worker.format_json_record(ours_record, "req-1"))
    theirs = json.loads(log_utils.JsonFormatter().format(their_record))
    assert ours == theirs
    assert ours["order_id"] == 7
    if with_exception:
        assert (ours["errorType"], ours["errorMessage"]) == ("KeyError", "'missing'")
