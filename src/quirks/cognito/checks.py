"""The named preconditions of a Cognito custom domain, each with pass/fail and the exact fix.

Pure: :func:`run_checks` reads an :class:`~quirks.cognito.model.Observed` snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from quirks.cognito.model import CLOUDFRONT_HOSTED_ZONE_ID, placeholder_record
from quirks.cognito.names import certificate_covers, domain_problem

if TYPE_CHECKING:
    from quirks.cognito.model import Observed, RecordSet

__all__ = [
    "CHECK_NAMES",
    "Check",
    "CheckStatus",
    "failed",
    "required_parent_record",
    "run_checks",
    "run_teardown_checks",
]

ACM_REGION = "us-east-1"


class CheckStatus(StrEnum):
    """``setup`` means: not met yet, and ``setup`` will make it so (the placeholder A record)."""

    PASS = "pass"
    FAIL = "fail"
    SETUP = "setup"


@dataclass(frozen=True)
class Check:
    """One named precondition."""

    name: str
    status: CheckStatus
    detail: str
    fix: str | None = None


CHECK_NAMES = (
    "pool_exists",
    "domain_name",
    "certificate_region",
    "certificate_issued",
    "certificate_covers_domain",
    "hosted_zone",
    "domain_available",
    "domain_records",
    "parent_a_record",
)


def _ok(name: str, detail: str) -> Check:
    return Check(name, CheckStatus.PASS, detail)


def _fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, CheckStatus.FAIL, detail, fix)


def run_checks(observed: Observed) -> list[Check]:
    """Every precondition of ``setup``, in :data:`CHECK_NAMES` order."""
    return [
        _pool(observed),
        _domain_name(observed),
        *_certificate(observed),
        _hosted_zone(observed),
        _domain_available(observed),
        _domain_records(observed),
        _parent(observed),
    ]


def run_teardown_checks(observed: Observed) -> list[Check]:
    """Teardown needs only that the domain, if it exists, is the requested pool's."""
    domain = observed.domain
    name = observed.request.domain
    if domain is None:
        ownership = _ok("domain_owner", f"{name} does not exist (any leftovers are still removed)")
    elif observed.domain_is_ours:
        ownership = _ok("domain_owner", f"{name} belongs to user pool {domain.pool_id}")
    else:
        ownership = _fail(
            "domain_owner",
            f"{name} belongs to user pool {domain.pool_id}, not {observed.request.pool_id}",
            f"pass --user-pool-id {domain.pool_id} to tear it down",
        )
    return [ownership]


def failed(checks: list[Check]) -> list[Check]:
    """The checks that block ``setup``."""
    return [c for c in checks if c.status is CheckStatus.FAIL]


def _pool(observed: Observed) -> Check:
    pool_id = observed.request.pool_id
    if observed.pool is None:
        return _fail(
            "pool_exists",
            f"user pool {pool_id} not found",
            "pass the id of an existing pool (aws cognito-idp list-user-pools --max-results 60)",
        )
    return _ok("pool_exists", f"user pool {pool_id} exists")


def _domain_name(observed: Observed) -> Check:
    problem = domain_problem(observed.request.domain)
    if problem:
        return _fail("domain_name", problem, "pass a subdomain such as auth.example.com")
    return _ok("domain_name", f"{observed.request.domain} has parent {observed.request.parent}")


def _certificate(observed: Observed) -> list[Check]:
    cert = observed.certificate
    domain = observed.request.domain
    checks: list[Check] = []
    if cert.region == ACM_REGION:
        checks.append(_ok("certificate_region", f"certificate is in {ACM_REGION}"))
    else:
        checks.append(
            _fail(
                "certificate_region",
                f"certificate is in {cert.region or 'an unknown region'}, not {ACM_REGION}",
                f"request or import a certificate for {domain} in {ACM_REGION} "
                f"(aws acm request-certificate --region {ACM_REGION} --domain-name {domain})",
            )
        )
    if cert.error is not None:
        reason = f"certificate could not be read: {cert.error}"
        fix = "pass the ARN of an ACM certificate you can describe"
        checks.append(_fail("certificate_issued", reason, fix))
        checks.append(_fail("certificate_covers_domain", reason, fix))
        return checks
    if cert.status == "ISSUED":
        checks.append(_ok("certificate_issued", "certificate is ISSUED"))
    else:
        checks.append(
            _fail(
                "certificate_issued",
                f"certificate status is {cert.status}",
                "complete the certificate's DNS validation (or import an issued certificate) "
                "and wait until it is ISSUED",
            )
        )
    covering = [name for name in cert.names if certificate_covers(name, domain)]
    if covering:
        checks.append(_ok("certificate_covers_domain", f"{covering[0]} covers {domain}"))
    else:
        checks.append(
            _fail(
                "certificate_covers_domain",
                f"certificate names {', '.join(cert.names) or '(none)'} do not cover {domain}",
                f"use a certificate whose domain name or alternative names include {domain} "
                f"or *.{observed.request.parent}",
            )
        )
    return checks


