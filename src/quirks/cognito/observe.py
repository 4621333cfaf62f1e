"""Read the pool, domain, zones, records and certificate into an :class:`Observed` snapshot.

Read-only. AWS clients come from the injected :class:`~quirks.aws.ClientFactory` (default: the
process-wide one; tests pass factories with recording or fault-injecting clients); the parent domain is looked up through an injectable DNS resolver only
when its zone is not in this account.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.arns import Arn
from quirks.cognito.model import (
    Certificate,
    DomainState,
    HostedZone,
    Observed,
    ParentState,
    Pool,
    RecordSet,
    Request,
    marker_name,
)
from quirks.cognito.names import decode_route53_name, fqdn, normalize, suffixes
from quirks.errors import AwsError, UserError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_route53 import Route53Client

__all__ = ["Resolver", "observe", "resolves_to_ipv4"]

Resolver = Callable[[str], bool]
"""``resolver(name)`` is True when ``name`` has a DNS A record."""


def resolves_to_ipv4(name: str) -> bool:
    """The default :data:`Resolver`: the system resolver (``getaddrinfo``) finds an IPv4 address.

    Any resolution failure counts as "no A record": the check then tells the user what to create.
    """
    try:
        return bool(socket.getaddrinfo(name, None, family=socket.AF_INET))
    except (OSError, UnicodeError):
        return False


def observe(
    request: Request,
    resolver: Resolver = resolves_to_ipv4,
    *,
    clients: aws.ClientFactory | None = None,
    brandings: bool = False,
    certificate: bool = True,
) -> Observed:
    """Read everything checks and planners need.

    ``brandings``: also list the app clients without a managed login branding; ``certificate``:
    describe the certificate (teardown does not need it).
    """
    clients = clients or aws.current()
    cognito, route53 = clients.client("cognito-idp"), clients.client("route53")
    pool = _pool(cognito, request.pool_id)
    domain = _domain(cognito, request.domain)
    zone, zone_problem = _zone_for(route53, request)
    records = _records_at(route53, zone.id, request.domain) if zone else ()
    parent = _parent(route53, request, resolver)
    without: tuple[str, ...] = ()
    if brandings and pool is not None:
        without = tuple(c for c in pool.client_ids if not _has_branding(cognito, pool.id, c))
    return Observed(
        request=request,
        pool=pool,
        domain=domain,
        zone=zone,
        zone_problem=zone_problem,
        domain_records=tuple(r for r in records if r.type in ("A", "AAAA", "CNAME")),
        parent=parent,
        certificate=_certificate(clients, request.certificate_arn)
        if certificate
        else Certificate(request.certificate_arn, None, error="not read"),
        clients_without_branding=without,
    )


def _pool(cognito: CognitoIdentityProviderClient, pool_id: str) -> Pool | None:
    try:
        described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    except AwsError as exc:
        if exc.code == "ResourceNotFoundException":
            return None
        raise
    client_ids: list[str] = []
    for page in cognito.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id):
        client_ids.extend(c["ClientId"] for c in page.get("UserPoolClients", []))
    custom = described.get("CustomDomain")
    return Pool(pool_id, normalize(custom) if custom else None, tuple(client_ids))


def _domain(cognito: CognitoIdentityProviderClient, domain: str) -> DomainState | None:
    description: Any = cognito.describe_user_pool_domain(Domain=domain).get("DomainDescription")
    if not description or not description.get("UserPoolId"):
        return None  # Cognito answers an empty description for a free domain
    config = description.get("CustomDomainConfig") or {}
    version = description.get("ManagedLoginVersion")
    cloudfront = description.get("CloudFrontDistribution")
    return DomainState(
        domain=normalize(description.get("Domain") or domain),
        pool_id=description["UserPoolId"],
        status=description.get("Status"),
        cloudfront_domain=normalize(cloudfront) if cloudfront else None,
        certificate_arn=config.get("CertificateArn"),
        managed_login_version=int(version) if version is not None else None,
    )


def _has_branding(cognito: CognitoIdentityProviderClient, pool_id: str, client_id: str) -> bool:
    try:
        cognito.describe_managed_login_branding_by_client(UserPoolId=pool_id, ClientId=client_id)
    except AwsError as exc:
        if exc.code == "ResourceNotFoundException":
            return False
        raise
    return True


def _public_zones_named(route53: Route53Client, name: str) -> list[HostedZone]:
    found: list[HostedZone] = []
    response = route53.list_hosted_zones_by_name(DNSName=fqdn(name), MaxItems="100")
    for raw in response.get("HostedZones", []):
        if decode_route53_name(raw["Name"]) == name and not raw.get("Config", {}).get(
            "PrivateZone", False
        ):
            found.append(HostedZone(raw["Id"], raw["Name"]))
    return found


def find_zone(route53: Route53Client, name: str) -> tuple[HostedZone | None, str | None]:
    """The public zone in this account that holds ``name`` (longest suffix), or why there is none."""
    for candidate in suffixes(name):
        zones = _public_zones_named(route53, candidate)
        if len(zones) > 1:
            ids = ", ".join(z.id for z in zones)
            return (
                None,
                f"several public zones are named {candidate} ({ids}): pass --hosted-zone-id",
            )
        if zones:
            return zones[0], None
    return None, f"no public hosted zone in this account holds {name}"


def _zone_for(route53: Route53Client, request: Request) -> tuple[HostedZone | None, str | None]:
    if request.hosted_zone_id is None:
        return find_zone(route53, request.domain)
    try:
        raw = route53.get_hosted_zone(Id=request.hosted_zone_id)["HostedZone"]
    except AwsError as exc:
        if exc.code in ("NoSuchHostedZone", "InvalidInput"):
            return None, f"hosted zone {request.hosted_zone_id} not found"
        raise
    zone = HostedZone(raw["Id"], raw["Name"])
    if raw.get("Config", {}).get("PrivateZone", False):
        return None, f"hosted zone {zone.id} ({zone.name}) is private; Cognito needs public DNS"
    if request.domain != zone.name and not request.domain.endswith("." + zone.name):
        return None, f"{request.domain} is not in hosted zone {zone.id} ({zone.name})"
    return zone, None


def _records_at(route53: Route53Client, zone_id: str, name: str) -> tuple[RecordSet, ...]:
    """Every record set named exactly ``name`` (they are listed together, in name order)."""
    found: list[RecordSet] = []
    kwargs: dict[str, Any] = {"StartRecordName": fqdn(name)}
    while True:
        page = route53.list_resource_record_sets(HostedZoneId=zone_id, MaxItems="100", **kwargs)
        for raw in page.get("ResourceRecordSets", []):
            record = RecordSet.from_api(dict(raw))
            if record.name != name:
                return tuple(found)
            found.append(record)
        if not page.get("IsTruncated"):
            return tuple(found)
        kwargs = {
            "StartRecordName": page["NextRecordName"],
            "StartRecordType": page["NextRecordType"],
        }
        if page.get("NextRecordIdentifier"):
            kwargs["StartRecordIdentifier"] = page["NextRecordIdentifier"]


def _parent(route53: Route53Client, request: Request, resolver: Resolver) -> ParentState:
    name = request.parent
    if name is None:
        return ParentState(None)
    zone, _ = find_zone(route53, name)
    if zone is None:
        return ParentState(name, resolves=resolver(name))
    records = _records_at(route53, zone.id, name)
    a_record = next((r for r in records if r.type == "A"), None) or next(
        (r for r in records if r.type == "CNAME"), None
    )
    marker = next(
        (r for r in _records_at(route53, zone.id, marker_name(name)) if r.type == "TXT"), None
    )
    return ParentState(name, zone=zone, a_record=a_record, marker=marker)


def _certificate(clients: aws.ClientFactory, arn: str) -> Certificate:
    try:
        region = Arn.parse(arn).region or None
    except UserError:
        return Certificate(arn, None, error=f"{arn!r} is not an ARN")
    if region is None:
        return Certificate(arn, None, error="the ARN has no region")
    try:
        acm = clients.client("acm", region)  # certificates for CloudFront live in us-east-1
        described = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    except AwsError as exc:
        return Certificate(arn, region, error=exc.brief())
    names = [described.get("DomainName", ""), *described.get("SubjectAlternativeNames", [])]
    unique = tuple(dict.fromkeys(normalize(n) for n in names if n))
    return Certificate(arn, region, described.get("Status"), unique)
