"""Plans as data: the ordered steps that take the observed state to the desired one.

:func:`plan_setup` and :func:`plan_teardown` are pure. Each step is a frozen dataclass; Route53
steps carry their exact change batch (:meth:`changes`), so a dry run prints exactly what would be
sent. Steps are ordered so that every prefix leaves a state from which re-planning yields exactly
the remaining steps: that is what makes ``setup`` and ``teardown`` resumable and idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from quirks.cognito.model import (
    CLOUDFRONT_HOSTED_ZONE_ID,
    AliasTarget,
    RecordSet,
    placeholder_marker,
    placeholder_record,
)

if TYPE_CHECKING:
    from quirks.cognito.model import Observed

__all__ = [
    "ACTIVE",
    "Change",
    "ChangeAction",
    "CreateBranding",
    "CreateDomain",
    "CreatePlaceholder",
    "DeleteAliases",
    "DeleteDomain",
    "RemovePlaceholder",
    "Step",
    "UpdateDomain",
    "UpsertAliases",
    "WaitForActive",
    "alias_records",
    "changes_of",
    "describe",
    "plan_setup",
    "plan_teardown",
]

ACTIVE = "ACTIVE"


ChangeAction = Literal["CREATE", "UPSERT", "DELETE"]
"""A Route 53 change's action (``ChangeResourceRecordSets``)."""


@dataclass(frozen=True)
class Change:
    """One change of a Route53 change batch."""

    action: ChangeAction
    record: RecordSet

    def to_api(self) -> dict[str, object]:
        return {"Action": self.action, "ResourceRecordSet": self.record.to_api()}


@dataclass(frozen=True)
class CreatePlaceholder:
    """Create the parent's placeholder A record and its TXT marker in one atomic batch.

    The A record uses CREATE, not UPSERT: if someone adds an A record between our read and our
    write, Route53 rejects the batch instead of us overwriting their record.
    """

    zone_id: str
    record: RecordSet
    marker: RecordSet

    def changes(self) -> list[Change]:
        return [Change("CREATE", self.record), Change("UPSERT", self.marker)]


@dataclass(frozen=True)
class CreateDomain:
    pool_id: str
    domain: str
    certificate_arn: str
    managed_login_version: int | None


@dataclass(frozen=True)
class UpdateDomain:
    """The domain exists for this pool with another certificate or managed login version."""

    pool_id: str
    domain: str
    certificate_arn: str
    managed_login_version: int | None


@dataclass(frozen=True)
class CreateBranding:
    """A managed login (v2) branding with Cognito-provided values for one app client."""

    pool_id: str
    client_id: str


@dataclass(frozen=True)
class WaitForActive:
    domain: str


@dataclass(frozen=True)
class UpsertAliases:
    """Alias A and AAAA records to the domain's CloudFront domain.

    ``target`` is ``None`` when the domain does not exist yet: the executor takes the CloudFront
    domain that creating it returned.
    """

    zone_id: str
    domain: str
    target: str | None

    def changes(self, target: str | None = None) -> list[Change]:
        dns_name = target or self.target or "<CloudFront domain returned by Cognito>"
        return [Change("UPSERT", r) for r in alias_records(self.domain, dns_name)]


@dataclass(frozen=True)
class RemovePlaceholder:
    """Delete the placeholder (if it is still exactly ours) and its marker, as they are now."""

    zone_id: str
    records: tuple[RecordSet, ...]

    def changes(self) -> list[Change]:
        return [Change("DELETE", r) for r in self.records]


@dataclass(frozen=True)
class DeleteAliases:
    zone_id: str
    records: tuple[RecordSet, ...]

    def changes(self) -> list[Change]:
        return [Change("DELETE", r) for r in self.records]


@dataclass(frozen=True)
class DeleteDomain:
    pool_id: str
    domain: str


Step = (
    CreatePlaceholder
    | CreateDomain
    | UpdateDomain
    | CreateBranding
    | WaitForActive
    | UpsertAliases
    | RemovePlaceholder
    | DeleteAliases
    | DeleteDomain
)


def alias_records(domain: str, cloudfront_domain: str) -> list[RecordSet]:
    """The alias A and AAAA records a custom domain needs (CloudFront's zone id, no health check)."""
    target = AliasTarget(CLOUDFRONT_HOSTED_ZONE_ID, cloudfront_domain, False)
    return [RecordSet(domain, "A", alias=target), RecordSet(domain, "AAAA", alias=target)]


def changes_of(step: Step) -> list[Change]:
    """The Route53 changes of a step (empty for Cognito steps)."""
    if isinstance(step, CreatePlaceholder | UpsertAliases | RemovePlaceholder | DeleteAliases):
        return step.changes()
    return []


