"""Replay chunking: every Lambda event stays under the payload limit, records keep their order."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quirks import aws
from quirks.recovery.replay import LambdaReplayer, QueueReplayer, RecordTooLargeError, chunk_records
from quirks.streams.encoding import encode_records, item_key_digest
from tests.support.strategies import lambda_records


def event_size(chunk: list[dict]) -> int:
    return len(json.dumps({"Records": chunk}, separators=(",", ":"), ensure_ascii=False).encode())


@settings(max_examples=50)
@given(st.lists(lambda_records(), max_size=12), st.integers(min_value=3_000, max_value=20_000))
def test_chunks_fit_the_limit_and_keep_order(records: list[dict], limit: int) -> None:
    try:
        chunks = chunk_records(records, limit)
    except RecordTooLargeError:
        assert any(event_size([r]) > limit for r in records)
        return
    assert [r for chunk in chunks for r in chunk] == records
    assert all(chunk for chunk in chunks)
    assert all(event_size(chunk) <= limit for chunk in chunks)
    # Greedy: a chunk is only closed when the next record would not fit.
    for chunk, following in itertools.pairwise(chunks):
        assert event_size([*chunk, following[0]]) > limit


def test_exact_fit_is_allowed() -> None:
    record = {"dynamodb": {"SequenceNumber": "1"}, "x": "a" * 100}
    limit = event_size([record, record])
    assert chunk_records([record, record, record], limit) == [[record, record], [record]]


def test_a_record_over_the_limit_is_refused_with_its_sequence_number() -> None:
    record = {"dynamodb": {"SequenceNumber": "123"}, "x": "a" * 100}
    with pytest.raises(RecordTooLargeError, match="record 123"):
        chunk_records([record], 50)


class RecordingClients(aws.ClientFactory):
    """A factory whose Lambda and SQS clients accept everything and keep what they were sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, Any]] = []

    def client(self, service: str, region: str | None = None) -> Any:  # type: ignore[override]
        return self

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.sent.append(kwargs)
        return {"StatusCode": 200}

    def send_message_batch(self, **kwargs: Any) -> dict[str, Any]:
        self.sent.append(kwargs)
        return {"Successful": [{"Id": e["Id"]} for e in kwargs["Entries"]], "Failed": []}


@pytest.mark.parametrize("kind", ["lambda", "queue", "fifo"])
def test_replay_encodes_each_record_once(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    records = [
        {"eventID": str(i), "dynamodb": {"SequenceNumber": str(i), "Keys": {"pk": {"S": str(i)}}}}
        for i in range(12)
    ]
    clients = RecordingClients()
    replayer: LambdaReplayer | QueueReplayer = (
        LambdaReplayer("consumer", clients=clients)
        if kind == "lambda"
        else QueueReplayer("https://sqs/q" + (".fifo" if kind == "fifo" else ""), clients=clients)
    )
    encoded: list[Any] = []
    real_dumps = json.dumps

    def counting(value: Any, *args: Any, **kwargs: Any) -> str:
        if value in records or (isinstance(value, dict) and "Records" in value):
            encoded.append(value)
        return real_dumps(value, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(json, "dumps", counting)
        result = replayer.replay(records)
    assert result.records_sent == 12
    assert encoded == records  # each record once, and no second encode of a whole event
    if kind == "lambda":
        [call] = clients.sent
        assert json.loads(call["Payload"]) == {"Records": records}
    else:
        entries = [e for call in clients.sent for e in call["Entries"]]
        assert [json.loads(e["MessageBody"]) for e in entries] == records
        if kind == "fifo":
            assert [e["MessageGroupId"] for e in entries] == [item_key_digest(r) for r in records]


@pytest.mark.parametrize("kind", ["lambda", "queue"])
def test_replay_sends_the_bytes_it_is_given_without_encoding(
    monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    records = [
        {"eventID": str(i), "dynamodb": {"SequenceNumber": str(i), "Keys": {"pk": {"S": str(i)}}}}
        for i in range(5)
    ]
    encoded = encode_records(records)  # what the archive was written from
    clients = RecordingClients()
    replayer: LambdaReplayer | QueueReplayer = (
        LambdaReplayer("consumer", clients=clients)
        if kind == "lambda"
        else QueueReplayer("https://sqs/q", clients=clients)
    )
    calls: list[Any] = []
    real_dumps = json.dumps

    def counting(value: Any, *args: Any, **kwargs: Any) -> str:
        calls.append(value)
        return real_dumps(value, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(json, "dumps", counting)
        result = replayer.replay(records, encoded)
    assert (result.records_sent, calls) == (5, [])
    if kind == "lambda":
        [call] = clients.sent
        assert call["Payload"] == b'{"Records":[' + b",".join(encoded) + b"]}"
    else:
        [call] = clients.sent
        assert [e["MessageBody"].encode() for e in call["Entries"]] == encoded
    with pytest.raises(ValueError, match="4 encoded records for 5 records"):
        replayer.replay(records, encoded[:4])
