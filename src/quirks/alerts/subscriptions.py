"""The CloudWatch Logs and Lambda calls behind ``quirks alerts attach/detach`` (adapter).

:class:`LogSubscriptions` reads log groups with their subscription filters and carries out the
plans of :mod:`quirks.alerts.attach`. It touches only the filter and the account policy named
``quirks-errors``, and the one ``lambda:AddPermission`` statement that lets CloudWatch Logs invoke
the notifier.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.alerts.attach import (
    FILTER_NAME,
    POLICY_NAME,
    POLICY_TYPE,
    AccountPolicyPlan,
    GroupPlan,
    GroupState,
    SubscriptionFilter,
)
from quirks.arns import Arn
from quirks.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["LogSubscriptions"]


class LogSubscriptions:
    """Subscription filters and the account policy, through one client factory."""

    def __init__(self, *, clients: aws.ClientFactory | None = None) -> None:
        self._clients = clients or aws.current()

    def resolve_destination(self, value: str) -> str:
        """The destination ARN for ``value``: a Lambda function name or ARN (checked to exist), or
        a Kinesis, Firehose or CloudWatch Logs destination ARN.

        Raises :class:`UserError` for anything else and for a function that does not exist, so
        that no plan is ever made for a destination that cannot receive anything.
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
        lam = self._clients.client("lambda")
        try:
            function = lam.get_function(FunctionName=value)
        except lam.exceptions.ResourceNotFoundException:
            raise UserError(
                f"no Lambda function {value!r} in {lam.meta.region_name}",
                "deploy the notifier first, or check the name and --region",
            ) from None
        return function["Configuration"]["FunctionArn"]

    def read_groups(
        self, prefix: str, on_group: Callable[[str], None] | None = None
    ) -> list[GroupState]:
        """Every log group under ``prefix`` with its subscription filters."""
        logs = self._clients.client("logs")
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

    def grant_invoke(self, destination_arn: str, region: str) -> bool:
        """Allow CloudWatch Logs of the destination's account to invoke a Lambda destination.

        Returns False when the statement already exists.
        """
        arn = Arn.parse(destination_arn)
        if arn.service != "lambda":
            return False
        lambda_client = self._clients.client("lambda")
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
        self,
        plans: Sequence[GroupPlan],
        *,
        destination_arn: str,
        filter_pattern: str,
        role_arn: str | None = None,
        on_group: Callable[[str], None] | None = None,
    ) -> None:
        """Create or update ``quirks-errors`` where the plan says so."""
        logs = self._clients.client("logs")
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
        self, plans: Sequence[GroupPlan], on_group: Callable[[str], None] | None = None
    ) -> None:
        """Delete ``quirks-errors`` where the plan says so."""
        logs = self._clients.client("logs")
        for plan in plans:
            if plan.action == "delete":
                # Removed in the meantime: the goal is reached.
                with contextlib.suppress(logs.exceptions.ResourceNotFoundException):
                    logs.delete_subscription_filter(
                        logGroupName=plan.log_group, filterName=FILTER_NAME
                    )
            if on_group:
                on_group(plan.log_group)

    def current_account_policy(self) -> dict[str, Any] | None:
        """Our account policy as DescribeAccountPolicies returns it, or None."""
        logs = self._clients.client("logs")
        response = logs.describe_account_policies(policyType=POLICY_TYPE, policyName=POLICY_NAME)
        policies = response.get("accountPolicies", [])
        return dict(policies[0]) if policies else None

    def apply_account_policy(self, plan: AccountPolicyPlan) -> None:
        """Put the account policy when the plan changes it."""
        if plan.action == "unchanged":
            return
        extra: dict[str, Any] = (
            {"selectionCriteria": plan.selection_criteria} if plan.selection_criteria else {}
        )
        self._clients.client("logs").put_account_policy(
            policyName=POLICY_NAME,
            policyDocument=json.dumps(plan.policy_document),
            policyType=POLICY_TYPE,
            scope="ALL",
            **extra,
        )

    def remove_account_policy(self) -> bool:
        """Delete our account policy; False when there was none."""
        logs = self._clients.client("logs")
        try:
            logs.delete_account_policy(policyName=POLICY_NAME, policyType=POLICY_TYPE)
        except logs.exceptions.ResourceNotFoundException:
            return False
        return True
