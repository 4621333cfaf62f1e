"""Resumability as a property: from any valid starting state, after any prefix of the plan, the
planner yields exactly the rest; after all of it, nothing. AWS is simulated by a tiny in-memory
model that, like Route53, rejects a DELETE whose record set is not exactly the current one and a
CREATE of a record set that exists."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hypothesis import given
from hypothesis import strategies as st

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
    marker_name,
    placeholder_marker,
    placeholder_record,
)
from quirks.cognito.plan import (
    ACTIVE,
    CreateBranding,
    CreateDomain,
    CreatePlaceholder,
    DeleteAliases,
    DeleteDomain,
    RemovePlaceholder,
    Step,
    UpdateDomain,
    UpsertAliases,
    WaitForActive,
    alias_records,
    changes_of,
    plan_setup,
    plan_teardown,
)

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/new"
ZONE = HostedZone("Z1", "example.com")
DOMAIN = "auth.example.com"
CLIENTS = ("c1", "c2")


@dataclass
class Sim:
    """The account: one zone's records, the domain, the brandings."""

    request: Request
    records: dict[tuple[str, str], RecordSet] = field(default_factory=dict)
    domain: DomainState | None = None
    brandings: set[str] = field(default_factory=set)

    def observe(self) -> Observed:
        parent_a = self.records.get(("example.com", "A"))
        marker = self.records.get((marker_name("example.com"), "TXT"))
        at_domain = tuple(r for (n, _), r in sorted(self.records.items()) if n == DOMAIN)
        return Observed(
            request=self.request,
            pool=Pool("pool", DOMAIN if self.domain else None, CLIENTS),
            domain=self.domain,
            zone=ZONE,
            zone_problem=None,
            domain_records=at_domain,
            parent=ParentState("example.com", ZONE, parent_a, marker),
            certificate=Certificate(CERT, "us-east-1", "ISSUED", (DOMAIN,)),
            clients_without_branding=tuple(c for c in CLIENTS if c not in self.brandings),
        )

    def apply(self, step: Step) -> None:
        for change in changes_of(step) if not isinstance(step, UpsertAliases) else []:
            key = (change.record.name, change.record.type)
            if change.action == "CREATE":
                assert key not in self.records, f"Route53 rejects CREATE of existing {key}"
            if change.action == "DELETE":
                assert self.records.get(key) == change.record, "DELETE must match exactly"
                del self.records[key]
            else:
                self.records[key] = change.record
        match step:
            case CreateDomain():
                self.domain = DomainState(DOMAIN, "pool", "CREATING", "dnew.cloudfront.net", CERT)
            case UpdateDomain():
                assert self.domain is not None
                # As in moto, a new certificate means a new CloudFront domain (the worst case: when
                # AWS keeps the old one, the re-plan simply has no alias step left to do).
                self.domain = replace(
                    self.domain,
                    certificate_arn=CERT,
                    status="UPDATING",
                    cloudfront_domain="dupdated.cloudfront.net",
                )
            case WaitForActive():
                assert self.domain is not None
                self.domain = replace(self.domain, status=ACTIVE)
            case UpsertAliases():
                assert self.domain is not None
                for record in alias_records(
                    DOMAIN, step.target or str(self.domain.cloudfront_domain)
                ):
                    self.records[(record.name, record.type)] = record
            case CreateBranding():
                self.brandings.add(step.client_id)
            case DeleteDomain():
                self.domain = None
            case _:
                pass


def resolved(steps: list[Step], sim: Sim) -> list[Step]:
    """Steps with the alias target filled in, as the executor would once the domain exists."""
    cloudfront = sim.domain.cloudfront_domain if sim.domain else None
    return [
        replace(s, target=cloudfront) if isinstance(s, UpsertAliases) and s.target is None else s
        for s in steps
    ]


@st.composite
def starting_states(draw: st.DrawFn) -> Sim:
    version = draw(st.sampled_from([None, 1, 2]))
    sim = Sim(Request("pool", DOMAIN, CERT, managed_login_version=version))
    parent = draw(st.sampled_from(["none", "theirs", "ours", "ours-changed", "marker-only"]))
    if parent == "theirs":
        sim.records[("example.com", "A")] = RecordSet("example.com", "A", 300, ("203.0.113.1",))
    if parent in ("ours", "ours-changed", "marker-only"):
        marker = placeholder_marker("example.com", "192.0.2.1", DOMAIN)
        sim.records[(marker.name, "TXT")] = marker
    if parent == "ours":
        sim.records[("example.com", "A")] = placeholder_record("example.com", "192.0.2.1")
    if parent == "ours-changed":
        sim.records[("example.com", "A")] = RecordSet("example.com", "A", 60, ("203.0.113.2",))
    domain = draw(st.sampled_from(["none", "creating", "active", "old-cert"]))
    if domain != "none":
        status = "CREATING" if domain == "creating" else ACTIVE
        cert = CERT + "-old" if domain == "old-cert" else CERT
        sim.domain = DomainState(DOMAIN, "pool", status, "dold.cloudfront.net", cert)
        aliases = draw(st.sampled_from(["none", "current", "a-only"]))
        if aliases != "none":
            records = alias_records(DOMAIN, "dold.cloudfront.net")
            for record in records[: 1 if aliases == "a-only" else 2]:
                sim.records[(record.name, record.type)] = record
    sim.brandings = set(draw(st.sets(st.sampled_from(CLIENTS))))
    return sim


@given(starting_states(), st.data())
def test_setup_resumes_from_any_prefix(sim: Sim, data: st.DataObject) -> None:
    observed = sim.observe()
    assert not [c for c in run_checks(observed) if c.status is CheckStatus.FAIL]
    theirs = None if observed.parent.placeholder_is_ours else observed.parent.a_record
    plan = plan_setup(observed)
    done = data.draw(st.integers(0, len(plan)))
    for step in plan[:done]:
        sim.apply(step)
    assert resolved(plan_setup(sim.observe()), sim) == resolved(plan[done:], sim)
    for step in plan[done:]:
        sim.apply(step)
    final = sim.observe()
    assert plan_setup(final) == []
    assert sim.domain is not None
    assert sim.domain.status == ACTIVE
    assert set(final.domain_records) == set(
        alias_records(DOMAIN, str(sim.domain.cloudfront_domain))
    )
    assert final.parent.marker is None
    assert final.parent.a_record == theirs  # their A record stays; our placeholder is gone
    if sim.request.managed_login_version == 2:
        assert sim.brandings == set(CLIENTS)


@given(starting_states(), st.data())
def test_teardown_resumes_from_any_prefix_and_keeps_what_is_not_ours(
    sim: Sim, data: st.DataObject
) -> None:
    theirs = {k: r for k, r in sim.records.items() if k[0] == "example.com"}
    if sim.observe().parent.placeholder_is_ours:
        theirs = {}
    plan = plan_teardown(sim.observe())
    done = data.draw(st.integers(0, len(plan)))
    for step in plan[:done]:
        sim.apply(step)
    assert plan_teardown(sim.observe()) == plan[done:]
    for step in plan[done:]:
        sim.apply(step)
    assert plan_teardown(sim.observe()) == []
    assert sim.domain is None
    assert {k: r for k, r in sim.records.items() if k[0] == "example.com"} == theirs
    assert (marker_name("example.com"), "TXT") not in sim.records
    assert all(isinstance(s, DeleteAliases | DeleteDomain | RemovePlaceholder) for s in plan)
    assert not any(isinstance(s, CreatePlaceholder) for s in plan)
