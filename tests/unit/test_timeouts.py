"""The cold-start check: an ERROR naming the setting when a handler's timeout is too short."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest
from aws_lambda_powertools import Logger

from quirks.testing import lambda_context
from quirks.timeouts import MINIMUM_TIMEOUT_SECONDS, TimeoutCheck


def _logger() -> tuple[Logger, io.StringIO]:
    stream = io.StringIO()
    return Logger(service=f"test-timeouts-{uuid.uuid4().hex}", stream=stream), stream


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.parametrize("handler", sorted(MINIMUM_TIMEOUT_SECONDS))
def test_lambda_default_timeout_logs_one_error_naming_the_setting(handler: Any) -> None:
    logger, stream = _logger()
    check = TimeoutCheck(handler)
    assert check(lambda_context(remaining_ms=2_990), logger) == 3
    assert check(lambda_context(remaining_ms=2_990), logger) is None  # once per container
    (line,) = _lines(stream)
    assert line["level"] == "ERROR"
    minimum = MINIMUM_TIMEOUT_SECONDS[handler]
    assert f"function timeout 3 s is below the {minimum} s" in line["message"]
    assert "Terraform `timeout`" in line["message"]
    assert line["minimum_timeout_seconds"] == minimum


@pytest.mark.parametrize("handler", sorted(MINIMUM_TIMEOUT_SECONDS))
def test_exactly_the_minimum_is_quiet(handler: Any) -> None:
    logger, stream = _logger()
    minimum = MINIMUM_TIMEOUT_SECONDS[handler]
    # what is left at the start of the first invocation is a few ms under the configured timeout
    assert TimeoutCheck(handler)(lambda_context(remaining_ms=minimum * 1000 - 7), logger) == minimum
    assert _lines(stream) == []


def test_no_context_is_not_an_error() -> None:
    logger, stream = _logger()
    assert TimeoutCheck("alerts")(object(), logger) is None
    assert _lines(stream) == []


def test_each_minimum_leaves_time_after_the_handlers_own_reserve() -> None:
    from quirks.alerts.notifier import DEADLINE_RESERVE_MS
    from quirks.recovery.handler import SAFETY_MARGIN_MS

    # At the minimum, at least as much time is left for the work as the reserve holds back.
    assert MINIMUM_TIMEOUT_SECONDS["recovery"] * 1000 >= 2 * SAFETY_MARGIN_MS
    assert MINIMUM_TIMEOUT_SECONDS["alerts"] * 1000 >= 2 * DEADLINE_RESERVE_MS
    # Lambda's default of 3 s is below every handler's minimum: the check fires out of the box.
    assert all(minimum > 3 for minimum in MINIMUM_TIMEOUT_SECONDS.values())


@pytest.mark.parametrize("handler", sorted(MINIMUM_TIMEOUT_SECONDS))
def test_every_handler_runs_its_check(handler: str) -> None:
    import importlib

    module = importlib.import_module(f"quirks.{handler}.handler")
    check = module._check_timeout
    assert isinstance(check, TimeoutCheck)
    assert check.handler == handler
