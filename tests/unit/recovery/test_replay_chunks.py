"""Replay chunking: every Lambda event stays under the payload limit, records keep their order."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quirks.recovery.replay import RecordTooLargeError, chunk_records
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
