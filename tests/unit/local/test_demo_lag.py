"""The demo's per-consumer lag: each consumer's own reader, or the one reader fan-out shares."""

from __future__ import annotations

from quirks.local.demo import consumer_lag_ms


def test_direct_consumer_without_samples_has_no_lag_not_another_consumers() -> None:
    series = {"billing": [(0.5, 120.0), (1.0, 900.25)], "analytics": []}
    assert consumer_lag_ms(series, "billing") == 900.2
    assert consumer_lag_ms(series, "analytics") == 0.0


def test_fan_out_consumers_share_the_one_reader() -> None:
    series = {"fan-out (all consumers)": [(0.5, 40.0), (1.0, 75.0)]}
    assert consumer_lag_ms(series, "billing") == 75.0
    assert consumer_lag_ms(series, "analytics") == 75.0


def test_no_series_at_all_is_no_lag() -> None:
    assert consumer_lag_ms({}, "billing") == 0.0
