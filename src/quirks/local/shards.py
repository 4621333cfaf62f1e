"""DynamoDB Streams reads as AWS serves them: the reader limit and the 24-hour trim, on every caller.

The local cloud routes ``GetShardIterator`` and ``GetRecords`` through :class:`StreamReads` before
moto answers them, so every reader — the emulator's own event source mappings, ``quirks recover``,
any SDK client — meets the same limits:

* the reader limit of :mod:`quirks.local.readers` (``LimitExceededException``);
* trimming: a record is readable for 24 hours after it was written
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html), measured on the
  emulator's :class:`~quirks.local.clock.Clock` (so scaled by the time factor, or set with
  ``stream_retention``); ``TRIM_HORIZON`` starts at the oldest record still there, and an iterator
  or a sequence number behind it gets ``TrimmedDataAccessException``
  (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html).

moto never deletes a stream record; the records behind the horizon stay in its memory, unreadable.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import TYPE_CHECKING, Any

from quirks import jsonsafe
from quirks.errors import FormatError
from quirks.local.readers import shard_key

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.local.clock import Clock
    from quirks.local.readers import ShardReaderLimiter

__all__ = ["DEFAULT_RETENTION", "OPERATIONS", "TARGET_PREFIX", "StreamReads"]

TARGET_PREFIX = "DynamoDBStreams_20120810."
OPERATIONS = ("GetShardIterator", "GetRecords")
DEFAULT_RETENTION = 24 * 3600.0  # AWS seconds

Response = tuple[str, list[tuple[str, str]], bytes]


def _error(code: str, message: str) -> Response:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message})
    return (
        "400 Bad Request",
        [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", code)],
        body.encode(),
    )


def _created(item: Any) -> float:
    exact = getattr(item, "quirks_created", None)
    if exact is not None:
        return float(exact)
    created = item.record["dynamodb"]["ApproximateCreationDateTime"]
    return float(created.replace(tzinfo=UTC).timestamp())


class StreamReads:
    """Applies the reader limit and the trim horizon to the stream reads moto serves."""

    def __init__(
        self,
        clock: Clock,
        limiter: ShardReaderLimiter,
        *,
        account: str,
        region: str,
        retention: float = DEFAULT_RETENTION,
    ) -> None:
        self.clock = clock
        self.limiter = limiter
        self.account = account
        self.region = region
        self.retention = retention

    def handle(
        self, operation: str, body: bytes, call_moto: Callable[[bytes], Response]
    ) -> Response:
        """Answer one ``GetShardIterator`` or ``GetRecords`` request (``body`` is its JSON)."""
        try:
            request = jsonsafe.loads(body or b"{}", "request body")
        except FormatError:
            return call_moto(body)  # moto answers malformed requests as AWS would
        if not isinstance(request, dict):
            return call_moto(body)
        if operation == "GetShardIterator":
            return self._shard_iterator(request, body, call_moto)
        return self._records(request, body, call_moto)

    # -- moto's state --------------------------------------------------------------------------

    def _backend(self) -> Any:
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        return dynamodbstreams_backends[self.account][self.region]

    def _horizon(self, shard: Any) -> int:
        """The sequence number of the oldest record not yet trimmed."""
        index = 0
        for item in shard.items:
            if self.clock.age(_created(item)) <= self.retention:
                break
            index += 1
        return int(shard.starting_sequence_number) + index

    def created_at(self, stream_arn: str, sequence_number: str) -> float | None:
        """When a record was written, to the sub-second (its ``ApproximateCreationDateTime`` is
        rounded down to the second, too coarse for ages at a small time factor)."""
        try:
            shard = self._backend()._get_table_from_arn(stream_arn).stream_shard
            item = shard.items[int(sequence_number) - int(shard.starting_sequence_number)]
        except Exception:  # unknown stream or record: the caller falls back to the record's time
            return None
        return _created(item)

    # -- the operations ------------------------------------------------------------------------

    def _shard_iterator(
        self, request: dict[str, Any], body: bytes, call_moto: Callable[[bytes], Response]
    ) -> Response:
        status, headers, data = call_moto(body)
        if not status.startswith("200"):
            return status, headers, data
        iterator_id = json.loads(data).get("ShardIterator", "")
        iterator = self._backend().shard_iterators.get(iterator_id)
        if iterator is not None:
            horizon = self._horizon(iterator.stream_shard)
            if iterator.sequence_number < horizon:
                if request.get("ShardIteratorType") != "TRIM_HORIZON":
                    return _error(
                        "TrimmedDataAccessException",
                        f"Sequence number {request.get('SequenceNumber')} is beyond the trim "
                        "horizon of the shard: its records are older than the stream's retention",
                    )
                iterator.sequence_number = horizon
        self.limiter.new_reader(iterator_id)
        return status, headers, data

    def _records(
        self, request: dict[str, Any], body: bytes, call_moto: Callable[[bytes], Response]
    ) -> Response:
        iterator_id = str(request.get("ShardIterator", ""))
        iterator = self._backend().shard_iterators.get(iterator_id)
        if iterator is None:
            return call_moto(body)
        shard = iterator.stream_shard
        stream_arn = iterator_id.split("|", 1)[0]
        reader = self.limiter.reader_of(iterator_id)
        if not self.limiter.admit(shard_key(stream_arn, shard.id), reader):
            self.limiter.continued(reader, iterator_id)  # the same reader tries again with it
            return _error(
                "LimitExceededException",
                f"Too many readers: more than {self.limiter.readers_per_shard} processes are "
                "reading from the same streams shard",
            )
        if iterator.sequence_number < self._horizon(shard):
            return _error(
                "TrimmedDataAccessException",
                "The iterator points at records older than the stream's retention: they were trimmed",
            )
        status, headers, data = call_moto(body)
        if status.startswith("200"):
            self.limiter.continued(reader, json.loads(data).get("NextShardIterator"))
        return status, headers, data
