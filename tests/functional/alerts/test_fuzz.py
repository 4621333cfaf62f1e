"""The alerts handler fuzzed: whatever a delivery holds, it never raises, and a real error beside
garbage still reaches Slack (no lost neighbour)."""

from __future__ import annotations

import base64
import gzip
import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quirks.alerts import handler as alert_handler
from quirks.testing import awslogs_event
from tests.functional.alerts.test_handler import CONTEXT

if TYPE_CHECKING:
    from tests.functional.alerts.conftest import FakeSlack

GROUP = "/aws/lambda/orders-api"
NEIGHBOUR = (
    "[ERROR]\t2024-05-02T10:11:12.345Z\t8f5f1e8a-2b7c-4d1e-9a3f-0c6b5d4e3f21\t"
    "NeighbourError: still reported\nTraceback (most recent call last):\n"
    '  File "/var/task/app.py", line 9, in handler\n'
)
messages = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=0, max_value=3000).map(
        lambda d: '{"level":"ERROR","x":' + "[" * d + "]" * d + "}"
    ),
    st.integers(min_value=0, max_value=3000).map(lambda d: "[" * d),
    st.just("[ERROR]\t2024\tid\t"),
    st.just('{"level": "ERROR", "errorType": 7, "stack": {"a": 1}}'),
    st.just("x" * 262_144),
    st.sampled_from(["<!channel>", "\x00\x1b[31m", "Task timed out after", "REPORT RequestId:"]),
)
raw_events = st.one_of(
    st.none(),
    st.text(max_size=50),
    st.dictionaries(st.sampled_from(["awslogs", "Records", "data"]), st.text(max_size=30)),
    st.text(max_size=60).map(lambda t: {"awslogs": {"data": t}}),
    st.binary(max_size=80).map(
        lambda b: {"awslogs": {"data": base64.b64encode(gzip.compress(b)).decode()}}
    ),
    st.builds(
        lambda d: {
            "awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(d).encode())).decode()}
        },
        st.dictionaries(
            st.sampled_from(["messageType", "owner", "logGroup", "logStream", "logEvents"]),
            st.one_of(st.text(max_size=10), st.lists(st.integers(), max_size=3), st.none()),
        ),
    ),
)


@pytest.fixture
def slack(fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> FakeSlack:
    monkeypatch.setenv("QUIRKS_SLACK_WEBHOOK_URL", fake_slack.url)
    monkeypatch.setenv("QUIRKS_SLACK_MIN_INTERVAL", "0")
    monkeypatch.setenv("QUIRKS_ALERTS_MAX_MESSAGES", "50")
    return fake_slack


def test_malformed_deliveries_never_raise(slack: FakeSlack) -> None:
    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(raw_events)
    def check(event: Any) -> None:
        result = alert_handler.lambda_handler(event, CONTEXT)
        assert isinstance(result, dict)

    check()


def test_a_real_error_beside_garbage_always_reaches_slack(slack: FakeSlack) -> None:
    @settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(messages, max_size=6), st.integers(min_value=0, max_value=6))
    def check(garbage: list[str], where: int) -> None:
        alert_handler.reset()  # a fresh suppression window: the neighbour is new every example
        slack.bodies.clear()
        lines = [*garbage[:where], NEIGHBOUR, *garbage[where:]]
        event = awslogs_event(
            [(1714644672345 + i, m) for i, m in enumerate(lines)],
            ids=[str(i) for i in range(len(lines))],
            log_group=GROUP,
            log_stream="s",
        )
        result = alert_handler.lambda_handler(event, CONTEXT)
        assert result["failed"] == 0
        assert "NeighbourError" in json.dumps(slack.bodies)

    check()
