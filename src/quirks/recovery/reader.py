"""Read exactly the records of a planned range from a DynamoDB stream, and say what could not be read.

:class:`RangeReader` does ``GetShardIterator(AT_SEQUENCE_NUMBER)`` then pages ``GetRecords`` until a
record past the range's end, or the end of a closed shard. It

* backs off (exponentially, with jitter) on ``LimitExceededException`` and the other codes
  botocore's standard retry mode calls throttling, once botocore's own retries are spent: a
  recovery reader takes one of the shard's two reader slots
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html), so it must yield;
* re-acquires an expired iterator ``AFTER_SEQUENCE_NUMBER`` the last record seen;
* on ``TrimmedDataAccessException`` continues from ``TRIM_HORIZON`` and reports the part of the range
  that is gone as a gap with reason ``trimmed``;
* reports a missing stream, a disabled stream or a missing shard as a gap over the whole range;
* gives up on a range (``incomplete``) when retries are exhausted or the caller's deadline is near:
  its messages then stay in the queue for the next run.

``api_calls`` counts HTTP requests, botocore's retries included (``ResponseMetadata.RetryAttempts``).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from quirks import aws
from quirks.arns import Arn
from quirks.errors import AwsError, QuirksError, UserError
from quirks.limits import STREAM_RECORDS_PER_CALL
from quirks.streams.codec import record_from_get_records
from quirks.streams.sequence import SequenceRange

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_dynamodbstreams.literals import ShardIteratorTypeType

    from quirks.recovery.ranges import Gap, LossReason, PlannedRange
    from quirks.streams.model import StreamRecord

__all__ = ["RangeRead", "RangeReader", "ReaderSettings"]

_R = TypeVar("_R")

_TRIMMED_DETAIL = "older than the trim horizon"


@dataclass(frozen=True)
class ReaderSettings:
    """Knobs of :class:`RangeReader`; the defaults suit a CLI run against AWS."""

    page_limit: int = STREAM_RECORDS_PER_CALL
    max_backoff_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_iterator_renewals: int = 20
    max_empty_pages: int = 20
    empty_page_delay: float = 0.25


@dataclass
class RangeRead:
    """What reading one range gave: records in the range, gaps, or the reason it is incomplete."""

    records: list[StreamRecord] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    incomplete: str | None = None


class _GiveUp(QuirksError):
    """This range cannot be finished in this run: its messages stay for the next one."""


@dataclass
class _Walk:
    """Where one read along a shard stands."""

    planned: PlannedRange
    result: RangeRead
    trimmed_from: int | None = None
    """Start of a gap announced by ``TrimmedDataAccessException``, until a record ends it."""
    last_seen: int | None = None
    empty_pages: int = 0
    renewals: int = 0


class RangeReader:
    """Reads planned ranges through DynamoDB Streams clients of ``clients``, counting API calls.

    ``clients`` defaults to the process-wide :func:`quirks.aws.current`; tests pass a factory whose
    clients inject faults. ``heartbeat`` is called between pages (e.g. to extend SQS visibility);
    ``should_stop`` returning True ends the read as incomplete (e.g. when a Lambda invocation is
    about to time out).
    """

    def __init__(
        self,
        settings: ReaderSettings | None = None,
        *,
        clients: aws.ClientFactory | None = None,
        sleep: Callable[[float], None] = time.sleep,
        heartbeat: Callable[[], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self._clients = clients or aws.current()
        self.settings = settings or ReaderSettings()
        self.sleep = sleep
        self.heartbeat = heartbeat or (lambda: None)
        self.should_stop = should_stop or (lambda: False)
        self.api_calls: Counter[str] = Counter()
        self._caller_account: str | None = None

    def client_for(self, stream_arn: str) -> DynamoDBStreamsClient:
        """A DynamoDB Streams client in the stream's own region.

        Reading a stream through another region's endpoint gives ResourceNotFoundException, which
        would wrongly look like a deleted stream: the region always comes from the ARN.
        """
        try:
            region = Arn.parse(stream_arn).region or None
        except UserError:
            region = None
        return self._clients.client("dynamodbstreams", region)

    def _count(self, operation: str, response: Mapping[str, Any] | None) -> None:
        """One request, plus the retries botocore made before answering."""
        metadata = (response or {}).get("ResponseMetadata", {})
        self.api_calls[operation] += 1 + int(metadata.get("RetryAttempts", 0) or 0)

    def _call(self, operation: str, method: Callable[..., _R], **kwargs: Any) -> _R:
        """One API call with backoff on throttling; other errors propagate."""
        for attempt in range(self.settings.max_backoff_attempts + 1):
            try:
                response = method(**kwargs)
            except AwsError as exc:
                self.api_calls[operation] += 1 + exc.retry_attempts
                if not exc.throttling:
                    raise
                if attempt == self.settings.max_backoff_attempts:
                    raise _GiveUp(
                        f"{operation} still throttled after {attempt + 1} attempts: {exc}"
                    ) from exc
                if self.should_stop():
                    raise _GiveUp(f"{operation} throttled and the deadline is near") from exc
                delay = min(self.settings.max_delay, self.settings.base_delay * 2**attempt)
                self.sleep(delay * (0.5 + random.random() / 2))
                self.heartbeat()
                continue
            self._count(operation, response if isinstance(response, dict) else None)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _iterator(
        self, planned: PlannedRange, kind: ShardIteratorTypeType, sequence: int | None = None
    ) -> str:
        streams = self.client_for(planned.stream_arn)
        at = {} if sequence is None else {"SequenceNumber": str(sequence)}
        response = self._call(
            "GetShardIterator",
            streams.get_shard_iterator,
            StreamArn=planned.stream_arn,
            ShardId=planned.shard_id,
            ShardIteratorType=kind,
            **at,
        )
        return str(response["ShardIterator"])

    def _missing_reason(self, planned: PlannedRange, error: Exception) -> tuple[LossReason, str]:
        """Why GetShardIterator says ResourceNotFound: the stream, its state, or the shard."""
        streams = self.client_for(planned.stream_arn)
        shard_ids: set[str] = set()
        start: str | None = None
        try:
            while True:
                extra: dict[str, Any] = {"ExclusiveStartShardId": start} if start else {}
                description = self._call(
                    "DescribeStream",
                    streams.describe_stream,
                    StreamArn=planned.stream_arn,
                    **extra,
                )["StreamDescription"]
                shard_ids.update(s["ShardId"] for s in description.get("Shards", []))
                start = description.get("LastEvaluatedShardId")
                if not start:
                    break
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                return "stream-not-found", str(exc)
            raise
        if description.get("StreamStatus") in ("DISABLED", "DISABLING"):
            return "stream-disabled", str(error)
        if planned.shard_id not in shard_ids:
            return "shard-not-found", str(error)
        raise _GiveUp(f"shard {planned.shard_id} is listed but not readable: {error}")

    def _confirm_account(self, stream_arn: str) -> None:
        """Refuse to call a stream lost when the credentials belong to another account.

        AWS answers ResourceNotFoundException for streams the caller cannot see; declaring those
        lost would delete pointers to records that still exist.
        """
        try:
            account = Arn.parse(stream_arn).account
        except UserError:
            return
        if self._caller_account is None:
            identity = self._clients.client("sts").get_caller_identity()
            self._count("GetCallerIdentity", identity)
            self._caller_account = identity["Account"]
        if account and account != self._caller_account:
            raise _GiveUp(
                f"{stream_arn} belongs to account {account} but the credentials are for "
                f"{self._caller_account}: not declaring its records lost"
            )

    def read(self, planned: PlannedRange) -> RangeRead:
        """Read one range; never raises for AWS errors that mean loss or a retry later."""
        result = RangeRead()
        try:
            try:
                self._read_into(_Walk(planned, result))
            except AwsError as exc:
                if exc.code != "ResourceNotFoundException":
                    raise
                self._confirm_account(planned.stream_arn)
                reason, detail = self._missing_reason(planned, exc)
                # Records read before the stream or shard vanished are kept; the rest is lost.
                start = result.records[-1].sequence + 1 if result.records else planned.range.start
                if start <= planned.range.end:
                    result.gaps.append((SequenceRange(start, planned.range.end), reason, detail))
        except _GiveUp as exc:
            result.incomplete = str(exc)
        except AwsError as exc:
            result.incomplete = exc.brief()
        return result

    def _first_iterator(self, walk: _Walk) -> str:
        """``AT_SEQUENCE_NUMBER`` the range's start, or ``TRIM_HORIZON`` when it is trimmed."""
        try:
            return self._iterator(walk.planned, "AT_SEQUENCE_NUMBER", walk.planned.range.start)
        except AwsError as exc:
            if exc.code != "TrimmedDataAccessException":
                raise
            walk.trimmed_from = walk.planned.range.start
            return self._iterator(walk.planned, "TRIM_HORIZON")

    def _renewed(self, walk: _Walk, exc: AwsError) -> str:
        """A new iterator after ``GetRecords`` said the old one expired or points past the trim."""
        if exc.code not in ("ExpiredIteratorException", "TrimmedDataAccessException"):
            raise exc
        walk.renewals += 1
        if walk.renewals > self.settings.max_iterator_renewals:
            raise _GiveUp(f"iterator renewed {walk.renewals - 1} times without finishing") from exc
        planned = walk.planned
        if exc.code == "TrimmedDataAccessException":
            if walk.trimmed_from is None:
                last = walk.last_seen
                walk.trimmed_from = planned.range.start if last is None else last + 1
            return self._iterator(planned, "TRIM_HORIZON")
        if walk.trimmed_from is not None and walk.last_seen is None:
            return self._iterator(planned, "TRIM_HORIZON")
        if walk.last_seen is not None:
            return self._iterator(planned, "AFTER_SEQUENCE_NUMBER", walk.last_seen)
        return self._iterator(planned, "AT_SEQUENCE_NUMBER", planned.range.start)

    def _take(self, walk: _Walk, raw_records: list[Any]) -> bool:
        """Keep the page's records in range; True once a record at or past the range's end."""
        rng, result = walk.planned.range, walk.result
        for raw in raw_records:
            record = record_from_get_records(raw, walk.planned.stream_arn)
            sequence = record.sequence
            if walk.last_seen is not None and sequence <= walk.last_seen:
                continue  # re-read after an iterator renewal
            if walk.trimmed_from is not None and sequence >= walk.trimmed_from:
                # The first record still in the stream ends the trimmed gap.
                if sequence > walk.trimmed_from:
                    gap = SequenceRange(walk.trimmed_from, min(sequence - 1, rng.end))
                    result.gaps.append((gap, "trimmed", _TRIMMED_DETAIL))
                walk.trimmed_from = None
            walk.last_seen = sequence
            if sequence > rng.end:
                return True
            if sequence >= rng.start:
                result.records.append(record)
        return walk.last_seen is not None and walk.last_seen >= rng.end

    def _idle(self, walk: _Walk) -> bool:
        """After an empty page: True when the rest of a trimmed range is known to be gone."""
        walk.empty_pages += 1
        if walk.empty_pages > self.settings.max_empty_pages:
            if walk.trimmed_from is not None:
                return True  # trimmed, and nothing newer survives up to the tip: the rest is lost
            raise _GiveUp(
                f"no record at or past {walk.planned.range.end} after {walk.empty_pages} empty "
                "pages; the shard is open, retry later"
            )
        self.sleep(self.settings.empty_page_delay)
        return False

    def _read_into(self, walk: _Walk) -> None:
        streams = self.client_for(walk.planned.stream_arn)
        iterator: str | None = self._first_iterator(walk)
        while iterator:
            if self.should_stop():
                raise _GiveUp("stopped before the range was read (deadline)")
            try:
                page = self._call(
                    "GetRecords",
                    streams.get_records,
                    ShardIterator=iterator,
                    Limit=self.settings.page_limit,
                )
            except AwsError as exc:
                iterator = self._renewed(walk, exc)
                continue
            self.heartbeat()
            records = page.get("Records", [])
            if self._take(walk, list(records)):
                break
            if records:
                walk.empty_pages = 0
            elif self._idle(walk):
                break
            iterator = page.get("NextShardIterator")
        rng = walk.planned.range
        if walk.trimmed_from is not None and walk.trimmed_from <= rng.end:
            # Nothing at or after the trim point survives in the range.
            gap = SequenceRange(walk.trimmed_from, rng.end)
            walk.result.gaps.append((gap, "trimmed", _TRIMMED_DETAIL))
