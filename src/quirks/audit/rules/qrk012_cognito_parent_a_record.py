"""QRK012: a Cognito custom domain whose parent domain has no A record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quirks.audit.core import Rule
from quirks.audit.model import CognitoDomain, DnsRecord
from quirks.cognito.names import normalize, parent_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    from quirks.audit.core import Finding
    from quirks.audit.model import Inventory


def _zone_of(name: str, zones: tuple[str, ...]) -> str | None:
    matches = [z for z in zones if name == z or name.endswith("." + z)]
    return max(matches, key=len) if matches else None


def check(inventory: Inventory, rule: Rule) -> Iterator[Finding]:
    zones = tuple(normalize(z) for z in inventory.zones)
    for domain in inventory.of(CognitoDomain):
        if not domain.custom:
            continue
        parent_name = parent_of(domain.domain)
        if parent_name is None:
            continue
        parent = normalize(parent_name)
        if _zone_of(parent, zones) is None:
            continue  # its zone is not visible here: nothing to say either way
        has_a = any(
            normalize(r.record_name) == parent and r.record_type == "A"
            for r in inventory.of(DnsRecord)
        )
        if not has_a:
            yield rule.finding(
                domain,
                f"{domain.domain}: its parent {parent} has no A record, so Cognito refuses the "
                'domain ("Was not able to resolve the root domain")',
            )


RULE = Rule(
    id="QRK012",
    slug="cognito-parent-a-record",
    severity="error",
    title="Cognito custom domain without an A record on its parent",
    why="Cognito accepts a custom domain only when its parent domain resolves to an A record.",
    doc="https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-add-custom-domain.html",
    fix="quirks cognito-domain setup (or terraform/modules/cognito-custom-domain), which adds a "
    "placeholder A record when the parent has none.",
    check=check,
    needs=frozenset({"cognito"}),
)
