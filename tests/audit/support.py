"""The corpus: small Terraform stacks (right and wrong), their plans, and the expected findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from quirks.audit.core import AuditReport
from quirks.audit.service import audit, read_inventory

CORPUS = Path(__file__).parent / "corpus"
REPO = Path(__file__).parents[2]
STACKS = sorted(p.parent.name for p in CORPUS.glob("*/main.tf"))


def expected(stack: str) -> list[dict[str, Any]]:
    """The findings a correct audit reports on ``stack`` (written by hand from its comments)."""
    return list(json.loads((CORPUS / stack / "expected.json").read_text()))


def plan_document(stack: str) -> dict[str, Any]:
    return dict(json.loads((CORPUS / stack / "plan.json").read_text()))


def audit_stack(stack: str, source: str) -> AuditReport:
    """Audit a corpus stack from its ``.tf`` files or from its plan (with the .tf for lines)."""
    directory = CORPUS / stack
    if source == "terraform":
        return audit(read_inventory(terraform=directory, root=REPO))
    return audit(read_inventory(plan=directory / "plan.json", terraform=directory, root=REPO))


def keys(report: AuditReport) -> list[dict[str, Any]]:
    """Findings as the expected files spell them, in a stable order."""
    found = [
        {"rule": f.rule, "kind": f.kind, "name": f.name}
        | ({"suppressed": f.suppressed} if f.suppressed else {})
        for f in report.findings
    ]
    return sorted(found, key=lambda f: (f["rule"], f["kind"], f["name"]))
