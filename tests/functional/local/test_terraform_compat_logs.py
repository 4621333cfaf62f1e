"""Logs account policies on the local cloud, as Terraform's aws_cloudwatch_log_account_policy uses them."""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from quirks import aws
from quirks.limits import DEFAULT_ACCOUNT
from quirks.local.cloud import LocalCloud

DOCUMENT = json.dumps(
    {
        "DestinationArn": f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:function:orders-alerts",
        "FilterPattern": "ERROR",
        "Distribution": "Random",
    }
)
SELECTION = 'LogGroupName NOT IN ["/aws/lambda/orders-alerts"]'


def _members(operation: str, *path: str) -> set[str]:
    shape: Any = (
        botocore.session.get_session()
        .get_service_model("logs")
        .operation_model(operation)
        .output_shape
    )
    for name in path:
        shape = shape.members[name]
        shape = getattr(shape, "member", shape)
    return set(shape.members)


def _put(logs: Any, name: str = "quirks-errors", **extra: Any) -> dict[str, Any]:
    reply: dict[str, Any] = logs.put_account_policy(
        policyName=name,
        policyType="SUBSCRIPTION_FILTER_POLICY",
        policyDocument=DOCUMENT,
        selectionCriteria=SELECTION,
        scope="ALL",
        **extra,
    )
    return reply


def test_put_returns_the_policy_and_describe_reads_it_back(cloud: LocalCloud) -> None:
    logs = aws.client("logs")

    put = _put(logs)["accountPolicy"]
    described = logs.describe_account_policies(
        policyType="SUBSCRIPTION_FILTER_POLICY", policyName="quirks-errors"
    )["accountPolicies"]

    assert described == [put]
    assert put["policyDocument"] == DOCUMENT
    assert put["selectionCriteria"] == SELECTION
    assert (put["scope"], put["accountId"]) == ("ALL", DEFAULT_ACCOUNT)
    assert set(put) <= _members("PutAccountPolicy", "accountPolicy")
    assert set(put) <= _members("DescribeAccountPolicies", "accountPolicies")


def test_put_again_replaces_the_policy_of_that_name(cloud: LocalCloud) -> None:
    logs = aws.client("logs")
    _put(logs)
    logs.put_account_policy(
        policyName="quirks-errors",
        policyType="SUBSCRIPTION_FILTER_POLICY",
        policyDocument=DOCUMENT.replace("ERROR", "?ERROR ?Task"),
    )

    policies = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY")[
        "accountPolicies"
    ]
    assert [p["policyDocument"] for p in policies] == [DOCUMENT.replace("ERROR", "?ERROR ?Task")]


def test_a_second_subscription_filter_policy_exceeds_the_limit(cloud: LocalCloud) -> None:
    # SDKs retry LimitExceededException as throttling: one attempt shows the answer at once.
    logs = boto3.client("logs", config=Config(retries={"mode": "standard", "max_attempts": 1}))
    _put(logs)

    with pytest.raises(logs.exceptions.LimitExceededException):
        _put(logs, name="another")


def test_delete_removes_it_and_a_second_delete_is_not_found(cloud: LocalCloud) -> None:
    logs = aws.client("logs")
    _put(logs)

    logs.delete_account_policy(policyName="quirks-errors", policyType="SUBSCRIPTION_FILTER_POLICY")

    listed = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY")
    assert listed["accountPolicies"] == []
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_account_policy(
            policyName="quirks-errors", policyType="SUBSCRIPTION_FILTER_POLICY"
        )


def test_bad_requests_are_invalid_parameter_errors(cloud: LocalCloud) -> None:
    logs = aws.client("logs")
    with pytest.raises(ClientError) as bad_document:
        logs.put_account_policy(
            policyName="p", policyType="SUBSCRIPTION_FILTER_POLICY", policyDocument="{not json"
        )
    assert bad_document.value.response["Error"]["Code"] == "InvalidParameterException"
    assert bad_document.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_reset_forgets_the_policies(cloud: LocalCloud) -> None:
    logs = aws.client("logs")
    _put(logs)

    cloud.reset()

    listed = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY")
    assert listed["accountPolicies"] == []
