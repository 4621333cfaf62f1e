"""Run checkov over each corpus stack and compare with the expected findings (docs/audit.md).

    CHECKOV=.venv-checkov/bin/checkov .venv/bin/python tests/audit/corpus/measure_checkov.py

checkov has no check for any of the audit's quirks (QUIRK_CHECKS below is empty on purpose: add a
check id there if a checkov release gains one), so every true finding is a miss for it; the script
also sorts its DLQ check's verdicts by what invokes each function.
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
from quirks.audit.model import Function  # noqa: E402
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


def main() -> int:
    binary = os.environ.get("CHECKOV", ".venv-checkov/bin/checkov")
    truth = failed = true_positives = 0
    by_check: collections.Counter[str] = collections.Counter()
    dlq: dict[str, list[str]] = collections.defaultdict(list)
    for stack in sorted(p.parent for p in HERE.glob("*/main.tf")):
        expected = json.loads((stack / "expected.json").read_text())
        truth += len(expected)
        inventory = inventory_from_directory(stack)
        results = checkov(stack, binary, quiet=True)
        failed += len(results)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
