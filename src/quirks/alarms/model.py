"""The typed data the alarm planner works on: what was discovered, what should exist, what exists.

Pure dataclasses; nothing here calls AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "MANAGED_BY_TAG",
    "MANAGED_BY_VALUE",
    "MANAGED_NOTE",
    "NAME_PREFIX",
    "AlarmKind",
    "AlarmSpec",
    "AsyncTarget",
    "ExistingAlarm",
    "FailureQueue",
    "Inventory",
    "StreamConsumer",
]

NAME_PREFIX = "quirks-"
"""Every alarm this project manages is named ``quirks-<kind>-<resource>``."""

MANAGED_BY_TAG = "managed-by"
MANAGED_BY_VALUE = "serverless-quirks"
"""The tag that marks an alarm as ours: only alarms carrying it are ever updated or deleted."""

MANAGED_NOTE = (
    "Managed by serverless-quirks (quirks alarms apply): edits made here are overwritten."
)
"""Appended to every description so that a human looking at the console knows where it comes from."""

AlarmKind = Literal[
    "iterator-age-warning",
    "iterator-age-critical",
    "failure-queue-depth",
    "destination-delivery-failures",
    "async-event-age",
    "dead-letter-errors",
]
ALARM_KINDS: tuple[AlarmKind, ...] = (
    "iterator-age-warning",
    "iterator-age-critical",
    "failure-queue-depth",
    "destination-delivery-failures",
    "async-event-age",
    "dead-letter-errors",
)


@dataclass(frozen=True, slots=True)
class StreamConsumer:
    """A Lambda event source mapping that reads a DynamoDB or Kinesis stream."""

    function_name: str
    function_arn: str
    source_arn: str
    source: Literal["dynamodb", "kinesis"]
    mapping_uuid: str
    on_failure: str | None = None
    """ARN of the mapping's ``DestinationConfig.OnFailure`` (SQS, SNS or S3), if any."""
    state: str | None = None


@dataclass(frozen=True, slots=True)
class AsyncTarget:
    """A function invoked asynchronously that has an event invoke config or a dead-letter queue."""

    function_name: str
    function_arn: str
    on_failure: str | None = None
    on_success: str | None = None
    dead_letter: str | None = None
    maximum_event_age_seconds: int | None = None
    maximum_retry_attempts: int | None = None


@dataclass(frozen=True, slots=True)
class FailureQueue:
    """An SQS queue where failed stream batches or async events land."""

    name: str
    arn: str
    stream_functions: tuple[str, ...] = ()
    """Stream consumers whose on-failure destination this is (pointers that expire after 24 h)."""
    stream_sources: tuple[str, ...] = ()
    """The kinds of stream behind those consumers: ``dynamodb``, ``kinesis``."""
    async_functions: tuple[str, ...] = ()
    """Async targets whose OnFailure destination or DLQ this is (the events themselves)."""


@dataclass(frozen=True, slots=True)
class Inventory:
    """Everything discovery found in one account and region, plus what it had to leave out."""

    region: str
    account: str | None = None
    consumers: tuple[StreamConsumer, ...] = ()
    async_targets: tuple[AsyncTarget, ...] = ()
    notes: tuple[str, ...] = ()
    """Human-readable remarks: resources seen but not alarmed on, and why."""


@dataclass(frozen=True, slots=True)
class AlarmSpec:
    """One CloudWatch metric alarm, exactly as ``put_metric_alarm`` receives it.

    ``kind`` and ``resource`` (the function or queue name) are ours; every other field is sent to
    CloudWatch and compared when planning.
    """

    name: str
    kind: str
    resource: str
    description: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing_data: str = "notBreaching"
    alarm_actions: tuple[str, ...] = ()
    ok_actions: tuple[str, ...] = ()
    actions_enabled: bool = True

    def compared_fields(self) -> dict[str, object]:
        """The fields we set on the alarm, by their CloudWatch names (what plan compares)."""
        return {
            "AlarmDescription": self.description,
            "Namespace": self.namespace,
            "MetricName": self.metric,
            "Dimensions": tuple(sorted(self.dimensions)),
            "Statistic": self.statistic,
            "Period": self.period,
            "EvaluationPeriods": self.evaluation_periods,
            "DatapointsToAlarm": self.datapoints_to_alarm,
            "Threshold": float(self.threshold),
            "ComparisonOperator": self.comparison,
            "TreatMissingData": self.treat_missing_data,
            "AlarmActions": tuple(sorted(self.alarm_actions)),
            "OKActions": tuple(sorted(self.ok_actions)),
            "ActionsEnabled": self.actions_enabled,
        }


@dataclass(frozen=True, slots=True)
class ExistingAlarm:
    """An alarm read back from CloudWatch; ``managed`` when it carries our tag."""

    spec: AlarmSpec
    managed: bool
    arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
