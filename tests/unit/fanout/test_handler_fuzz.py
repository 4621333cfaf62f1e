"""The fan-out handler fuzzed: every valid record of a batch reaches the target, in order; a batch
holding a record it cannot read fails with a RecordFormatError naming it (Lambda then retries the
batch, so no neighbour is lost), never with any other exception. A record it can read but AWS would
never send (an integer sequence number) is passed on as it is."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quirks.errors import RecordFormatError
from quirks.fanout import handler as fanout_handler
from quirks.fanout.config import parse_config
from quirks.fanout.dispatcher import Dispatcher
from tests.functional.fanout.conftest import make_record
from tests.functional.fanout.test_failures import FakeContext

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


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    config = parse_config(
        {
            "targets": [
                {"id": "a", "type": "sqs", "destination": f"{QUEUE}a"},
                {
                    "id": "b",
                    "type": "sqs",
                    "destination": f"{QUEUE}b",
                    "filter": [{"eventName": ["INSERT"]}],
                },
            ],
            "failure_destination": f"{QUEUE}failures",
        }
    )
    sent = Recorder()
    dispatcher = Dispatcher(config, send=sent, sleep=lambda s: None)
    monkeypatch.setattr(fanout_handler, "_dispatcher", dispatcher)
    return sent


def test_valid_batches_reach_every_target_and_malformed_ones_fail_by_name(
    recorder: Recorder,
) -> None:
    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(1, 20), st.lists(malformed, max_size=2), st.integers(0, 20))
    def check(count: int, bad: list[Any], where: int) -> None:
        recorder.delivered.clear()
        records: list[Any] = [make_record(i) for i in range(1, count + 1)]
        records[where:where] = bad
        failure: RecordFormatError | None = None
        try:
            response = fanout_handler.lambda_handler({"Records": records}, FakeContext())  # type: ignore[arg-type]
        except RecordFormatError as exc:
            failure = exc
        if failure is not None:  # only a malformed record may fail the batch, by its index
            assert bad
            assert failure.field.startswith("Records[")
            return
        assert response == {"batchItemFailures": []}
        valid = [f"{i:032x}" for i in range(1, count + 1)]
        delivered = [r.get("eventID") for r in recorder.delivered["a"] if isinstance(r, dict)]
        assert [i for i in delivered if i in valid] == valid

    check()
