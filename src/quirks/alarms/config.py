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
from quirks.errors import ConfigurationError
from quirks.fields import Fields

__all__ = [
    "AlarmConfig",
    "AlarmsConfigError",
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

    Raises :class:`ConfigurationError` naming ``field_name`` for anything else, or for negative values.
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


def _bad_duration(field_name: str, value: object) -> ConfigurationError:
    return ConfigurationError(
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
            raise ConfigurationError(
                f"the IteratorAge warning threshold ({self.iterator_age_warning_ms} ms) is above "
                f"the critical one ({self.iterator_age_critical_ms} ms)",
                "make the warning threshold lower than or equal to the critical threshold",
            )
        if self.queue_depth < 0:
            raise ConfigurationError(
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
    except ConfigurationError as exc:
        raise ConfigurationError(f"{where}: {exc.message}", exc.fix) from exc


_THRESHOLD_KEYS = {
    "iterator_age_warning": "iterator_age_warning_ms",
    "iterator_age_critical": "iterator_age_critical_ms",
    "async_event_age": "async_event_age_ms",
}
_CONFIG_FIX = "see docs/alarms.md, 'Config file'"


class AlarmsConfigError(ConfigurationError):
    """A field of the alarms config file is wrong; ``field`` is its dotted path (``queues.q.skip``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}", _CONFIG_FIX)
        self.field = field
        self.problem = problem


_FIELDS = Fields(AlarmsConfigError)


def parse_config(data: Any, cli_thresholds: dict[str, int] | None = None) -> AlarmConfig:
    """Build an :class:`AlarmConfig` from the parsed JSON of a config file.

    ``cli_thresholds`` (``Thresholds`` field names to values, from ``--threshold-*`` options) win over
    the file's ``defaults``. Raises :class:`ConfigurationError` naming the offending field.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigurationError("the alarms config file must hold a JSON object", _CONFIG_FIX)
    _FIELDS.only_keys(data, {"topic", "defaults", "functions", "queues"}, "")
    topic = data.get("topic")
    if topic is not None:
        topic = validate_topic(topic, "topic")
    defaults = _FIELDS.mapping(data.get("defaults", {}), "defaults")
    _FIELDS.only_keys(defaults, {*_THRESHOLD_KEYS, "queue_depth"}, "defaults.")
    values: dict[str, int] = {
        target: parse_duration_ms(defaults[key], f"defaults.{key}")
        for key, target in _THRESHOLD_KEYS.items()
        if key in defaults
    }
    if "queue_depth" in defaults:
        values["queue_depth"] = _FIELDS.integer(defaults, "queue_depth", "defaults.", low=0)
    values.update(cli_thresholds or {})
    thresholds = Thresholds(**values)

    functions: dict[str, FunctionOverride] = {}
    for name, raw in _FIELDS.mapping(data.get("functions", {}), "functions").items():
        where = f"functions.{name}"
        entry = _FIELDS.mapping(raw, where)
        _FIELDS.only_keys(entry, {*_THRESHOLD_KEYS, "skip"}, f"{where}.")
        ages = {
            target: parse_duration_ms(entry[key], f"{where}.{key}")
            for key, target in _THRESHOLD_KEYS.items()
            if key in entry
        }
        functions[name] = FunctionOverride(**ages, skip=_skip_kinds(entry.get("skip"), where))

    queues: dict[str, QueueOverride] = {}
    for name, raw in _FIELDS.mapping(data.get("queues", {}), "queues").items():
        where = f"queues.{name}"
        entry = _FIELDS.mapping(raw, where)
        _FIELDS.only_keys(entry, {"queue_depth", "skip"}, f"{where}.")
        queues[name] = QueueOverride(
            queue_depth=(
                None
                if entry.get("queue_depth") is None
                else _FIELDS.integer(entry, "queue_depth", f"{where}.", low=0)
            ),
            skip=_FIELDS.typed(entry.get("skip", False), f"{where}.skip", bool),
        )

    config = AlarmConfig(thresholds=thresholds, topic_arn=topic, functions=functions, queues=queues)
    for name in functions:  # fail early on a warning above a critical threshold
        config.for_function(name)
    return config


def validate_topic(value: object, field_name: str = "--topic") -> str:
    """An SNS topic ARN, or :class:`ConfigurationError`."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        raise ConfigurationError(
            f"{field_name}: {value!r} is not an SNS topic ARN",
            "pass arn:aws:sns:<region>:<acct>:<name>",
        )
    if Arn.parse(value).service != "sns":
        raise ConfigurationError(
            f"{field_name}: {value!r} is not an SNS topic ARN",
            "pass arn:aws:sns:<region>:<acct>:<name>",
        )
    return value


def _skip_kinds(value: Any, where: str) -> frozenset[str]:
    if value is None or value is False:
        return frozenset()
    if value is True:
        return frozenset(ALARM_KINDS)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _FIELDS.fail(f"{where}.skip", "must be true or a list of alarm kinds")
    unknown = sorted(set(value) - set(ALARM_KINDS))
    if unknown:
        raise ConfigurationError(
            f"{where}.skip: unknown alarm kind {unknown[0]!r}",
            f"use one of {', '.join(ALARM_KINDS)}",
        )
    return frozenset(value)
