"""Subscription payloads: round trips, and every kind of malformed input named precisely."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.alerts.decode import LogEvent, PayloadError, decode_data, decode_event
from quirks.testing import awslogs_event
from tests.support.events import load_event


def _b64gzip(raw: bytes) -> str:
    return base64.b64encode(gzip.compress(raw)).decode()


events_strategy = st.lists(
    st.builds(
        LogEvent,
        id=st.text(alphabet="0123456789", min_size=1, max_size=56),
        timestamp=st.integers(min_value=0, max_value=2**53),
        message=st.text(max_size=200),
    ),
    max_size=20,
)


@given(events_strategy, st.text(min_size=1, max_size=50), st.text(min_size=1, max_size=50))
def test_round_trip(events: list[LogEvent], group: str, stream: str) -> None:
    event = awslogs_event(
        [(e.timestamp, e.message) for e in events],
        ids=[e.id for e in events],
        log_group=group,
        log_stream=stream,
    )
    batch = decode_event(event)
    assert batch.events == tuple(events)
    assert (batch.log_group, batch.log_stream, batch.owner) == (group, stream, "123456789012")
    assert batch.subscription_filters == ("quirks-errors",)
    assert not batch.is_control


def test_control_message_is_recognized() -> None:
    event = awslogs_event(
        [], log_group="testLogGroup", log_stream="testLogStream", message_type="CONTROL_MESSAGE"
    )
    assert decode_event(event).is_control


@pytest.mark.parametrize(
    ("event", "field", "problem"),
    [
        ({"awslogs": {"data": "not base64!!"}}, "awslogs.data", "not base64"),
        (
            {"awslogs": {"data": base64.b64encode(b"plain bytes").decode()}},
            "awslogs.data",
            "not gzip",
        ),
        ({"awslogs": {"data": _b64gzip(b"{not json")}}, "awslogs.data", "not JSON"),
        ({"awslogs": {"data": _b64gzip(b"\xff\xfe")}}, "awslogs.data", "not JSON"),
        ({"awslogs": {"data": _b64gzip(b"[1, 2]")}}, "", "not a JSON object"),
        (
            {"awslogs": {"data": _b64gzip(json.dumps({"messageType": "DATA_MESSAGE"}).encode())}},
            "logEvents",
            "missing",
        ),
        (
            {
                "awslogs": {
                    "data": _b64gzip(
                        json.dumps(
                            {
                                "messageType": "DATA_MESSAGE",
                                "owner": "1",
                                "logGroup": "g",
                                "logStream": "s",
                                "logEvents": [{"id": "1", "timestamp": "x", "message": "m"}],
                            }
                        ).encode()
                    )
                }
            },
            "logEvents[0].timestamp",
            "expected an integer, got str",
        ),
        (
            {
                "awslogs": {
                    "data": _b64gzip(
                        json.dumps(
                            {
                                "messageType": "DATA_MESSAGE",
                                "owner": "1",
                                "logStream": "s",
                                "logEvents": [],
                            }
                        ).encode()
                    )
                }
            },
            "logGroup",
            "missing",
        ),
        ({"awslogs": {}}, "awslogs.data", "missing"),
        ({"Records": []}, "awslogs", "missing"),
        ("a string", "", "not a JSON object"),
    ],
)
def test_malformed_payloads_name_the_problem(event: object, field: str, problem: str) -> None:
    with pytest.raises(PayloadError) as caught:
        decode_event(event)
    assert caught.value.field == field
    assert problem in caught.value.problem


@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_payload_error_only(data: bytes) -> None:
    for candidate in (base64.b64encode(data).decode(), _b64gzip(data)):
        with contextlib.suppress(PayloadError):
            decode_data(candidate)


def test_account_level_policy_sample_from_powertools_is_decoded() -> None:
    # Powertools' own sample event (tests/events/cloudWatchLogEventWithPolicyLevel.json in
    # aws-powertools/powertools-lambda-python): zlib-compressed, with policyLevel.
    sample = load_event("alerts-awslogs-account-policy.json")
    assert base64.b64decode(sample["awslogs"]["data"])[:1] == b"\x78"  # a zlib header, not gzip
    batch = decode_event(sample)
    assert batch.policy_level == "ACCOUNT_LEVEL_POLICY"
    assert (batch.owner, batch.log_group, batch.log_stream) == (
        "123456789123",
        "testLogGroup",
        "testLogStream",
    )
    assert [e.message for e in batch.events] == [
        "[ERROR] First test message",
        "[ERROR] Second test message",
    ]


def test_decoding_matches_powertools_on_its_sample() -> None:
    from aws_lambda_powertools.utilities.data_classes import CloudWatchLogsEvent

    sample = load_event("alerts-awslogs-account-policy.json")
    theirs = CloudWatchLogsEvent(sample).parse_logs_data()
    ours = decode_event(sample)
    assert ours.policy_level == theirs.raw_event.get("policyLevel")
    assert [(e.id, e.timestamp, e.message) for e in ours.events] == [
        (e.get_id, e.timestamp, e.message) for e in theirs.log_events
    ]


def test_a_decompression_bomb_is_refused() -> None:
    bomb = base64.b64encode(gzip.compress(b" " * (17 * 1024 * 1024))).decode()
    with pytest.raises(PayloadError, match="decompresses to more than"):
        decode_event({"awslogs": {"data": bomb}})
