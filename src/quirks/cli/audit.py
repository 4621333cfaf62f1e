"""``quirks audit``: every quirk in your own stack, from Terraform or from the account (read-only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from quirks.audit.core import FAIL_ON, SEVERITIES, AuditReport, FailOn
from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit, to_jsonable
from quirks.durable import write_file_durably

_STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def _file_option(help_text: str, *, exists: bool = True) -> Any:
    return typer.Option(exists=exists, dir_okay=False, readable=exists, help=help_text)


def audit(
    ctx: typer.Context,
    plan: Annotated[Path | None, _file_option("terraform show -json PLANFILE output.")] = None,
    state_file: Annotated[
        Path | None,
        typer.Option(
            "--state", exists=True, dir_okay=False, help="terraform show -json output (the state)."
        ),
    ] = None,
    terraform: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            file_okay=False,
            help="A root module's directory (.tf files; findings get file and line). With --plan "
            "or --state: where their file, line and inline suppressions come from.",
        ),
    ] = None,
    account: Annotated[
        bool, typer.Option("--account", help="Read the account (the default with no source).")
    ] = False,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            metavar="error|warning|never",
            help="Exit 1 when a finding at or above this severity remains.",
        ),
    ] = "error",
    sarif: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Also write SARIF 2.1.0 here.")
    ] = None,
    baseline: Annotated[
        Path | None, _file_option("Findings accepted earlier: reported as suppressed.")
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write the current findings as a baseline file."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Find the quirks of your stack: stream readers, lost failures, dead DLQs, silent errors.

    Sources: --plan, --state, --terraform DIR, or --account (the default). Exit 0 when clean, 1
    with findings at --fail-on or above, 2 on a usage error. Suppress one finding in Terraform
    with a comment in the resource: `# quirks:ignore QRK005 <why>`.
    """
    from quirks.audit.sarif import to_sarif
    from quirks.audit.service import audit as run_audit
    from quirks.audit.service import baseline_document, load_baseline, read_inventory

    threshold = _fail_on(fail_on)
    cli = state(ctx)
    with cli.err.status("reading the inventory"):
        inventory = read_inventory(
            plan=plan,
            state=state_file,
            terraform=terraform,
            account=account,
            root=Path.cwd(),
            clients=cli.clients,
        )
    report = run_audit(inventory, load_baseline(baseline) if baseline else None)
    if sarif is not None:
        write_file_durably(sarif, json.dumps(to_sarif(report), indent=2).encode() + b"\n")
    if write_baseline is not None:
        document = baseline_document(report.active())
        write_file_durably(write_baseline, json.dumps(document, indent=2).encode() + b"\n")
    emit(_document(report), as_json=as_json, render=lambda c: _render(c, report), console=cli.out)
    code = report.exit_code(threshold)
    if code:
        raise typer.Exit(code)


def _fail_on(value: str) -> FailOn:
    from quirks.errors import UserError

    for choice in FAIL_ON:
        if value == choice:
            return choice
    raise UserError(
        f"--fail-on {value!r} is not a severity", "use --fail-on error, warning or never"
    )


def _document(report: AuditReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "counts": report.counts(),
        "findings": [{**to_jsonable(f), "fingerprint": f.fingerprint} for f in report.findings],
        "notes": report.notes,
        "rules": [
            {"id": r.id, "slug": r.slug, "severity": r.severity, "title": r.title, "doc": r.doc}
            for r in report.rules
        ],
    }


def _render(console: Any, report: AuditReport) -> None:
    active = report.active()
    for severity in SEVERITIES:
        rows = [f for f in active if f.severity == severity]
        if not rows:
            continue
        table = Table(
            title=f"{severity}s ({len(rows)})", title_style=_STYLE[severity], expand=False
        )
        for column in ("rule", "resource", "where", "finding"):
            table.add_column(column, overflow="fold")
        for f in rows:
            where = f"{f.file}:{f.line}" if f.file else f.resource
            table.add_row(f.rule, escape(f.name), escape(where), escape(f.message))
        console.print(table)
    suppressed = [f for f in report.findings if f.suppressed]
    for f in suppressed:
        console.print(
            f"[dim]suppressed {f.rule} {escape(f.name)}: {escape(f.suppressed or '')}[/dim]"
        )
    for note in report.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    counts = report.counts()
    summary = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES)
    console.print(
        f"{report.source}: {summary}" + (f", {len(suppressed)} suppressed" if suppressed else "")
    )
