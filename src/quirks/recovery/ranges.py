"""Pure planning for recovery: pointers in, merged ranges, archive names and loss accounting out.

Nothing here does I/O. A :class:`Pointer` is one parsed on-failure message together with where it came
from; :func:`plan_ranges` merges the pointers of each shard into :class:`PlannedRange` objects (one
stream read and one archive each); :func:`account_losses` turns the parts of a range that could not be
read into :class:`LostRange` entries with a reason and an expected record count.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from quirks.arns import Arn
from quirks.streams.archive import ARCHIVE_SUFFIX
from quirks.streams.sequence import MAX_DIGITS, MergedRange, SequenceRange, merge_by_shard

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime, timedelta

    from quirks.streams.failures import StreamBatchFailure
    from quirks.streams.model import StreamRecord

__all__ = [
    "Gap",
    "LossReason",
    "LostRange",
    "PlannedRange",
    "Pointer",
    "account_losses",
    "account_shortfalls",
    "archive_name",
    "plan_ranges",
    "pointer_age_seconds",
    "subtract",
    "time_left",
]

LossReason = Literal[
    "trimmed",
    "stream-not-found",
    "stream-disabled",
    "shard-not-found",
    "count-mismatch",
]
"""Why records can be gone for good; every lost range carries one of these."""

Gap = tuple[SequenceRange, LossReason, str]
"""A part of a range that could not be read: the range, why, and the detail AWS gave."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class Pointer:
    """One stream batch failure and the message it came from (``message_id`` names it uniquely)."""

    message_id: str
    failure: StreamBatchFailure

    @property
    def key(self) -> tuple[str, str, int, int]:
        """Identity of the batch: two messages with the same key point at the same records."""
        batch = self.failure.batch
        return (batch.stream_arn, batch.shard_id, batch.range.start, batch.range.end)

    def locate(self) -> tuple[str, str, SequenceRange]:
        """Where the pointed-to records are: stream, shard and range (what merging groups by)."""
        batch = self.failure.batch
        return batch.stream_arn, batch.shard_id, batch.range

    @property
    def carried(self) -> bool:
        """True when the message carries the records itself (S3 on-failure object)."""
        return self.failure.records is not None

    @property
    def deadline(self) -> datetime | None:
        """When the first pointed-to record leaves the stream (arrival + 24 h)."""
        return self.failure.batch.expires_at


@dataclass(frozen=True, slots=True)
class LostRange:
    """Records that can no longer be read, why, and how many were expected there."""

    stream_arn: str
    shard_id: str
    start: int
    end: int
    expected: int
    reason: LossReason
    detail: str = ""

    def as_summary(self) -> dict[str, object]:
        """The JSON summary form (sequence numbers as decimal strings, as on the wire)."""
        return {
            "stream_arn": self.stream_arn,
            "shard_id": self.shard_id,
            "start": str(self.start),
            "end": str(self.end),
            "expected": self.expected,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class PlannedRange(MergedRange[Pointer]):
    """A merged range on one shard: read once, archived once, covering ``pointers``."""

    @property
    def pointers(self) -> tuple[Pointer, ...]:
        """The pointers merged into this range, in range order."""
        return self.members

    @property
    def carried(self) -> bool:
        """True when the pointers carry their records: they are never read from the stream."""
        return self.members[0].carried

    @property
    def distinct_pointers(self) -> tuple[Pointer, ...]:
        """The pointers with duplicates (same stream, shard and range) removed."""
        seen: dict[tuple[str, str, int, int], Pointer] = {}
        for pointer in self.pointers:
            seen.setdefault(pointer.key, pointer)
        return tuple(seen.values())

    @property
    def expected(self) -> int:
        """Records the pointers announce: the sum of the batch sizes of the distinct pointers.

        Exact for the batches Lambda produces (bisected halves and parallel batches share no
        records); a redelivered pointer is counted once.
        """
        return sum(p.failure.batch.batch_size for p in self.distinct_pointers)

    @property
    def archive_name(self) -> str:
        """The deterministic object name of this range's archive."""
        return archive_name(self.stream_arn, self.shard_id, self.range)

    @property
    def message_ids(self) -> tuple[str, ...]:
        """The source messages this range settles (in pointer order, without repeats)."""
        return tuple(dict.fromkeys(p.message_id for p in self.pointers))

    def found(self, sequences: Iterable[int]) -> list[tuple[Pointer, int]]:
        """Each distinct pointer, with how many of ``sequences`` lie in its own range."""
        held = sorted(set(sequences))
        counts = []
        for pointer in self.distinct_pointers:
            rng = pointer.failure.batch.range
            counts.append((pointer, bisect_right(held, rng.end) - bisect_left(held, rng.start)))
        return counts

    def carried_records(self) -> list[StreamRecord]:
        """For a carried range: the records of all pointers, in range, deduplicated and ordered."""
        by_sequence: dict[int, StreamRecord] = {}
        for pointer in self.pointers:
            for record in pointer.failure.records or ():
                if record.sequence in self.range:
                    by_sequence.setdefault(record.sequence, record)
        return [by_sequence[seq] for seq in sorted(by_sequence)]


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text) or "_"


