"""Sequence numbers compare as integers; ranges merge when they overlap or touch."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.errors import RecordFormatError
from quirks.streams import SequenceRange, merge_by_shard, merge_ranges, parse_sequence_number


def test_sequence_numbers_order_as_integers_not_strings() -> None:
    small, large = "900000000000000000000", "1000000000000000000000"
    assert small > large  # the string trap
    assert parse_sequence_number(small) < parse_sequence_number(large)


@pytest.mark.parametrize(
    "bad", ["", "-1", "1.5", " 12", "12 ", "١٢", "1e5", "1" * 41, None, 1.0, True]
)
def test_invalid_sequence_numbers_are_rejected(bad: object) -> None:
    with pytest.raises(RecordFormatError, match="seq"):
        parse_sequence_number(bad, "seq")


@given(st.integers(min_value=0, max_value=10**40 - 1))
def test_parse_accepts_every_integer_up_to_40_digits(value: int) -> None:
    assert parse_sequence_number(str(value)) == value


def test_range_rejects_start_after_end() -> None:
    with pytest.raises(RecordFormatError, match="startSequenceNumber"):
        SequenceRange(5, 4)


def test_touching_and_containment() -> None:
    assert SequenceRange(1, 5).touches(SequenceRange(6, 9))
    assert SequenceRange(6, 9).touches(SequenceRange(1, 5))
    assert not SequenceRange(1, 5).touches(SequenceRange(7, 9))
    assert 5 in SequenceRange(1, 5)
    assert 6 not in SequenceRange(1, 5)
    assert "5" not in SequenceRange(1, 5)


ranges = st.tuples(st.integers(0, 60), st.integers(0, 15)).map(
    lambda t: SequenceRange(t[0], t[0] + t[1])
)


@given(st.lists(ranges, max_size=12))
def test_merge_covers_exactly_the_union_with_disjoint_ranges(items: list[SequenceRange]) -> None:
    merged = merge_ranges(items)
    covered = {n for r in items for n in range(r.start, r.end + 1)}
    assert {n for r in merged for n in range(r.start, r.end + 1)} == covered
    for left, right in itertools.pairwise(merged):
        assert left.end + 1 < right.start, "merged ranges must neither overlap nor touch"


@given(
    st.lists(
        st.tuples(st.sampled_from(["s1", "s2", "s3"]), ranges).map(lambda t: (t[0], t[1])),
        max_size=15,
    )
)
def test_merge_by_shard_keeps_shards_apart_and_every_member_once(
    items: list[tuple[str, SequenceRange]],
) -> None:
    merged = merge_by_shard(items, lambda item: ("arn", item[0], item[1]))
    members = [m for group in merged for m in group.members]
    assert sorted(members, key=repr) == sorted(items, key=repr)
    for group in merged:
        for shard, rng in group.members:
            assert shard == group.shard_id
            assert group.range.start <= rng.start
            assert rng.end <= group.range.end
    for shard in ("s1", "s2", "s3"):
        mine = [g.range for g in merged if g.shard_id == shard]
        assert mine == merge_ranges(r for s, r in items if s == shard)


def test_overlapping_adjacent_and_out_of_order_pointers_merge() -> None:
    items = [
        SequenceRange(30, 40),
        SequenceRange(10, 20),
        SequenceRange(21, 25),
        SequenceRange(15, 18),
    ]
    assert merge_ranges(items) == [SequenceRange(10, 25), SequenceRange(30, 40)]
