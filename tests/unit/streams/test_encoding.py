"""The one record encoder and the one Lambda-event packer."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from quirks.streams.encoding import (
    EVENT_OVERHEAD,
    encode_record,
    event_body,
    item_key_digest,
    pack_calls,
    pack_events,
)
from tests.support.strategies import lambda_records


@given(st.lists(lambda_records(), max_size=6))
def test_an_event_body_is_the_compact_event_lambda_delivers(records: list[dict[str, Any]]) -> None:
    body = event_body([encode_record(r) for r in records])
    assert body == json.dumps(
        {"Records": records}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    assert json.loads(body) == {"Records": records}


@given(st.lists(st.integers(min_value=0, max_value=300), max_size=40), st.integers(20, 400))
def test_packed_events_fit_keep_order_and_are_greedy(sizes: list[int], limit: int) -> None:
    chunks = pack_events(sizes, limit)
    assert [p for c in chunks for p in range(c.start, c.stop)] == list(range(len(sizes)))

    def event_size(start: int, stop: int) -> int:
        return EVENT_OVERHEAD + sum(sizes[start:stop]) + max(0, stop - start - 1)

    for chunk in chunks:
        if chunk.fits:
            assert event_size(chunk.start, chunk.stop) <= limit
        else:  # too large even alone, and alone
            assert chunk.stop == chunk.start + 1
            assert event_size(chunk.start, chunk.stop) > limit
    for chunk, following in itertools.pairwise(chunks):
        if chunk.fits and following.fits:
            assert event_size(chunk.start, following.start + 1) > limit


def test_the_fifo_group_id_is_the_digest_of_the_item_keys() -> None:
    one = {"dynamodb": {"Keys": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "SequenceNumber": "1"}}
    same = {"dynamodb": {"Keys": {"sk": {"N": "1"}, "pk": {"S": "a"}}, "SequenceNumber": "2"}}
    other = {"dynamodb": {"Keys": {"pk": {"S": "b"}}, "SequenceNumber": "3"}}
    assert item_key_digest(one) == item_key_digest(same) != item_key_digest(other)
    assert len(item_key_digest(one)) == 64


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=300), max_size=60),
    entries=st.integers(min_value=1, max_value=12),
    limit=st.integers(min_value=1, max_value=1000),
)
def test_pack_calls_keeps_order_and_each_limit_and_closes_a_call_only_when_it_must(
    sizes: list[int], entries: int, limit: int
) -> None:
    calls = pack_calls(sizes, entries, limit)
    assert [i for call in calls for i in call] == list(range(len(sizes)))  # order, nothing lost
    for number, call in enumerate(calls):
        total = sum(sizes[i] for i in call)
        assert len(call) <= entries
        assert total <= limit or len(call) == 1  # only a message over the limit alone exceeds it
        if number + 1 < len(calls):  # greedy: the next message did not fit in this call
            following = sizes[calls[number + 1][0]]
            assert len(call) == entries or total + following > limit
