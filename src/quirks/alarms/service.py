"""Discover, derive and diff in one call: what ``quirks alarms plan`` and ``apply`` run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from quirks.alarms.apply import read_existing
from quirks.alarms.desired import desired_alarms, findings
from quirks.alarms.discover import discover
from quirks.alarms.plan import plan_alarms

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.alarms.config import AlarmConfig
    from quirks.alarms.model import AlarmSpec, Inventory
    from quirks.alarms.plan import AlarmPlan

__all__ = ["AccountPlan", "plan_account"]


@dataclass(frozen=True, slots=True)
class AccountPlan:
    """The inventory of one account and region, the alarms it needs, and the plan to get there."""

    inventory: Inventory
    desired: tuple[AlarmSpec, ...]
    plan: AlarmPlan


def plan_account(
    config: AlarmConfig,
    region: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> AccountPlan:
    """Discover resources, derive the desired alarms and diff them with the existing ones."""
    inventory = discover(region, on_progress=on_progress)
    desired = desired_alarms(inventory, config)
    plan = plan_alarms(desired, read_existing(region=inventory.region), findings(inventory))
    return AccountPlan(inventory=inventory, desired=desired, plan=plan)
