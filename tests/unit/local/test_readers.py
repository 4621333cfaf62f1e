"""The shard reader limit: two readers are free; beyond that, any reader can be refused."""

from __future__ import annotations

import random

from quirks.local.readers import ShardReaderLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_two_readers_are_always_admitted() -> None:
    clock = FakeClock()
    limiter = ShardReaderLimiter(clock, rng=random.Random(1))
    for _ in range(100):
        clock.now += 0.1
        assert limiter.admit("s", "a")
        assert limiter.admit("s", "b")
    assert limiter.throttled_reads("s") == 0


def test_every_reader_of_an_oversubscribed_shard_is_refused_sometimes() -> None:
    clock = FakeClock()
    limiter = ShardReaderLimiter(clock, rng=random.Random(7))
    refused = {"first": 0, "second": 0, "third": 0}
    for _ in range(300):
        clock.now += 0.25
        for reader in refused:
            if not limiter.admit("s", reader):
                refused[reader] += 1
    assert all(count > 0 for count in refused.values()), refused  # no fixed winners
    # Two readers' worth of reads are served: about a third of 900 refused.
    assert 200 < sum(refused.values()) < 400


def test_a_reader_that_stopped_reading_frees_its_slot() -> None:
    clock = FakeClock()
    limiter = ShardReaderLimiter(clock, rng=random.Random(3))
    for reader in ("a", "b", "c"):
        limiter.admit("s", reader)
    assert limiter.readers("s") == 3
    clock.now += 2.0
    for _ in range(50):
        assert limiter.admit("s", "a")
        assert limiter.admit("s", "b")
    assert limiter.readers("s") == 2


def test_an_iterator_chain_is_one_reader() -> None:
    limiter = ShardReaderLimiter()
    reader = limiter.new_reader("it-1")
    assert limiter.reader_of("it-1") == reader
    limiter.continued(reader, "it-2")
    assert limiter.reader_of("it-2") == reader
    assert limiter.reader_of("unknown") != reader
