"""The outcome of a recovery run: per range, and as the summary the CLI prints and the handler logs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from quirks import __version__
from quirks.recovery.ranges import pointer_age_seconds, time_left

if TYPE_CHECKING:
    from quirks.recovery.ranges import LostRange, PlannedRange, Pointer
    from quirks.streams.model import StreamRecord

__all__ = ["DEFAULT_WARN_BEFORE", "RangeOutcome", "RecoveryReport"]

DEFAULT_WARN_BEFORE = timedelta(hours=2)


@dataclass
class RangeOutcome:
    """What happened to one planned range."""

    planned: PlannedRange
    records: list[StreamRecord] = field(default_factory=list)
    lost: list[LostRange] = field(default_factory=list)
    archive: str | None = None
    error: str | None = None
    already_archived: list[int] = field(default_factory=list)
    """Sequence numbers in range that earlier runs' archives hold (not archived again)."""
    lambda_records: list[dict[str, Any]] = field(default_factory=list)
    encoded_records: list[bytes] = field(default_factory=list)
    """``records`` in Lambda event form, converted once for the archive (empty when nothing was
    archived: a dry run, or a failed write); replay sends these."""

    @property
    def settled(self) -> bool:
        """True when every record is durably archived or accounted as lost (once recorded)."""
        return self.error is None

    def count_mismatches(self) -> list[dict[str, Any]]:
        """Pointers whose range holds a different number of records than their ``batchSize``.

        Only for fully read ranges (an unreadable gap explains its own shortfall). Fewer records
        than ``batchSize`` are also a loss (``count-mismatch`` in ``lost``); more are not: with a
        ParallelizationFactor above 1 a batch holds only some keys of its range.
        """
        if self.error is not None or any(lost.reason != "count-mismatch" for lost in self.lost):
            return []
        sequences = [record.sequence for record in self.records] + self.already_archived
        found = []
        for pointer, count in self.planned.found(sequences):
            batch = pointer.failure.batch
            if count != batch.batch_size:
                found.append(
                    {
                        "message": pointer.message_id,
                        "shard_id": batch.shard_id,
                        "start": batch.start_sequence_number,
                        "end": batch.end_sequence_number,
                        "batch_size": batch.batch_size,
                        "found": count,
                    }
                )
        return found

    def summary(self) -> dict[str, Any]:
        planned = self.planned
        return {
            "stream_arn": planned.stream_arn,
            "shard_id": planned.shard_id,
            "start": str(planned.range.start),
            "end": str(planned.range.end),
            "source": "carried" if planned.carried else "stream",
            "pointers": len(planned.pointers),
            "expected": planned.expected,
            "recovered": len(self.records),
            "already_archived": len(self.already_archived),
            "archive": self.archive,
            "lost": [lost.as_summary() for lost in self.lost],
            "error": self.error,
            "messages": list(planned.message_ids),
        }


