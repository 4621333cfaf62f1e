"""``quirks cognito-domain check|setup|teardown``: Cognito custom domains that just work."""

from __future__ import annotations

import contextlib
import ipaddress
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit
from quirks.cognito import Executor, Request, StepResult, resolves_to_ipv4
from quirks.cognito import check as run_check
from quirks.cognito import setup as run_setup
from quirks.cognito import teardown as run_teardown
from quirks.cognito.model import DEFAULT_PLACEHOLDER_IP
from quirks.cognito.plan import changes_of, describe
from quirks.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console
    from rich.status import Status

    from quirks.cognito import Report

app = typer.Typer(
    help="Set up a Cognito user pool custom domain end to end (A record, certificate, aliases).",
    no_args_is_help=True,
)

PoolOption = Annotated[str, typer.Option("--user-pool-id", help="The user pool id.")]
DomainOption = Annotated[
    str, typer.Option("--domain", help="The custom domain, e.g. auth.example.com.")
]
CertificateOption = Annotated[
    str, typer.Option("--certificate-arn", help="ACM certificate in us-east-1 covering the domain.")
]
ZoneOption = Annotated[
    str | None,
    typer.Option(
        "--hosted-zone-id", help="The public zone for the domain (default: found by name)."
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the plan of changes without making them.")
]
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", min=1, help="Seconds to wait for the domain to become ACTIVE."),
]

_MARK = {"pass": "[green]✓[/green]", "fail": "[red]✗[/red]", "setup": "[yellow]→[/yellow]"}
EXIT_CODES = {"failed-checks": 2, "parent-record-required": 2, "step-failed": 1}


def _render(report: Report, console: Console) -> None:
    if report.checks:
        table = Table("", "check", "detail", title=f"{report.action} {report.domain}")
        for c in report.checks:
            detail = escape(c.detail) + (f"\n[bold]fix:[/bold] {escape(c.fix)}" if c.fix else "")
            table.add_row(_MARK[c.status.value], c.name, detail)
        console.print(table)
    if report.required_record is not None:
        console.print(
            "[bold]Create this record where the parent zone is hosted, then re-run:[/bold]\n"
            f"  {escape(report.required_record.describe())}"
        )
    if report.plan:
        title = "Plan (dry run, nothing changed)" if report.status == "dry-run" else "Steps"
        console.print(f"[bold]{title}[/bold]")
        for index, step in enumerate(report.plan):
            console.print(f" {_step_line(report, index)}")
            if report.status == "dry-run":
                for change in changes_of(step):
                    console.print(f"      {change.action} {escape(change.record.describe())}")
    messages = {
        "ok": "all checks pass",
        "done": "done",
        "dry-run": f"{len(report.plan)} step(s) planned; run without --dry-run to apply",
        "nothing-to-do": "nothing to do: everything is already in place",
        "failed-checks": "fix the failed checks, then re-run",
        "parent-record-required": "create the record above, then re-run",
        "step-failed": "stopped; re-run the same command to resume",
    }
    failures = [c.name for c in report.checks if c.status.value == "fail"]
    if failures:
        console.print(f"[red]failed: {', '.join(failures)}[/red] (nothing was changed)")
    elif report.error:
        console.print(f"[red]{escape(report.error)}[/red]")
    console.print(f"[bold]{messages.get(report.status, report.status)}[/bold]")


def _step_line(report: Report, index: int) -> str:
    """A plan step: a mark (done, failed, not run), its number and description, and its detail."""
    text = f"{index + 1}. {escape(describe(report.plan[index]))}"
    if index < len(report.done):
        detail = report.done[index].detail
        return f"[green]✓[/green] {text}" + (f" [dim]({escape(detail)})[/dim]" if detail else "")
    if index == len(report.done) and report.status == "step-failed":
        return f"[red]✗[/red] {text}"
    return f"· {text}"


def _finish(ctx: typer.Context, report: Report, as_json: bool) -> None:
    emit(
        report.to_json(),
        as_json=as_json,
        render=lambda c: _render(report, c),
        console=state(ctx).out,
    )
    code = EXIT_CODES.get(report.status, 0)
    if code:
        raise typer.Exit(code)


def _placeholder(ip: str) -> str:
    try:
        return str(ipaddress.IPv4Address(ip))
    except ValueError:
        raise UserError(
            f"--placeholder-ip {ip!r} is not an IPv4 address",
            f"pass an address from 192.0.2.0/24 such as {DEFAULT_PLACEHOLDER_IP}",
        ) from None


@contextlib.contextmanager
def _live_executor(ctx: typer.Context, timeout: float) -> Iterator[tuple[Executor, Any]]:
    """An executor whose waits show in a spinner, and a per-step progress line, both on stderr.

    Both stay silent when stderr is not a terminal, so logs and ``--json`` runs are unaffected.
    """
    err = state(ctx).err
    spinner: list[Status] = []  # filled once the spinner runs

    def on_wait(message: str) -> None:
        for status in spinner:
            status.update(escape(message))

    def on_step(result: StepResult) -> None:
        if err.is_terminal:
            err.print(f"[green]✓[/green] {escape(result.description)}")

    executor = Executor(clients=state(ctx).clients, timeout=timeout, on_wait=on_wait)
    if not err.is_terminal:
        yield executor, on_step
        return
    with err.status("working") as status:
        spinner.append(status)
        yield executor, on_step


@app.command("check")
def check(
    ctx: typer.Context,
    user_pool_id: PoolOption,
    domain: DomainOption,
    certificate_arn: CertificateOption,
    hosted_zone_id: ZoneOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check every precondition of setup; change nothing. Exit 2 when one fails."""
    request = Request(user_pool_id, domain, certificate_arn, hosted_zone_id)
    cli = state(ctx)
    report = run_check(request, cli.resolver or resolves_to_ipv4, clients=cli.clients)
    _finish(ctx, report, as_json)


@app.command("setup")
def setup(
    ctx: typer.Context,
    user_pool_id: PoolOption,
    domain: DomainOption,
    certificate_arn: CertificateOption,
    hosted_zone_id: ZoneOption = None,
    managed_login_version: Annotated[
        int | None,
        typer.Option(
            "--managed-login-version",
            min=1,
            max=2,
            help="1: classic hosted UI; 2: managed login (creates a branding per app client).",
        ),
    ] = None,
    placeholder_ip: Annotated[
        str,
        typer.Option(help="Address of the placeholder A record (documentation range)."),
    ] = DEFAULT_PLACEHOLDER_IP,
    timeout: TimeoutOption = 900.0,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Create the domain: placeholder parent A record if needed, domain, aliases. Resumable."""
    request = Request(
        user_pool_id,
        domain,
        certificate_arn,
        hosted_zone_id,
        managed_login_version,
        _placeholder(placeholder_ip),
    )
    with _live_executor(ctx, timeout) as (executor, on_step):
        report = run_setup(
            request,
            state(ctx).resolver or resolves_to_ipv4,
            clients=executor.clients,
            executor=executor,
            dry_run=dry_run,
            on_step=on_step,
        )
    _finish(ctx, report, as_json)


@app.command("teardown")
def teardown(
    ctx: typer.Context,
    user_pool_id: PoolOption,
    domain: DomainOption,
    hosted_zone_id: ZoneOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Delete the domain, its alias records and any placeholder of ours; nothing else."""
    request = Request(user_pool_id, domain, "", hosted_zone_id)
    with _live_executor(ctx, 900.0) as (executor, on_step):
        report = run_teardown(
            request, clients=executor.clients, executor=executor, dry_run=dry_run, on_step=on_step
        )
    _finish(ctx, report, as_json)
