"""Slack delivery against a local webhook: Block Kit within limits, 429 + Retry-After, failures."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from slack_sdk.models.blocks import Block

from quirks.alerts.classify import ErrorRecord
from quirks.alerts.dedupe import Alert
from quirks.alerts.render import Origin
from quirks.alerts.sinks.base import DeliveryError
from quirks.alerts.sinks.slack import Pacer, SlackSink

if TYPE_CHECKING:
    from tests.functional.alerts.conftest import FakeSlack

ORIGIN = Origin(account="123456789012", region="eu-west-1")


def _alert(message: str = "boom", stack_lines: int = 3, count: int = 1) -> Alert:
    record = ErrorRecord(
        kind="python",
        function_name="orders-api",
        request_id="8f5f1e8a-2b7c-4d1e-9a3f-0c6b5d4e3f21",
        error_type="ValueError",
        message=message,
        stack=tuple(f'  File "/var/task/m{i}.py", line {i}, in f{i}' for i in range(stack_lines)),
        top_frame='File "/var/task/m0.py", line 0, in f0',
        timestamp=1714644672345,
        log_group="/aws/lambda/orders-api",
        log_stream="2024/05/02/[$LATEST]abc",
        event_id="1",
    )
    return Alert("0123456789abcdef", record, count, record.timestamp, record.timestamp)


def _check_blocks(body: dict[str, object]) -> None:
    blocks = body["blocks"]
    assert isinstance(blocks, list)
    assert 0 < len(blocks) <= 50
    assert body["text"]
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()  # slack_sdk's own limits: header 150, section 3,000, fields 10, ...


def test_block_kit_message_arrives_within_limits(fake_slack: FakeSlack) -> None:
    sink = SlackSink(fake_slack.url, pacer=Pacer(0))
    sink.send(_alert(message="x" * 10_000, stack_lines=500, count=7), ORIGIN)
    (body,) = fake_slack.bodies
    _check_blocks(body)
    rendered = str(body)
    assert "orders-api" in rendered
    assert "8f5f1e8a-2b7c-4d1e-9a3f-0c6b5d4e3f21" in rendered
    assert "123456789012 / eu-west-1" in rendered
    assert "*Occurrences*\\n7" in rendered


def test_429_with_retry_after_is_honoured(fake_slack: FakeSlack) -> None:
    fake_slack.answer_next(429, "rate_limited", {"Retry-After": "1"})
    sink = SlackSink(fake_slack.url, pacer=Pacer(0))
    started = time.monotonic()
    sink.send(_alert(), ORIGIN)
    assert time.monotonic() - started >= 1.0
    assert fake_slack.attempts == 2
    assert len(fake_slack.bodies) == 1


def test_persistent_429_and_500_raise_without_leaking_the_url(fake_slack: FakeSlack) -> None:
    sink = SlackSink(fake_slack.url, pacer=Pacer(0), max_rate_limit_retries=0)
    fake_slack.answer_next(429, "rate_limited", {"Retry-After": "0"})
    with pytest.raises(DeliveryError, match="HTTP 429") as caught:
        sink.send(_alert(), ORIGIN)
    assert "SECRET" not in str(caught.value)
    fake_slack.answer_next(500, "internal_error")
    with pytest.raises(DeliveryError, match="HTTP 500"):
        sink.send(_alert(), ORIGIN)


def test_unreachable_webhook_raises_delivery_error() -> None:
    sink = SlackSink("http://127.0.0.1:9/services/SECRET", pacer=Pacer(0), timeout=2)
    with pytest.raises(DeliveryError, match="unreachable") as caught:
        sink.send(_alert(), ORIGIN)
    assert "SECRET" not in str(caught.value)


def test_pacer_spaces_calls() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(1.0, clock=lambda: now[0], sleep=sleep)
    pacer.wait()
    now[0] += 0.25
    pacer.wait()
    now[0] += 5
    pacer.wait()
    assert slept == [pytest.approx(0.75)]
