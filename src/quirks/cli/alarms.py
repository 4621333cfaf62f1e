"""``quirks alarms plan|apply``: CloudWatch alarms for stream consumers and async targets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from quirks import jsonsafe
from quirks.alarms.config import AlarmConfig, parse_config, parse_duration_ms
from quirks.alarms.desired import format_ms
from quirks.alarms.factory import build_service
from quirks.cli.context import CliState, state
from quirks.cli.output import JsonOption, confirm_or_exit, emit, progress
from quirks.errors import FormatError, UserError

if TYPE_CHECKING:
    from rich.console import Console

    from quirks.alarms.apply import ApplyResult
    from quirks.alarms.plan import AlarmPlan, PlanItem
    from quirks.alarms.service import AccountPlan, AlarmService

app = typer.Typer(
    help="Alarms that warn before stream records expire: plan, then apply.", no_args_is_help=True
)

AGE_METRICS = ("IteratorAge", "AsyncEventAge")  # milliseconds, shown as durations

TopicOption = Annotated[
    str | None,
    typer.Option(
        "--topic",
        metavar="ARN",
        help="SNS topic ARN for alarm and OK notifications (AWS Chatbot renders them natively).",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        exists=True,
        dir_okay=False,
        readable=True,
        help="JSON file with topic, default thresholds and per-function/queue overrides.",
    ),
]
IteratorWarningOption = Annotated[
    str | None,
    typer.Option(
        "--threshold-iterator-age-warning",
        metavar="DURATION",
        help="IteratorAge warning threshold (default 5m). Seconds, or 90s, 5m, 1h.",
    ),
]
IteratorCriticalOption = Annotated[
    str | None,
    typer.Option(
        "--threshold-iterator-age-critical",
        metavar="DURATION",
        help="IteratorAge critical threshold (default 1h).",
    ),
]
AsyncAgeOption = Annotated[
    str | None,
    typer.Option(
        "--threshold-async-event-age",
        metavar="DURATION",
        help="AsyncEventAge threshold for async targets (default 10m).",
    ),
]
QueueDepthOption = Annotated[
    int | None,
    typer.Option(
        "--threshold-queue-depth",
        min=0,
        help="Failure-queue alarm fires above this many visible messages (default 0).",
    ),
]


def load_config(
    path: Path | None,
    topic: str | None,
    iterator_age_warning: str | None,
    iterator_age_critical: str | None,
    async_event_age: str | None,
    queue_depth: int | None,
) -> AlarmConfig:
    """The effective :class:`AlarmConfig` from the config file and the command-line options."""
    data: Any = {}
    if path is not None:
        try:
            data = jsonsafe.loads(path.read_bytes(), str(path))
        except OSError as exc:
            raise UserError(f"cannot read {path}: {exc}", "pass a readable JSON file") from exc
        except FormatError as exc:
            problem = str(exc).replace("is not JSON", "is not valid JSON")
            raise UserError(problem, "fix the file (see docs/alarms.md)") from exc
    cli: dict[str, int] = {}
    for option, value, target in (
        ("--threshold-iterator-age-warning", iterator_age_warning, "iterator_age_warning_ms"),
        ("--threshold-iterator-age-critical", iterator_age_critical, "iterator_age_critical_ms"),
        ("--threshold-async-event-age", async_event_age, "async_event_age_ms"),
    ):
        if value is not None:
            cli[target] = parse_duration_ms(value, option)
    if queue_depth is not None:
        cli["queue_depth"] = queue_depth
    config = parse_config(data, cli)
    return config if topic is None else config.with_topic(topic)


def _plan(cli: CliState, service: AlarmService, config: AlarmConfig) -> AccountPlan:
    with progress(cli.err) as bar:
        task = bar.add_task("Inspecting functions", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        planned = service.plan(config, on_progress=advance)
    # After planning, so that a missing region or credentials is the only thing said.
    if config.topic_arn is None:
        cli.err.print(
            "[yellow]warning:[/] no --topic: the alarms will change state but notify no one"
        )
    return planned


def _details(item: PlanItem) -> str:
    if item.changes:
        return ", ".join(change.field for change in item.changes)
    if item.spec.metric in AGE_METRICS:
        return f"> {format_ms(int(item.spec.threshold))}"
    return f"> {item.spec.threshold:g}"


def render_plan(plan: AlarmPlan, console: Console) -> None:
    """The plan as a table, then the findings no alarm covers."""
    table = Table(title="quirks alarms plan")
    table.add_column("action", no_wrap=True, min_width=9)
    # Names are what users copy into the console: alone on their line, details on the next.
    table.add_column("alarm  (metric · resource · threshold or changed fields)", overflow="fold")
    styles = {
        "create": "green",
        "update": "yellow",
        "orphaned": "red",
        "conflict": "magenta",
        "unchanged": "dim",
    }
    for action, items in (
        ("create", plan.create),
        ("update", plan.update),
        ("orphaned", plan.orphaned),
        ("conflict", plan.conflicts),
        ("unchanged", plan.unchanged),
    ):
        for item in items:
            details = f"{item.spec.metric} · {item.spec.resource} · {_details(item)}"
            table.add_row(
                f"[{styles[action]}]{action}[/]",
                f"{escape(item.spec.name)}\n[dim]  {escape(details)}[/]",
            )
    console.print(table)
    console.print(
        f"{len(plan.create)} to create, {len(plan.update)} to update, "
        f"{len(plan.unchanged)} unchanged, {len(plan.orphaned)} orphaned "
        f"(deleted only by apply --prune), {len(plan.conflicts)} conflicts"
    )
    if plan.conflicts:
        console.print(
            "[magenta]conflicts[/] are alarms with a name we would use but without the "
            "managed-by=serverless-quirks tag: they are never changed; rename or tag them."
        )
    for finding in plan.findings:
        console.print(f"[yellow]finding:[/] {finding}")


@app.command("plan")
def plan_command(
    ctx: typer.Context,
    topic: TopicOption = None,
    config_file: ConfigOption = None,
    threshold_iterator_age_warning: IteratorWarningOption = None,
    threshold_iterator_age_critical: IteratorCriticalOption = None,
    threshold_async_event_age: AsyncAgeOption = None,
    threshold_queue_depth: QueueDepthOption = None,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(
            "--detailed-exitcode",
            help="Exit 0 when nothing would change, 2 when apply would create or update alarms, "
            "1 on any error (as terraform plan -detailed-exitcode).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show which alarms would be created, updated, left unchanged, or are orphaned."""
    cli = state(ctx)
    if detailed_exitcode:
        cli.user_error_exit = 1  # exit 2 means "changes" here, never "your input was wrong"
    config = load_config(
        config_file,
        topic,
        threshold_iterator_age_warning,
        threshold_iterator_age_critical,
        threshold_async_event_age,
        threshold_queue_depth,
    )
    result = _plan(cli, build_service(clients=cli.clients), config)
    emit(
        result.plan.to_json(),
        as_json=as_json,
        render=lambda console: render_plan(result.plan, console),
        console=cli.out,
    )
    if detailed_exitcode and result.plan.has_changes:
        raise typer.Exit(2)


