"""Orchestration: messages in, archives and a manifest written, settled messages deleted.

The order is what makes recovery safe (docs/recovery.md):

1. parse every message; garbage and non-stream messages are reported and left where they are;
2. merge the pointers per shard; leave out what archives of earlier runs at the same target already
   hold (:mod:`coverage`: a rerun after a kill archives nothing twice); read what is left of each
   range once (or take the records an S3 object carries);
3. write one archive per range, of the records no archive holds yet (durable when ``put`` returns);
4. write the manifest (ranges, counts, lost ranges, source messages);
5. only then delete the messages whose every record is archived or whose loss is in the manifest.

A failure at any step leaves the affected messages in their queue for the next run.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.recovery.coverage import ArchiveIndex, Coverage
from quirks.recovery.ranges import (
    Pointer,
    account_losses,
    account_shortfalls,
    plan_ranges,
    subtract,
)
from quirks.recovery.report import DEFAULT_WARN_BEFORE, RangeOutcome, RecoveryReport
from quirks.streams.archive import encode_archive, iter_archive
from quirks.streams.codec import record_to_lambda
from quirks.streams.encoding import encode_records
from quirks.streams.failures import (
    AsyncInvocationFailure,
    StreamBatchFailure,
    stream_batch_from_async,
)
from quirks.streams.sequence import SequenceRange

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from quirks.recovery.ranges import PlannedRange
    from quirks.recovery.reader import RangeReader
    from quirks.recovery.sources import MessageSource, SourceMessage
    from quirks.storage import ObjectStore

__all__ = ["RangeOutcome", "RecoveryReport", "RecoveryService"]

logger = logging.getLogger(__name__)


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
        """Split messages into DynamoDB stream pointers (and async records carrying stream events),
        invalid and unsupported ones."""
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
            elif isinstance(parsed, AsyncInvocationFailure) and (
                carried := stream_batch_from_async(parsed)
            ):
                # The records themselves: archived like an S3 object's, the message kept until then.
                report.pointers.append(Pointer(message.id, carried))
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
        index = ArchiveIndex(self.store) if self.store is not None else None
        try:
            for item in planned:
                outcome = self._recover_range(item, index)
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

    def _recover_range(self, planned: PlannedRange, index: ArchiveIndex | None) -> RangeOutcome:
        outcome = RangeOutcome(planned)
        covered = index.coverage(planned) if index is not None else Coverage([], set())
        archived = covered.sequences
        outcome.already_archived = sorted(archived)
        target = planned  # what is read, and names the archive
        if planned.carried:
            outcome.records = [r for r in planned.carried_records() if r.sequence not in archived]
        elif left := subtract(planned.range, covered.ranges):
            # Read only from the first to the last part no archive covers.
            target = replace(planned, range=SequenceRange(left[0].start, left[-1].end))
            try:
                read = self.reader.read(target)
            except aws.ENVIRONMENT_ERRORS:
                raise  # no credentials, region or endpoint: every range would fail; nothing deleted
            except Exception as exc:
                # Unexpected data or errors in one range must not stop the others.
                logger.exception("reading %s failed", target.archive_name)
                outcome.error = f"read failed: {type(exc).__name__}: {exc}"
                return outcome
            if read.incomplete is not None:
                outcome.error = read.incomplete
                return outcome
            outcome.records = [r for r in read.records if r.sequence not in archived]
            outcome.lost = account_losses(target, read.records, read.gaps, archived)
        outcome.lost += account_shortfalls(planned, outcome.records, outcome.lost, archived)
        if self.dry_run or not outcome.records:
            return outcome
        assert self.store is not None
        name = target.archive_name
        try:
            # Converted to Lambda form and encoded once: the archive holds these bytes, and
            # replay sends them; only records of an archive already there are encoded again.
            converted = [record_to_lambda(r) for r in outcome.records]
            encoded = encode_records(converted)
            mine = {id(r): line for r, line in zip(converted, encoded, strict=True)}
            merged = self._with_existing(name, converted)
            data = encode_archive([mine.get(id(r), r) for r in merged])
            outcome.archive = self.store.put(name, data, "application/gzip")
        except Exception as exc:
            logger.exception("archive write failed for %s", name)
            outcome.error = f"archive write failed: {type(exc).__name__}: {exc}"
            return outcome
        outcome.lambda_records = converted
        outcome.encoded_records = encoded
        if index is not None:
            index.add(name, target.range)
        return outcome

    def _with_existing(self, name: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``records`` plus those of an archive already at ``name``: replacing it loses none.

        Usually there is none, or it holds the same records (a rerun of the same messages).
        """
        assert self.store is not None
        if not self.store.exists(name):
            return records
        existing = list(iter_archive(io.BytesIO(self.store.get(name))))
        held = {_sequence_of(r) for r in existing}
        return sorted(
            existing + [r for r in records if _sequence_of(r) not in held], key=_sequence_of
        )

    def _write_manifest(self, report: RecoveryReport, messages: Sequence[SourceMessage]) -> None:
        assert self.store is not None
        by_id = {m.id: m for m in messages}
        manifest = report.manifest_document(
            [
                {"id": p.message_id, "body": _jsonable(by_id[p.message_id].raw)}
                for p in report.pointers
                if p.message_id in by_id
            ]
        )
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
            try:
                report.deleted = source.delete(settled)
            except Exception as exc:
                # Safe: the messages stay and the next run rewrites identical archives.
                logger.exception("deleting settled messages failed")
                report.delete_error = f"{type(exc).__name__}: {exc}"
        deleted = set(report.deleted)
        kept = [m for m in messages if m.id not in deleted]
        report.kept = [m.id for m in kept]
        if kept:
            try:
                source.release(kept)
            except Exception:
                # They become visible anyway when their visibility timeout ends.
                logger.warning("could not make kept messages visible again", exc_info=True)


def _sequence_of(record: dict[str, Any]) -> int:
    return int(record["dynamodb"]["SequenceNumber"])


def _jsonable(raw: Any) -> Any:
    try:
        json.dumps(raw)
    except (TypeError, ValueError):
        return str(raw)
    return raw
