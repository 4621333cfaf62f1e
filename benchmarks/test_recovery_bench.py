"""``make bench`` entry for recovery: a smaller run of ``bench_recovery.py`` under pytest-benchmark.

The recorded figures (10,000 records, 100 pointers) come from ``bench_recovery.py`` itself; see
docs/benchmarks.md.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from bench_recovery import merged, naive, pointers, setup, start_moto


@pytest.fixture(scope="module")
def bodies() -> Iterator[list[dict[str, Any]]]:
    server = start_moto()
    try:
        arn, shard, sequences = setup(2_000)
        yield pointers(arn, shard, sequences, 20)
    finally:
        server.stop()


@pytest.mark.parametrize("approach", [merged, naive], ids=["merged", "naive"])
def test_recovery(benchmark: Any, bodies: list[dict[str, Any]], approach: Any) -> None:
    def run() -> int:
        with tempfile.TemporaryDirectory() as out:
            return int(approach(bodies, out)[1])

    records = benchmark.pedantic(run, rounds=1, iterations=1)
    assert records >= 2_000
