"""Subscribe log groups to the notifier: the plan, as data (``quirks alerts attach/detach``).

Rules (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html):

* our filter is named ``quirks-errors``; attach creates or updates only it, so it is idempotent;
* a log group allows two subscription filters: a group whose two slots hold other filters is
  reported as ``full``, never changed;
* the notifier's own log group (``/aws/lambda/<destination function>``) is never subscribed;
* detach removes only filters named ``quirks-errors`` (and only those pointing at ``--destination``
  when given);
* ``--account-policy`` uses one account-level ``SUBSCRIPTION_FILTER_POLICY`` named ``quirks-errors``
  whose selection criteria exclude the notifier's own group (and excluded groups).

:func:`plan_attach`, :func:`plan_detach` and :func:`plan_account_policy` are pure;
:class:`quirks.alerts.subscriptions.LogSubscriptions` reads the groups and carries the plans out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from quirks.arns import Arn, lambda_log_group
from quirks.errors import UserError
from quirks.limits import FILTER_NAME, LOGS_FILTERS_PER_GROUP

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "FILTER_NAME",
    "POLICY_NAME",
    "POLICY_TYPE",
    "AccountPolicyPlan",
    "GroupAction",
    "GroupPlan",
    "GroupState",
    "PolicyAction",
    "SubscriptionFilter",
    "notifier_log_group",
    "plan_account_policy",
    "plan_attach",
    "plan_detach",
]

POLICY_NAME: Final = FILTER_NAME
POLICY_TYPE: Final = "SUBSCRIPTION_FILTER_POLICY"
MAX_SELECTION_NAMES = 50

GroupAction = Literal["create", "update", "delete", "unchanged", "full", "own", "excluded"]
"""What attach/detach does to one log group."""
PolicyAction = Literal["create", "update", "unchanged"]
"""What attach does to the account policy."""


@dataclass(frozen=True, slots=True)
class SubscriptionFilter:
    name: str
    destination_arn: str
    filter_pattern: str


@dataclass(frozen=True, slots=True)
class GroupState:
    """A log group and its current subscription filters."""

    name: str
    filters: tuple[SubscriptionFilter, ...]


@dataclass(frozen=True, slots=True)
class GroupPlan:
    """What attach/detach does to one group.

    ``action``: ``create``, ``update``, ``delete``, ``unchanged``, ``full`` (two other filters),
    ``own`` (the notifier's own group) or ``excluded`` (matched ``--exclude``).
    """

    log_group: str
    action: GroupAction
    reason: str
    other_filters: tuple[str, ...] = ()

    @property
    def changes(self) -> bool:
        return self.action in ("create", "update", "delete")


def notifier_log_group(destination_arn: str) -> str | None:
    """The log group of a Lambda destination (``/aws/lambda/<name>``); None for other services."""
    arn = Arn.parse(destination_arn)
    if arn.service != "lambda":
        return None
    return lambda_log_group(arn.resource_name)


def _compile_exclude(exclude: str | None) -> re.Pattern[str] | None:
    if not exclude:
        return None
    try:
        return re.compile(exclude)
    except re.error as exc:
        raise UserError(
            f"--exclude {exclude!r} is not a regular expression: {exc}", "fix the regex"
        ) from None


def plan_attach(
    groups: Iterable[GroupState],
    *,
    destination_arn: str,
    filter_pattern: str,
    exclude: str | None = None,
) -> list[GroupPlan]:
    """One :class:`GroupPlan` per group, in the order given."""
    own = notifier_log_group(destination_arn)
    excluded = _compile_exclude(exclude)
    plans = []
    for group in groups:
        others = tuple(f.name for f in group.filters if f.name != FILTER_NAME)
        ours = next((f for f in group.filters if f.name == FILTER_NAME), None)
        if group.name == own:
            plans.append(
                GroupPlan(group.name, "own", "the notifier's own log group (loop)", others)
            )
        elif excluded and excluded.search(group.name):
            plans.append(GroupPlan(group.name, "excluded", f"matches --exclude {exclude}", others))
        elif ours is not None:
            same = ours.destination_arn == destination_arn and ours.filter_pattern == filter_pattern
            if same:
                plans.append(GroupPlan(group.name, "unchanged", "already subscribed", others))
            else:
                plans.append(
                    GroupPlan(group.name, "update", "destination or pattern changed", others)
                )
        elif len(others) >= LOGS_FILTERS_PER_GROUP:
            plans.append(
                GroupPlan(
                    group.name,
                    "full",
                    f"already has {len(others)} subscription filters (limit {LOGS_FILTERS_PER_GROUP})",
                    others,
                )
            )
        else:
            plans.append(GroupPlan(group.name, "create", "not subscribed yet", others))
    return plans


def plan_detach(
    groups: Iterable[GroupState], *, destination_arn: str | None = None
) -> list[GroupPlan]:
    """Delete our filter where it exists (and points at ``destination_arn``, when given)."""
    plans = []
    for group in groups:
        others = tuple(f.name for f in group.filters if f.name != FILTER_NAME)
        ours = next((f for f in group.filters if f.name == FILTER_NAME), None)
        if ours is None:
            plans.append(GroupPlan(group.name, "unchanged", "not subscribed by quirks", others))
        elif destination_arn and ours.destination_arn != destination_arn:
            plans.append(
                GroupPlan(group.name, "unchanged", "quirks-errors points elsewhere", others)
            )
        else:
            plans.append(GroupPlan(group.name, "delete", "subscribed by quirks", others))
    return plans


# --- account-level subscription filter policy ------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountPolicyPlan:
    """The account policy to put, and whether it differs from the current one."""

    action: PolicyAction
    policy_document: dict[str, Any]
    selection_criteria: str
    excluded_groups: tuple[str, ...]


def plan_account_policy(
    *,
    destination_arn: str,
    filter_pattern: str,
    excluded_groups: Sequence[str],
    current: dict[str, Any] | None,
    role_arn: str | None = None,
) -> AccountPolicyPlan:
    """The ``SUBSCRIPTION_FILTER_POLICY`` for the notifier; ``current`` is DescribeAccountPolicies' entry."""
    own = notifier_log_group(destination_arn)
    names = sorted({*excluded_groups, *([own] if own else [])})
    if len(names) > MAX_SELECTION_NAMES:
        raise UserError(
            f"{len(names)} log groups to exclude; an account policy can exclude at most {MAX_SELECTION_NAMES}",
            "narrow --exclude, or attach per log group instead of --account-policy",
        )
    document: dict[str, Any] = {
        "DestinationArn": destination_arn,
        "FilterPattern": filter_pattern,
        "Distribution": "Random",
    }
    if role_arn:
        document["RoleArn"] = role_arn
    criteria = (
        "LogGroupName NOT IN [" + ", ".join(json.dumps(n) for n in names) + "]" if names else ""
    )
    action: PolicyAction
    if current is None:
        action = "create"
    else:
        try:
            existing = json.loads(current.get("policyDocument", "{}"))
        except ValueError:
            existing = None
        same = existing == document and current.get("selectionCriteria", "") == criteria
        action = "unchanged" if same else "update"
    return AccountPolicyPlan(action, document, criteria, tuple(names))
