"""Thresholds and per-resource overrides: built-in defaults, a JSON config file, CLI options.

Precedence, most specific first: a per-function (or per-queue) entry in the config file, then a
``--threshold-*`` option, then the file's ``defaults``, then the built-in defaults below.

The config file (JSON)::

    {
      "topic": "arn:aws:sns:eu-west-1:123456789012:ops-alarms",
      "defaults": {"iterator_age_warning": "10m", "iterator_age_critical": "2h"},
      "functions": {
        "orders-projector": {"iterator_age_warning": "30m", "skip": ["async-event-age"]},
        "legacy-consumer": {"skip": true}
      },
      "queues": {"orders-failures": {"queue_depth": 10}}
    }

Durations are seconds (a number or ``"300"``) or a string with a unit: ``"500ms"``, ``"90s"``,
``"5m"``, ``"1h"``, ``"1h30m"``. Pure: parsing only; the CLI reads the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from quirks.alarms.model import ALARM_KINDS
from quirks.arns import Arn
from quirks.errors import UserError

__all__ = [
    "AlarmConfig",
    "FunctionOverride",
    "QueueOverride",
    "Thresholds",
    "parse_config",
    "parse_duration_ms",
]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def parse_duration_ms(value: object, field_name: str = "duration") -> int:
    """Milliseconds from seconds (``300``, ``"300"``) or a string with units (``"1h30m"``).

    Raises :class:`UserError` naming ``field_name`` for anything else, or for negative values.
    """
    if isinstance(value, bool):
        raise _bad_duration(field_name, value)
    if isinstance(value, int | float):
        if value < 0:
            raise _bad_duration(field_name, value)
        return round(value * 1000)
    if not isinstance(value, str):
        raise _bad_duration(field_name, value)
    text = value.strip().lower()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if seconds < 0 or seconds != seconds or seconds == float("inf"):
            raise _bad_duration(field_name, value)
        return round(seconds * 1000)
    parts = _DURATION.findall(text)
    if not text or "".join(number + unit for number, unit in parts) != text:
        raise _bad_duration(field_name, value)
    return round(sum(float(number) * _UNIT_MS[unit] for number, unit in parts))


def _bad_duration(field_name: str, value: object) -> UserError:
    return UserError(
        f"{field_name}: {value!r} is not a duration",
        'give seconds (300) or a number with a unit: "500ms", "90s", "5m", "1h", "1h30m"',
    )


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Alarm thresholds; ages in milliseconds (the unit of the Lambda metrics)."""

    iterator_age_warning_ms: int = 5 * 60 * 1000
    iterator_age_critical_ms: int = 60 * 60 * 1000
    async_event_age_ms: int = 10 * 60 * 1000
    queue_depth: int = 0
    """The failure-queue alarm fires when more than this many messages are visible."""

    def __post_init__(self) -> None:
        if self.iterator_age_warning_ms > self.iterator_age_critical_ms:
            raise UserError(
                f"the IteratorAge warning threshold ({self.iterator_age_warning_ms} ms) is above "
                f"the critical one ({self.iterator_age_critical_ms} ms)",
                "make the warning threshold lower than or equal to the critical threshold",
            )
        if self.queue_depth < 0:
            raise UserError(
                f"queue_depth must be 0 or more, got {self.queue_depth}",
                "give the number of messages above which the alarm fires",
            )


@dataclass(frozen=True, slots=True)
class FunctionOverride:
    """Per-function settings from the config file; ``None`` keeps the general threshold."""

    iterator_age_warning_ms: int | None = None
    iterator_age_critical_ms: int | None = None
    async_event_age_ms: int | None = None
    skip: frozenset[str] = frozenset()
    """Alarm kinds not to create for this function (all kinds when ``skip`` is ``true``)."""


@dataclass(frozen=True, slots=True)
class QueueOverride:
    """Per-queue settings from the config file."""

    queue_depth: int | None = None
    skip: bool = False


