"""setup against moto: from nothing, resumable, idempotent, with exact Route53 change batches."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from quirks.aws_errors import mapped_class
from quirks.cognito import CLOUDFRONT_HOSTED_ZONE_ID, Executor, observe, plan_setup, setup
from quirks.cognito.model import AliasTarget, RecordSet, marker_name
from quirks.cognito.plan import UpsertAliases, WaitForActive
from tests.functional.cognito.conftest import DOMAIN, PARENT, World, no_dns


def executor(world: World, **kwargs: Any) -> Executor:
    return Executor(clients=world.clients, poll_interval=0, sleep=lambda _s: None, **kwargs)


def aliases(cloudfront: str) -> set[RecordSet]:
    target = AliasTarget(CLOUDFRONT_HOSTED_ZONE_ID, cloudfront)
    return {RecordSet(DOMAIN, "A", alias=target), RecordSet(DOMAIN, "AAAA", alias=target)}


def test_setup_from_nothing_creates_domain_and_aliases_and_removes_placeholder(
    world: World,
) -> None:
    cert = world.certificate(DOMAIN)
    report = setup(world.request(cert), no_dns, clients=world.clients, executor=executor(world))
    assert report.status == "done", report.error
    assert [type(s).__name__ for s in report.plan] == [
        "CreatePlaceholder",
        "CreateDomain",
        "WaitForActive",
        "UpsertAliases",
        "RemovePlaceholder",
    ]
    description = world.domain()
    assert description["UserPoolId"] == world.pool_id
    cloudfront = description["CloudFrontDistribution"]
    # Only the aliases remain: the placeholder and its marker are gone.
    assert world.records() == aliases(cloudfront)
    # Exactly what AWS requires: CREATE for the new placeholder, UPSERT for records we own,
    # DELETE with the exact record sets as they were created.
    assert world.route53.changes() == [
        ("CREATE", f"{PARENT}.", "A"),
        ("UPSERT", f"{marker_name(PARENT)}.", "TXT"),
        ("UPSERT", f"{DOMAIN}.", "A"),
        ("UPSERT", f"{DOMAIN}.", "AAAA"),
        ("DELETE", f"{PARENT}.", "A"),
        ("DELETE", f"{marker_name(PARENT)}.", "TXT"),
    ]
    created, alias_batch, deleted = (b["ChangeBatch"]["Changes"] for b in world.route53.batches)
    assert created[0]["ResourceRecordSet"] == {
        "Name": f"{PARENT}.",
        "Type": "A",
        "TTL": 60,
        "ResourceRecords": [{"Value": "192.0.2.1"}],
    }
    assert [c["ResourceRecordSet"] for c in deleted] == [c["ResourceRecordSet"] for c in created]
    assert alias_batch[0]["ResourceRecordSet"]["AliasTarget"] == {
        "HostedZoneId": "Z2FDTNDATAQYW2",
        "DNSName": f"{cloudfront}.",
        "EvaluateTargetHealth": False,
    }


def test_second_setup_changes_nothing(world: World) -> None:
    cert = world.certificate(DOMAIN)
    assert setup(world.request(cert), no_dns, clients=world.clients, executor=executor(world)).ok
    before = world.records()
    sent = len(world.route53.batches)
    again = setup(world.request(cert), no_dns, clients=world.clients, executor=executor(world))
    assert again.status == "nothing-to-do"
    assert again.plan == []
    assert len(world.route53.batches) == sent
    assert world.records() == before


def test_parent_with_an_a_record_is_left_untouched(world: World) -> None:
    theirs = RecordSet(PARENT, "A", 300, ("203.0.113.7",))
    world.put(world.zone_id, theirs)
    cert = world.certificate(f"*.{PARENT}")
    report = setup(world.request(cert), no_dns, clients=world.clients, executor=executor(world))
    assert report.status == "done", report.error
    assert [type(s).__name__ for s in report.plan] == [
        "CreateDomain",
        "WaitForActive",
        "UpsertAliases",
    ]
    assert theirs in world.records()
    assert all(name != f"{PARENT}." for _, name, _ in world.route53.changes())


class Interrupted(Exception):
    pass


def final_state(world: World) -> tuple[Any, ...]:
    description = world.domain()
    return (description["UserPoolId"], description["Status"], frozenset(world.records()))


@pytest.mark.parametrize("completed", [1, 2, 3, 4])
def test_interrupted_after_each_step_a_rerun_finishes_the_job(world: World, completed: int) -> None:
    cert = world.certificate(DOMAIN)
    request = world.request(cert)
    original = plan_setup(observe(request, no_dns, clients=world.clients))

    done: list[Any] = []

    def crash_after_step(result: Any) -> None:
        done.append(result)
        if len(done) == completed:
            raise Interrupted

    with pytest.raises(Interrupted):
        executor(world).run(original, crash_after_step)

    remaining = plan_setup(observe(request, no_dns, clients=world.clients))

    # moto makes domains ACTIVE at once, so the wait disappears; the alias target becomes known.
    def kinds(steps: list[Any]) -> list[str]:
        return [type(s).__name__ for s in steps if not isinstance(s, WaitForActive)]

    assert kinds(remaining) == kinds(original[completed:])
    cloudfront = world.domain().get("CloudFrontDistribution")  # None before CreateDomain ran
    assert [s.target for s in remaining if isinstance(s, UpsertAliases)] in ([], [cloudfront])
    report = setup(request, no_dns, clients=world.clients, executor=executor(world))
    assert report.ok, report.error
    assert (
        setup(request, no_dns, clients=world.clients, executor=executor(world)).status
        == "nothing-to-do"
    )
    assert world.records() == aliases(world.domain()["CloudFrontDistribution"])


class ReportsCertificate:
    """Cognito whose domain descriptions include ``CustomDomainConfig`` as AWS's do (moto omits it)."""

    def __init__(self, inner: Any, certificate_arn: str) -> None:
        self.inner = inner
        self.certificate_arn = certificate_arn

    def describe_user_pool_domain(self, **kwargs: Any) -> Any:
        response = self.inner.describe_user_pool_domain(**kwargs)
        if response["DomainDescription"]:
            response["DomainDescription"]["CustomDomainConfig"] = {
                "CertificateArn": self.certificate_arn
            }
        return response

    def update_user_pool_domain(self, **kwargs: Any) -> Any:
        response = self.inner.update_user_pool_domain(**kwargs)
        self.certificate_arn = kwargs["CustomDomainConfig"]["CertificateArn"]
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_new_certificate_updates_the_domain_and_follows_its_cloudfront_domain(
    world: World,
) -> None:
    old = world.certificate(DOMAIN)
    world.clients.doubles["cognito-idp"] = ReportsCertificate(world.cognito, old)
    assert setup(world.request(old), no_dns, clients=world.clients, executor=executor(world)).ok
    new = world.certificate(f"*.{PARENT}")
    report = setup(world.request(new), no_dns, clients=world.clients, executor=executor(world))
    assert report.status == "done", report.error
    assert [type(s).__name__ for s in report.plan] == [
        "UpdateDomain",
        "WaitForActive",
        "UpsertAliases",
    ]
    # moto derives the CloudFront domain from the certificate: the aliases must follow it.
    assert world.records() == aliases(world.domain()["CloudFrontDistribution"])
    again = setup(world.request(new), no_dns, clients=world.clients, executor=executor(world))
    assert again.status == "nothing-to-do"


