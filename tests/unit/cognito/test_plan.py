"""The planners and checks on hand-built snapshots: each state yields exactly the steps left."""

from __future__ import annotations

from dataclasses import replace

from quirks.cognito.checks import CheckStatus, run_checks
from quirks.cognito.model import (
    Certificate,
    DomainState,
    HostedZone,
    Observed,
    ParentState,
    Pool,
    RecordSet,
    Request,
    placeholder_marker,
    placeholder_record,
)
from quirks.cognito.plan import (
    CreateBranding,
    CreateDomain,
    CreatePlaceholder,
    DeleteAliases,
    DeleteDomain,
    RemovePlaceholder,
    UpdateDomain,
    UpsertAliases,
    WaitForActive,
    alias_records,
    changes_of,
    describe,
    plan_setup,
    plan_teardown,
)

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
ZONE = HostedZone("/hostedzone/Z1", "example.com.")
CF = "d111.cloudfront.net"
REQUEST = Request("pool", "auth.example.com", CERT)
MARKER = placeholder_marker("example.com", "192.0.2.1", "auth.example.com")
PLACEHOLDER = placeholder_record("example.com", "192.0.2.1")


def snapshot(**changes: object) -> Observed:
    base = Observed(
        request=REQUEST,
        pool=Pool("pool", None, ("c1", "c2")),
        domain=None,
        zone=ZONE,
        zone_problem=None,
        domain_records=(),
        parent=ParentState("example.com", zone=ZONE),
        certificate=Certificate(CERT, "us-east-1", "ISSUED", ("auth.example.com",)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def active(**changes: object) -> DomainState:
    return replace(DomainState("auth.example.com", "pool", "ACTIVE", CF), **changes)  # type: ignore[arg-type]


def kinds(steps: list[object]) -> list[type]:
    return [type(s) for s in steps]


def test_from_nothing() -> None:
    steps = plan_setup(snapshot())
    assert kinds(steps) == [
        CreatePlaceholder,
        CreateDomain,
        WaitForActive,
        UpsertAliases,
        RemovePlaceholder,
    ]
    assert steps[0] == CreatePlaceholder("Z1", PLACEHOLDER, MARKER)
    assert [c.action for c in changes_of(steps[0])] == ["CREATE", "UPSERT"]
    assert steps[-1] == RemovePlaceholder("Z1", (PLACEHOLDER, MARKER))
    assert all(describe(s) for s in steps)


def test_everything_in_place_plans_nothing() -> None:
    observed = snapshot(
        domain=active(), domain_records=tuple(alias_records("auth.example.com", CF))
    )
    assert plan_setup(observed) == []
    assert all(c.status is CheckStatus.PASS for c in run_checks(observed))


def test_stale_aliases_are_upserted_to_the_current_distribution() -> None:
    stale = tuple(alias_records("auth.example.com", "dold.cloudfront.net"))
    observed = snapshot(domain=active(), domain_records=stale)
    assert plan_setup(observed) == [UpsertAliases("Z1", "auth.example.com", CF)]
    assert (
        next(c for c in run_checks(observed) if c.name == "domain_records").status
        is CheckStatus.PASS
    )


def test_aliases_before_the_domain_exists_are_someone_elses() -> None:
    theirs = tuple(alias_records("auth.example.com", "dtheirs.cloudfront.net"))
    check = next(
        c for c in run_checks(snapshot(domain_records=theirs)) if c.name == "domain_records"
    )
    assert check.status is CheckStatus.FAIL


def test_another_certificate_or_version_updates_the_domain() -> None:
    records = tuple(alias_records("auth.example.com", CF))
    other = snapshot(domain=active(certificate_arn=CERT + "x"), domain_records=records)
    follow = [WaitForActive("auth.example.com"), UpsertAliases("Z1", "auth.example.com", None)]
    assert plan_setup(other) == [UpdateDomain("pool", "auth.example.com", CERT, None), *follow]
    v2 = snapshot(
        request=replace(REQUEST, managed_login_version=2),
        domain=active(certificate_arn=CERT, managed_login_version=1),
        domain_records=records,
        clients_without_branding=("c2",),
    )
    assert plan_setup(v2) == [
        UpdateDomain("pool", "auth.example.com", CERT, 2),
        CreateBranding("pool", "c2"),
        *follow,
    ]


def test_creating_domain_is_waited_for() -> None:
    steps = plan_setup(snapshot(domain=active(status="CREATING")))
    assert steps == [WaitForActive("auth.example.com"), UpsertAliases("Z1", "auth.example.com", CF)]


def test_leftover_placeholder_is_removed_once_active() -> None:
    parent = ParentState("example.com", zone=ZONE, a_record=PLACEHOLDER, marker=MARKER)
    records = tuple(alias_records("auth.example.com", CF))
    steps = plan_setup(snapshot(domain=active(), domain_records=records, parent=parent))
    assert steps == [RemovePlaceholder("Z1", (PLACEHOLDER, MARKER))]


def test_changed_placeholder_keeps_its_a_record() -> None:
    theirs = RecordSet("example.com", "A", 60, ("203.0.113.1",))
    parent = ParentState("example.com", zone=ZONE, a_record=theirs, marker=MARKER)
    records = tuple(alias_records("auth.example.com", CF))
    steps = plan_setup(snapshot(domain=active(), domain_records=records, parent=parent))
    assert steps == [RemovePlaceholder("Z1", (MARKER,))]


def test_marker_without_a_record_recreates_the_placeholder_only_if_the_domain_is_missing() -> None:
    parent = ParentState("example.com", zone=ZONE, marker=MARKER)
    assert kinds(plan_setup(snapshot(parent=parent)))[0] is CreatePlaceholder
    records = tuple(alias_records("auth.example.com", CF))
    assert plan_setup(snapshot(parent=parent, domain=active(), domain_records=records)) == [
        RemovePlaceholder("Z1", (MARKER,))
    ]


def test_parent_resolved_by_dns_needs_no_placeholder() -> None:
    parent = ParentState("example.com", resolves=True)
    assert kinds(plan_setup(snapshot(parent=parent))) == [
        CreateDomain,
        WaitForActive,
        UpsertAliases,
    ]


def test_teardown_deletes_only_aliases_to_our_distribution() -> None:
    ours = alias_records("auth.example.com", CF)
    observed = snapshot(domain=active(), domain_records=(ours[0],))
    assert plan_teardown(observed) == [
        DeleteAliases("Z1", (ours[0],)),
        DeleteDomain("pool", "auth.example.com"),
    ]
    stale = tuple(alias_records("auth.example.com", "dother.cloudfront.net"))
    assert plan_teardown(snapshot(domain=active(), domain_records=stale)) == [
        DeleteDomain("pool", "auth.example.com")
    ]
    assert plan_teardown(snapshot(domain=active(pool_id="other"))) == []
