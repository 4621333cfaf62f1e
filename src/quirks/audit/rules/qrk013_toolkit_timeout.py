"""QRK013: one of the toolkit's handlers with a timeout below its deadline reserve."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.derive import toolkit_handler
from quirks.audit.model import Function
from quirks.limits import LAMBDA_DEFAULT_TIMEOUT_SECONDS
from quirks.timeouts import MINIMUM_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    for function in inventory.of(Function):
        handler = toolkit_handler(function)
        if handler is None or "timeout" in function.unknown:
            continue
        timeout = (
            function.timeout if function.timeout is not None else LAMBDA_DEFAULT_TIMEOUT_SECONDS
        )
        minimum = MINIMUM_TIMEOUT_SECONDS[handler]
        if timeout < minimum:
            yield rule.finding(
                function,
                f"runs the {handler} handler with a {timeout} s timeout; it needs at least "
                f"{minimum} s to finish what it started before its deadline",
            )


RULE = Rule(
    id="QRK013",
    slug="toolkit-timeout",
    severity="error",
    title="Toolkit handler deployed with a timeout below its deadline reserve",
    why="Each toolkit handler stops work a fixed reserve before its deadline so that what it did is "
    "written; below its minimum timeout it does nothing useful (Lambda's default is 3 s).",
    doc="https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html",
    fix="Raise the function's timeout to the minimum (the toolkit's Terraform modules validate it).",
    check=check,
    needs=frozenset({"functions"}),
)
