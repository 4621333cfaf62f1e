"""One call from sources to a report: read the inventory, run the rules, apply the baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quirks import jsonsafe
from quirks.audit.core import AuditReport, Finding, run
from quirks.audit.rules import RULES
from quirks.errors import FormatError, UserError

if TYPE_CHECKING:
    from pathlib import Path

    from quirks import aws
    from quirks.audit.model import Inventory

__all__ = ["audit", "baseline_document", "load_baseline", "read_inventory"]

BASELINE_VERSION = 1
MAX_JSON_BYTES = 512 * 1024 * 1024
"""The largest plan, state or baseline read (a plan of thousands of resources is tens of MB)."""


def _json_file(path: Path, what: str) -> Any:
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise UserError(
                f"{path} is larger than {MAX_JSON_BYTES // 2**20} MiB",
                f"pass the {what} file itself, or audit one root module at a time",
            )
        return jsonsafe.loads(path.read_bytes(), str(path), max_bytes=MAX_JSON_BYTES)
    except OSError as exc:
        raise UserError(f"cannot read {what} {path}: {exc.strerror}", "check the path") from exc
    except FormatError as exc:
        raise UserError(str(exc), f"pass the {what} file itself") from exc


def read_inventory(
    *,
    plan: Path | None = None,
    state: Path | None = None,
    terraform: Path | None = None,
    account: bool = False,
    root: Path | None = None,
    clients: aws.ClientFactory | None = None,
) -> Inventory:
    """The inventory of exactly one source. With ``plan``/``state``, ``terraform`` names the
    configuration's directory, for file, line and inline suppressions; ``account`` reads the
    account through ``clients``."""
    from quirks.audit.sources.hcl import inventory_from_directory
    from quirks.audit.sources.plan import inventory_from_show_json
    from quirks.audit.sources.terraform import annotate

    documents = [p for p in (plan, state) if p is not None]
    if len(documents) + (1 if account else 0) > 1 or (account and terraform):
        raise UserError(
            "give one source: --plan, --state, --terraform or --account",
            "add --terraform DIR to a --plan or --state only for file and line numbers",
        )
    if documents:
        inventory = inventory_from_show_json(
            _json_file(documents[0], "plan/state"), str(documents[0])
        )
        if terraform is not None:
            annotate(inventory, inventory_from_directory(terraform, root))
        return inventory
    if terraform is not None:
        return inventory_from_directory(terraform, root)
    from quirks.audit.sources.account import inventory_from_account

    return inventory_from_account(clients=clients)


def load_baseline(path: Path) -> set[str]:
    """Fingerprints of findings accepted earlier (``--write-baseline`` wrote them)."""
    document = _json_file(path, "baseline")
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise UserError(
            f"{path} is not a quirks audit baseline", "write one with quirks audit --write-baseline"
        )
    return {str(item.get("fingerprint")) for item in document["findings"] if isinstance(item, dict)}


def baseline_document(findings: list[Finding]) -> dict[str, Any]:
    """What ``--write-baseline`` writes: the active findings, by fingerprint (stable across runs)."""
    return {
        "version": BASELINE_VERSION,
        "findings": [
            {"fingerprint": f.fingerprint, "rule": f.rule, "kind": f.kind, "name": f.name}
            for f in findings
        ],
    }


def audit(inventory: Inventory, baseline: set[str] | None = None) -> AuditReport:
    """Every rule over ``inventory``."""
    return run(inventory, RULES, baseline or ())