def archive_name(stream_arn: str, shard_id: str, rng: SequenceRange) -> str:
    """``dynamodb/<account>/<region>/<table>/<stream label>/<shard>/<start>-<end>.jsonl.gz``.

    Derived from the stream ARN (moto and re-created tables reuse sequence numbers, so shard and range
    alone are not unique) and zero-padded so that names sort in sequence order. The same range always
    gets the same name: re-running a recovery overwrites an archive with identical bytes.
    """
    try:
        arn = Arn.parse(stream_arn)
        resource = arn.resource.split("/")
        parts = [arn.service, arn.account, arn.region, *resource[1:2], *resource[3:4]]
    except Exception:
        parts = ["unknown", stream_arn]
    width = MAX_DIGITS
    tail = f"{rng.start:0{width}d}-{rng.end:0{width}d}{ARCHIVE_SUFFIX}"
    return "/".join([*(_safe(p) for p in parts), _safe(shard_id), tail])


def plan_ranges(pointers: Iterable[Pointer]) -> list[PlannedRange]:
    """Merge overlapping and adjacent pointers per shard into ranges to read (or carry) once.

    Pointers that carry their records (S3 objects) are merged among themselves and never read from
    the stream; pointer-only messages are merged separately.
    """
    carried: list[Pointer] = []
    remote: list[Pointer] = []
    for pointer in pointers:
        (carried if pointer.carried else remote).append(pointer)
    return [
        *merge_by_shard(remote, Pointer.locate, PlannedRange),
        *merge_by_shard(carried, Pointer.locate, PlannedRange),
    ]


def subtract(rng: SequenceRange, covered: Iterable[SequenceRange]) -> list[SequenceRange]:
    """The parts of ``rng`` that no range of ``covered`` includes, in order."""
    left: list[SequenceRange] = []
    start = rng.start
    for part in sorted(covered, key=lambda r: r.start):
        if part.end < start or part.start > rng.end:
            continue
        if part.start > start:
            left.append(SequenceRange(start, part.start - 1))
        start = max(start, part.end + 1)
        if start > rng.end:
            return left
    if start <= rng.end:
        left.append(SequenceRange(start, rng.end))
    return left


def account_losses(
    planned: PlannedRange,
    recovered: Sequence[StreamRecord],
    gaps: Iterable[Gap],
    archived: Iterable[int] = (),
) -> list[LostRange]:
    """Turn unreadable parts of a range (``(range, reason, detail)``) into lost ranges with counts.

    A pointer touching a gap is missing ``batch_size`` minus the records recovered in its own range
    (at least one when its first record lies in the gap: that record existed); a gap's expected
    count is the sum over the distinct pointers it touches. ``archived``: sequence numbers earlier
    runs archived (they count as found).
    """
    counts = planned.found([*(record.sequence for record in recovered), *archived])
    lost: list[LostRange] = []
    for gap, reason, detail in gaps:
        expected = 0
        for pointer, found in counts:
            rng = pointer.failure.batch.range
            if rng.start > gap.end or rng.end < gap.start:
                continue
            missing = max(0, pointer.failure.batch.batch_size - found)
            if rng.start in gap:
                missing = max(missing, 1)
            expected += missing
        lost.append(
            LostRange(
                planned.stream_arn, planned.shard_id, gap.start, gap.end, expected, reason, detail
            )
        )
    return lost


def account_shortfalls(
    planned: PlannedRange,
    recovered: Sequence[StreamRecord],
    lost: Sequence[LostRange],
    archived: Iterable[int] = (),
) -> list[LostRange]:
    """Pointers whose fully read range holds fewer records than their ``batchSize``, as losses.

    Lambda read ``batch_size`` records in the range, so a shortfall (zero included) means records
    that can no longer be recovered: never silent. More records than ``batch_size`` is no loss (a
    ParallelizationFactor above 1 or a filter leaves records of the range out of the batch). A
    pointer that touches an unreadable gap is already counted by :func:`account_losses`.
    ``archived``: sequence numbers earlier runs archived (they count as found).
    """
    shortfalls: list[LostRange] = []
    for pointer, found in planned.found([*(record.sequence for record in recovered), *archived]):
        batch = pointer.failure.batch
        rng = batch.range
        if any(rng.start <= gap.end and gap.start <= rng.end for gap in lost):
            continue
        if found < batch.batch_size:
            shortfalls.append(
                LostRange(
                    planned.stream_arn,
                    planned.shard_id,
                    rng.start,
                    rng.end,
                    batch.batch_size - found,
                    "count-mismatch",
                    f"the range holds {found} of the {batch.batch_size} records the pointer "
                    f"names (message {pointer.message_id})",
                )
            )
    return shortfalls


def pointer_age_seconds(pointer: Pointer, now: datetime) -> float | None:
    """Seconds since the first pointed-to record arrived (or the message was written)."""
    batch = pointer.failure.batch
    origin = batch.first_arrival or pointer.failure.timestamp
    return None if origin is None else (now - origin).total_seconds()


def time_left(pointer: Pointer, now: datetime) -> timedelta | None:
    """How long until the pointed-to records leave the stream (negative when already past)."""
    deadline = pointer.deadline
    return None if deadline is None else deadline - now
