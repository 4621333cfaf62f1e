"""Diffing desired against existing alarms: only our fields, only our alarms."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from quirks.alarms.apply import existing_from_describe, put_request
from quirks.alarms.model import MANAGED_BY_TAG, MANAGED_BY_VALUE, AlarmSpec, ExistingAlarm
from quirks.alarms.plan import PlanItem, plan_alarms

OURS = {MANAGED_BY_TAG: MANAGED_BY_VALUE}


def spec(name: str = "quirks-iterator-age-warning-f", threshold: float = 300_000) -> AlarmSpec:
    return AlarmSpec(
        name=name,
        kind="iterator-age-warning",
        resource="f",
        description="d",
        namespace="AWS/Lambda",
        metric="IteratorAge",
        dimensions=(("FunctionName", "f"),),
        statistic="Maximum",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=5,
        threshold=threshold,
        comparison="GreaterThanThreshold",
        alarm_actions=("arn:aws:sns:us-east-1:1:t",),
        ok_actions=("arn:aws:sns:us-east-1:1:t",),
    )


def as_described(alarm: AlarmSpec, **extra: object) -> dict[str, object]:
    """What DescribeAlarms returns for an alarm created from ``alarm`` (plus CloudWatch's fields)."""
    described = put_request(alarm)
    del described["Tags"]
    return {
        **described,
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:1:alarm:{alarm.name}",
        "StateValue": "ALARM",
        "InsufficientDataActions": [],
        **extra,
    }


def existing(
    alarm: AlarmSpec, tags: dict[str, str] | None = None, **extra: object
) -> ExistingAlarm:
    return existing_from_describe(as_described(alarm, **extra), OURS if tags is None else tags)


def test_round_trip_through_describe_is_unchanged() -> None:
    plan = plan_alarms([spec()], [existing(spec(), StateReason="x", Unit=None)])
    assert [item.spec.name for item in plan.unchanged] == ["quirks-iterator-age-warning-f"]
    assert not plan.has_changes


def test_threshold_change_is_an_update_naming_the_field() -> None:
    plan = plan_alarms([spec(threshold=600_000)], [existing(spec())])
    (item,) = plan.update
    assert [(c.field, c.current, c.desired) for c in item.changes] == [
        ("Threshold", 300_000.0, 600_000.0)
    ]
    assert plan.to_json()["update"][0]["changes"] == {
        "Threshold": {"current": 300_000.0, "desired": 600_000.0}
    }


def test_action_order_does_not_matter_but_content_does() -> None:
    two = dataclasses.replace(spec(), alarm_actions=("b", "a"))
    plan = plan_alarms([two], [existing(dataclasses.replace(spec(), alarm_actions=("a", "b")))])
    assert plan.unchanged
    plan = plan_alarms([spec()], [existing(spec(), ActionsEnabled=False)])
    assert [c.field for c in plan.update[0].changes] == ["ActionsEnabled"]


def test_unmanaged_alarms_are_conflicts_or_ignored_never_orphans() -> None:
    foreign = {"team": "orders"}
    plan = plan_alarms(
        [spec()],
        [
            existing(spec(threshold=1), tags=foreign),
            existing(spec("quirks-iterator-age-warning-old"), tags={}),
            existing(spec("quirks-iterator-age-warning-mine")),
            existing(spec("quirks-hand-made"), tags={MANAGED_BY_TAG: "terraform"}),
        ],
    )
    assert [i.spec.name for i in plan.conflicts] == ["quirks-iterator-age-warning-f"]
    assert plan.create == plan.update == ()
    assert [i.spec.name for i in plan.orphaned] == ["quirks-iterator-age-warning-mine"]
    orphan = plan.to_json()["orphaned"][0]
    assert (orphan["metric"], orphan["resource"], orphan["kind"]) == (
        "IteratorAge",
        "f",
        "iterator-age-warning",
    )


def test_missing_fields_in_an_edited_alarm_show_as_changes() -> None:
    described = as_described(spec())
    del described["DatapointsToAlarm"]
    del described["TreatMissingData"]
    plan = plan_alarms([spec()], [existing_from_describe(described, OURS)])
    assert {c.field for c in plan.update[0].changes} == {"DatapointsToAlarm", "TreatMissingData"}


alarm_names = st.sampled_from([f"quirks-iterator-age-warning-f{i}" for i in range(8)])


@given(
    st.dictionaries(alarm_names, st.integers(1, 3), max_size=8),
    st.dictionaries(alarm_names, st.tuples(st.integers(1, 3), st.booleans()), max_size=8),
)
def test_plan_partitions_desired_and_never_touches_foreign_alarms(
    wanted: dict[str, int], present: dict[str, tuple[int, bool]]
) -> None:
    desired = [spec(name, threshold) for name, threshold in wanted.items()]
    existing_alarms = [
        existing(spec(name, threshold), tags=OURS if managed else {})
        for name, (threshold, managed) in present.items()
    ]
    plan = plan_alarms(desired, existing_alarms)

    def named(items: tuple[PlanItem, ...]) -> list[str]:
        return [item.spec.name for item in items]

    placed = named(plan.create) + named(plan.update) + named(plan.unchanged) + named(plan.conflicts)
    assert sorted(placed) == sorted(wanted)
    foreign = {name for name, (_, managed) in present.items() if not managed}
    assert not foreign & set(named(plan.update) + named(plan.orphaned))
    assert set(named(plan.conflicts)) == foreign & set(wanted)
    assert set(named(plan.orphaned)) == {n for n, (_, m) in present.items() if m} - set(wanted)
    assert set(named(plan.create)) == set(wanted) - set(present)
    for item in plan.update:
        assert present[item.spec.name][0] != wanted[item.spec.name]
