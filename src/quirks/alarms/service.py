"""Discover, derive, diff and apply for one account: what ``quirks alarms`` and the handler run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from quirks import aws
from quirks.alarms.apply import apply_plan, read_existing
from quirks.alarms.desired import desired_alarms, findings
from quirks.alarms.discover import discover
from quirks.alarms.plan import plan_alarms

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.alarms.apply import ApplyResult
    from quirks.alarms.config import AlarmConfig
    from quirks.alarms.model import AlarmSpec, Inventory
    from quirks.alarms.plan import AlarmPlan

__all__ = ["AccountPlan", "AlarmService"]


@dataclass(frozen=True, slots=True)
class AccountPlan:
    """The inventory of one account and region, the alarms it needs, and the plan to get there."""

    inventory: Inventory
    desired: tuple[AlarmSpec, ...]
    plan: AlarmPlan


class AlarmService:
    """Plans and applies alarms through one :class:`~quirks.aws.ClientFactory`."""

    def __init__(self, *, clients: aws.ClientFactory | None = None) -> None:
        self._clients = clients or aws.current()

    def plan(
        self,
        config: AlarmConfig,
        region: str | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> AccountPlan:
        """Discover resources, derive the desired alarms and diff them with the existing ones."""
        inventory = discover(region, on_progress=on_progress, clients=self._clients)
        desired = desired_alarms(inventory, config)
        existing = read_existing(clients=self._clients, region=inventory.region)
        plan = plan_alarms(desired, existing, findings(inventory))
        return AccountPlan(inventory=inventory, desired=desired, plan=plan)

    def apply(
        self,
        planned: AccountPlan,
        *,
        prune: bool = False,
        on_progress: Callable[[str], None] | None = None,
    ) -> ApplyResult:
        """Carry out ``planned`` in its own region (see :func:`~quirks.alarms.apply.apply_plan`)."""
        return apply_plan(
            planned.plan,
            prune=prune,
            clients=self._clients,
            region=planned.inventory.region,
            on_progress=on_progress,
        )