@dataclass
class RecoveryReport:
    """Everything a run did, in the shape of the CLI's JSON summary (:meth:`summary`)."""

    started_at: datetime
    source: str
    dry_run: bool
    messages: int = 0
    pointers: list[Pointer] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)
    unsupported: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[RangeOutcome] = field(default_factory=list)
    manifest: str | None = None
    manifest_error: str | None = None
    delete_error: str | None = None
    settled: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    api_calls: Counter[str] = field(default_factory=Counter)
    warn_before: timedelta = DEFAULT_WARN_BEFORE
    replay: dict[str, Any] | None = None

    def recovered_encoded(self) -> list[bytes]:
        """The archive's bytes of :meth:`recovered_records`, in the same order (replay reuses them)."""
        return [b for o in self.outcomes if o.settled for b in o.encoded_records]

    def recovered_records(self) -> list[dict[str, Any]]:
        """The archived records in Lambda event form, range by range in stream order."""
        return [r for o in self.outcomes if o.settled for r in o.lambda_records]

    @property
    def lost_ranges(self) -> list[LostRange]:
        return [lost for outcome in self.outcomes for lost in outcome.lost]

    @property
    def records_recovered(self) -> int:
        return sum(len(outcome.records) for outcome in self.outcomes if outcome.settled)

    @property
    def records_lost(self) -> int:
        return sum(lost.expected for lost in self.lost_ranges)

    @property
    def incomplete(self) -> list[RangeOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.settled]

    def near_deadline(self) -> list[dict[str, Any]]:
        """Pointers whose records leave the stream within ``warn_before`` (or already left)."""
        found = []
        for pointer in self.pointers:
            left = time_left(pointer, self.started_at)
            if left is not None and left <= self.warn_before:
                batch = pointer.failure.batch
                found.append(
                    {
                        "message": pointer.message_id,
                        "shard_id": batch.shard_id,
                        "start": batch.start_sequence_number,
                        "end": batch.end_sequence_number,
                        "deadline": batch.expires_at,
                        "seconds_left": round(left.total_seconds()),
                    }
                )
        return found

    def pointer_details(self) -> list[dict[str, Any]]:
        """Each pointer's range, batch size, age and 24-hour deadline."""
        details = []
        for pointer in self.pointers:
            batch = pointer.failure.batch
            age = pointer_age_seconds(pointer, self.started_at)
            left = time_left(pointer, self.started_at)
            details.append(
                {
                    "message": pointer.message_id,
                    "shard_id": batch.shard_id,
                    "start": batch.start_sequence_number,
                    "end": batch.end_sequence_number,
                    "batch_size": batch.batch_size,
                    "age_seconds": None if age is None else round(age, 3),
                    "deadline": batch.expires_at,
                    "seconds_left": None if left is None else round(left.total_seconds()),
                }
            )
        return details

    @property
    def oldest_pointer_age_seconds(self) -> float | None:
        ages = [pointer_age_seconds(p, self.started_at) for p in self.pointers]
        known = [age for age in ages if age is not None]
        return round(max(known), 3) if known else None

    @property
    def exit_code(self) -> int:
        """0 all recovered; 3 anything lost; 1 something left for a retry (nothing lost)."""
        if self.lost_ranges:
            return 3
        if self.incomplete or self.invalid or self.unsupported:
            return 1
        if self.manifest_error or self.delete_error:
            return 1
        if self.replay is not None and self.replay.get("failed"):
            return 1
        return 0

    def results(self) -> dict[str, Any]:
        """What the run found, as both the summary and the manifest state it."""
        return {
            "records_recovered": self.records_recovered,
            "records_lost": self.records_lost,
            "lost_ranges": [lost.as_summary() for lost in self.lost_ranges],
            "invalid_messages": self.invalid,
            "unsupported_messages": self.unsupported,
        }

    def manifest_document(self, source_messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The run's manifest: its :meth:`results`, every range, and the messages it settles."""
        return {
            "version": 1,
            "generator": f"serverless-quirks/{__version__}",
            "created_at": self.started_at.isoformat(),
            "source": self.source,
            "ranges": [o.summary() for o in self.outcomes],
            **self.results(),
            "source_messages": source_messages,
        }

    def summary(self) -> dict[str, Any]:
        """The JSON summary of the run (keys listed in docs/recovery.md)."""
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "messages": self.messages,
            "pointers": len(self.pointers),
            "ranges": len(self.outcomes),
            **self.results(),
            "incomplete_ranges": [o.summary() for o in self.incomplete],
            "count_mismatches": [m for o in self.outcomes for m in o.count_mismatches()],
            "oldest_pointer_age_seconds": self.oldest_pointer_age_seconds,
            "near_deadline": self.near_deadline(),
            "pointer_details": self.pointer_details(),
            "archives": [o.archive for o in self.outcomes if o.archive],
            "manifest": self.manifest,
            "manifest_error": self.manifest_error,
            "delete_error": self.delete_error,
            "messages_deleted": len(self.deleted),
            "messages_kept": self.kept,
            "api_calls": {
                "GetShardIterator": self.api_calls.get("GetShardIterator", 0),
                "GetRecords": self.api_calls.get("GetRecords", 0),
                **dict(sorted(self.api_calls.items())),
            },
            "ranges_detail": [o.summary() for o in self.outcomes],
            "replay": self.replay,
            "exit_code": self.exit_code,
        }