class FailingRoute53:
    """Route53 that rejects the ``fail_at``-th change batch (0-based) once, as a throttled AWS would."""

    def __init__(self, inner: Any, fail_at: int) -> None:
        self.inner = inner
        self.fail_at = fail_at
        self.calls = 0

    def change_resource_record_sets(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls - 1 == self.fail_at:
            raise mapped_class(ClientError)(  # as the client seam raises it
                {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}},
                "ChangeResourceRecordSets",
            )
        return self.inner.change_resource_record_sets(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize(("fail_at", "failed_step"), [(0, 0), (1, 3), (2, 4)])
def test_a_failed_change_batch_stops_setup_and_a_rerun_completes(
    world: World, fail_at: int, failed_step: int
) -> None:
    world.clients.doubles["route53"] = FailingRoute53(world.route53, fail_at)
    request = world.request(world.certificate(DOMAIN))
    report = setup(request, no_dns, clients=world.clients, executor=executor(world))
    assert report.status == "step-failed"
    assert len(report.done) == failed_step
    assert "Throttling: Rate exceeded" in (report.error or "")
    again = setup(request, no_dns, clients=world.clients, executor=executor(world))
    assert again.status == "done", again.error
    assert world.records() == aliases(world.domain()["CloudFrontDistribution"])


def test_parent_with_a_cname_needs_no_placeholder(world: World) -> None:
    world.put(world.zone_id, RecordSet("www.example.com", "CNAME", 60, ("elsewhere.example.org",)))
    cert = world.certificate("auth.www.example.com")
    request = world.request(cert, domain="auth.www.example.com")
    report = setup(request, no_dns, clients=world.clients, dry_run=True)
    assert report.status == "dry-run", report.error
    assert [type(s).__name__ for s in report.plan] == [
        "CreateDomain",
        "WaitForActive",
        "UpsertAliases",
    ]
