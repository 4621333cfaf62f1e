"""Every rule against the corpus, from the ``.tf`` files and from the real provider's plan JSON."""

from __future__ import annotations

import pytest

from quirks.audit.rules import RULES
from quirks.audit.service import audit, read_inventory
from tests.audit.support import REPO, STACKS, audit_stack, expected, keys

# For every rule, a resource in the corpus it could apply to and must leave alone.
PASSING = {
    "QRK001": [("streams_good", "table", "orders"), ("global_tables", "table", "audit")],
    "QRK002": [("streams_good", "mapping", "billing <- orders")],
    "QRK003": [("streams_good", "mapping", "search <- orders")],
    "QRK004": [("streams_good", "queue", "orders-pointers")],
    "QRK005": [
        ("async_invokers", "function", "sns-worker"),
        ("async_invokers", "function", "scheduled"),
        ("async_invokers", "invoke-config", "s3-worker"),
        ("async_invokers", "invoke-config", "log-processor"),
        ("async_invokers", "invoke-config", "fanout-target"),
        ("async_invokers", "function", "sdk-invoked"),
    ],
    "QRK006": [("streams_wrong", "function", "billing"), ("streams_wrong", "function", "search")],
    "QRK007": [("streams_good", "function", "billing")],
    "QRK008": [("streams_good", "queue", "orders-pointers")],
    "QRK009": [("queues", "mapping", "ingest <- orders-in")],
    "QRK010": [("queues", "queue", "orders-in")],
    "QRK011": [("logs", "log-group", "/aws/lambda/b")],
    "QRK012": [
        ("cognito", "cognito-domain", "login.shop.example.org"),
        ("cognito", "cognito-domain", "corpus-prefix"),
    ],
    "QRK013": [("timeouts", "function", "alerts"), ("timeouts", "function", "alarms")],
}


@pytest.mark.parametrize("source", ["terraform", "plan"])
@pytest.mark.parametrize("stack", STACKS)
def test_corpus_stack_gives_exactly_the_expected_findings(stack: str, source: str) -> None:
    assert keys(audit_stack(stack, source)) == sorted(
        expected(stack), key=lambda f: (f["rule"], f["kind"], f["name"])
    )


def test_every_rule_has_a_failing_case_in_the_corpus() -> None:
    failing = {f["rule"] for stack in STACKS for f in expected(stack) if "suppressed" not in f}
    assert failing == {rule.id for rule in RULES}


@pytest.mark.parametrize("source", ["terraform", "plan"])
@pytest.mark.parametrize(("rule", "cases"), sorted(PASSING.items()))
def test_every_rule_has_a_passing_case(
    rule: str, cases: list[tuple[str, str, str]], source: str
) -> None:
    assert set(PASSING) == {r.id for r in RULES}
    for stack, kind, name in cases:
        report = audit_stack(stack, source)
        inventory = read_inventory(terraform=REPO / "tests/audit/corpus" / stack, root=REPO)
        assert any(r.kind == kind and r.name == name for r in inventory.resources), (stack, name)
        assert not [f for f in report.findings if f.rule == rule and f.name == name]


def test_findings_from_terraform_carry_file_and_line() -> None:
    report = audit_stack("streams_wrong", "plan")
    mapping = next(f for f in report.findings if f.rule == "QRK002")
    assert mapping.file == "tests/audit/corpus/streams_wrong/main.tf"
    lines = (REPO / mapping.file).read_text().splitlines()
    assert lines[(mapping.line or 0) - 1].startswith(
        'resource "aws_lambda_event_source_mapping" "search"'
    )


def test_plan_without_the_tf_files_finds_the_same_but_cannot_see_comments() -> None:
    report = audit(read_inventory(plan=REPO / "tests/audit/corpus/queues/plan.json"))
    legacy = next(f for f in report.findings if f.name == "legacy <- legacy")
    assert legacy.suppressed is None
    assert legacy.file is None


def test_a_dlq_on_a_stream_only_function_is_dead_configuration_never_missing() -> None:
    report = audit_stack("async_invokers", "plan")
    worker = [f for f in report.findings if f.name == "stream-worker"]
    assert {f.rule for f in worker} == {"QRK005"}
    assert all("event source mapping" in f.message for f in worker)  # says which invokers it saw
    # Functions without a DLQ are never asked for one.
    assert not [f for f in report.findings if f.name in ("s3-worker", "fanout-target")]


def test_complete_example_has_no_errors_from_its_tf_files() -> None:
    inventory = read_inventory(terraform=REPO / "terraform/examples/complete", root=REPO)
    report = audit(inventory)
    assert report.counts()["error"] == 0
    assert report.exit_code("error") == 0
    # It did read the modules: the one stream reader is the fan-out function's mapping, and the
    # recovery function is there (which queue feeds it is a conditional the .tf reading leaves
    # unknown, so no rule judges that link from here).
    names = {(r.kind, r.name) for r in inventory.resources}
    assert ("mapping", "orders-fanout <- orders-orders") in names
    assert ("function", "orders-recovery") in names


def test_docs_list_every_rule_with_its_aws_page() -> None:
    page = (REPO / "docs" / "audit.md").read_text()
    for rule in RULES:
        row = next((line for line in page.splitlines() if line.startswith(f"| {rule.id} |")), "")
        assert f"| {rule.slug} | {rule.severity} |" in row, rule.id
        assert rule.doc in row, rule.id


def test_complete_example_has_no_errors_from_its_plan() -> None:
    """The real provider's plan of terraform/examples/complete (regenerate.py complete)."""
    plan = REPO / "tests/audit/complete.plan.json"
    inventory = read_inventory(plan=plan, terraform=REPO / "terraform/examples/complete", root=REPO)
    report = audit(inventory)
    assert report.counts() == {"error": 0, "warning": 0, "note": 0}
    # for_each instances keep their keys: each consumer's mapping and subscription is its own.
    names = {(r.kind, r.name) for r in inventory.resources}
    assert ("mapping", "orders-search <- orders-search") in names
    assert ("function", "orders-billing") in names
    # What a plan cannot know (a module's locals) is unknown, not unset: no rule guesses.
    fanout = next(r for r in inventory.resources if r.name == "orders-fanout <- orders-orders")
    assert "on_failure" in fanout.unknown


def test_state_json_gives_the_same_findings() -> None:
    """``terraform show -json`` of the cognito stack's state after an apply (regenerate.py)."""
    stack = REPO / "tests/audit/corpus/cognito"
    report = audit(read_inventory(state=stack / "state.json", terraform=stack, root=REPO))
    assert keys(report) == sorted(
        expected("cognito"), key=lambda f: (f["rule"], f["kind"], f["name"])
    )
    assert report.findings[0].line is not None
