"""The DynamoDB Streams reader limit, reproduced: about two readers per shard, the rest throttled.

On AWS, every process reading a shard (each event source mapping, Pipe, KCL app or script) takes a
slot; with more than two, reads fail with ``LimitExceededException`` ("More than 2 processes are
reading from the same streams shard") and the extra consumers fall behind (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html). moto has no
such limit, so the local pollers ask this limiter before every ``GetRecords``: the first two readers of
a shard (in the order they attached) always get through; every further reader gets one poll in
``throttled_every`` and is told "throttled" for the rest, so its IteratorAge grows as it would on AWS.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

__all__ = ["ShardReaderLimiter", "shard_key"]

READERS_PER_SHARD = 2


def shard_key(stream_arn: str, shard_id: str) -> str:
    """The limiter's name for a shard: shard ids repeat across streams (moto reuses them)."""
    return f"{stream_arn}#{shard_id}"


@dataclass
class _ShardState:
    readers: list[str]
    polls: dict[str, int]


class ShardReaderLimiter:
    """Decides, per poll, whether a reader of a shard is served or throttled; thread-safe."""

    def __init__(
        self, readers_per_shard: int = READERS_PER_SHARD, throttled_every: int = 4
    ) -> None:
        self.readers_per_shard = readers_per_shard
        self.throttled_every = throttled_every
        self._shards: dict[str, _ShardState] = defaultdict(lambda: _ShardState([], {}))
        self._throttled: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def attach(self, shard: str, reader: str) -> None:
        """A reader starts polling a shard (it keeps its place in line until it detaches)."""
        with self._lock:
            state = self._shards[shard]
            if reader not in state.readers:
                state.readers.append(reader)
                state.polls[reader] = 0

    def detach(self, shard: str, reader: str) -> None:
        with self._lock:
            state = self._shards[shard]
            if reader in state.readers:
                state.readers.remove(reader)
                state.polls.pop(reader, None)

    def readers(self, shard: str) -> int:
        """How many readers are attached to a shard now."""
        with self._lock:
            return len(self._shards[shard].readers)

    def allow(self, shard: str, reader: str) -> bool:
        """True when this poll may read; False when it is throttled (and counted)."""
        with self._lock:
            state = self._shards[shard]
            if reader not in state.readers:
                state.readers.append(reader)
                state.polls[reader] = 0
            if state.readers.index(reader) < self.readers_per_shard:
                return True
            state.polls[reader] += 1
            if state.polls[reader] % self.throttled_every == 0:
                return True
            self._throttled[reader] += 1
            return False

    def throttled_polls(self, reader: str) -> int:
        """How many polls of ``reader`` were throttled so far."""
        with self._lock:
            return self._throttled[reader]