def _result_json(result: ApplyResult, plan: AlarmPlan) -> dict[str, Any]:
    return {**result.summary(), "findings": list(plan.findings)}


def _render_result(result: ApplyResult, console: Console) -> None:
    console.print(
        f"created {len(result.created)}, updated {len(result.updated)}, "
        f"deleted {len(result.deleted)}, unchanged {len(result.unchanged)}"
    )
    for name in result.orphaned_kept:
        console.print(f"[red]orphaned[/] {name} (kept; delete with apply --prune)")
    for name in result.conflicts:
        console.print(f"[magenta]conflict[/] {name}: exists without our tag, left untouched")
    for name, error in result.failed.items():
        console.print(f"[red]failed[/] {name}: {error}")


@app.command("apply")
def apply_command(
    ctx: typer.Context,
    topic: TopicOption = None,
    config_file: ConfigOption = None,
    threshold_iterator_age_warning: IteratorWarningOption = None,
    threshold_iterator_age_critical: IteratorCriticalOption = None,
    threshold_async_event_age: AsyncAgeOption = None,
    threshold_queue_depth: QueueDepthOption = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Also delete orphaned alarms (only ones tagged managed-by=serverless-quirks).",
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Apply without asking (for scripts and CI)."),
    ] = False,
    allow_removing_actions: Annotated[
        bool,
        typer.Option(
            "--allow-removing-actions",
            help="Let apply take SNS actions off existing alarms (refused by default: a "
            "forgotten --topic would silence them).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the plan, ask, then create and update the alarms; exit 1 if any failed.

    Refuses to remove the actions of existing alarms unless --allow-removing-actions is given.
    """
    cli = state(ctx)
    config = load_config(
        config_file,
        topic,
        threshold_iterator_age_warning,
        threshold_iterator_age_critical,
        threshold_async_event_age,
        threshold_queue_depth,
    )
    service = build_service(clients=cli.clients)
    account_plan = _plan(cli, service, config)
    planned = account_plan.plan
    removed = planned.actions_removed()
    if removed and not allow_removing_actions:
        first, actions = next(iter(removed.items()))
        where = f"e.g. {first} would stop notifying {', '.join(actions)}; nothing was changed"
        if config.topic_arn is None:
            raise UserError(
                f"no --topic: apply would remove the actions of {len(removed)} existing "
                f"alarm(s), which would then notify no one ({where})",
                f"pass --topic {actions[0]} to keep them, or --allow-removing-actions",
            )
        raise UserError(
            f"apply would take actions off {len(removed)} existing alarm(s) ({where})",
            "pass --allow-removing-actions to replace them with --topic",
        )
    work = len(planned.create) + len(planned.update) + (len(planned.orphaned) if prune else 0)
    if work:
        render_plan(planned, cli.err)  # stderr: with --json, stdout holds only the result
        if not yes:
            confirm_or_exit(cli, f"Apply these changes to {work} alarm(s)?")
    else:
        for finding in planned.findings:
            cli.err.print(f"[yellow]finding:[/] {finding}")
    with progress(cli.err) as bar:
        task = bar.add_task("Applying alarms", total=work)
        result = service.apply(account_plan, prune=prune, on_progress=lambda _: bar.advance(task))
    emit(
        _result_json(result, planned),
        as_json=as_json,
        render=lambda console: _render_result(result, console),
        console=cli.out,
    )
    if not result.ok:
        raise typer.Exit(1)