def describe(step: Step) -> str:
    """One line for humans: what the step does."""
    match step:
        case CreatePlaceholder():
            return (
                f"create placeholder {step.record.describe()} and marker "
                f"{step.marker.name} TXT (zone {step.zone_id})"
            )
        case CreateDomain():
            version = (
                f", managed login v{step.managed_login_version}"
                if step.managed_login_version
                else ""
            )
            return f"create custom domain {step.domain} for pool {step.pool_id}{version}"
        case UpdateDomain():
            return f"update custom domain {step.domain}: certificate {step.certificate_arn}" + (
                f", managed login v{step.managed_login_version}"
                if step.managed_login_version
                else ""
            )
        case CreateBranding():
            return f"create managed login branding (Cognito-provided values) for client {step.client_id}"
        case WaitForActive():
            return f"wait until {step.domain} is ACTIVE"
        case UpsertAliases():
            target = step.target or "the CloudFront domain Cognito returns"
            return f"upsert alias A and AAAA {step.domain} -> {target} (zone {step.zone_id})"
        case RemovePlaceholder():
            return "remove " + ", ".join(r.describe() for r in step.records)
        case DeleteAliases():
            return "delete " + ", ".join(r.describe() for r in step.records)
        case DeleteDomain():
            return f"delete custom domain {step.domain} of pool {step.pool_id}"


def _placeholder_records(observed: Observed) -> tuple[RecordSet, ...]:
    """The parent's placeholder records that are ours, exactly as they are now."""
    parent = observed.parent
    if parent.marker is None or parent.zone is None:
        return ()
    if parent.placeholder_is_ours and parent.a_record is not None:
        return (parent.a_record, parent.marker)
    return (parent.marker,)  # the A record was changed by someone: it is theirs now


def plan_setup(observed: Observed) -> list[Step]:
    """The steps that finish the setup; empty when there is nothing to do.

    Call it only when :func:`quirks.cognito.checks.run_checks` found no failure.
    """
    request = observed.request
    parent = observed.parent
    domain = observed.domain if observed.domain_is_ours else None
    zone = observed.zone
    assert zone is not None, "plan_setup needs the hosted zone (run the checks first)"
    steps: list[Step] = []
    updated = False

    removals = _placeholder_records(observed)
    if domain is None:
        if parent.a_record is None and parent.zone is not None and parent.name is not None:
            record = placeholder_record(parent.name, request.placeholder_ip)
            marker = placeholder_marker(parent.name, request.placeholder_ip, request.domain)
            steps.append(CreatePlaceholder(parent.zone.id, record, marker))
            removals = (record, marker)
        steps.append(
            CreateDomain(
                request.pool_id,
                request.domain,
                request.certificate_arn,
                request.managed_login_version,
            )
        )
    else:
        wrong_certificate = domain.certificate_arn not in (None, request.certificate_arn)
        wrong_version = (
            request.managed_login_version is not None
            and domain.managed_login_version is not None
            and domain.managed_login_version != request.managed_login_version
        )
        if wrong_certificate or wrong_version:
            # The update puts the domain back to UPDATING and returns its CloudFront domain, which
            # the aliases then follow: the domain is treated as new from here on.
            updated = True
            steps.append(
                UpdateDomain(
                    request.pool_id,
                    request.domain,
                    request.certificate_arn,
                    request.managed_login_version,
                )
            )

    if request.managed_login_version == 2:
        steps.extend(CreateBranding(request.pool_id, c) for c in observed.clients_without_branding)

    if domain is None or updated or domain.status != ACTIVE:
        steps.append(WaitForActive(request.domain))

    target = domain.cloudfront_domain if domain is not None and not updated else None
    wanted = set(alias_records(request.domain, target)) if target else None
    present = {r for r in observed.domain_records if r.type in ("A", "AAAA")}
    if wanted is None or not wanted <= present:
        steps.append(UpsertAliases(zone.id, request.domain, target))

    if removals and parent.zone is not None:
        steps.append(RemovePlaceholder(parent.zone.id, removals))
    return steps


def plan_teardown(observed: Observed) -> list[Step]:
    """The steps that remove what setup made: aliases, then the domain, then our placeholder.

    Aliases go first, while the domain still tells us its CloudFront domain: only alias records
    pointing at exactly that distribution are deleted.
    """
    request = observed.request
    domain = observed.domain if observed.domain_is_ours else None
    steps: list[Step] = []
    if domain is not None and domain.cloudfront_domain and observed.zone is not None:
        ours = set(alias_records(request.domain, domain.cloudfront_domain))
        aliases = tuple(r for r in observed.domain_records if r in ours)
        if aliases:
            steps.append(DeleteAliases(observed.zone.id, aliases))
    if domain is not None:
        steps.append(DeleteDomain(request.pool_id, request.domain))
    removals = _placeholder_records(observed)
    if removals and observed.parent.zone is not None:
        steps.append(RemovePlaceholder(observed.parent.zone.id, removals))
    return steps
