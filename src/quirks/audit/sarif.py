"""SARIF 2.1.0 for ``quirks audit --sarif`` (pure): what GitHub code scanning takes.

Rules carry their why, fix and AWS link as help; results carry a physical location (file and line,
relative to the repository root) when the source was ``.tf`` files and a logical location (the
resource address or ARN) always; suppressed and baselined findings are kept with a suppression.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quirks import __version__

if TYPE_CHECKING:
    from quirks.audit.core import AuditReport, Finding

__all__ = ["SARIF_SCHEMA", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/serverless-quirks/serverless-quirks/blob/main/docs/audit.md"
_LEVEL = {"error": "error", "warning": "warning", "note": "note"}


def _rule(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.why},
        "helpUri": rule.doc,
        "help": {
            "text": f"{rule.why} Fix: {rule.fix} See {rule.doc}",
            "markdown": f"{rule.why}\n\n**Fix:** {rule.fix}\n\n[AWS documentation]({rule.doc})",
        },
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["serverless", "aws", "reliability"]},
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [
            {"fullyQualifiedName": finding.resource, "name": finding.name, "kind": "resource"}
        ]
    }
    if finding.file:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": finding.line or 1},
        }
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _LEVEL[finding.severity],
        "message": {"text": f"{finding.name}: {finding.message}"},
        "locations": [location],
        "partialFingerprints": {"quirksFinding/v1": finding.fingerprint},
    }
    if finding.suppressed:
        result["suppressions"] = [
            {
                "kind": "external" if finding.suppressed == "baseline" else "inSource",
                "justification": finding.suppressed,
            }
        ]
    return result


def to_sarif(report: AuditReport) -> dict[str, Any]:
    """The report as one SARIF 2.1.0 log with one run."""
    index = {rule.id: i for i, rule in enumerate(report.rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "quirks-audit",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in report.rules],
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "the repository root"}}
                },
                "results": [_result(f, index) for f in report.findings],
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "note", "message": {"text": note}} for note in report.notes
                        ],
                    }
                ],
            }
        ],
    }
