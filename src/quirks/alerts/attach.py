"""Subscribe log groups to the notifier: plan as data, then apply (``quirks alerts attach/detach``).

Rules (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html):

* our filter is named ``quirks-errors``; attach creates or updates only it, so it is idempotent;
* a log group allows two subscription filters: a group whose two slots hold other filters is
  reported as ``full``, never changed;
* the notifier's own log group (``/aws/lambda/<destination function>``) is never subscribed;
* detach removes only filters named ``quirks-errors`` (and only those pointing at ``--destination``
  when given);
* ``--account-policy`` uses one account-level ``SUBSCRIPTION_FILTER_POLICY`` named ``quirks-errors``
  whose selection criteria exclude the notifier's own group (and excluded groups).

:func:`plan_attach` / :func:`plan_detach` are pure; :func:`read_groups` and the ``apply_*``
functions make the AWS calls.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from quirks import aws
from quirks.arns import Arn
from quirks.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_logs import CloudWatchLogsClient

__all__ = [
    "FILTER_NAME",
    "AccountPolicyPlan",
    "GroupPlan",
    "GroupState",
    "SubscriptionFilter",
    "apply_account_policy",
    "apply_attach",
    "apply_detach",
    "grant_invoke",
    "notifier_log_group",
    "plan_account_policy",
    "plan_attach",
    "plan_detach",
    "read_groups",
    "remove_account_policy",
    "resolve_destination",
]

FILTER_NAME = "quirks-errors"
POLICY_NAME = "quirks-errors"
POLICY_TYPE: Final = "SUBSCRIPTION_FILTER_POLICY"
MAX_FILTERS_PER_GROUP = 2
MAX_SELECTION_NAMES = 50


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
    action: str
    reason: str
    other_filters: tuple[str, ...] = ()

    @property
    def changes(self) -> bool:
        return self.action in ("create", "update", "delete")


def resolve_destination(value: str, client: LambdaClient | None = None) -> str:
    """The destination ARN for ``value``: a Lambda function name or ARN (checked to exist), or a
    Kinesis, Firehose or CloudWatch Logs destination ARN.

    Raises :class:`UserError` for anything else and for a function that does not exist, so that
    no plan is ever made for a destination that cannot receive anything.
    """
    if not value.startswith("arn:"):
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
            raise UserError(
                f"{value!r} is neither a function name nor an ARN",
                "pass the notifier's function name or its ARN",
            )
    else:
        arn = Arn.parse(value)
        if arn.service not in ("lambda", "kinesis", "firehose", "logs"):
            raise UserError(
                f"{value} is not a Lambda, Kinesis, Firehose or Logs destination ARN",
                "pass the name or ARN of the notifier function",
            )
        if arn.service != "lambda":
            return value
    lam = client or aws.client("lambda")
    try:
        function = lam.get_function(FunctionName=value)
    except lam.exceptions.ResourceNotFoundException:
        raise UserError(
            f"no Lambda function {value!r} in {lam.meta.region_name}",
            "deploy the notifier first, or check the name and --region",
        ) from None
    return function["Configuration"]["FunctionArn"]


def notifier_log_group(destination_arn: str) -> str | None:
    """The log group of a Lambda destination (``/aws/lambda/<name>``); None for other services."""
    arn = Arn.parse(destination_arn)
    if arn.service != "lambda":
        return None
    return f"/aws/lambda/{arn.resource_name}"


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
        elif len(others) >= MAX_FILTERS_PER_GROUP:
            plans.append(
                GroupPlan(
                    group.name,
                    "full",
                    f"already has {len(others)} subscription filters (limit {MAX_FILTERS_PER_GROUP})",
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


def read_groups(
    prefix: str,
    client: CloudWatchLogsClient | None = None,
    on_group: Callable[[str], None] | None = None,
) -> list[GroupState]:
    """Every log group under ``prefix`` with its subscription filters."""
    logs = client or aws.client("logs")
    groups = []
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
        for group in page.get("logGroups", []):
            name = group["logGroupName"]
            filters: list[SubscriptionFilter] = []
            for filter_page in logs.get_paginator("describe_subscription_filters").paginate(
                logGroupName=name
            ):
                filters.extend(
                    SubscriptionFilter(
                        f.get("filterName", ""),
                        f.get("destinationArn", ""),
                        f.get("filterPattern", ""),
                    )
                    for f in filter_page.get("subscriptionFilters", [])
                )
            groups.append(GroupState(name, tuple(filters)))
            if on_group:
                on_group(name)
    return groups


def grant_invoke(destination_arn: str, region: str, client: LambdaClient | None = None) -> bool:
    """Allow CloudWatch Logs of the destination's account to invoke a Lambda destination.

    Returns False when the statement already exists.
    """
    arn = Arn.parse(destination_arn)
    if arn.service != "lambda":
        return False
    lambda_client = client or aws.client("lambda")
    try:
        lambda_client.add_permission(
            FunctionName=destination_arn,
            StatementId="quirks-alerts-cloudwatch-logs",
            Action="lambda:InvokeFunction",
            Principal="logs.amazonaws.com",
            SourceArn=f"arn:{arn.partition}:logs:{region}:{arn.account}:log-group:*",
            SourceAccount=arn.account,
        )
    except lambda_client.exceptions.ResourceConflictException:
        return False
    return True


def apply_attach(
    plans: Sequence[GroupPlan],
    *,
    destination_arn: str,
    filter_pattern: str,
    role_arn: str | None = None,
    client: CloudWatchLogsClient | None = None,
    on_group: Callable[[str], None] | None = None,
) -> None:
    """Create or update ``quirks-errors`` where the plan says so."""
    logs = client or aws.client("logs")
    for plan in plans:
        if plan.action in ("create", "update"):
            extra: dict[str, Any] = {"roleArn": role_arn} if role_arn else {}
            logs.put_subscription_filter(
                logGroupName=plan.log_group,
                filterName=FILTER_NAME,
                filterPattern=filter_pattern,
                destinationArn=destination_arn,
                **extra,
            )
        if on_group:
            on_group(plan.log_group)


def apply_detach(
    plans: Sequence[GroupPlan],
    client: CloudWatchLogsClient | None = None,
    on_group: Callable[[str], None] | None = None,
) -> None:
    """Delete ``quirks-errors`` where the plan says so."""
    logs = client or aws.client("logs")
    for plan in plans:
        if plan.action == "delete":
            # Removed in the meantime: the goal is reached.
            with contextlib.suppress(logs.exceptions.ResourceNotFoundException):
                logs.delete_subscription_filter(logGroupName=plan.log_group, filterName=FILTER_NAME)
        if on_group:
            on_group(plan.log_group)


# --- account-level subscription filter policy ------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountPolicyPlan:
    """The account policy to put, and whether it differs from the current one."""

    action: str  # "create", "update" or "unchanged"
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


def current_account_policy(client: CloudWatchLogsClient | None = None) -> dict[str, Any] | None:
    """Our account policy as DescribeAccountPolicies returns it, or None."""
    logs = client or aws.client("logs")
    response = logs.describe_account_policies(policyType=POLICY_TYPE, policyName=POLICY_NAME)
    policies = response.get("accountPolicies", [])
    return dict(policies[0]) if policies else None


def apply_account_policy(
    plan: AccountPolicyPlan, client: CloudWatchLogsClient | None = None
) -> None:
    """Put the account policy when the plan changes it."""
    if plan.action == "unchanged":
        return
    logs = client or aws.client("logs")
    extra: dict[str, Any] = (
        {"selectionCriteria": plan.selection_criteria} if plan.selection_criteria else {}
    )
    logs.put_account_policy(
        policyName=POLICY_NAME,
        policyDocument=json.dumps(plan.policy_document),
        policyType=POLICY_TYPE,
        scope="ALL",
        **extra,
    )


def remove_account_policy(client: CloudWatchLogsClient | None = None) -> bool:
    """Delete our account policy; False when there was none."""
    logs = client or aws.client("logs")
    try:
        logs.delete_account_policy(policyName=POLICY_NAME, policyType=POLICY_TYPE)
    except logs.exceptions.ResourceNotFoundException:
        return False
    return True
