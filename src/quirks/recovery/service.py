"""Orchestration: messages in, archives and a manifest written, settled messages deleted.

The order is what makes recovery safe (docs/recovery.md):

1. parse every message; garbage and non-stream messages are reported and left where they are;
2. merge the pointers per shard and read each range once (or take the records an S3 object carries);
3. write one archive per range (durable when ``put`` returns);
4. write the manifest (ranges, counts, lost ranges, source messages);
5. only then delete the messages whose every record is archived or whose loss is in the manifest.

A failure at any step leaves the affected messages in their queue for the next run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from quirks import __version__
from quirks.recovery.ranges import (
    LostRange,
    PlannedRange,
    Pointer,
    account_losses,
    plan_ranges,
    pointer_age_seconds,
    time_left,
)
from quirks.streams.archive import encode_archive
from quirks.streams.codec import record_to_lambda
from quirks.streams.failures import StreamBatchFailure

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from quirks.recovery.reader import RangeReader
    from quirks.recovery.sources import MessageSource, SourceMessage
    from quirks.storage import ObjectStore
    from quirks.streams.model import StreamRecord

__all__ = ["RangeOutcome", "RecoveryReport", "RecoveryService"]

logger = logging.getLogger(__name__)

DEFAULT_WARN_BEFORE = timedelta(hours=2)


@dataclass
class RangeOutcome:
    """What happened to one planned range."""

    planned: PlannedRange
    records: list[StreamRecord] = field(default_factory=list)
    lost: list[LostRange] = field(default_factory=list)
    archive: str | None = None
    error: str | None = None

    @property
    def settled(self) -> bool:
        """True when every record is durably archived or accounted as lost (once recorded)."""
        return self.error is None

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
            "count_matches": len(self.records) == planned.expected,
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
    settled: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    api_calls: Counter[str] = field(default_factory=Counter)
    warn_before: timedelta = DEFAULT_WARN_BEFORE
    replay: dict[str, Any] | None = None

    def recovered_records(self) -> list[dict[str, Any]]:
        """The settled records in Lambda event form, range by range in stream order."""
        return [record_to_lambda(r) for o in self.outcomes if o.settled for r in o.records]

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
        if self.incomplete or self.invalid or self.unsupported or self.manifest_error:
            return 1
        if self.replay is not None and self.replay.get("failed"):
            return 1
        return 0

    def summary(self) -> dict[str, Any]:
        """The JSON summary of the run (keys listed in docs/recovery.md)."""
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "messages": self.messages,
            "pointers": len(self.pointers),
            "ranges": len(self.outcomes),
            "records_recovered": self.records_recovered,
            "records_lost": self.records_lost,
            "lost_ranges": [lost.as_summary() for lost in self.lost_ranges],
            "incomplete_ranges": [o.summary() for o in self.incomplete],
            "count_mismatches": [
                o.summary() for o in self.outcomes if len(o.records) != o.planned.expected
            ],
            "oldest_pointer_age_seconds": self.oldest_pointer_age_seconds,
            "near_deadline": self.near_deadline(),
            "pointer_details": self.pointer_details(),
            "archives": [o.archive for o in self.outcomes if o.archive],
            "manifest": self.manifest,
            "manifest_error": self.manifest_error,
            "messages_deleted": len(self.deleted),
            "messages_kept": self.kept,
            "invalid_messages": self.invalid,
            "unsupported_messages": self.unsupported,
            "api_calls": {
                "GetShardIterator": self.api_calls.get("GetShardIterator", 0),
                "GetRecords": self.api_calls.get("GetRecords", 0),
                **dict(sorted(self.api_calls.items())),
            },
            "ranges_detail": [o.summary() for o in self.outcomes],
            "replay": self.replay,
            "exit_code": self.exit_code,
        }


class RecoveryService:
    """Runs one recovery over the messages of a source.

    ``store`` receives archives and the manifest (``None`` only with ``dry_run``). With ``keep``
    nothing is deleted; with ``dry_run`` nothing is written or deleted.
    """

    def __init__(
        self,
        store: ObjectStore | None,
        reader: RangeReader,
        *,
        dry_run: bool = False,
        keep: bool = False,
        warn_before: timedelta = DEFAULT_WARN_BEFORE,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_range: Callable[[RangeOutcome], None] | None = None,
    ) -> None:
        if store is None and not dry_run:
            raise ValueError("a store is required unless dry_run")
        self.store = store
        self.reader = reader
        self.dry_run = dry_run
        self.keep = keep
        self.warn_before = warn_before
        self.now = now
        self.on_range = on_range or (lambda outcome: None)

    def classify(self, messages: Sequence[SourceMessage], report: RecoveryReport) -> None:
        """Split messages into DynamoDB stream pointers, invalid and unsupported ones."""
        for message in messages:
            parsed = message.parsed
            if message.error is not None or parsed is None:
                error = message.error
                report.invalid.append(
                    {
                        "message": message.id,
                        "field": getattr(error, "field", ""),
                        "problem": getattr(error, "problem", str(error)),
                    }
                )
            elif isinstance(parsed, StreamBatchFailure) and parsed.batch.source == "dynamodb":
                report.pointers.append(Pointer(message.id, parsed))
            else:
                kind: str = parsed.kind
                if isinstance(parsed, StreamBatchFailure):
                    kind = f"{parsed.kind}/{parsed.batch.source}"
                report.unsupported.append(
                    {
                        "message": message.id,
                        "kind": kind,
                        "problem": "not a DynamoDB stream pointer",
                    }
                )

    def plan(self, messages: Sequence[SourceMessage]) -> tuple[RecoveryReport, list[PlannedRange]]:
        """Classify and merge without reading anything."""
        report = RecoveryReport(
            started_at=self.now(), source="", dry_run=self.dry_run, warn_before=self.warn_before
        )
        report.messages = len(messages)
        self.classify(messages, report)
        return report, plan_ranges(report.pointers)

    def run(self, source: MessageSource, messages: Sequence[SourceMessage]) -> RecoveryReport:
        """Recover the records the messages point to, then delete what is settled."""
        report, planned = self.plan(messages)
        report.source = source.description
        in_flight = list(messages)
        previous_heartbeat = self.reader.heartbeat

        def heartbeat() -> None:
            previous_heartbeat()
            source.extend(in_flight)

        self.reader.heartbeat = heartbeat
        try:
            for item in planned:
                outcome = self._recover_range(item)
                report.outcomes.append(outcome)
                self.on_range(outcome)
        finally:
            self.reader.heartbeat = previous_heartbeat
        report.api_calls.update(self.reader.api_calls)
        if not self.dry_run:
            self._write_manifest(report, messages)
        self._delete_settled(source, messages, report)
        for lost in report.lost_ranges:
            logger.error(
                "records lost: %s %s %s..%s expected=%d reason=%s",
                lost.stream_arn,
                lost.shard_id,
                lost.start,
                lost.end,
                lost.expected,
                lost.reason,
            )
        return report

    def _recover_range(self, planned: PlannedRange) -> RangeOutcome:
        outcome = RangeOutcome(planned)
        if planned.carried:
            outcome.records = planned.carried_records()
        else:
            try:
                read = self.reader.read(planned)
            except Exception as exc:
                # Unexpected data or errors in one range must not stop the others.
                logger.exception("reading %s failed", planned.archive_name)
                outcome.error = f"read failed: {type(exc).__name__}: {exc}"
                return outcome
            if read.incomplete is not None:
                outcome.error = read.incomplete
                return outcome
            outcome.records = read.records
            outcome.lost = account_losses(planned, read.records, read.gaps)
        if self.dry_run or not outcome.records:
            return outcome
        assert self.store is not None
        try:
            data = encode_archive(outcome.records)
            outcome.archive = self.store.put(planned.archive_name, data, "application/gzip")
        except Exception as exc:
            logger.exception("archive write failed for %s", planned.archive_name)
            outcome.error = f"archive write failed: {type(exc).__name__}: {exc}"
        return outcome

    def _write_manifest(self, report: RecoveryReport, messages: Sequence[SourceMessage]) -> None:
        assert self.store is not None
        by_id = {m.id: m for m in messages}
        manifest = {
            "version": 1,
            "generator": f"serverless-quirks/{__version__}",
            "created_at": report.started_at.isoformat(),
            "source": report.source,
            "ranges": [o.summary() for o in report.outcomes],
            "records_recovered": report.records_recovered,
            "records_lost": report.records_lost,
            "lost_ranges": [lost.as_summary() for lost in report.lost_ranges],
            "invalid_messages": report.invalid,
            "unsupported_messages": report.unsupported,
            "source_messages": [
                {"id": p.message_id, "body": _jsonable(by_id[p.message_id].raw)}
                for p in report.pointers
                if p.message_id in by_id
            ],
        }
        digest = hashlib.sha256(
            json.dumps(sorted(m.id for m in messages)).encode("utf-8")
        ).hexdigest()[:12]
        stamp = report.started_at.astimezone(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
        data = json.dumps(manifest, indent=2, ensure_ascii=False, default=str).encode("utf-8")
        try:
            report.manifest = self.store.put(
                f"manifests/{stamp}-{digest}.json", data + b"\n", "application/json"
            )
        except Exception as exc:
            logger.exception("manifest write failed")
            report.manifest_error = f"{type(exc).__name__}: {exc}"

    def _delete_settled(
        self, source: MessageSource, messages: Sequence[SourceMessage], report: RecoveryReport
    ) -> None:
        unsettled = {mid for o in report.outcomes if not o.settled for mid in o.planned.message_ids}
        pointer_ids = {p.message_id for p in report.pointers}
        can_delete = not (self.dry_run or self.keep or report.manifest_error)
        settled = [m for m in messages if m.id in pointer_ids and m.id not in unsettled]
        if not (self.dry_run or report.manifest_error):
            report.settled = [m.id for m in settled]
        if can_delete and settled:
            report.deleted = source.delete(settled)
        deleted = set(report.deleted)
        kept = [m for m in messages if m.id not in deleted]
        report.kept = [m.id for m in kept]
        if kept:
            try:
                source.release(kept)
            except Exception:
                # They become visible anyway when their visibility timeout ends.
                logger.warning("could not make kept messages visible again", exc_info=True)


def _jsonable(raw: Any) -> Any:
    try:
        json.dumps(raw)
    except (TypeError, ValueError):
        return str(raw)
    return raw
