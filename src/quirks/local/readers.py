"""The DynamoDB Streams reader limit, on the shard: every ``GetRecords`` caller takes a slot.

On AWS, every process reading a shard (each event source mapping, Pipe, KCL app, ``quirks recover``
or script) counts towards the limit of two simultaneous readers; beyond that, reads fail with
``LimitExceededException`` and the consumers fall behind (IteratorAge grows)
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-dynamodb-streams).
AWS does not document how the throttling is shared out, so the model here is one choice, kept in
this module so it is easy to change:

* a *reader* is a chain of shard iterators: ``GetShardIterator`` starts one, and each
  ``NextShardIterator`` a ``GetRecords`` returns continues it; a reader is *active* while it read
  in the last half second (two Lambda polls), so a chain a reader abandoned soon stops counting;
* while no more than two readers are active, nobody is throttled; once ``n`` > 2 are, the shard
  serves two readers' worth of reads: each read, whichever reader makes it, is refused with
  ``LimitExceededException`` with probability ``1 - 2/n`` — there are no fixed winners, and every
  reader falls behind by the same share, whatever its polling rate.

Nothing here writes a metric: on AWS, reader contention never shows up in the Lambda ``Throttles``
metric, which counts throttled invocations only.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import OrderedDict, defaultdict
from typing import TYPE_CHECKING

from quirks.limits import STREAM_READERS_PER_SHARD

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ShardReaderLimiter", "shard_key"]

ACTIVE_WINDOW = 0.5  # seconds (two Lambda polls): a reader that read within it is reading the shard
_MAX_TRACKED_ITERATORS = 10_000


def shard_key(stream_arn: str, shard_id: str) -> str:
    """The limiter's name for a shard: shard ids repeat across streams (moto reuses them)."""
    return f"{stream_arn}#{shard_id}"


class ShardReaderLimiter:
    """Admits or refuses each read of a shard; thread-safe.

    ``clock`` is a monotonic reading, ``rng`` decides the refusals (both injectable for tests).
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        readers_per_shard: int = STREAM_READERS_PER_SHARD,
        rng: random.Random | None = None,
    ) -> None:
        self.readers_per_shard = readers_per_shard
        self._clock = clock
        self._rng = rng or random.Random()
        self._shards: dict[str, dict[str, float]] = defaultdict(dict)
        self._throttled: dict[str, int] = defaultdict(int)
        self._chains: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    # -- who is reading ------------------------------------------------------------------------

    def new_reader(self, iterator: str) -> str:
        """A ``GetShardIterator`` result: the start of a new reader."""
        reader = uuid.uuid4().hex
        self._remember(iterator, reader)
        return reader

    def reader_of(self, iterator: str) -> str:
        """The reader an iterator belongs to (a new one for an iterator never seen)."""
        with self._lock:
            reader = self._chains.pop(iterator, None)
        return reader or uuid.uuid4().hex

    def continued(self, reader: str, next_iterator: str | None) -> None:
        """``GetRecords`` returned ``next_iterator``: the same reader goes on with it."""
        if next_iterator:
            self._remember(next_iterator, reader)

    def _remember(self, iterator: str, reader: str) -> None:
        with self._lock:
            self._chains[iterator] = reader
            while len(self._chains) > _MAX_TRACKED_ITERATORS:  # abandoned chains
                self._chains.popitem(last=False)

    # -- the limit -----------------------------------------------------------------------------

    def admit(self, shard: str, reader: str) -> bool:
        """True when this read may go ahead; False when it gets ``LimitExceededException``."""
        with self._lock:
            now = self._clock()
            seen = self._shards[shard]
            seen[reader] = now
            for other, last in list(seen.items()):
                if now - last > ACTIVE_WINDOW:
                    del seen[other]
            active = len(seen)
            if active <= self.readers_per_shard:
                return True
            if self._rng.random() < self.readers_per_shard / active:
                return True
            self._throttled[shard] += 1
            return False

    def readers(self, shard: str) -> int:
        """How many readers read the shard within the active window (the last half second)."""
        with self._lock:
            now = self._clock()
            return sum(1 for last in self._shards[shard].values() if now - last <= ACTIVE_WINDOW)

    def throttled_reads(self, shard: str) -> int:
        """How many reads of ``shard`` were refused so far."""
        with self._lock:
            return self._throttled[shard]
