"""Pollers behind event source mappings: DynamoDB Streams and SQS, with Lambda's semantics.

Streams (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html): 4 polls a second per shard, ``BatchSize`` and ``MaximumBatchingWindowInSeconds``,
``FilterCriteria``, synchronous invocation; on error, ``BisectBatchOnFunctionError`` splits the batch
(without using up retries), ``MaximumRetryAttempts`` and ``MaximumRecordAgeInSeconds`` bound the
retries, ``ReportBatchItemFailures`` resumes from the lowest reported sequence number (an empty or
unknown identifier fails the whole batch), and a batch given up on goes to the on-failure destination
as a *pointer* (SQS/SNS) or with its payload (S3) — never the records themselves, the quirk.

SQS pollers are in :mod:`quirks.local.sqs_poller`.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quirks.arns import function_name
from quirks.errors import AwsError
from quirks.local.clock import Clock
from quirks.local.destinations import send
from quirks.local.errors import DestinationDeliveryError
from quirks.streams import wire
from quirks.streams.codec import lambda_event_from_get_records

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks import aws
    from quirks.local.models import MappingConfig
    from quirks.local.runtime import InvocationResult
    from quirks.local.telemetry import Telemetry

__all__ = ["Poller", "PollerContext", "StreamPoller", "reported_failures"]

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.25  # Lambda polls each shard 4 times per second
RETRY_DELAY = 0.5


@dataclass
class PollerContext:
    """What a poller needs from the local cloud."""

    clients: aws.ClientFactory
    telemetry: Telemetry
    invoke: Callable[[str, bytes], InvocationResult]
    compile_filters: Callable[[tuple[str, ...]], Callable[[dict[str, Any]], bool]]
    clock: Clock = field(default_factory=Clock)
    reads: aws.ClientFactory | None = None
    """Clients for stream reads, without SDK retries: Lambda's poller meets each refusal itself."""
    created_at: Callable[[str, str], float | None] = lambda _stream, _sequence: None
    """The exact time a stream record was written (its own time is rounded to the second)."""
    region: str = "us-east-1"


def reported_failures(result: InvocationResult, identifiers: list[str]) -> list[int] | None:
    """Indexes a partial batch response reports as failed; None when the whole batch failed.

    The whole batch fails when the invocation failed, or when any ``itemIdentifier`` is empty or
    not in the batch (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html). A response that is not an object with failures means success.
    """
    if result.failed:
        return None
    return wire.failed_items(result.payload, identifiers)


