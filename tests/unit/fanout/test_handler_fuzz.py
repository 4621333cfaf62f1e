"""The fan-out handler fuzzed: every valid record of a batch reaches the target, in order, whatever
malformed records sit beside it. A record it cannot read (not an object, no usable sequence number)
is kept as received, with the reason, at the failure destination; without one, it is reported in
the partial batch response (Lambda's own retries and on-failure destination keep it). Never a
failed batch, never a dropped record. A record it can read but AWS would never send (an integer
sequence number) is passed on as it is."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quirks.fanout import handler as fanout_handler
from quirks.fanout.config import parse_config
from quirks.fanout.dispatcher import Dispatcher
from quirks.lifecycle import PerContainer
from quirks.testing import lambda_context
from tests.functional.fanout.conftest import make_record

UNREADABLE_KEY = "quirksUnreadableRecord"  # the documented shape, not the constant
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/"
malformed = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.just({}),
    st.just({"dynamodb": "x"}),
    st.just({"dynamodb": {"SequenceNumber": "12a"}}),
    st.just({"dynamodb": {"SequenceNumber": 5}}),
    st.just({"dynamodb": {"SequenceNumber": "7"}}),  # no Keys, no eventName
    st.integers(1, 50).map(
        lambda i: {
            **make_record(i),
            "eventID": "bad",
            "dynamodb": {**make_record(i)["dynamodb"], "Keys": "k"},
        }
    ),
    st.integers(1, 50).map(lambda i: {**make_record(i), "eventID": "bad", "eventName": 3}),
)


class Recorder:
    def __init__(self) -> None:
        self.delivered: dict[str, list[Any]] = {}

    def __call__(self, target: Any, messages: Any) -> dict[int, Any]:
        for message in messages:
            body = json.loads(message.body)
            records = body["Records"] if isinstance(body, dict) and "Records" in body else [body]
            self.delivered.setdefault(target.id, []).extend(records)
        return {}


def _unreadable(record: Any) -> bool:
    """What the dispatcher cannot read, said independently of its code."""
    dynamodb = record.get("dynamodb") if isinstance(record, dict) else None
    if not isinstance(dynamodb, dict):
        return True
    sequence = dynamodb.get("SequenceNumber")
    if isinstance(sequence, bool):
        return True
    return not (isinstance(sequence, int) or (isinstance(sequence, str) and sequence.isdigit()))


def _identifier(record: Any) -> str:
    dynamodb = record.get("dynamodb") if isinstance(record, dict) else None
    sequence = dynamodb.get("SequenceNumber") if isinstance(dynamodb, dict) else None
    return sequence if isinstance(sequence, str) else ""


def _install(monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]) -> Recorder:
    sent = Recorder()
    dispatcher = Dispatcher(parse_config(data), send=sent, sleep=lambda s: None)
    monkeypatch.setattr(fanout_handler, "_dispatcher", PerContainer.holding(dispatcher))
    return sent


TARGETS: list[dict[str, Any]] = [
    {"id": "a", "type": "sqs", "destination": f"{QUEUE}a"},
    {"id": "b", "type": "sqs", "destination": f"{QUEUE}b", "filter": [{"eventName": ["INSERT"]}]},
]
batches = st.tuples(st.integers(1, 20), st.lists(malformed, max_size=3), st.integers(0, 20))


def _batch(count: int, bad: list[Any], where: int) -> tuple[list[Any], list[str]]:
    records: list[Any] = [make_record(i) for i in range(1, count + 1)]
    records[where:where] = bad
    return records, [f"{i:032x}" for i in range(1, count + 1)]


def _delivered_in_order(recorder: Recorder, valid: list[str]) -> None:
    delivered = [r.get("eventID") for r in recorder.delivered["a"] if isinstance(r, dict)]
    assert [i for i in delivered if i in valid] == valid


def test_unreadable_records_go_to_the_failure_destination_and_neighbours_are_delivered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = _install(
        monkeypatch, {"targets": TARGETS, "failure_destination": f"{QUEUE}failures"}
    )

    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(batches)
    def check(batch: tuple[int, list[Any], int]) -> None:
        recorder.delivered.clear()
        records, valid = _batch(*batch)
        response = fanout_handler.lambda_handler(
            {"Records": records}, lambda_context("fanout", remaining_ms=60_000)
        )  # type: ignore[arg-type]
        assert response == {"batchItemFailures": []}
        _delivered_in_order(recorder, valid)
        kept = [m[UNREADABLE_KEY] for m in recorder.delivered.get("unreadable-failures", [])]
        expected = [(i, r) for i, r in enumerate(records) if _unreadable(r)]
        assert [(k["index"], k["record"]) for k in kept] == expected
        assert all(k["reason"].startswith(f"Records[{k['index']}]") for k in kept)

    check()


def test_without_a_failure_destination_unreadable_records_are_reported_not_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blocking = [{**t, "on_failure": {"mode": "block"}} for t in TARGETS]
    recorder = _install(monkeypatch, {"targets": blocking, "checkpoint_table": "checkpoints"})

    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(batches)
    def check(batch: tuple[int, list[Any], int]) -> None:
        recorder.delivered.clear()
        records, valid = _batch(*batch)
        response = fanout_handler.lambda_handler(
            {"Records": records}, lambda_context("fanout", remaining_ms=60_000)
        )  # type: ignore[arg-type]
        reported = [f["itemIdentifier"] for f in response["batchItemFailures"]]
        assert reported == [_identifier(r) for r in records if _unreadable(r)]
        _delivered_in_order(recorder, valid)

    check()
