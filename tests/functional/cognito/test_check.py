"""The named checks against moto: each failure is caught, with its fix, before any change."""

from __future__ import annotations

import pytest

from quirks import aws
from quirks.cognito import check, setup
from quirks.cognito.model import RecordSet
from tests.functional.cognito.conftest import DOMAIN, PARENT, World, no_dns


def statuses(report: object) -> dict[str, str]:
    return {c.name: c.status.value for c in report.checks}  # type: ignore[attr-defined]


def test_all_checks_pass_and_the_missing_parent_record_is_left_to_setup(world: World) -> None:
    report = check(world.request(world.certificate(DOMAIN)), no_dns, clients=world.clients)
    assert report.status == "ok"
    assert statuses(report) == {
        "pool_exists": "pass",
        "domain_name": "pass",
        "certificate_region": "pass",
        "certificate_issued": "pass",
        "certificate_covers_domain": "pass",
        "hosted_zone": "pass",
        "domain_available": "pass",
        "domain_records": "pass",
        "parent_a_record": "setup",
    }
    assert world.route53.batches == []


def _assert_fails_before_any_change(world: World, arn: str, failing: str, fix_part: str) -> None:
    report = setup(world.request(arn), no_dns, clients=world.clients)
    assert report.status == "failed-checks"
    [failure] = [c for c in report.checks if c.status.value == "fail"]
    assert failure.name == failing
    assert failure.fix is not None
    assert fix_part in failure.fix
    assert report.plan == []
    assert world.route53.batches == []
    assert world.domain() == {}


def test_certificate_in_the_wrong_region_fails_before_any_change(world: World) -> None:
    arn = world.certificate(DOMAIN, region="eu-west-1")
    _assert_fails_before_any_change(world, arn, "certificate_region", "--region us-east-1")


def test_certificate_not_issued_fails_before_any_change(world: World) -> None:
    arn = aws.client("acm", region="us-east-1").request_certificate(DomainName=DOMAIN)[
        "CertificateArn"
    ]
    _assert_fails_before_any_change(world, arn, "certificate_issued", "ISSUED")


def test_certificate_not_covering_the_domain_fails_before_any_change(world: World) -> None:
    arn = world.certificate("login.example.com", "*.other.example.com")
    _assert_fails_before_any_change(world, arn, "certificate_covers_domain", DOMAIN)


def test_unknown_certificate_and_pool_are_reported(world: World) -> None:
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    request = world.request(arn)
    report = check(type(request)("us-east-1_missing", DOMAIN, arn), no_dns, clients=world.clients)
    failing = {c.name for c in report.checks if c.status.value == "fail"}
    assert {"pool_exists", "certificate_issued", "certificate_covers_domain"} <= failing


def test_apex_domain_is_refused(world: World) -> None:
    report = check(
        world.request(world.certificate(PARENT), domain=PARENT), no_dns, clients=world.clients
    )
    assert statuses(report)["domain_name"] == "fail"


def test_domain_of_another_pool_is_refused(world: World) -> None:
    other = world.cognito.inner.create_user_pool(PoolName="other")["UserPool"]["Id"]
    cert = world.certificate(DOMAIN)
    world.cognito.inner.create_user_pool_domain(
        UserPoolId=other, Domain=DOMAIN, CustomDomainConfig={"CertificateArn": cert}
    )
    report = setup(world.request(cert), no_dns, clients=world.clients)
    assert report.status == "failed-checks"
    assert statuses(report)["domain_available"] == "fail"
    assert world.route53.batches == []


def test_cname_at_the_domain_is_a_conflict(world: World) -> None:
    world.put(world.zone_id, RecordSet(DOMAIN, "CNAME", 300, ("elsewhere.example.net",)))
    report = check(world.request(world.certificate(DOMAIN)), no_dns, clients=world.clients)
    assert statuses(report)["domain_records"] == "fail"


def test_no_zone_for_the_domain(world: World) -> None:
    cert = world.certificate("auth.example.org")
    report = check(world.request(cert, domain="auth.example.org"), no_dns, clients=world.clients)
    assert statuses(report)["hosted_zone"] == "fail"


def test_private_zone_is_not_used(world: World) -> None:
    world.zone("example.org", private=True)
    cert = world.certificate("auth.example.org")
    report = check(world.request(cert, domain="auth.example.org"), no_dns, clients=world.clients)
    assert statuses(report)["hosted_zone"] == "fail"


def test_explicit_zone_must_hold_the_domain(world: World) -> None:
    other = world.zone("example.org")
    report = check(
        world.request(world.certificate(DOMAIN), hosted_zone_id=other),
        no_dns,
        clients=world.clients,
    )
    [zone_check] = [c for c in report.checks if c.name == "hosted_zone"]
    assert zone_check.status.value == "fail"
    assert "not in hosted zone" in zone_check.detail


@pytest.mark.parametrize(
    ("resolves", "status"), [(True, "dry-run"), (False, "parent-record-required")]
)
def test_parent_zone_in_another_account_uses_dns(world: World, resolves: bool, status: str) -> None:
    # Only a delegated zone for the domain itself is in this account; example.org lives elsewhere.
    zone = world.zone("auth.example.org")
    asked: list[str] = []

    def resolver(name: str) -> bool:
        asked.append(name)
        return resolves

    cert = world.certificate("auth.example.org")
    report = setup(
        world.request(cert, domain="auth.example.org", hosted_zone_id=zone),
        resolver,
        clients=world.clients,
        dry_run=True,
    )
    assert asked == ["example.org"]
    assert report.status == status
    if not resolves:
        assert report.required_record == RecordSet("example.org", "A", 60, ("192.0.2.1",))
        assert report.plan == []
