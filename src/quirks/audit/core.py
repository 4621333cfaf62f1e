"""Rules, findings, and the run: inventory in, findings out (pure).

A rule is data (:class:`Rule`: id, severity, why with the AWS page it rests on, the fix) plus one
pure function from the inventory to findings. Suppressions (on the resource, with a reason) and a
baseline (findings accepted earlier) are applied here, once, for every source.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from quirks.audit.model import Inventory, Kind, Part, Resource

__all__ = [
    "FAIL_ON",
    "SEVERITIES",
    "AuditReport",
    "FailOn",
    "Finding",
    "Rule",
    "Severity",
    "run",
]

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
FailOn = Literal["error", "warning", "never"]
"""The lowest severity that fails the run (``never``: exit 0 whatever is found)."""
FAIL_ON: tuple[FailOn, ...] = get_args(FailOn)


@dataclass(frozen=True)
class Finding:
    """One quirk in one resource."""

    rule: str
    severity: Severity
    kind: Kind
    resource: str
    """The resource's key: a Terraform address, or an ARN / id from the account."""
    name: str
    """Its name (function, queue, table name) — the same from every source for the same stack."""
    message: str
    file: str | None = None
    line: int | None = None
    suppressed: str | None = None
    """Why it is suppressed (the reason of the inline comment, or ``"baseline"``); None if active."""

    @property
    def fingerprint(self) -> str:
        """Stable across runs and sources: rule, kind and name (not the message or the line)."""
        text = f"{self.rule}|{self.kind}|{self.name}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Rule:
    """A quirk the audit looks for."""

    id: str
    slug: str
    severity: Severity
    title: str
    why: str
    """The quirk in one sentence."""
    doc: str
    """The AWS documentation page the why rests on."""
    fix: str
    """The toolkit module or command that removes it."""
    check: Callable[[Inventory, Rule], Iterable[Finding]] = field(repr=False, compare=False)
    needs: frozenset[Part] = frozenset()
    """Parts of the inventory without which a finding could be wrong; unread, the rule is skipped."""

    def finding(self, resource: Resource, message: str) -> Finding:
        """A finding of this rule on ``resource``."""
        return Finding(
            rule=self.id,
            severity=self.severity,
            kind=resource.kind,
            resource=resource.key,
            name=resource.name,
            message=message,
            file=resource.file,
            line=resource.line,
        )


@dataclass
class AuditReport:
    """The findings of one run, and what the sources could not read."""

    source: str
    findings: list[Finding]
    notes: list[str]
    rules: list[Rule]

    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed is None]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        for finding in self.active():
            counts[finding.severity] += 1
        return counts

    def exit_code(self, fail_on: FailOn) -> int:
        """0 clean, 1 when an active finding is at or above ``fail_on``."""
        if fail_on == "never":
            return 0
        levels = {"error": ("error",), "warning": ("error", "warning")}[fail_on]
        return 1 if any(f.severity in levels for f in self.active()) else 0


def run(inventory: Inventory, rules: Iterable[Rule], baseline: Iterable[str] = ()) -> AuditReport:
    """Every rule over ``inventory``; suppressed and baselined findings are kept, marked."""
    accepted = set(baseline)
    by_key = {resource.key: resource for resource in inventory.resources}
    rules = list(rules)
    findings: list[Finding] = []
    notes = list(inventory.notes)
    for rule in rules:
        missing = rule.needs & inventory.unread
        if missing:
            notes.append(f"{rule.id} skipped: it needs {', '.join(sorted(missing))}, not read")
            continue
        for finding in rule.check(inventory, rule):
            resource = by_key.get(finding.resource)
            reason = next(
                (
                    s.reason
                    for s in (resource.suppressions if resource else ())
                    if s.rule in (rule.id, rule.slug)
                ),
                None,
            )
            if reason is None and finding.fingerprint in accepted:
                reason = "baseline"
            findings.append(replace(finding, suppressed=reason) if reason else finding)
    order = {severity: i for i, severity in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order[f.severity], f.rule, f.name, f.resource))
    return AuditReport(inventory.source, findings, notes, rules)