@dataclass(frozen=True, slots=True)
class AlarmConfig:
    """Everything that shapes the desired alarm set besides the discovered resources."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    topic_arn: str | None = None
    functions: dict[str, FunctionOverride] = field(default_factory=dict)
    queues: dict[str, QueueOverride] = field(default_factory=dict)

    def with_topic(self, topic: str, field_name: str = "--topic") -> AlarmConfig:
        """This config with its topic replaced (validated as an SNS topic ARN)."""
        return replace(self, topic_arn=validate_topic(topic, field_name))

    def for_function(self, name: str) -> tuple[Thresholds, frozenset[str]]:
        """The thresholds that apply to function ``name`` and the alarm kinds it skips."""
        override = self.functions.get(name)
        if override is None:
            return self.thresholds, frozenset()
        general = self.thresholds
        thresholds = _replace_thresholds(
            general,
            f"functions.{name}",
            iterator_age_warning_ms=_first(
                override.iterator_age_warning_ms, general.iterator_age_warning_ms
            ),
            iterator_age_critical_ms=_first(
                override.iterator_age_critical_ms, general.iterator_age_critical_ms
            ),
            async_event_age_ms=_first(override.async_event_age_ms, general.async_event_age_ms),
        )
        return thresholds, override.skip

    def for_queue(self, name: str) -> tuple[int, bool]:
        """The depth threshold of queue ``name`` and whether it is skipped."""
        override = self.queues.get(name)
        if override is None:
            return self.thresholds.queue_depth, False
        depth = override.queue_depth
        return (self.thresholds.queue_depth if depth is None else depth), override.skip


def _first(value: int | None, default: int) -> int:
    return default if value is None else value


def _replace_thresholds(base: Thresholds, where: str, **changes: int) -> Thresholds:
    try:
        return replace(base, **changes)
    except UserError as exc:
        raise UserError(f"{where}: {exc.message}", exc.fix) from exc


_THRESHOLD_KEYS = {
    "iterator_age_warning": "iterator_age_warning_ms",
    "iterator_age_critical": "iterator_age_critical_ms",
    "async_event_age": "async_event_age_ms",
}
_CONFIG_FIX = "see docs/alarms.md, 'Config file'"


def parse_config(data: Any, cli_thresholds: dict[str, int] | None = None) -> AlarmConfig:
    """Build an :class:`AlarmConfig` from the parsed JSON of a config file.

    ``cli_thresholds`` (``Thresholds`` field names to values, from ``--threshold-*`` options) win over
    the file's ``defaults``. Raises :class:`UserError` naming the offending field.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError("the alarms config file must hold a JSON object", _CONFIG_FIX)
    _only_keys(data, {"topic", "defaults", "functions", "queues"}, "")
    topic = data.get("topic")
    if topic is not None:
        topic = validate_topic(topic, "topic")
    defaults = _object(data.get("defaults", {}), "defaults")
    _only_keys(defaults, {*_THRESHOLD_KEYS, "queue_depth"}, "defaults.")
    values: dict[str, int] = {
        target: parse_duration_ms(defaults[key], f"defaults.{key}")
        for key, target in _THRESHOLD_KEYS.items()
        if key in defaults
    }
    if "queue_depth" in defaults:
        values["queue_depth"] = _count(defaults["queue_depth"], "defaults.queue_depth")
    values.update(cli_thresholds or {})
    thresholds = Thresholds(**values)

    functions: dict[str, FunctionOverride] = {}
    for name, entry in _object(data.get("functions", {}), "functions").items():
        where = f"functions.{name}"
        entry = _object(entry, where)
        _only_keys(entry, {*_THRESHOLD_KEYS, "skip"}, f"{where}.")
        ages = {
            target: parse_duration_ms(entry[key], f"{where}.{key}")
            for key, target in _THRESHOLD_KEYS.items()
            if key in entry
        }
        functions[name] = FunctionOverride(**ages, skip=_skip_kinds(entry.get("skip"), where))

    queues: dict[str, QueueOverride] = {}
    for name, entry in _object(data.get("queues", {}), "queues").items():
        where = f"queues.{name}"
        entry = _object(entry, where)
        _only_keys(entry, {"queue_depth", "skip"}, f"{where}.")
        skip = entry.get("skip", False)
        if not isinstance(skip, bool):
            raise UserError(f"{where}.skip must be true or false, got {skip!r}", _CONFIG_FIX)
        depth = entry.get("queue_depth")
        queues[name] = QueueOverride(
            queue_depth=None if depth is None else _count(depth, f"{where}.queue_depth"),
            skip=skip,
        )

    config = AlarmConfig(thresholds=thresholds, topic_arn=topic, functions=functions, queues=queues)
    for name in functions:  # fail early on a warning above a critical threshold
        config.for_function(name)
    return config


def validate_topic(value: object, field_name: str = "--topic") -> str:
    """An SNS topic ARN, or :class:`UserError`."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        raise UserError(
            f"{field_name}: {value!r} is not an SNS topic ARN",
            "pass arn:aws:sns:<region>:<acct>:<name>",
        )
    if Arn.parse(value).service != "sns":
        raise UserError(
            f"{field_name}: {value!r} is not an SNS topic ARN",
            "pass arn:aws:sns:<region>:<acct>:<name>",
        )
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UserError(f"{where} must be a JSON object, got {type(value).__name__}", _CONFIG_FIX)
    return value


def _only_keys(data: dict[str, Any], allowed: set[str], prefix: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise UserError(
            f"unknown setting {prefix}{unknown[0]} in the alarms config file",
            f"use one of {', '.join(sorted(allowed))}",
        )


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UserError(f"{where} must be a whole number >= 0, got {value!r}", _CONFIG_FIX)
    return int(value)


def _skip_kinds(value: Any, where: str) -> frozenset[str]:
    if value is None or value is False:
        return frozenset()
    if value is True:
        return frozenset(ALARM_KINDS)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"{where}.skip must be true or a list of alarm kinds", _CONFIG_FIX)
    unknown = sorted(set(value) - set(ALARM_KINDS))
    if unknown:
        raise UserError(
            f"{where}.skip: unknown alarm kind {unknown[0]!r}",
            f"use one of {', '.join(ALARM_KINDS)}",
        )
    return frozenset(value)
