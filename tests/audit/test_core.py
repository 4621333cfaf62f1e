"""The run: suppressions need a reason, baselines match by fingerprint, exit codes by severity."""

from __future__ import annotations

from pathlib import Path

from quirks.audit.core import run
from quirks.audit.derive import unalarmed
from quirks.audit.model import Alarm, Function, Inventory, Queue, Suppression
from quirks.audit.rules import RULES
from quirks.audit.service import audit, baseline_document, read_inventory
from quirks.audit.sources.values import parse_suppressions
from quirks.limits import DEFAULT_ACCOUNT
from tests.audit.support import CORPUS, REPO, audit_stack


def _short_recovery(**kwargs: object) -> Inventory:
    inventory = Inventory(source="test")
    inventory.add(
        Function(
            key="aws_lambda_function.recovery",
            name="recovery",
            handler="quirks.recovery.handler.lambda_handler",
            timeout=10,
            **kwargs,  # type: ignore[arg-type]
        )
    )
    return inventory


def test_a_suppression_needs_a_rule_and_a_reason() -> None:
    assert parse_suppressions(("quirks:ignore QRK005 invoked by our own code asynchronously",)) == (
        Suppression("QRK005", "invoked by our own code asynchronously"),
    )
    assert parse_suppressions(("quirks:ignore QRK005",)) == ()
    assert parse_suppressions(("quirks:ignore=toolkit-timeout: load test only",)) == (
        Suppression("toolkit-timeout", "load test only"),
    )


def test_suppressed_findings_are_kept_but_do_not_fail_the_run() -> None:
    report = run(_short_recovery(suppressions=(Suppression("QRK013", "a drill"),)), RULES)
    timeouts = [f for f in report.findings if f.rule == "QRK013"]
    assert [f.suppressed for f in timeouts] == ["a drill"]
    assert report.counts()["error"] == 0
    assert report.exit_code("error") == 0


def test_baseline_accepts_known_findings_and_reports_new_ones() -> None:
    first = audit_stack("streams_wrong", "terraform")
    accepted = baseline_document(first.active())
    fingerprints = {item["fingerprint"] for item in accepted["findings"]}
    again = run(_short_recovery(), RULES, baseline=fingerprints)
    assert sorted(f.rule for f in again.active()) == ["QRK006", "QRK013"]  # new ones
    rerun = audit(read_inventory(terraform=CORPUS / "streams_wrong", root=REPO), fingerprints)
    assert rerun.active() == []
    assert all(f.suppressed == "baseline" for f in rerun.findings)


def test_fingerprints_are_the_same_from_every_source() -> None:
    from_tf = {f.fingerprint for f in audit_stack("streams_wrong", "terraform").findings}
    from_plan = {f.fingerprint for f in audit_stack("streams_wrong", "plan").findings}
    assert from_tf == from_plan
    assert len(from_tf) == 11


def test_exit_codes_follow_fail_on() -> None:
    errors = audit_stack("streams_wrong", "plan")
    warnings_only = audit_stack("queues", "plan")
    clean = audit_stack("streams_good", "plan")
    assert [errors.exit_code(x) for x in ("error", "warning", "never")] == [1, 1, 0]
    assert [warnings_only.exit_code(x) for x in ("error", "warning", "never")] == [0, 1, 0]
    assert [clean.exit_code(x) for x in ("error", "warning", "never")] == [0, 0, 0]


def test_a_suppression_may_sit_inside_or_right_above_the_resource(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """
# quirks:ignore QRK013 a load-test copy, deleted after the run
resource "aws_lambda_function" "above" {
  function_name = "above"
  handler       = "quirks.recovery.handler.lambda_handler"
}

resource "aws_lambda_function" "inside" {
  // quirks:ignore toolkit-timeout a load-test copy too
  function_name = "inside"
  handler       = "quirks.recovery.handler.lambda_handler"
}

# quirks:ignore QRK013 this comment is separated from the resource by a blank line

resource "aws_lambda_function" "apart" {
  function_name = "apart"
  handler       = "quirks.recovery.handler.lambda_handler"
}
"""
    )
    report = audit(read_inventory(terraform=tmp_path, root=tmp_path))
    timeouts = {f.name: f.suppressed for f in report.findings if f.rule == "QRK013"}
    assert timeouts == {
        "above": "a load-test copy, deleted after the run",
        "inside": "a load-test copy too",
        "apart": None,
    }


def test_unalarmed_names_each_resource_once_and_only_without_its_alarm() -> None:
    """QRK007 and QRK008's shared step: one finding per queue however many configs point at it."""
    inventory = Inventory(source="test")
    watched = Queue(key=f"arn:aws:sqs:us-east-1:{DEFAULT_ACCOUNT}:watched", name="watched")
    bare = Queue(key=f"arn:aws:sqs:us-east-1:{DEFAULT_ACCOUNT}:bare", name="bare")
    inventory.add(watched)
    inventory.add(bare)
    metric = "ApproximateNumberOfMessagesVisible"
    inventory.add(
        Alarm(key="alarm", name="alarm", metric=metric, dimensions={"QueueName": "watched"})
    )
    found = unalarmed(inventory, [bare, None, watched, bare], metric, "QueueName")
    assert list(found) == [bare]
    assert list(unalarmed(inventory, [watched], "NumberOfMessagesSent", "QueueName")) == [watched]