def _hosted_zone(observed: Observed) -> Check:
    zone = observed.zone
    if zone is None:
        return _fail(
            "hosted_zone",
            observed.zone_problem
            or f"no public hosted zone in this account holds {observed.request.domain}",
            "create the public hosted zone, or pass --hosted-zone-id",
        )
    return _ok("hosted_zone", f"{observed.request.domain} is in zone {zone.name} ({zone.id})")


def _domain_available(observed: Observed) -> Check:
    request = observed.request
    domain = observed.domain
    if domain is not None and domain.pool_id != request.pool_id:
        return _fail(
            "domain_available",
            f"{request.domain} is already the domain of user pool {domain.pool_id}",
            f"pick another domain, or run teardown for pool {domain.pool_id} first",
        )
    pool = observed.pool
    if pool is not None and pool.custom_domain not in (None, request.domain):
        return _fail(
            "domain_available",
            f"user pool {pool.id} already has the custom domain {pool.custom_domain}",
            f"tear down {pool.custom_domain} first (a pool has at most one custom domain)",
        )
    if domain is not None:
        return _ok("domain_available", f"{request.domain} already belongs to this pool")
    return _ok("domain_available", f"{request.domain} is not in use")


def _domain_records(observed: Observed) -> Check:
    """Nothing may live at the name, except alias records to CloudFront once the domain is ours.

    Before the domain exists, any A, AAAA or CNAME record there belongs to someone else (a stale
    alias from a domain deleted outside quirks included): we refuse rather than overwrite it.
    """

    def upsertable(record: RecordSet) -> bool:
        return (
            observed.domain_is_ours
            and record.type in ("A", "AAAA")
            and record.alias is not None
            and record.alias.hosted_zone_id == CLOUDFRONT_HOSTED_ZONE_ID
            and record.is_simple
        )

    conflicts = [r for r in observed.domain_records if not upsertable(r)]
    if conflicts:
        return _fail(
            "domain_records",
            "records already at the domain: " + "; ".join(r.describe() for r in conflicts),
            f"remove them from the zone first; {observed.request.domain} needs alias A/AAAA records "
            "to Cognito's CloudFront domain",
        )
    return _ok("domain_records", "no conflicting records at the domain")


def _parent(observed: Observed) -> Check:
    parent = observed.parent
    name = parent.name
    if name is None:
        return _fail("parent_a_record", "the domain has no parent", "pass a subdomain")
    if observed.domain_is_ours:
        return _ok("parent_a_record", "not needed: the domain already exists")
    if parent.a_record is not None:
        ours = " (our placeholder)" if parent.placeholder_is_ours else ""
        return _ok("parent_a_record", f"{parent.a_record.describe()}{ours}")
    if parent.zone is not None:
        return Check(
            "parent_a_record",
            CheckStatus.SETUP,
            f"{name} has no A record in zone {parent.zone.name}; setup creates a placeholder",
            None,
        )
    if parent.resolves:
        return _ok("parent_a_record", f"{name} resolves (DNS)")
    record = required_parent_record(observed)
    return _fail(
        "parent_a_record",
        f"{name} has no A record and its zone is not in this account",
        f"create this record where {name} is hosted, then re-run: {record.describe()}",
    )


def required_parent_record(observed: Observed) -> RecordSet:
    """The placeholder A record a user must create when the parent zone is elsewhere."""
    assert observed.parent.name is not None
    return placeholder_record(observed.parent.name, observed.request.placeholder_ip)
