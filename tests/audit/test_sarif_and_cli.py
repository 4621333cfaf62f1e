"""``quirks audit`` end to end: exit codes, --json, SARIF 2.1.0 (validated), baselines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sarif_pydantic import Sarif

from quirks.audit.sarif import to_sarif
from quirks.testing import run_cli
from tests.audit.support import CORPUS, audit_stack
from tests.support.cli import run_json

# Keys of SARIF 2.1.0 that sarif-pydantic 0.6 does not model, so they arrive as extras: a result's
# "suppressions" (section 3.27.23; the library spells it `suppression`) and an invocation's
# "toolExecutionNotifications" (3.20.21).
_LIBRARY_DEVIATIONS = {"suppressions", "toolExecutionNotifications"}


def _extras(model: Any, path: str = "$") -> list[str]:
    """Keys the SARIF model did not recognise: a typo in our output would land here."""
    found: list[str] = []
    if isinstance(model, BaseModel):
        found += [f"{path}.{k}" for k in (model.model_extra or {}) if k not in _LIBRARY_DEVIATIONS]
        for name in type(model).model_fields:
            found += _extras(getattr(model, name), f"{path}.{name}")
    elif isinstance(model, list):
        for i, item in enumerate(model):
            found += _extras(item, f"{path}[{i}]")
    return found


@pytest.mark.parametrize(("stack", "source"), [("streams_wrong", "terraform"), ("queues", "plan")])
def test_sarif_validates_against_the_2_1_0_model(stack: str, source: str) -> None:
    document = to_sarif(audit_stack(stack, source))
    log = Sarif.model_validate(document)
    assert log.version == "2.1.0"
    assert _extras(log) == [], "keys the SARIF 2.1.0 model does not know"
    run = log.runs[0]
    rules = run.tool.driver.rules or []
    assert all(r.help_uri and r.help and r.help.text for r in rules)
    results = run.results or []
    assert results
    assert all(
        r.locations and r.locations[0].physical_location and r.locations[0].logical_locations
        for r in results
    )
    region = results[0].locations[0].physical_location.region  # type: ignore[index,union-attr]
    assert region is not None
    assert region.start_line >= 1


def test_sarif_without_files_has_logical_locations_only() -> None:
    from quirks.audit.service import audit, read_inventory

    report = audit(read_inventory(plan=CORPUS / "timeouts" / "plan.json"))
    log = Sarif.model_validate(to_sarif(report))
    locations = [loc for r in log.runs[0].results or [] for loc in r.locations or []]
    assert locations
    assert all(loc.physical_location is None for loc in locations)
    assert {loc.logical_locations[0].fully_qualified_name for loc in locations} == {  # type: ignore[index]
        "aws_lambda_function.fanout",
        "aws_lambda_function.recovery",
    }


def test_suppressed_findings_carry_a_sarif_suppression() -> None:
    document = to_sarif(audit_stack("queues", "plan"))
    suppressed = [r for r in document["runs"][0]["results"] if "suppressions" in r]
    assert [s["suppressions"] for s in suppressed] == [
        [{"kind": "inSource", "justification": "batch_size 1: a failing message fails only itself"}]
    ]


@pytest.mark.parametrize(
    ("stack", "fail_on", "code"),
    [
        ("streams_wrong", "error", 1),
        ("streams_wrong", "never", 0),
        ("queues", "error", 0),
        ("queues", "warning", 1),
        ("streams_good", "warning", 0),
    ],
)
def test_fail_on_exit_codes(stack: str, fail_on: str, code: int) -> None:
    argv = ["audit", "--plan", str(CORPUS / stack / "plan.json"), "--fail-on", fail_on, "--json"]
    result = run_cli(*argv)
    assert result.exit_code == code
    document = result.json
    assert document["counts"]["error"] == (4 if stack == "streams_wrong" else 0)


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "--plan", "PLAN", "--state", "PLAN"],
        ["audit", "--plan", "PLAN", "--fail-on", "sometimes"],
        ["audit", "--plan", "NOTJSON"],
        ["audit", "--terraform", "/nonexistent-dir"],
        ["audit", "--account", "--terraform", "TF"],
    ],
)
def test_usage_errors_exit_2_with_one_line(argv: list[str], tmp_path: Path) -> None:
    not_json = tmp_path / "plan.txt"
    not_json.write_text("Terraform will perform the following actions:\n")
    names = {
        "PLAN": str(CORPUS / "queues" / "plan.json"),
        "NOTJSON": str(not_json),
        "TF": str(CORPUS / "queues"),
    }
    code, _, err = run_cli(*[names.get(a, a) for a in argv])
    assert code == 2
    assert "Traceback" not in err
    assert err.strip()


def test_sarif_file_and_baseline_round_trip(tmp_path: Path) -> None:
    plan = str(CORPUS / "streams_wrong" / "plan.json")
    sarif, baseline = tmp_path / "audit.sarif", tmp_path / "baseline.json"
    written = run_cli(
        "audit", "--plan", plan, "--sarif", str(sarif), "--write-baseline", str(baseline)
    )
    assert written.exit_code == 1
    assert Sarif.model_validate(json.loads(sarif.read_text())).runs[0].results
    # Accepted findings no longer fail the run; they are reported as suppressed.
    document = run_json(
        "audit", "--plan", plan, "--baseline", str(baseline), "--fail-on", "warning"
    )
    assert document["counts"] == {"error": 0, "warning": 0, "note": 0}
    assert {f["suppressed"] for f in document["findings"]} == {"baseline"}


def test_terminal_output_groups_by_severity() -> None:
    code, out, _ = run_cli("audit", "--terraform", str(CORPUS / "streams_wrong"))
    assert code == 1
    assert out.index("errors (4)") < out.index("warnings (7)")
    assert "tests/audit/corpus/streams_wrong/main.tf:" in out or "main.tf:" in out


def test_oversized_inputs_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quirks.audit import service
    from quirks.audit.sources import hcl

    monkeypatch.setattr(hcl, "MAX_TF_BYTES", 10)
    monkeypatch.setattr(service, "MAX_JSON_BYTES", 10)
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {}\n')
    terraform = run_cli("audit", "--terraform", str(tmp_path))
    plan = run_cli("audit", "--plan", str(CORPUS / "queues" / "plan.json"))
    assert (terraform.exit_code, plan.exit_code) == (2, 2)
    assert (terraform.stderr + plan.stderr).count("larger than") == 2
