"""Sequence numbers and ranges of them.

Stream sequence numbers are decimal strings of 21 to 40 digits (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html); as strings they sort
wrongly ("9" > "10"), so every comparison here is on integers. A :class:`SequenceRange` is closed:
both ends belong to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from quirks.errors import RecordFormatError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "MergedRange",
    "SequenceRange",
    "merge_by_shard",
    "merge_ranges",
    "parse_sequence_number",
]

MAX_DIGITS = 40


def parse_sequence_number(value: object, field: str = "SequenceNumber") -> int:
    """Parse a sequence number given as a decimal string (ints are accepted too).

    Raises :class:`RecordFormatError` naming ``field`` for anything else: signs, spaces, floats,
    empty strings, or more than 40 digits.
    """
    if isinstance(value, bool):
        raise RecordFormatError(field, "expected a decimal string, got a boolean")
    if isinstance(value, int):
        if value < 0:
            raise RecordFormatError(field, f"must not be negative, got {value}")
        return value
    if not isinstance(value, str):
        raise RecordFormatError(field, f"expected a decimal string, got {type(value).__name__}")
    if not value.isascii() or not value.isdigit():
        raise RecordFormatError(field, f"expected only decimal digits, got {value!r}")
    if len(value) > MAX_DIGITS:
        raise RecordFormatError(field, f"has {len(value)} digits, more than {MAX_DIGITS}")
    return int(value)


@dataclass(frozen=True, order=True, slots=True)
class SequenceRange:
    """The closed range ``[start, end]`` of sequence numbers."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise RecordFormatError(
                "startSequenceNumber", f"{self.start} is greater than the end {self.end}"
            )

    @classmethod
    def parse(cls, start: object, end: object) -> SequenceRange:
        """Build a range from two sequence numbers as they appear on the wire."""
        return cls(
            parse_sequence_number(start, "startSequenceNumber"),
            parse_sequence_number(end, "endSequenceNumber"),
        )

    def __contains__(self, sequence: object) -> bool:
        return isinstance(sequence, int) and self.start <= sequence <= self.end

    def touches(self, other: SequenceRange) -> bool:
        """True when the ranges overlap or are adjacent (no integer lies between them)."""
        return self.start <= other.end + 1 and other.start <= self.end + 1

    def union(self, other: SequenceRange) -> SequenceRange:
        """The smallest range covering both."""
        return SequenceRange(min(self.start, other.start), max(self.end, other.end))


T = TypeVar("T")
M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class MergedRange(Generic[T]):
    """A merged range on one shard, with the items (e.g. failure pointers) that it covers."""

    stream_arn: str
    shard_id: str
    range: SequenceRange
    members: tuple[T, ...]


@overload
def merge_by_shard(
    items: Iterable[T], locate: Callable[[T], tuple[str, str, SequenceRange]]
) -> list[MergedRange[T]]: ...
@overload
def merge_by_shard(
    items: Iterable[T],
    locate: Callable[[T], tuple[str, str, SequenceRange]],
    make: Callable[[str, str, SequenceRange, tuple[T, ...]], M],
) -> list[M]: ...
def merge_by_shard(
    items: Iterable[T],
    locate: Callable[[T], tuple[str, str, SequenceRange]],
    make: Callable[[str, str, SequenceRange, tuple[T, ...]], Any] = MergedRange,
) -> list[Any]:
    """Group ``items`` by (stream ARN, shard id) and merge their ranges within each shard.

    ``locate`` returns ``(stream_arn, shard_id, range)`` for an item. Every item lands in exactly one
    merged range, built by ``make(stream_arn, shard_id, range, members)`` (a :class:`MergedRange`
    unless a subclass is asked for). The result is ordered by stream, shard and start.
    """
    by_shard: dict[tuple[str, str], list[tuple[SequenceRange, T]]] = {}
    for item in items:
        stream_arn, shard_id, rng = locate(item)
        by_shard.setdefault((stream_arn, shard_id), []).append((rng, item))
    result: list[Any] = []
    for (stream_arn, shard_id), entries in sorted(by_shard.items(), key=lambda kv: kv[0]):
        entries.sort(key=lambda entry: entry[0])
        current, members = entries[0][0], [entries[0][1]]
        for rng, item in entries[1:]:
            if current.touches(rng):
                current = current.union(rng)
                members.append(item)
            else:
                result.append(make(stream_arn, shard_id, current, tuple(members)))
                current, members = rng, [item]
        result.append(make(stream_arn, shard_id, current, tuple(members)))
    return result


def merge_ranges(ranges: Iterable[SequenceRange]) -> list[SequenceRange]:
    """Merge overlapping and adjacent ranges; the result is sorted and pairwise disjoint."""
    return [merged.range for merged in merge_by_shard(ranges, lambda rng: ("", "", rng))]
