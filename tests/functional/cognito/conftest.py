"""moto-backed fixtures for the Cognito custom domain: a pool, zones, certificates, recording clients."""

from __future__ import annotations

import copy
import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.validate import validate_parameters
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from quirks import aws
from quirks.aws_errors import mapped_class
from quirks.cognito import Request
from quirks.cognito.model import RecordSet
from tests.support.clients import OverriddenClients

DOMAIN = "auth.example.com"
PARENT = "example.com"


class RecordingRoute53:
    """The moto Route53 client, keeping every change batch sent (moto accepts what AWS rejects)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.batches: list[dict[str, Any]] = []

    def change_resource_record_sets(self, **kwargs: Any) -> Any:
        self.batches.append(copy.deepcopy(kwargs))
        return self.inner.change_resource_record_sets(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def changes(self) -> list[tuple[str, str, str]]:
        """(action, name, type) of every change sent, in order."""
        return [
            (c["Action"], c["ResourceRecordSet"]["Name"], c["ResourceRecordSet"]["Type"])
            for batch in self.batches
            for c in batch["ChangeBatch"]["Changes"]
        ]


class CognitoWithBrandings:
    """moto's Cognito client plus the managed login branding calls moto does not implement.

    Requests are validated against botocore's service model, so a wrong parameter still fails.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.brandings: dict[tuple[str, str], dict[str, Any]] = {}
        self.model = inner.meta.service_model

    def _validate(self, operation: str, params: dict[str, Any]) -> None:
        validate_parameters(params, self.model.operation_model(operation).input_shape)

    def create_managed_login_branding(self, **params: Any) -> dict[str, Any]:
        self._validate("CreateManagedLoginBranding", params)
        key = (params["UserPoolId"], params["ClientId"])
        if key in self.brandings:
            raise mapped_class(ClientError)(  # as the client seam raises it
                {"Error": {"Code": "ManagedLoginBrandingExistsException", "Message": "exists"}},
                "CreateManagedLoginBranding",
            )
        branding = {"ManagedLoginBrandingId": str(uuid.uuid4()), "UserPoolId": key[0], **params}
        self.brandings[key] = branding
        return {"ManagedLoginBranding": branding}

    def describe_managed_login_branding_by_client(self, **params: Any) -> dict[str, Any]:
        self._validate("DescribeManagedLoginBrandingByClient", params)
        key = (params["UserPoolId"], params["ClientId"])
        if key not in self.brandings:
            raise mapped_class(ClientError)(  # as the client seam raises it
                {"Error": {"Code": "ResourceNotFoundException", "Message": "no branding"}},
                "DescribeManagedLoginBrandingByClient",
            )
        return {"ManagedLoginBranding": self.brandings[key]}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def self_signed(*names: str) -> tuple[bytes, bytes]:
    """A certificate (PEM) for ``names`` (the first is the common name) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


@dataclass
class World:
    """The moto account a test sets up, and helpers to look at it."""

    clients: OverriddenClients
    route53: RecordingRoute53
    cognito: CognitoWithBrandings
    pool_id: str = ""
    client_ids: list[str] = field(default_factory=list)
    zone_id: str = ""

    def certificate(self, *names: str, region: str = "us-east-1") -> str:
        pem, key = self_signed(*names)
        return aws.client("acm", region=region).import_certificate(Certificate=pem, PrivateKey=key)[
            "CertificateArn"
        ]

    def zone(self, name: str, *, private: bool = False) -> str:
        kwargs: dict[str, Any] = {"Name": name, "CallerReference": str(uuid.uuid4())}
        if private:
            kwargs["VPC"] = {"VPCRegion": "us-east-1", "VPCId": "vpc-12345678"}
            kwargs["HostedZoneConfig"] = {"PrivateZone": True}
        zone = self.route53.inner.create_hosted_zone(**kwargs)
        return str(zone["HostedZone"]["Id"]).rsplit("/", 1)[-1]

    def put(self, zone_id: str, record: RecordSet) -> None:
        """Add a record behind the recorder's back (as someone else would)."""
        self.route53.inner.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": record.to_api()}]},
        )

    def records(self, zone_id: str | None = None) -> set[RecordSet]:
        """Every record in the zone except the SOA and NS ones moto creates."""
        pages = self.route53.inner.get_paginator("list_resource_record_sets").paginate(
            HostedZoneId=zone_id or self.zone_id
        )
        return {
            RecordSet.from_api(raw)
            for page in pages
            for raw in page["ResourceRecordSets"]
            if raw["Type"] not in ("SOA", "NS")
        }

    def domain(self, domain: str = DOMAIN) -> dict[str, Any]:
        return dict(
            self.cognito.inner.describe_user_pool_domain(Domain=domain)["DomainDescription"]
        )

    def request(self, certificate_arn: str, **changes: Any) -> Request:
        return Request(self.pool_id, changes.pop("domain", DOMAIN), certificate_arn, **changes)


@pytest.fixture
def world(aws_env: aws.ClientFactory) -> World:
    """A pool with two app clients and the public zone example.com."""
    route53 = RecordingRoute53(aws.client("route53"))
    cognito = CognitoWithBrandings(aws.client("cognito-idp"))
    clients = OverriddenClients(aws_env, {"route53": route53, "cognito-idp": cognito})
    w = World(clients, route53, cognito)
    w.pool_id = cognito.inner.create_user_pool(PoolName="users")["UserPool"]["Id"]
    for name in ("web", "mobile"):
        created = cognito.inner.create_user_pool_client(UserPoolId=w.pool_id, ClientName=name)
        w.client_ids.append(created["UserPoolClient"]["ClientId"])
    w.zone_id = w.zone(PARENT)
    return w


def no_dns(name: str) -> bool:
    """A resolver for tests: nothing resolves (no network)."""
    return False
