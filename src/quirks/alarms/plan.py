"""The difference between the alarms that should exist and those that do.

Pure. Only the fields we set are compared (:meth:`AlarmSpec.compared_fields`), so CloudWatch's own
fields (state, ARN, timestamps) never show as changes. Alarms without our tag are never planned for
change or deletion: when one has the name of a desired alarm it is reported as a conflict instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from quirks.alarms.model import AlarmSpec, ExistingAlarm

__all__ = ["AlarmPlan", "Change", "PlanItem", "plan_alarms"]


@dataclass(frozen=True, slots=True)
class Change:
    """One field whose current value differs from the desired one."""

    field: str
    current: Any
    desired: Any


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One alarm in the plan; ``spec`` is the desired alarm, or the existing one when orphaned."""

    spec: AlarmSpec
    changes: tuple[Change, ...] = ()

    def summary(self) -> dict[str, Any]:
        """The JSON entry: the alarm, its metric and the resource it watches (and any changes)."""
        entry: dict[str, Any] = {
            "alarm": self.spec.name,
            "kind": self.spec.kind,
            "namespace": self.spec.namespace,
            "metric": self.spec.metric,
            "resource": self.spec.resource,
            "threshold": self.spec.threshold,
        }
        if self.changes:
            entry["changes"] = {
                c.field: {"current": _plain(c.current), "desired": _plain(c.desired)}
                for c in self.changes
            }
        return entry


@dataclass(frozen=True, slots=True)
class AlarmPlan:
    """What ``apply`` would do. ``conflicts`` are alarms with a desired name that are not ours."""

    create: tuple[PlanItem, ...] = ()
    update: tuple[PlanItem, ...] = ()
    unchanged: tuple[PlanItem, ...] = ()
    orphaned: tuple[PlanItem, ...] = ()
    conflicts: tuple[PlanItem, ...] = ()
    findings: tuple[str, ...] = field(default=())

    @property
    def has_changes(self) -> bool:
        """True when ``apply`` (without ``--prune``) would write anything."""
        return bool(self.create or self.update)

    def actions_removed(self) -> dict[str, tuple[str, ...]]:
        """Per updated alarm, the alarm/OK actions it has now that ``apply`` would take away.

        An alarm whose actions go is still evaluated but notifies no one: the silent failure a
        forgotten ``--topic`` would cause, so callers ask before doing it.
        """
        removed: dict[str, tuple[str, ...]] = {}
        for item in self.update:
            gone: set[str] = set()
            for change in item.changes:
                if change.field in _ACTION_FIELDS:
                    gone.update(set(change.current or ()) - set(change.desired or ()))
            if gone:
                removed[item.spec.name] = tuple(sorted(gone))
        return removed

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document of ``quirks alarms plan``."""
        return {
            "create": [item.summary() for item in self.create],
            "update": [item.summary() for item in self.update],
            "unchanged": [item.summary() for item in self.unchanged],
            "orphaned": [item.summary() for item in self.orphaned],
            "conflicts": [item.summary() for item in self.conflicts],
            "findings": list(self.findings),
        }


_ACTION_FIELDS = ("AlarmActions", "OKActions")


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def diff(current: AlarmSpec, desired: AlarmSpec) -> tuple[Change, ...]:
    """The compared fields that differ between an existing alarm and the desired one."""
    have = current.compared_fields()
    want = desired.compared_fields()
    return tuple(
        Change(name, have.get(name), value)
        for name, value in want.items()
        if have.get(name) != value
    )


def plan_alarms(
    desired: Iterable[AlarmSpec], existing: Iterable[ExistingAlarm], findings: Iterable[str] = ()
) -> AlarmPlan:
    """Compare desired alarms with existing ones (already filtered to our name prefix or not)."""
    by_name = {alarm.spec.name: alarm for alarm in existing}
    create: list[PlanItem] = []
    update: list[PlanItem] = []
    unchanged: list[PlanItem] = []
    conflicts: list[PlanItem] = []
    wanted: set[str] = set()
    for spec in sorted(desired, key=lambda s: s.name):
        wanted.add(spec.name)
        current = by_name.get(spec.name)
        if current is None:
            create.append(PlanItem(spec))
        elif not current.managed:
            conflicts.append(PlanItem(current.spec))
        elif changes := diff(current.spec, spec):
            update.append(PlanItem(spec, changes))
        else:
            unchanged.append(PlanItem(spec))
    orphaned = [
        PlanItem(alarm.spec)
        for name, alarm in sorted(by_name.items())
        if alarm.managed and name not in wanted
    ]
    return AlarmPlan(
        create=tuple(create),
        update=tuple(update),
        unchanged=tuple(unchanged),
        orphaned=tuple(orphaned),
        conflicts=tuple(conflicts),
        findings=tuple(findings),
    )
