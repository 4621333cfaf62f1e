"""CloudWatch Logs account-level policies, which moto does not implement.

moto 5 answers ``PutAccountPolicy`` with an HTTP 500, which the AWS SDKs retry: ``terraform apply``
of an ``aws_cloudwatch_log_account_policy`` (the error-alerts module's
``account_level_subscription``) hung until the provider gave up. This store answers the three
operations as AWS documents them:

* `PutAccountPolicy <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutAccountPolicy.html>`_
  creates or replaces the policy of that name and type, and returns it. An account has at most one
  subscription filter policy and one data protection policy per Region; a second name is
  ``LimitExceededException``.
* `DescribeAccountPolicies <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeAccountPolicies.html>`_
  lists the policies of a type (of one name, if given): an empty list when there are none.
* `DeleteAccountPolicy <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteAccountPolicy.html>`_
  removes one, or answers ``ResourceNotFoundException``.

The policies are stored only: the local cloud does not yet deliver log events by a subscription
filter policy (subscriptions of log groups, one by one, are delivered).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

__all__ = ["OPERATIONS", "AccountPolicies"]

OPERATIONS = ("PutAccountPolicy", "DescribeAccountPolicies", "DeleteAccountPolicy")
POLICY_TYPES = (
    "DATA_PROTECTION_POLICY",
    "SUBSCRIPTION_FILTER_POLICY",
    "FIELD_INDEX_POLICY",
    "TRANSFORMER_POLICY",
    "METRIC_EXTRACTION_POLICY",
    "RETENTION_POLICY",
)
_ONE_PER_ACCOUNT = ("DATA_PROTECTION_POLICY", "SUBSCRIPTION_FILTER_POLICY")

Reply = tuple[int, dict[str, Any]]


def _error(code: str, message: str) -> Reply:
    # CloudWatch Logs answers every client error with HTTP 400 and the code as __type.
    return 400, {"__type": code, "message": message}


class AccountPolicies:
    """The account-level policies of one account and Region, keyed by (type, name)."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._lock = threading.Lock()
        self._policies: dict[tuple[str, str], dict[str, Any]] = {}

    def handle(self, operation: str, request: dict[str, Any]) -> Reply:
        """Answer one of :data:`OPERATIONS`: the HTTP status and the JSON body."""
        policy_type = request.get("policyType")
        if policy_type not in POLICY_TYPES:
            return _error(
                "InvalidParameterException",
                f"1 validation error detected: Value '{policy_type}' at 'policyType' failed to "
                f"satisfy constraint: Member must satisfy enum value set: [{', '.join(POLICY_TYPES)}]",
            )
        with self._lock:
            if operation == "PutAccountPolicy":
                return self._put(policy_type, request)
            if operation == "DescribeAccountPolicies":
                return self._describe(policy_type, request.get("policyName"))
            return self._delete(policy_type, request.get("policyName", ""), request.get("dryRun"))

    def _put(self, policy_type: str, request: dict[str, Any]) -> Reply:
        name = request.get("policyName") or ""
        document = request.get("policyDocument") or ""
        if not name or not document:
            missing = "policyName" if not name else "policyDocument"
            return _error("InvalidParameterException", f"{missing} is required")
        try:
            json.loads(document)
        except ValueError:
            return _error("InvalidParameterException", "Policy document is not valid JSON")
        same_type = [n for t, n in self._policies if t == policy_type and n != name]
        if policy_type in _ONE_PER_ACCOUNT and same_type:
            return _error(
                "LimitExceededException",
                f"Only one {policy_type} is allowed per account; {same_type[0]} exists",
            )
        policy: dict[str, Any] = {
            "policyName": name,
            "policyDocument": document,
            "lastUpdatedTime": int(time.time() * 1000),
            "policyType": policy_type,
            "scope": request.get("scope") or "ALL",
            "accountId": self.account_id,
        }
        if request.get("selectionCriteria"):
            policy["selectionCriteria"] = request["selectionCriteria"]
        if not request.get("dryRun"):
            self._policies[(policy_type, name)] = policy
        return 200, {"accountPolicy": dict(policy)}

    def _describe(self, policy_type: str, name: str | None) -> Reply:
        found = [
            dict(policy)
            for (kind, policy_name), policy in sorted(self._policies.items())
            if kind == policy_type and (name is None or policy_name == name)
        ]
        return 200, {"accountPolicies": found}

    def _delete(self, policy_type: str, name: str, dry_run: object) -> Reply:
        if (policy_type, name) not in self._policies:
            return _error("ResourceNotFoundException", f"Policy with name [{name}] does not exist")
        if not dry_run:
            del self._policies[(policy_type, name)]
        return 200, {}

    def reset(self) -> None:
        """Forget every policy."""
        with self._lock:
            self._policies.clear()
