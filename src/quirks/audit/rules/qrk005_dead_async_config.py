"""QRK005: a DLQ or async destinations on a function nothing invokes asynchronously.

Only a function whose every visible invoker is synchronous or poll-based (a mapping, an API) is
reported, and only when there is at least one: code in the same account may invoke any function
with ``InvocationType=Event`` without a resource-policy statement, so a function with no visible
invoker may well be invoked asynchronously, and the audit never reports on a guess."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import async_invokers, sync_invokers
from quirks.audit.model import Function, InvokeConfig

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory, Resource


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    configured: list[tuple[Function, Resource, str]] = []
    for function in inventory.of(Function):
        if function.dead_letter_target:
            configured.append((function, function, "a dead-letter queue"))
    for config in inventory.of(InvokeConfig):
        target = inventory.find(Function, config.function)
        if target is not None and (config.on_success or config.on_failure):
            configured.append((target, config, "async destinations"))
    for function, resource, what in configured:
        if async_invokers(inventory, function):
            continue
        seen = list(dict.fromkeys(sync_invokers(inventory, function)))  # once each, in order
        if not seen:
            continue  # no invoker visible: an SDK caller in the account may invoke it async
        yield rule.finding(
            resource,
            f"{function.name} has {what}, but every invoker seen is synchronous or polls "
            f"({'; '.join(seen)}): it never fires, and failures of these invocations go "
            "unreported",
        )


RULE = Rule(
    id="QRK005",
    slug="dead-async-config",
    severity="warning",
    title="DLQ or async destinations on a function nothing invokes asynchronously",
    why="A function's dead-letter queue and its async destinations apply only to asynchronous "
    "invocations; for a function invoked by a stream, a queue or an API they never receive anything.",
    doc="https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
    fix="Remove the dead configuration; report the function's errors from its logs with the alerts "
    "handler (quirks.alerts, terraform/modules/error-alerts) and use the mapping's own on-failure "
    "destination for streams.",
    check=check,
    needs=frozenset(
        {
            "functions",
            "invoke-configs",
            "policies",
            "rules",
            "topics",
            "buckets",
            "logs",
            "account-policy",
            "mappings",
        }
    ),
)
