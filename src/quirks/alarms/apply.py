"""CloudWatch adapter: read the alarms that exist, and carry out a plan.

Ownership is the ``managed-by=serverless-quirks`` tag, read with ``ListTagsForResource`` for every
alarm whose name starts with ``quirks-``; an alarm without the tag is never updated or deleted,
whatever its name. The description also ends with :data:`~quirks.alarms.model.MANAGED_NOTE` so that
people see the owner in the console, but that text grants nothing.

Calls: ``cloudwatch:DescribeAlarms``, ``cloudwatch:ListTagsForResource``,
``cloudwatch:PutMetricAlarm`` (with ``Tags``, so also ``cloudwatch:TagResource``) and, with
``--prune``, ``cloudwatch:DeleteAlarms``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from quirks import aws
from quirks.alarms.model import (
    ALARM_KINDS,
    MANAGED_BY_TAG,
    MANAGED_BY_VALUE,
    NAME_PREFIX,
    AlarmSpec,
    ExistingAlarm,
)
from quirks.errors import AwsError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from quirks.alarms.plan import AlarmPlan

__all__ = [
    "ApplyResult",
    "ApplySummary",
    "apply_plan",
    "existing_from_describe",
    "put_request",
    "read_existing",
]

DELETE_BATCH = 100  # DeleteAlarms takes at most 100 names


def _kind_from_name(name: str) -> str:
    rest = name.removeprefix(NAME_PREFIX)
    for kind in sorted(ALARM_KINDS, key=len, reverse=True):
        if rest.startswith(f"{kind}-"):
            return kind
    return "unknown"


def existing_from_describe(alarm: Mapping[str, Any], tags: Mapping[str, str]) -> ExistingAlarm:
    """An :class:`ExistingAlarm` from one ``DescribeAlarms`` ``MetricAlarms`` entry and its tags."""
    dimensions = tuple((d["Name"], d["Value"]) for d in alarm.get("Dimensions") or [])
    spec = AlarmSpec(
        name=alarm["AlarmName"],
        kind=_kind_from_name(alarm["AlarmName"]),
        resource=dimensions[0][1] if dimensions else "",
        description=alarm.get("AlarmDescription") or "",
        namespace=alarm.get("Namespace") or "",
        metric=alarm.get("MetricName") or "",
        dimensions=dimensions,
        statistic=alarm.get("Statistic") or alarm.get("ExtendedStatistic") or "",
        period=int(alarm.get("Period") or 0),
        evaluation_periods=int(alarm.get("EvaluationPeriods") or 0),
        datapoints_to_alarm=int(alarm.get("DatapointsToAlarm") or 0),
        threshold=float(alarm.get("Threshold") or 0.0),
        comparison=alarm.get("ComparisonOperator") or "",
        treat_missing_data=alarm.get("TreatMissingData") or "missing",
        alarm_actions=tuple(alarm.get("AlarmActions") or ()),
        ok_actions=tuple(alarm.get("OKActions") or ()),
        actions_enabled=bool(alarm.get("ActionsEnabled", True)),
    )
    return ExistingAlarm(
        spec=spec,
        managed=tags.get(MANAGED_BY_TAG) == MANAGED_BY_VALUE,
        arn=alarm.get("AlarmArn"),
        tags=dict(tags),
    )


def read_existing(
    *, clients: aws.ClientFactory | None = None, region: str | None = None
) -> list[ExistingAlarm]:
    """Every metric alarm whose name starts with ``quirks-``, with its tags.

    One ``ListTagsForResource`` call per such alarm: CloudWatch has no way to filter by tag.
    """
    client = (clients or aws.current()).client("cloudwatch", region)
    alarms: list[ExistingAlarm] = []
    paginator = client.get_paginator("describe_alarms")
    for page in paginator.paginate(AlarmNamePrefix=NAME_PREFIX, AlarmTypes=["MetricAlarm"]):
        for alarm in page.get("MetricAlarms") or []:
            arn = alarm.get("AlarmArn")
            tags = client.list_tags_for_resource(ResourceARN=arn)["Tags"] if arn else []
            alarms.append(existing_from_describe(alarm, {t["Key"]: t["Value"] for t in tags}))
    return alarms


def put_request(spec: AlarmSpec) -> dict[str, Any]:
    """The ``PutMetricAlarm`` parameters for ``spec``, with our ownership tag."""
    return {
        "AlarmName": spec.name,
        "AlarmDescription": spec.description,
        "Namespace": spec.namespace,
        "MetricName": spec.metric,
        "Dimensions": [{"Name": name, "Value": value} for name, value in spec.dimensions],
        "Statistic": spec.statistic,
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.treat_missing_data,
        "AlarmActions": list(spec.alarm_actions),
        "OKActions": list(spec.ok_actions),
        "ActionsEnabled": spec.actions_enabled,
        "Tags": [{"Key": MANAGED_BY_TAG, "Value": MANAGED_BY_VALUE}],
    }


@dataclass
class ApplyResult:
    """What ``apply`` did; ``failed`` maps alarm names to the error that stopped them."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    orphaned_kept: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when everything planned was done and no name conflict blocked an alarm."""
        return not self.failed and not self.conflicts

    def summary(self) -> ApplySummary:
        """The result as JSON-ready data: what ``quirks alarms apply --json`` prints and the
        scheduled handler returns (each adds its own keys: ``findings``, ``region``)."""
        return {
            "created": list(self.created),
            "updated": list(self.updated),
            "deleted": list(self.deleted),
            "unchanged": list(self.unchanged),
            "orphaned_kept": list(self.orphaned_kept),
            "conflicts": list(self.conflicts),
            "failed": dict(self.failed),
        }


