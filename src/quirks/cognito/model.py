"""What setup, check and teardown see: typed snapshots of the pool, domain, zones, records, certificate.

Pure data; :mod:`quirks.cognito.observe` fills it from AWS, :mod:`quirks.cognito.checks` and
:mod:`quirks.cognito.plan` read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from quirks.cognito.names import decode_route53_name, fqdn, normalize, parent_of

__all__ = [
    "CLOUDFRONT_HOSTED_ZONE_ID",
    "DEFAULT_PLACEHOLDER_IP",
    "MARKER_LABEL",
    "PLACEHOLDER_TTL",
    "AliasTarget",
    "Certificate",
    "DomainState",
    "HostedZone",
    "Observed",
    "ParentState",
    "Pool",
    "RecordSet",
    "Request",
    "marker_name",
    "placeholder_ip_of",
    "placeholder_marker",
    "placeholder_record",
]

CLOUDFRONT_HOSTED_ZONE_ID = "Z2FDTNDATAQYW2"
"""The hosted zone id of every CloudFront distribution, the target zone of Cognito alias records."""

DEFAULT_PLACEHOLDER_IP = "192.0.2.1"
"""TEST-NET-1 (RFC 5737): reserved for documentation, never someone's real address."""

PLACEHOLDER_TTL = 60
MARKER_LABEL = "_quirks-placeholder"
_MARKER_TEXT = "serverless-quirks placeholder: A {ip} created for {domain}"
_MARKER_IP = re.compile(r"serverless-quirks placeholder: A (\S+) ")


@dataclass(frozen=True)
class AliasTarget:
    """An alias target of a Route53 record set."""

    hosted_zone_id: str
    dns_name: str
    evaluate_target_health: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "dns_name", normalize(self.dns_name))


@dataclass(frozen=True)
class RecordSet:
    """A Route53 resource record set; ``name`` is normalized (lower case, no trailing dot).

    ``to_api`` gives back exactly what Route53 stores, which is what a DELETE must send.
    """

    name: str
    type: str
    ttl: int | None = None
    values: tuple[str, ...] = ()
    alias: AliasTarget | None = None
    set_identifier: str | None = None
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", normalize(self.name))

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> RecordSet:
        """From an item of ``ListResourceRecordSets``; unknown fields are kept for an exact DELETE."""
        alias = raw.get("AliasTarget")
        known = {"Name", "Type", "TTL", "ResourceRecords", "AliasTarget", "SetIdentifier"}
        return cls(
            name=decode_route53_name(raw["Name"]),
            type=raw["Type"],
            ttl=int(raw["TTL"]) if raw.get("TTL") is not None else None,
            values=tuple(r["Value"] for r in raw.get("ResourceRecords", [])),
            alias=AliasTarget(
                alias["HostedZoneId"], alias["DNSName"], bool(alias.get("EvaluateTargetHealth"))
            )
            if alias
            else None,
            set_identifier=raw.get("SetIdentifier"),
            extra=tuple(sorted((k, v) for k, v in raw.items() if k not in known)),
        )

    def to_api(self) -> dict[str, Any]:
        """The ``ResourceRecordSet`` of a change batch."""
        data: dict[str, Any] = {"Name": fqdn(self.name), "Type": self.type}
        if self.set_identifier is not None:
            data["SetIdentifier"] = self.set_identifier
        data.update(dict(self.extra))
        if self.alias is not None:
            data["AliasTarget"] = {
                "HostedZoneId": self.alias.hosted_zone_id,
                "DNSName": fqdn(self.alias.dns_name),
                "EvaluateTargetHealth": self.alias.evaluate_target_health,
            }
        else:
            data["TTL"] = self.ttl
            data["ResourceRecords"] = [{"Value": v} for v in self.values]
        return data

    @property
    def is_simple(self) -> bool:
        """No routing policy (weighted, latency, ...): the only kind we ever create or delete."""
        return self.set_identifier is None and not self.extra

    def describe(self) -> str:
        """``auth.example.com A alias d123.cloudfront.net`` / ``example.com A 60 192.0.2.1``."""
        if self.alias is not None:
            return f"{self.name} {self.type} alias {self.alias.dns_name}"
        return f"{self.name} {self.ttl} IN {self.type} {' '.join(self.values)}"


