"""teardown removes only what setup made; waits time out; managed login v2 brandings."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from quirks import aws
from quirks.aws_errors import mapped_class
from quirks.cognito import Executor, StepFailed, observe, plan_teardown, setup, teardown
from quirks.cognito.model import RecordSet, marker_name, placeholder_marker, placeholder_record
from quirks.cognito.plan import CreateBranding, CreateDomain, CreatePlaceholder, WaitForActive
from tests.functional.cognito.conftest import DOMAIN, PARENT, World, no_dns
from tests.support.clients import OverriddenClients


def executor(world: World, **kwargs: Any) -> Executor:
    return Executor(clients=world.clients, poll_interval=0, sleep=lambda _s: None, **kwargs)


def test_teardown_removes_only_what_setup_made(world: World) -> None:
    theirs = {
        RecordSet("www.example.com", "A", 300, ("203.0.113.8",)),
        RecordSet(PARENT, "TXT", 300, ('"v=spf1 -all"',)),
        RecordSet("login.example.com", "AAAA", 300, ("2001:db8::1",)),
    }
    for record in theirs:
        world.put(world.zone_id, record)
    cert = world.certificate(DOMAIN)
    assert setup(world.request(cert), no_dns, clients=world.clients, executor=executor(world)).ok
    world.route53.batches.clear()

    report = teardown(world.request(""), clients=world.clients, executor=executor(world))
    assert report.status == "done", report.error
    assert world.records() == theirs
    assert world.domain() == {}
    assert world.route53.changes() == [
        ("DELETE", f"{DOMAIN}.", "A"),
        ("DELETE", f"{DOMAIN}.", "AAAA"),
    ]
    assert teardown(world.request(""), clients=world.clients).status == "nothing-to-do"


def test_teardown_after_interrupted_setup_removes_our_placeholder(world: World) -> None:
    cert = world.certificate(DOMAIN)
    request = world.request(cert)
    steps = setup(request, no_dns, clients=world.clients, dry_run=True).plan
    assert [type(s) for s in steps[:2]] == [CreatePlaceholder, CreateDomain]
    executor(world).run(steps[:2])
    assert placeholder_record(PARENT, "192.0.2.1") in world.records()

    report = teardown(world.request(""), clients=world.clients, executor=executor(world))
    assert report.status == "done", report.error
    assert [type(s).__name__ for s in report.plan] == ["DeleteDomain", "RemovePlaceholder"]
    assert world.records() == set()


def test_placeholder_changed_by_someone_else_is_left_in_place(world: World) -> None:
    ip = "192.0.2.1"
    marker = placeholder_marker(PARENT, ip, DOMAIN)
    world.put(world.zone_id, marker)
    world.put(world.zone_id, RecordSet(PARENT, "A", 300, ("203.0.113.9",)))  # now a real record

    report = teardown(world.request(""), clients=world.clients, executor=executor(world))
    assert report.status == "done", report.error
    assert world.records() == {RecordSet(PARENT, "A", 300, ("203.0.113.9",))}
    assert world.route53.changes() == [("DELETE", f"{marker_name(PARENT)}.", "TXT")]


@pytest.mark.parametrize("completed", [1, 2])
def test_interrupted_teardown_resumes(world: World, completed: int) -> None:
    cert = world.certificate(DOMAIN)
    assert setup(world.request(cert), no_dns, clients=world.clients, executor=executor(world)).ok
    steps = plan_teardown(
        observe(world.request(""), no_dns, clients=world.clients, certificate=False)
    )
    assert [type(s).__name__ for s in steps] == ["DeleteAliases", "DeleteDomain"]
    executor(world).run(steps[:completed])
    rest = plan_teardown(
        observe(world.request(""), no_dns, clients=world.clients, certificate=False)
    )
    assert rest == steps[completed:]
    assert teardown(world.request(""), clients=world.clients, executor=executor(world)).ok
    assert world.records() == set()
    assert world.domain() == {}


class SlowDomains:
    """Cognito that reports the domain CREATING for the first ``creating`` describes (as AWS does)."""

    def __init__(self, inner: Any, creating: int) -> None:
        self.inner = inner
        self.creating = creating

    def describe_user_pool_domain(self, **kwargs: Any) -> Any:
        response = self.inner.describe_user_pool_domain(**kwargs)
        if self.creating > 0 and response["DomainDescription"]:
            self.creating -= 1
            response["DomainDescription"]["Status"] = "CREATING"
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_setup_waits_for_active_then_adds_aliases(world: World) -> None:
    world.clients.doubles["cognito-idp"] = SlowDomains(world.cognito, creating=3)
    waits: list[str] = []
    naps: list[float] = []
    run = Executor(clients=world.clients, poll_interval=5, sleep=naps.append, on_wait=waits.append)
    report = setup(
        world.request(world.certificate(DOMAIN)), no_dns, clients=world.clients, executor=run
    )
    assert report.status == "done", report.error
    assert naps == [5, 5, 5]
    assert waits == [f"{DOMAIN} is CREATING, waiting for ACTIVE"] * 3


def test_setup_times_out_and_a_rerun_resumes(world: World) -> None:
    world.clients.doubles["cognito-idp"] = SlowDomains(world.cognito, creating=1000)
    clock = iter(range(0, 10_000, 10))
    run = Executor(
        clients=world.clients,
        timeout=60,
        poll_interval=10,
        sleep=lambda _s: None,
        clock=lambda: next(clock),
    )
    cert = world.certificate(DOMAIN)
    report = setup(world.request(cert), no_dns, clients=world.clients, executor=run)
    assert report.status == "step-failed"
    assert isinstance(report.plan[len(report.done)], WaitForActive)
    assert "still CREATING after 60 s" in (report.error or "")
    # Once Cognito is done, a re-run finishes the remaining steps only.
    world.clients.doubles["cognito-idp"] = world.cognito
    again = setup(world.request(cert), no_dns, clients=world.clients, executor=executor(world))
    assert [type(s).__name__ for s in again.plan] == ["UpsertAliases", "RemovePlaceholder"]
    assert again.status == "done"


def test_create_domain_retries_while_cognito_cannot_resolve_the_new_placeholder(
    world: World,
) -> None:
    class Unresolved:
        def __init__(self, inner: Any) -> None:
            self.inner, self.refusals = inner, 2

        def create_user_pool_domain(self, **kwargs: Any) -> Any:
            if self.refusals:
                self.refusals -= 1
                raise mapped_class(ClientError)(  # as the client seam raises it
                    {
                        "Error": {
                            "Code": "InvalidParameterException",
                            "Message": "Custom domain is not a valid subdomain: Was not able to "
                            "resolve the root domain, please ensure an A record exists for the "
                            "root domain.",
                        }
                    },
                    "CreateUserPoolDomain",
                )
            return self.inner.create_user_pool_domain(**kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    world.clients.doubles["cognito-idp"] = Unresolved(world.cognito)
    naps: list[float] = []
    run = Executor(clients=world.clients, poll_interval=3, sleep=naps.append)
    report = setup(
        world.request(world.certificate(DOMAIN)), no_dns, clients=world.clients, executor=run
    )
    assert report.status == "done", report.error
    assert naps == [3, 3]


def test_managed_login_v2_creates_a_branding_per_client_once(world: World) -> None:
    cert = world.certificate(DOMAIN)
    request = world.request(cert, managed_login_version=2)
    report = setup(request, no_dns, clients=world.clients, executor=executor(world))
    assert report.status == "done", report.error
    brandings = [s for s in report.plan if isinstance(s, CreateBranding)]
    assert sorted(b.client_id for b in brandings) == sorted(world.client_ids)
    assert all(b["UseCognitoProvidedValues"] is True for b in world.cognito.brandings.values())
    # A new app client gets one on the next run; the others are left alone.
    new = world.cognito.inner.create_user_pool_client(UserPoolId=world.pool_id, ClientName="cli")
    again = setup(request, no_dns, clients=world.clients, executor=executor(world))
    assert again.plan == [CreateBranding(world.pool_id, new["UserPoolClient"]["ClientId"])]
    assert setup(request, no_dns, clients=world.clients).status == "nothing-to-do"


def test_create_branding_sends_the_documented_request() -> None:
    cognito = aws.client("cognito-idp")
    run = Executor(clients=OverriddenClients(aws.current(), {"cognito-idp": cognito}))
    with Stubber(cognito) as stub:
        stub.add_response(
            "create_managed_login_branding",
            {
                "ManagedLoginBranding": {
                    "ManagedLoginBrandingId": "b-1",
                    "UserPoolId": "us-east-1_x",
                }
            },
            {"UserPoolId": "us-east-1_x", "ClientId": "client1", "UseCognitoProvidedValues": True},
        )
        assert run.run_step(CreateBranding("us-east-1_x", "client1")) == "branding b-1"
        stub.assert_no_pending_responses()


def test_failed_domain_is_reported(world: World) -> None:
    class Failed(SlowDomains):
        def describe_user_pool_domain(self, **kwargs: Any) -> Any:
            response = self.inner.describe_user_pool_domain(**kwargs)
            if response["DomainDescription"]:
                response["DomainDescription"]["Status"] = "FAILED"
            return response

    world.clients.doubles["cognito-idp"] = Failed(world.cognito, 0)
    report = setup(
        world.request(world.certificate(DOMAIN)),
        no_dns,
        clients=world.clients,
        executor=executor(world),
    )
    assert report.status == "step-failed"
    assert "FAILED" in (report.error or "")
    with pytest.raises(StepFailed):
        executor(world).run([WaitForActive(DOMAIN)])


def test_teardown_refuses_the_domain_of_another_pool(world: World) -> None:
    other = world.cognito.inner.create_user_pool(PoolName="other")["UserPool"]["Id"]
    cert = world.certificate(DOMAIN)
    world.cognito.inner.create_user_pool_domain(
        UserPoolId=other, Domain=DOMAIN, CustomDomainConfig={"CertificateArn": cert}
    )
    report = teardown(world.request(""), clients=world.clients)
    assert report.status == "failed-checks"
    assert report.checks[0].fix == f"pass --user-pool-id {other} to tear it down"
    assert world.domain()["UserPoolId"] == other
