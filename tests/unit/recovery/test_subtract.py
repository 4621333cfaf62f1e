"""``subtract``: the parts of a range no archived range covers, checked against a set model."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from quirks.recovery.ranges import subtract
from quirks.streams.sequence import SequenceRange

ranges = st.tuples(st.integers(0, 60), st.integers(0, 20)).map(
    lambda t: SequenceRange(t[0], t[0] + t[1])
)


@given(ranges, st.lists(ranges, max_size=6))
def test_subtract_leaves_exactly_the_uncovered_sequences_in_order(
    rng: SequenceRange, covered: list[SequenceRange]
) -> None:
    left = subtract(rng, covered)
    expected = set(range(rng.start, rng.end + 1)) - {
        s for c in covered for s in range(c.start, c.end + 1)
    }
    assert [s for part in left for s in range(part.start, part.end + 1)] == sorted(expected)
    assert all(a.end + 1 < b.start for a, b in itertools.pairwise(left))