@dataclass(frozen=True)
class HostedZone:
    """A public Route53 hosted zone; ``id`` without the ``/hostedzone/`` prefix."""

    id: str
    name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.id.rsplit("/", 1)[-1])
        object.__setattr__(self, "name", decode_route53_name(self.name))


@dataclass(frozen=True)
class Certificate:
    """The ACM certificate as far as it could be read; ``error`` says why it could not."""

    arn: str
    region: str | None
    status: str | None = None
    names: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class Pool:
    """The user pool: its custom domain (if any) and app client ids."""

    id: str
    custom_domain: str | None = None
    client_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DomainState:
    """``DescribeUserPoolDomain`` of the requested domain (whoever owns it).

    ``certificate_arn`` and ``managed_login_version`` are ``None`` when the description omits them.
    """

    domain: str
    pool_id: str
    status: str | None
    cloudfront_domain: str | None
    certificate_arn: str | None = None
    managed_login_version: int | None = None


@dataclass(frozen=True)
class Request:
    """What the user asked for (the CLI options)."""

    pool_id: str
    domain: str
    certificate_arn: str
    hosted_zone_id: str | None = None
    managed_login_version: int | None = None
    placeholder_ip: str = DEFAULT_PLACEHOLDER_IP

    def __post_init__(self) -> None:
        object.__setattr__(self, "domain", normalize(self.domain))

    @property
    def parent(self) -> str | None:
        return parent_of(self.domain)


@dataclass(frozen=True)
class ParentState:
    """The parent domain's A record: from its hosted zone if in this account, else from DNS.

    ``a_record`` is the parent's A record set (alias or not), or its CNAME, which resolvers follow
    to an address just the same. ``resolves`` is ``None`` when DNS was not asked.
    """

    name: str | None
    zone: HostedZone | None = None
    a_record: RecordSet | None = None
    marker: RecordSet | None = None
    resolves: bool | None = None

    @property
    def placeholder_is_ours(self) -> bool:
        """The A record is exactly the placeholder our marker describes."""
        if self.a_record is None or self.marker is None or self.name is None:
            return False
        ip = placeholder_ip_of(self.marker)
        return ip is not None and self.a_record == placeholder_record(self.name, ip)


@dataclass(frozen=True)
class Observed:
    """Everything the checks and the planners need, read once."""

    request: Request
    pool: Pool | None
    domain: DomainState | None
    zone: HostedZone | None
    zone_problem: str | None
    domain_records: tuple[RecordSet, ...]
    parent: ParentState
    certificate: Certificate
    clients_without_branding: tuple[str, ...] = ()

    @property
    def domain_is_ours(self) -> bool:
        """The domain exists and belongs to the requested pool."""
        return self.domain is not None and self.domain.pool_id == self.request.pool_id


def marker_name(parent: str) -> str:
    """The TXT record that marks a placeholder A record on ``parent`` as ours."""
    return f"{MARKER_LABEL}.{normalize(parent)}"


def placeholder_record(parent: str, ip: str) -> RecordSet:
    """The placeholder A record we create on the parent."""
    return RecordSet(parent, "A", PLACEHOLDER_TTL, (ip,))


def placeholder_marker(parent: str, ip: str, domain: str) -> RecordSet:
    """The TXT marker beside the placeholder, naming its address and the domain it was made for."""
    text = _MARKER_TEXT.format(ip=ip, domain=normalize(domain))[:255]  # one TXT string's limit
    return RecordSet(marker_name(parent), "TXT", PLACEHOLDER_TTL, (f'"{text}"',))


def placeholder_ip_of(marker: RecordSet) -> str | None:
    """The address a marker says its placeholder has, or ``None`` if it is not our marker."""
    if marker.type != "TXT" or not marker.is_simple:
        return None
    for value in marker.values:
        match = _MARKER_IP.search(value)
        if match:
            return match.group(1)
    return None
