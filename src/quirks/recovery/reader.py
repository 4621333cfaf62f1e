"""Read exactly the records of a planned range from a DynamoDB stream, and say what could not be read.

:class:`RangeReader` does ``GetShardIterator(AT_SEQUENCE_NUMBER)`` then pages ``GetRecords`` until a
record past the range's end, or the end of a closed shard. It

* backs off (exponentially, with jitter) on ``LimitExceededException`` and other throttling: a
  recovery reader takes one of the shard's two reader slots (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html), so it must yield;
* re-acquires an expired iterator ``AFTER_SEQUENCE_NUMBER`` the last record seen;
* on ``TrimmedDataAccessException`` continues from ``TRIM_HORIZON`` and reports the part of the range
  that is gone as a gap with reason ``trimmed``;
* reports a missing stream, a disabled stream or a missing shard as a gap over the whole range;
* gives up on a range (``incomplete``) when retries are exhausted or the caller's deadline is near:
  its messages then stay in the queue for the next run.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.arns import Arn
from quirks.errors import UserError
from quirks.streams.codec import record_from_get_records
from quirks.streams.sequence import SequenceRange

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.recovery.ranges import PlannedRange
    from quirks.streams.model import StreamRecord

__all__ = ["RangeRead", "RangeReader", "ReaderSettings"]

THROTTLING_CODES = frozenset(
    {
        "LimitExceededException",
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


@dataclass(frozen=True)
class ReaderSettings:
    """Knobs of :class:`RangeReader`; the defaults suit a CLI run against AWS."""

    page_limit: int = 1000
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
    gaps: list[tuple[SequenceRange, str, str]] = field(default_factory=list)
    incomplete: str | None = None


class _GiveUp(Exception):
    pass


class RangeReader:
    """Reads planned ranges through one DynamoDB Streams client, counting API calls.

    ``client`` defaults to ``aws.client("dynamodbstreams")``; tests pass a fault-injecting wrapper.
    ``heartbeat`` is called between pages (e.g. to extend SQS visibility); ``should_stop`` returning
    True ends the read as incomplete (e.g. when a Lambda invocation is about to time out).
    """

    def __init__(
        self,
        client: Any = None,
        settings: ReaderSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        heartbeat: Callable[[], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self._client = client
        self.settings = settings or ReaderSettings()
        self.sleep = sleep
        self.heartbeat = heartbeat or (lambda: None)
        self.should_stop = should_stop or (lambda: False)
        self.api_calls: Counter[str] = Counter()
        self._caller_account: str | None = None

    def client_for(self, stream_arn: str) -> Any:
        """The injected client, or a client in the stream's own region.

        Reading a stream through another region's endpoint gives ResourceNotFoundException, which
        would wrongly look like a deleted stream: the region always comes from the ARN.
        """
        if self._client is not None:
            return self._client
        try:
            region = Arn.parse(stream_arn).region or None
        except UserError:
            region = None
        return aws.client("dynamodbstreams", region)

    def _call(self, stream_arn: str, operation: str, **kwargs: Any) -> Any:
        """One API call with backoff on throttling; other errors propagate."""
        method = getattr(self.client_for(stream_arn), _snake(operation))
        for attempt in range(self.settings.max_backoff_attempts + 1):
            self.api_calls[operation] += 1
            try:
                return method(**kwargs)
            except Exception as exc:
                if aws.error_code(exc) not in THROTTLING_CODES:
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
        raise AssertionError("unreachable")  # pragma: no cover

    def _iterator(self, planned: PlannedRange, kind: str, sequence: int | None = None) -> str:
        kwargs: dict[str, Any] = {
            "StreamArn": planned.stream_arn,
            "ShardId": planned.shard_id,
            "ShardIteratorType": kind,
        }
        if sequence is not None:
            kwargs["SequenceNumber"] = str(sequence)
        return str(self._call(planned.stream_arn, "GetShardIterator", **kwargs)["ShardIterator"])

    def _missing_reason(self, planned: PlannedRange, error: Exception) -> tuple[str, str]:
        """Why GetShardIterator says ResourceNotFound: the stream, its state, or the shard."""
        shard_ids: set[str] = set()
        start: str | None = None
        try:
            while True:
                kwargs: dict[str, Any] = {"StreamArn": planned.stream_arn}
                if start:
                    kwargs["ExclusiveStartShardId"] = start
                description = self._call(planned.stream_arn, "DescribeStream", **kwargs)[
                    "StreamDescription"
                ]
                shard_ids.update(s["ShardId"] for s in description.get("Shards", []))
                start = description.get("LastEvaluatedShardId")
                if not start:
                    break
        except _GiveUp:
            raise
        except Exception as exc:
            if aws.error_code(exc) == "ResourceNotFoundException":
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
            self.api_calls["GetCallerIdentity"] += 1
            self._caller_account = aws.client("sts").get_caller_identity()["Account"]
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
                self._read_into(planned, result)
            except Exception as exc:
                if aws.error_code(exc) != "ResourceNotFoundException":
                    raise
                self._confirm_account(planned.stream_arn)
                reason, detail = self._missing_reason(planned, exc)
                # Records read before the stream or shard vanished are kept; the rest is lost.
                start = result.records[-1].sequence + 1 if result.records else planned.range.start
                if start <= planned.range.end:
                    result.gaps.append((SequenceRange(start, planned.range.end), reason, detail))
        except _GiveUp as exc:
            result.incomplete = str(exc)
        except Exception as exc:
            code = aws.error_code(exc)
            if code is None:
                raise
            result.incomplete = f"{code}: {exc}"
        return result

    def _read_into(self, planned: PlannedRange, result: RangeRead) -> None:
        rng, settings = planned.range, self.settings
        trimmed_from: int | None = None  # start of a gap found by TrimmedDataAccessException
        last_seen: int | None = None
        try:
            iterator: str | None = self._iterator(planned, "AT_SEQUENCE_NUMBER", rng.start)
        except _GiveUp:
            raise
        except Exception as exc:
            if aws.error_code(exc) != "TrimmedDataAccessException":
                raise
            trimmed_from = rng.start
            iterator = self._iterator(planned, "TRIM_HORIZON")
        empty_pages = renewals = 0
        while iterator:
            if self.should_stop():
                raise _GiveUp("stopped before the range was read (deadline)")
            try:
                page = self._call(
                    planned.stream_arn,
                    "GetRecords",
                    ShardIterator=iterator,
                    Limit=settings.page_limit,
                )
            except _GiveUp:
                raise
            except Exception as exc:
                code = aws.error_code(exc)
                if code not in ("ExpiredIteratorException", "TrimmedDataAccessException"):
                    raise
                renewals += 1
                if renewals > settings.max_iterator_renewals:
                    raise _GiveUp(
                        f"iterator renewed {renewals - 1} times without finishing"
                    ) from exc
                if code == "TrimmedDataAccessException":
                    if trimmed_from is None:
                        trimmed_from = rng.start if last_seen is None else last_seen + 1
                    iterator = self._iterator(planned, "TRIM_HORIZON")
                elif trimmed_from is not None and last_seen is None:
                    iterator = self._iterator(planned, "TRIM_HORIZON")
                elif last_seen is not None:
                    iterator = self._iterator(planned, "AFTER_SEQUENCE_NUMBER", last_seen)
                else:
                    iterator = self._iterator(planned, "AT_SEQUENCE_NUMBER", rng.start)
                continue
            self.heartbeat()
            records = page.get("Records", [])
            done = False
            for raw in records:
                record = record_from_get_records(raw, planned.stream_arn)
                sequence = record.sequence
                if last_seen is not None and sequence <= last_seen:
                    continue  # re-read after an iterator renewal
                if trimmed_from is not None and sequence >= trimmed_from:
                    # The first record still in the stream ends the trimmed gap.
                    if sequence > trimmed_from:
                        gap_end = min(sequence - 1, rng.end)
                        result.gaps.append(
                            (
                                SequenceRange(trimmed_from, gap_end),
                                "trimmed",
                                "older than the trim horizon",
                            )
                        )
                    trimmed_from = None
                last_seen = sequence
                if sequence > rng.end:
                    done = True
                    break
                if sequence >= rng.start:
                    result.records.append(record)
            if done or (last_seen is not None and last_seen >= rng.end):
                break
            if records:
                empty_pages = 0
            else:
                empty_pages += 1
                if empty_pages > settings.max_empty_pages and trimmed_from is not None:
                    break  # trimmed, and nothing newer survives up to the tip: the rest is lost
                if empty_pages > settings.max_empty_pages:
                    raise _GiveUp(
                        f"no record at or past {rng.end} after {empty_pages} empty pages; "
                        "the shard is open, retry later"
                    )
                self.sleep(settings.empty_page_delay)
            iterator = page.get("NextShardIterator")
        if trimmed_from is not None and trimmed_from <= rng.end:
            # Nothing at or after the trim point survives in the range.
            result.gaps.append(
                (SequenceRange(trimmed_from, rng.end), "trimmed", "older than the trim horizon")
            )


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