class Poller:
    def __init__(self, mapping: MappingConfig, ctx: PollerContext) -> None:
        self.mapping = mapping
        self.ctx = ctx
        self.function_name = function_name(mapping.function_arn)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"esm-{mapping.uuid[:8]}", daemon=True
        )
        self.idle_polls = 0
        """Polls that found nothing new and nothing pending: a caught-up poller counts up."""
        self.matches: Callable[[dict[str, Any]], bool] = lambda _record: True
        if mapping.filters:
            self.matches = ctx.compile_filters(mapping.filters)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped; True when the poller should go on."""
        return not self._stop.wait(seconds)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.loop()
            except Exception:  # keep polling, as Lambda does, but make the fault visible
                log.exception("event source mapping %s failed; retrying", self.mapping.uuid)
                self._sleep(1.0)

    def loop(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class StreamPoller(Poller):
    """Polls every shard of a DynamoDB stream for one mapping.

    Its reads go through the local cloud's endpoint like any other reader's, so they meet the
    shard's reader limit (``LimitExceededException``: the poller waits for its next poll and falls
    behind) and its trim horizon. It keeps a checkpoint — the last sequence number it is done with
    (processed or sent to the on-failure destination) — and after an unexpected error resumes after
    it, never from its starting position again. ``checkpoint`` hands it the position of the poller
    it replaces (an updated, or disabled then enabled, mapping goes on where it stopped).
    """

    def __init__(
        self, mapping: MappingConfig, ctx: PollerContext, checkpoint: str | None = None
    ) -> None:
        super().__init__(mapping, ctx)
        self.throttled = 0
        self.processed = 0
        self.checkpoint = checkpoint

    def _iterator(self, streams: Any, arn: str, shard_id: str) -> str:
        if self.checkpoint is not None:
            position = {
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                "SequenceNumber": self.checkpoint,
            }
        else:
            position = {"ShardIteratorType": self.mapping.starting_position or "LATEST"}
        try:
            iterator: str = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, **position)[
                "ShardIterator"
            ]
        except AwsError as exc:
            if exc.code != "TrimmedDataAccessException":
                raise
            log.error(
                "mapping %s: records after %s were trimmed before they were processed; "
                "continuing from the trim horizon",
                self.mapping.uuid,
                self.checkpoint,
            )
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        return iterator

    def loop(self) -> None:
        streams = (self.ctx.reads or self.ctx.clients).client("dynamodbstreams")
        arn = self.mapping.event_source_arn
        shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        # moto streams have a single shard (a known gap of moto); real ones split over time.
        shard_id = shards[0]["ShardId"]
        clock = self.ctx.clock
        iterator: str | None = self._iterator(streams, arn, shard_id)
        pending: list[dict[str, Any]] = []
        window_started: float | None = None
        while iterator and self._sleep(POLL_INTERVAL):
            try:
                page = streams.get_records(ShardIterator=iterator, Limit=self.mapping.batch_size)
            except AwsError as exc:
                code = exc.code
                if code == "LimitExceededException":  # reader contention: try at the next poll
                    self.throttled += 1
                    continue
                if code in ("TrimmedDataAccessException", "ExpiredIteratorException"):
                    pending = []
                    iterator = self._iterator(streams, arn, shard_id)
                    continue
                raise
            iterator = page.get("NextShardIterator")
            records = lambda_event_from_get_records(page["Records"], arn, self.ctx.region)[
                "Records"
            ]
            if records and window_started is None:
                window_started = clock.monotonic()
            if not records and not pending:
                self.idle_polls += 1
            pending.extend(records)
            while pending and (
                len(pending) >= self.mapping.batch_size
                or window_started is None
                or clock.elapsed(window_started) >= self.mapping.batching_window
            ):
                batch, pending = (
                    pending[: self.mapping.batch_size],
                    pending[self.mapping.batch_size :],
                )
                if not self._process(shard_id, batch):
                    return  # stopped mid-batch: the next poller retries it from the checkpoint
                self.checkpoint = batch[-1]["dynamodb"]["SequenceNumber"]
                window_started = clock.monotonic() if pending else None

    def _process(self, shard_id: str, records: list[dict[str, Any]]) -> bool:
        """Deliver a batch; False when the poller was stopped before the batch was done with."""
        selected = [record for record in records if self.matches(record)]
        return not selected or self._deliver(shard_id, selected)

    def _record_age(self, record: dict[str, Any]) -> float:
        section = record["dynamodb"]
        created = self.ctx.created_at(self.mapping.event_source_arn, section["SequenceNumber"])
        if created is None:
            created = section.get("ApproximateCreationDateTime")
        return self.ctx.clock.age(float(created)) if created is not None else 0.0

    def _invoke(self, batch: list[dict[str, Any]]) -> InvocationResult:
        """One invocation, with the IteratorAge Lambda reports for it: the age of its last record
        when the mapping sends the batch (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html)."""
        if batch[-1]["dynamodb"].get("ApproximateCreationDateTime") is not None:
            age_ms = self._record_age(batch[-1]) * 1000
            self.ctx.telemetry.metric(self.function_name, "IteratorAge", age_ms, "Milliseconds")
        return self.ctx.invoke(self.function_name, json.dumps(wire.stream_event(batch)).encode())

    def _deliver(self, shard_id: str, batch: list[dict[str, Any]]) -> bool:
        """Invoke until the batch succeeds or is given up on (True), or the poller stops (False)."""
        attempts = 0
        while batch:
            if self._stop.is_set():
                return False
            max_age = self.mapping.maximum_record_age
            if max_age != -1 and self._record_age(batch[0]) > max_age:
                self._give_up(shard_id, batch, None, "RecordAgeExceeded", attempts)
                return True
            result = self._invoke(batch)
            failed_from, partial = self._failed_from(batch, result)
            if failed_from is None:
                self.processed += len(batch)
                return True
            self.processed += failed_from
            batch = batch[failed_from:]
            # With ReportBatchItemFailures, a partial response is the bisection: Lambda splits at
            # the returned sequence number and retries the rest as one batch (with-ddb.html,
            # "Bisecting a batch"); only a failed invocation is halved.
            if self.mapping.bisect_on_error and len(batch) > 1 and not partial:
                half = len(batch) // 2
                return self._deliver(shard_id, batch[:half]) and self._deliver(
                    shard_id, batch[half:]
                )
            attempts += 1
            retries = self.mapping.maximum_retry_attempts
            if retries != -1 and attempts > retries:
                self._give_up(shard_id, batch, result, "RetryAttemptsExhausted", attempts)
                return True
            self._sleep(self.ctx.clock.real(RETRY_DELAY))
        return True

    def _failed_from(
        self, batch: list[dict[str, Any]], result: InvocationResult
    ) -> tuple[int | None, bool]:
        """Index of the first record to retry (None: the batch succeeded), and whether it came from
        a partial batch response rather than a failed invocation."""
        if not self.mapping.report_item_failures:
            return (0 if result.failed else None), False
        indexes = reported_failures(result, [r["dynamodb"]["SequenceNumber"] for r in batch])
        if indexes is None:
            return 0, False
        return (min(indexes), True) if indexes else (None, False)

    def _give_up(
        self,
        shard_id: str,
        batch: list[dict[str, Any]],
        result: InvocationResult | None,
        condition: str,
        attempts: int,
    ) -> None:
        destination = self.mapping.on_failure
        if not destination:
            log.error(
                "mapping %s dropped %d records of shard %s after %s (no on-failure destination)",
                self.mapping.uuid,
                len(batch),
                shard_id,
                condition,
            )
            return
        pointer = wire.stream_pointer(
            records=batch,
            shard_id=shard_id,
            stream_arn=self.mapping.event_source_arn,
            function_arn=self.mapping.function_arn,
            condition=condition,
            attempts=attempts,
            request_id=result.request_id if result else None,
            function_error=result.function_error if result else None,
            now=self.ctx.clock.time(),
        )
        try:
            self._send_pointer(destination, shard_id, pointer, batch)
        except DestinationDeliveryError:
            self.ctx.telemetry.metric(self.function_name, "DestinationDeliveryFailures", 1)
            log.exception(
                "mapping %s could not deliver a failure pointer to %s",
                self.mapping.uuid,
                destination,
            )

    def _send_pointer(
        self,
        destination: str,
        shard_id: str,
        pointer: wire.StreamPointer,
        batch: list[dict[str, Any]],
    ) -> None:
        def s3_object() -> tuple[str, bytes]:  # S3 gets the batch itself, beside the pointer
            key = wire.s3_failure_key(self.mapping.uuid, shard_id, self.ctx.clock.time())
            return key, json.dumps(wire.s3_failure_object(pointer, batch)).encode()

        send(destination, json.dumps(pointer), clients=self.ctx.clients, s3_object=s3_object)
