"""QRK011: a log group with no subscription-filter slot left for the error alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import log_subscriptions, toolkit_handler
from quirks.audit.model import Function, LogGroup, LogSubscription
from quirks.limits import LOGS_FILTERS_PER_GROUP

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    groups: dict[str, list[LogSubscription]] = {}
    for sub in inventory.of(LogSubscription):
        if sub.log_group is None:
            continue
        group = inventory.find(LogGroup, sub.log_group)
        groups.setdefault(group.name if group else sub.log_group, []).append(sub)
    for name, subs in groups.items():
        if len(subs) < LOGS_FILTERS_PER_GROUP:
            continue
        alerting = [
            s
            for s in subs
            if (fn := inventory.find(Function, s.destination)) and toolkit_handler(fn) == "alerts"
        ]
        covered = [
            s
            for s in log_subscriptions(inventory, name)
            if s.log_group is None
            and (fn := inventory.find(Function, s.destination))
            and toolkit_handler(fn) == "alerts"
        ]
        if alerting or covered:
            continue  # the alerts already reach it
        yield rule.finding(
            inventory.find(LogGroup, name) or subs[0],
            f"{name} has {len(subs)} subscription filters ({', '.join(s.name for s in subs)}), "
            "the most a log group takes: the error-alert filter cannot be added",
        )


RULE = Rule(
    id="QRK011",
    slug="log-filter-slots-full",
    severity="warning",
    title="Log group's subscription-filter slots are taken",
    why="A log group takes at most two subscription filters; with both used by others, the "
    "alerts filter cannot be added to it.",
    doc="https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html",
    fix="Use the account-level subscription policy (terraform/modules/error-alerts "
    "account_level_subscription), which does not take a group's slot.",
    check=check,
    needs=frozenset({"logs", "account-policy", "functions"}),
)
