"""Pure planning: merging pointers, archive names, loss accounting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from quirks.recovery.ranges import Pointer, account_losses, archive_name, plan_ranges
from quirks.streams import SequenceRange, parse_failure_message
from quirks.streams.failures import StreamBatchFailure
from tests.support.events import load_event

ARN = "arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388"
BASE = 800000000003126276362


def make(
    start: int,
    end: int,
    size: int | None = None,
    shard: str = "shardId-1",
    arn: str = ARN,
    mid: str | None = None,
) -> Pointer:
    body = load_event("ddb-on-failure-sqs.json")
    info = body["DDBStreamBatchInfo"]
    info.update(
        startSequenceNumber=str(BASE + start),
        endSequenceNumber=str(BASE + end),
        batchSize=end - start + 1 if size is None else size,
        shardId=shard,
        streamArn=arn,
    )
    failure = parse_failure_message(body)
    assert isinstance(failure, StreamBatchFailure)
    return Pointer(mid or f"m{start}-{end}-{shard}", failure)


def test_overlapping_adjacent_and_out_of_order_pointers_merge_per_shard() -> None:
    planned = plan_ranges(
        [
            make(20, 29),
            make(0, 9),
            make(5, 14),
            make(15, 19),
            make(40, 41),
            make(0, 3, shard="shardId-2"),
        ]
    )
    assert [(p.shard_id, p.range.start - BASE, p.range.end - BASE) for p in planned] == [
        ("shardId-1", 0, 29),
        ("shardId-1", 40, 41),
        ("shardId-2", 0, 3),
    ]
    assert len(planned[0].pointers) == 4


def test_redelivered_pointer_is_counted_once() -> None:
    [planned] = plan_ranges([make(0, 9, mid="a"), make(0, 9, mid="b")])
    assert planned.expected == 10
    assert planned.message_ids == ("a", "b")


def test_archive_name_is_deterministic_sorted_and_names_the_stream() -> None:
    name = archive_name(ARN, "shardId-000-abc", SequenceRange(BASE, BASE + 9))
    assert name == (
        "dynamodb/123456789012/us-east-2/mytable/2019-11-14T00_04_06.388/shardId-000-abc/"
        f"{BASE:040d}-{BASE + 9:040d}.jsonl.gz"
    )
    other_table = archive_name(
        ARN.replace("mytable", "other"), "shardId-000-abc", SequenceRange(BASE, BASE + 9)
    )
    assert other_table != name
    # Zero padding makes names sort like the numbers.
    assert archive_name(ARN, "s", SequenceRange(9, 9)) < archive_name(
        ARN, "s", SequenceRange(10, 10)
    )


def test_loss_accounting_subtracts_what_was_recovered() -> None:
    [planned] = plan_ranges([make(0, 9), make(10, 19)])

    class R:
        def __init__(self, sequence: int) -> None:
            self.sequence = sequence

    recovered = [R(BASE + i) for i in range(6, 20)]  # 0..5 trimmed
    [lost] = account_losses(planned, recovered, [(SequenceRange(BASE, BASE + 5), "trimmed", "")])  # type: ignore[arg-type]
    assert (lost.expected, lost.reason) == (6, "trimmed")


def test_loss_counts_at_least_the_first_record_of_a_pointer_in_the_gap() -> None:
    [planned] = plan_ranges([make(0, 9, size=3)])  # sparse batch: 3 records over 10 numbers
    [lost] = account_losses(planned, [], [(SequenceRange(BASE, BASE + 9), "stream-not-found", "")])
    assert lost.expected == 3


def test_deadline_is_arrival_plus_24_hours() -> None:
    pointer = make(0, 1)
    assert pointer.deadline == datetime(2019, 11, 14, 0, 13, 19, tzinfo=UTC) + timedelta(hours=24)


ranges = st.tuples(st.integers(0, 200), st.integers(0, 30), st.sampled_from(["s1", "s2"]))


@given(st.lists(ranges, min_size=1, max_size=30))
def test_every_pointer_lands_in_exactly_one_range_and_ranges_never_touch(
    specs: list[tuple[int, int, str]],
) -> None:
    pointers = [make(s, s + n, shard=sh, mid=f"m{i}") for i, (s, n, sh) in enumerate(specs)]
    planned = plan_ranges(pointers)
    ids = [mid for p in planned for mid in p.message_ids]
    assert sorted(ids) == sorted(p.message_id for p in pointers)
    for p in planned:
        for member in p.pointers:
            assert member.failure.batch.range.start in p.range
            assert member.failure.batch.range.end in p.range
    for a in planned:
        for b in planned:
            if a is not b and a.shard_id == b.shard_id:
                assert not a.range.touches(b.range)


@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 10)), min_size=1, max_size=8),
    st.lists(st.integers(-5, 80), max_size=40),
)
def test_found_counts_each_distinct_pointers_own_records(
    specs: list[tuple[int, int]], offsets: list[int]
) -> None:
    pointers = [make(s, s + n, mid=f"m{i}") for i, (s, n) in enumerate(specs)]
    sequences = [BASE + o for o in offsets]
    for planned in plan_ranges(pointers):
        counts = planned.found(sequences)
        assert [p for p, _ in counts] == list(planned.distinct_pointers)
        for pointer, count in counts:
            rng = pointer.failure.batch.range
            assert count == len({s for s in sequences if rng.start <= s <= rng.end})
