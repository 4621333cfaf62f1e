"""The two ISO-8601 forms AWS writes: milliseconds and whole seconds, both truncated, both UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from quirks.timestamps import iso_millis, iso_seconds

EPOCHS = st.floats(min_value=0, max_value=4_000_000_000, allow_nan=False)


@given(EPOCHS)
def test_iso_millis_keeps_milliseconds_truncated(epoch: float) -> None:
    text = iso_millis(epoch)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", text)
    moment = datetime.fromisoformat(text)
    exact = datetime.fromtimestamp(epoch, UTC)
    assert moment == exact.replace(microsecond=exact.microsecond // 1000 * 1000)


@given(EPOCHS)
def test_iso_seconds_drops_the_fraction(epoch: float) -> None:
    text = iso_seconds(epoch)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)
    assert datetime.fromisoformat(text) == datetime.fromtimestamp(epoch, UTC).replace(microsecond=0)
