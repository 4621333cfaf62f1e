"""Durations, thresholds and the config file: precedence and errors that name the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.alarms.config import (
    AlarmConfig,
    AlarmsConfigError,
    Thresholds,
    parse_config,
    parse_duration_ms,
)
from quirks.alarms.desired import format_ms
from quirks.errors import ConfigurationError, UserError


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        (300, 300_000),
        (1.5, 1500),
        ("300", 300_000),
        ("500ms", 500),
        ("90s", 90_000),
        ("5m", 300_000),
        ("1h", 3_600_000),
        ("1h30m", 5_400_000),
        ("1d", 86_400_000),
        (" 2H ", 7_200_000),
    ],
)
def test_durations(text: object, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize("text", ["", "soon", "5 m", "-5", -1, "m5", "5x", True, None, [], "nan"])
def test_bad_durations_name_the_field(text: object) -> None:
    with pytest.raises(UserError, match="--threshold-x") as raised:
        parse_duration_ms(text, "--threshold-x")
    assert raised.value.fix


@given(st.integers(min_value=0, max_value=10**10))
def test_formatted_durations_parse_back(ms: int) -> None:
    assert parse_duration_ms(format_ms(ms)) == ms


def test_format_is_compact() -> None:
    assert [format_ms(v) for v in (300_000, 3_600_000, 5_400_000, 1500, 250, 0)] == [
        "5m",
        "1h",
        "1h30m",
        "1.5s",
        "250ms",
        "0s",
    ]


def test_defaults() -> None:
    config = parse_config(None)
    assert config == AlarmConfig()
    assert config.thresholds == Thresholds(300_000, 3_600_000, 600_000, 0)


def test_precedence_function_entry_then_cli_then_file_defaults() -> None:
    config = parse_config(
        {
            "defaults": {"iterator_age_warning": "10m", "iterator_age_critical": "2h"},
            "functions": {"slow": {"iterator_age_warning": "1h", "skip": ["async-event-age"]}},
        },
        {"iterator_age_warning_ms": 600_001},
    )
    assert config.thresholds.iterator_age_warning_ms == 600_001  # CLI beats file defaults
    assert config.thresholds.iterator_age_critical_ms == 7_200_000
    slow, skip = config.for_function("slow")
    assert slow.iterator_age_warning_ms == 3_600_000  # per-function beats CLI
    assert slow.iterator_age_critical_ms == 7_200_000
    assert skip == {"async-event-age"}
    other, other_skip = config.for_function("other")
    assert other == config.thresholds
    assert other_skip == frozenset()


def test_skip_true_skips_every_kind_and_queues_have_their_own_entries() -> None:
    config = parse_config(
        {
            "functions": {"f": {"skip": True}},
            "queues": {"q": {"queue_depth": 3}, "r": {"skip": True}},
        }
    )
    assert "iterator-age-warning" in config.for_function("f")[1]
    assert config.for_queue("q") == (3, False)
    assert config.for_queue("r") == (0, True)
    assert config.for_queue("s") == (0, False)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ([], "JSON object"),
        ({"topics": "x"}, "topics"),
        ({"topic": "arn:aws:sqs:us-east-1:1:q"}, "topic"),
        ({"defaults": {"queue_depth": -1}}, "defaults.queue_depth"),
        ({"defaults": {"iterator_age_warning": "2h"}}, "critical"),
        ({"functions": {"f": {"iterator_age_critical": "1m"}}}, "functions.f"),
        ({"functions": {"f": {"skip": ["iterator-age"]}}}, "functions.f.skip"),
        ({"functions": {"f": "5m"}}, "functions.f"),
        ({"queues": {"q": {"skip": "yes"}}}, "queues.q.skip"),
        ({"queues": {"q": {"queue_depth": 1.5}}}, "queues.q.queue_depth"),
    ],
)
def test_config_errors_name_the_field(data: object, named: str) -> None:
    with pytest.raises(UserError, match=named.replace(".", r"\.")):
        parse_config(data)


def test_a_zero_override_is_kept_not_mistaken_for_unset() -> None:
    config = parse_config(
        {"functions": {"f": {"iterator_age_warning": 0, "async_event_age": "0s"}}}
    )
    thresholds, _ = config.for_function("f")
    assert thresholds.iterator_age_warning_ms == 0
    assert thresholds.async_event_age_ms == 0
    assert thresholds.iterator_age_critical_ms == 3_600_000


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [
        ({"topics": "x"}, "topics", "unknown setting; did you mean 'topic'?"),
        ({"defaults": []}, "defaults", "expected an object, got list"),
        ({"defaults": {"queue_depth": -1}}, "defaults.queue_depth", "must be within 0.., got -1"),
        ({"functions": {"f": "5m"}}, "functions.f", "expected an object, got str"),
        ({"functions": {"f": {"skip": 3}}}, "functions.f.skip", "must be true or a list"),
        ({"queues": {"q": {"skip": "yes"}}}, "queues.q.skip", "expected true or false, got str"),
        ({"queues": {"q": {"skip": None}}}, "queues.q.skip", "expected true or false, got null"),
        ({"queues": {"q": {"depth": 1}}}, "queues.q.depth", "unknown setting"),
        (
            {"queues": {"q": {"queue_depth": 1.5}}},
            "queues.q.queue_depth",
            "expected an integer, got float",
        ),
    ],
)
def test_config_file_problems_are_configuration_errors_naming_the_field(
    data: object, field: str, problem: str
) -> None:
    with pytest.raises(AlarmsConfigError) as raised:
        parse_config(data)
    assert isinstance(raised.value, ConfigurationError)
    assert raised.value.field == field
    assert raised.value.problem.startswith(problem)
    assert raised.value.message == f"{field}: {raised.value.problem}"
    assert raised.value.fix == "see docs/alarms.md, 'Config file'"


@pytest.mark.parametrize(
    "bad",
    [
        lambda: parse_config([]),
        lambda: parse_config({"topic": "arn:aws:sqs:us-east-1:1:q"}),
        lambda: parse_config({"defaults": {"iterator_age_warning": "2h"}}),
        lambda: parse_config({"functions": {"f": {"skip": ["iterator-age"]}}}),
        lambda: parse_duration_ms("soon", "--threshold-x"),
        lambda: Thresholds(queue_depth=-1),
    ],
)
def test_every_alarms_config_problem_is_a_configuration_error(bad: Callable[[], object]) -> None:
    with pytest.raises(ConfigurationError):
        bad()