class ApplySummary(TypedDict):
    """:meth:`ApplyResult.summary`: alarm names per outcome; ``failed`` maps names to errors."""

    created: list[str]
    updated: list[str]
    deleted: list[str]
    unchanged: list[str]
    orphaned_kept: list[str]
    conflicts: list[str]
    failed: dict[str, str]


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AwsError) and exc.code:
        return exc.brief()
    return f"{type(exc).__name__}: {exc}"


def apply_plan(
    plan: AlarmPlan,
    *,
    prune: bool = False,
    clients: aws.ClientFactory | None = None,
    region: str | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> ApplyResult:
    """Create and update alarms as planned; with ``prune`` delete orphaned (tagged) alarms.

    A failing alarm does not stop the others: its error is recorded in :attr:`ApplyResult.failed`.
    Conflicting alarms (our name, not our tag) are left untouched and listed.
    """
    client = (clients or aws.current()).client("cloudwatch", region)
    result = ApplyResult(
        unchanged=[item.spec.name for item in plan.unchanged],
        conflicts=[item.spec.name for item in plan.conflicts],
    )
    for items, done in ((plan.create, result.created), (plan.update, result.updated)):
        for item in items:
            try:
                client.put_metric_alarm(**put_request(item.spec))
            except Exception as exc:  # AwsError or a connection failure: recorded, the rest go on
                result.failed[item.spec.name] = _error_text(exc)
            else:
                done.append(item.spec.name)
            if on_progress is not None:
                on_progress(item.spec.name)
    orphaned = [item.spec.name for item in plan.orphaned]
    if not prune:
        result.orphaned_kept = orphaned
        return result
    for start in range(0, len(orphaned), DELETE_BATCH):
        batch = orphaned[start : start + DELETE_BATCH]
        try:
            client.delete_alarms(AlarmNames=batch)
        except Exception as exc:
            for name in batch:
                result.failed[name] = _error_text(exc)
        else:
            result.deleted.extend(batch)
        if on_progress is not None:
            for name in batch:
                on_progress(name)
    return result
