"""QRK006: a function whose errors nobody hears about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import log_subscriptions, toolkit_handler
from quirks.audit.model import Alarm, Function, LogSubscription

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def _errors_alarm(inventory: Inventory, function: Function) -> bool:
    for alarm in inventory.of(Alarm):
        if alarm.metric == "Errors" and alarm.namespace in (None, "AWS/Lambda"):
            if "dimensions" in alarm.unknown and "name" in function.unknown:
                return True  # both names are expressions nobody evaluated: it may be this one
            value = alarm.dimensions.get("FunctionName")
            if value and inventory.find(Function, value) == function:
                return True
    return False


def _to_a_function(inventory: Inventory, function: Function) -> bool:
    """A subscription that delivers to a function (ours or anyone's notifier). Firehose, Kinesis
    and cross-account destinations archive logs; they tell nobody."""
    return any(
        inventory.find(Function, sub.destination) is not None or ":lambda:" in sub.destination
        for sub in log_subscriptions(inventory, function.log_group_name)
    )


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    unresolved = any("log_group" in s.unknown for s in inventory.of(LogSubscription))
    for function in inventory.of(Function):
        if "name" in function.unknown and unresolved:
            continue  # a filter on a group we cannot name may well be this function's
        if toolkit_handler(function) == "alerts":
            continue  # its own errors cannot go through itself; its module alarms on them
        if _to_a_function(inventory, function) or _errors_alarm(inventory, function):
            continue
        group = "its log group" if "name" in function.unknown else function.log_group_name
        yield rule.finding(
            function,
            f"no subscription filter on {group} (nor an account-level "
            "subscription policy covering it) and no Errors alarm: its errors reach nobody",
        )


RULE = Rule(
    id="QRK006",
    slug="errors-reach-nobody",
    severity="warning",
    title="Function errors reach nobody",
    why="Lambda writes a function's errors to its log group and counts them in the Errors metric, "
    "and tells no one; a DLQ or destination covers only asynchronous invocations.",
    doc="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html",
    fix="Subscribe the log group to the alerts handler: quirks alerts attach, or "
    "terraform/modules/error-alerts (group filters or the account-level policy).",
    check=check,
    needs=frozenset({"functions", "logs", "account-policy", "alarms"}),
)
