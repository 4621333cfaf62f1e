"""Run checkov over each corpus stack and compare with the expected findings (docs/audit.md).

    CHECKOV=.venv-checkov/bin/checkov .venv/bin/python tests/audit/corpus/measure_checkov.py

checkov has no check for any of the audit's quirks (QUIRK_CHECKS below is empty on purpose: add a
check id there if a checkov release gains one), so every true finding is a miss for it; the script
also sorts its DLQ check's verdicts by what invokes each function, and lists per audit rule which
checkov checks fail on the very resources of that rule's failing and passing corpus cases.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from quirks.audit.derive import async_invokers, sync_invokers  # noqa: E402
from quirks.audit.model import Function, Inventory, strip_index  # noqa: E402
from quirks.audit.sources.hcl import inventory_from_directory  # noqa: E402

QUIRK_CHECKS: dict[str, str] = {}  # checkov check id -> the audit rule it would correspond to


def checkov(stack: Path, binary: str, quiet: bool) -> list[dict[str, object]]:
    args = [binary, "-d", str(stack), "--framework", "terraform", "--skip-download", "--compact"]
    run = subprocess.run(
        [*args, *(["--quiet"] if quiet else []), "-o", "json"], capture_output=True, text=True
    )
    document = json.loads(run.stdout)
    document = document[0] if isinstance(document, list) else document
    key = "failed_checks" if quiet else "passed_checks"
    return list(document["results"][key])


def _checks_on(
    inventory: Inventory, results: list[dict[str, object]], kind: str, name: str
) -> list[str]:
    """The checkov checks that failed on the resource a corpus case names (by kind and name)."""
    keys = {strip_index(r.key) for r in inventory.resources if r.kind == kind and r.name == name}
    return sorted({str(r["check_id"]) for r in results if strip_index(str(r["resource"])) in keys})


def _passing_cases() -> dict[str, list[tuple[str, str, str]]]:
    sys.path.insert(0, str(HERE.parents[2]))
    from tests.audit.test_corpus import PASSING

    return PASSING


def main() -> int:
    binary = os.environ.get("CHECKOV", ".venv-checkov/bin/checkov")
    truth = failed = true_positives = 0
    by_check: collections.Counter[str] = collections.Counter()
    dlq: dict[str, list[str]] = collections.defaultdict(list)
    per_rule: dict[str, dict[str, collections.Counter[str]]] = collections.defaultdict(
        lambda: {"failing": collections.Counter(), "passing": collections.Counter()}
    )
    cases: collections.Counter[str] = collections.Counter()
    passing = _passing_cases()
    for stack in sorted(p.parent for p in HERE.glob("*/main.tf")):
        expected = json.loads((stack / "expected.json").read_text())
        truth += len(expected)
        inventory = inventory_from_directory(stack)
        results = checkov(stack, binary, quiet=True)
        failed += len(results)
        for e in expected:
            cases[e["rule"]] += 1
            per_rule[e["rule"]]["failing"].update(
                _checks_on(inventory, results, e["kind"], e["name"]) or ["(none)"]
            )
        for rule, rule_cases in passing.items():
            for case_stack, kind, name in rule_cases:
                if case_stack == stack.name:
                    cases[rule + " passing"] += 1
                    per_rule[rule]["passing"].update(
                        _checks_on(inventory, results, kind, name) or ["(none)"]
                    )
        by_check.update(str(r["check_id"]) for r in results)
        for r in results:
            rule = QUIRK_CHECKS.get(str(r["check_id"]))
            true_positives += any(e["rule"] == rule for e in expected)
            if r["check_id"] == "CKV_AWS_116":
                fn = inventory.find(Function, str(r["resource"]))
                assert fn is not None
                kind = (
                    "fails: async invoker seen"
                    if async_invokers(inventory, fn)
                    else "fails: sync invokers only (a DLQ would never fire)"
                    if sync_invokers(inventory, fn)
                    else "fails: no invoker in the stack"
                )
                dlq[kind].append(f"{stack.name}:{fn.name}")
        for r in checkov(stack, binary, quiet=False):
            fn = inventory.find(Function, str(r["resource"]))
            if (
                r["check_id"] == "CKV_AWS_116"
                and fn
                and any(e["rule"] == "QRK005" and e["name"] == fn.name for e in expected)
            ):
                dlq["passes: a DLQ that can never fire (QRK005)"].append(f"{stack.name}:{fn.name}")
    print(f"true findings {truth}; checkov failed checks {failed}; true positives {true_positives}")
    print(f"checkov precision {true_positives / failed:.0%}, recall {true_positives / truth:.0%}")
    for check, count in by_check.most_common():
        print(f"  {count:3} {check}")
    for kind, functions in sorted(dlq.items()):
        print(f"CKV_AWS_116 {kind}: {len(functions)} {functions}")
    print("per rule: checkov checks failing on the resources of its failing | passing cases")
    for rule in sorted(per_rule):
        shown = {
            which: ", ".join(f"{check} ({n})" for check, n in sorted(counter.items()))
            for which, counter in per_rule[rule].items()
        }
        print(
            f"  {rule} failing {cases[rule]}: {shown['failing']} | "
            f"passing {cases[rule + ' passing']}: {shown['passing']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
