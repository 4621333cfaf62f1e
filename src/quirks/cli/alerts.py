"""``quirks alerts``: subscribe log groups to the notifier, test patterns, send a test alert."""

from __future__ import annotations

import time
from pathlib import Path  # noqa: TC003 (typer reads the annotation at run time)
from typing import Annotated, Any

import typer
from botocore.exceptions import BotoCoreError
from rich.table import Table

from quirks import aws, jsonsafe
from quirks.alerts import attach as attach_core
from quirks.alerts.classify import ErrorRecord
from quirks.alerts.config import AlertSettings
from quirks.alerts.dedupe import Alert
from quirks.alerts.factory import build_sinks, build_subscriptions
from quirks.alerts.patterns import DEFAULT_PATTERN, PatternError, compile_pattern
from quirks.alerts.render import Origin
from quirks.cli.context import state
from quirks.cli.io import read_text
from quirks.cli.output import JsonOption, emit, progress
from quirks.errors import AwsError, UserError

app = typer.Typer(
    help="Error alerts: every Lambda failure in the logs to Slack.", no_args_is_help=True
)

PrefixOption = Annotated[str, typer.Option("--prefix", help="Log group name prefix to cover.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")]
AccountPolicyOption = Annotated[
    bool,
    typer.Option(
        "--account-policy",
        help="Use one account-level subscription filter policy instead of per-group filters.",
    ),
]


def _plans_table(plans: list[attach_core.GroupPlan], console: Any, dry_run: bool) -> None:
    table = Table("log group", "action", "reason", "other filters")
    styles = {"full": "yellow", "create": "green", "update": "cyan", "delete": "red"}
    for plan in plans:
        style = styles.get(plan.action, "")
        action = f"[{style}]{plan.action}[/{style}]" if style else plan.action
        table.add_row(plan.log_group, action, plan.reason, ", ".join(plan.other_filters))
    console.print(table)
    changes = sum(1 for p in plans if p.changes)
    verb = "would change" if dry_run else "changed"
    console.print(f"{len(plans)} log groups, {verb} {changes}")


def _read_with_progress(ctx: typer.Context, prefix: str) -> list[attach_core.GroupState]:
    with progress(state(ctx).err) as bar:
        task = bar.add_task("Reading log groups", total=None)
        return build_subscriptions(clients=state(ctx).clients).read_groups(
            prefix, on_group=lambda _name: bar.advance(task)
        )


def _summary(plans: list[attach_core.GroupPlan]) -> dict[str, list[str]]:
    summary: dict[str, list[str]] = {}
    for plan in plans:
        summary.setdefault(plan.action, []).append(plan.log_group)
    return summary


@app.command("attach")
def attach(
    ctx: typer.Context,
    destination: Annotated[
        str,
        typer.Option(
            "--destination",
            help="The notifier: a Lambda function name or ARN (or a Kinesis/Firehose/Logs ARN).",
        ),
    ],
    prefix: PrefixOption = "/aws/lambda/",
    exclude: Annotated[
        str | None, typer.Option("--exclude", help="Regex of log group names to leave alone.")
    ] = None,
    filter_pattern: Annotated[
        str, typer.Option("--filter-pattern", help="CloudWatch Logs filter pattern.")
    ] = DEFAULT_PATTERN,
    role_arn: Annotated[
        str | None, typer.Option("--role-arn", help="Role for Kinesis/Firehose destinations.")
    ] = None,
    grant: Annotated[
        bool,
        typer.Option(
            "--grant/--no-grant",
            help="Allow CloudWatch Logs to invoke a Lambda destination (lambda add-permission).",
        ),
    ] = True,
    account_policy: AccountPolicyOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Subscribe every matching log group to the notifier with the filter ``quirks-errors``.

    Idempotent. Groups whose two subscription slots are taken by other filters are reported as
    ``full`` and left alone; the notifier's own log group is never subscribed.
    """
    cli = state(ctx)
    subscriptions = build_subscriptions(clients=cli.clients)
    try:
        compile_pattern(filter_pattern)
    except PatternError as exc:
        raise UserError(str(exc), "fix --filter-pattern (see docs/alerts.md)") from None
    destination = subscriptions.resolve_destination(destination)
    region = cli.clients.region()
    if account_policy:
        excluded: list[str] = []
        if exclude:
            groups = _read_with_progress(ctx, prefix)
            plans = attach_core.plan_attach(
                groups, destination_arn=destination, filter_pattern=filter_pattern, exclude=exclude
            )
            excluded = [p.log_group for p in plans if p.action == "excluded"]
        policy = attach_core.plan_account_policy(
            destination_arn=destination,
            filter_pattern=filter_pattern,
            excluded_groups=excluded,
            current=subscriptions.current_account_policy(),
            role_arn=role_arn,
        )
        granted = False
        if not dry_run:
            if grant:
                granted = subscriptions.grant_invoke(destination, region)
            subscriptions.apply_account_policy(policy)
        data: dict[str, Any] = {
            "mode": "account-policy",
            "dry_run": dry_run,
            "action": policy.action,
            "policy_name": attach_core.POLICY_NAME,
            "policy_document": policy.policy_document,
            "selection_criteria": policy.selection_criteria,
            "excluded": list(policy.excluded_groups),
            "granted_invoke": granted,
        }

        def render_policy(console: Any) -> None:
            verb = "would be" if dry_run else "was"
            console.print(
                f"account policy {attach_core.POLICY_NAME}: {policy.action} ({verb} applied)"
            )
            console.print(f"selection: {policy.selection_criteria or '(all log groups)'}")

        emit(data, as_json=as_json, render=render_policy, console=cli.out)
        return

    groups = _read_with_progress(ctx, prefix)
    plans = attach_core.plan_attach(
        groups, destination_arn=destination, filter_pattern=filter_pattern, exclude=exclude
    )
    granted = False
    if not dry_run:
        if grant and any(p.changes for p in plans):
            granted = subscriptions.grant_invoke(destination, region)
        with progress(cli.err) as bar:
            task = bar.add_task("Subscribing", total=len(plans))
            subscriptions.apply_attach(
                plans,
                destination_arn=destination,
                filter_pattern=filter_pattern,
                role_arn=role_arn,
                on_group=lambda _name: bar.advance(task),
            )
    full = [p for p in plans if p.action == "full"]
    for plan in full:
        cli.err.print(
            f"warning: {plan.log_group} is full ({', '.join(plan.other_filters)}): not subscribed"
        )
    data = {
        "mode": "per-group",
        "dry_run": dry_run,
        "destination": destination,
        "filter_name": attach_core.FILTER_NAME,
        "filter_pattern": filter_pattern,
        "granted_invoke": granted,
        "groups": plans,
        "summary": _summary(plans),
    }
    emit(data, as_json=as_json, render=lambda c: _plans_table(plans, c, dry_run), console=cli.out)


@app.command("detach")
def detach(
    ctx: typer.Context,
    destination: Annotated[
        str | None,
        typer.Option("--destination", help="Only remove filters pointing at this ARN."),
    ] = None,
    prefix: PrefixOption = "/aws/lambda/",
    account_policy: AccountPolicyOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Remove what ``attach`` made: filters named ``quirks-errors`` (or the account policy)."""
    cli = state(ctx)
    subscriptions = build_subscriptions(clients=cli.clients)
    if account_policy:
        current = subscriptions.current_account_policy()
        removed = False
        if current is not None and not dry_run:
            removed = subscriptions.remove_account_policy()
        data: dict[str, Any] = {
            "mode": "account-policy",
            "dry_run": dry_run,
            "existed": current is not None,
            "removed": removed,
        }
        emit(
            data,
            as_json=as_json,
            render=lambda c: c.print(
                "no account policy to remove"
                if current is None
                else ("would remove" if dry_run else "removed") + f" {attach_core.POLICY_NAME}"
            ),
            console=cli.out,
        )
        return
    groups = _read_with_progress(ctx, prefix)
    plans = attach_core.plan_detach(groups, destination_arn=destination)
    if not dry_run:
        subscriptions.apply_detach(plans)
    data = {"mode": "per-group", "dry_run": dry_run, "groups": plans, "summary": _summary(plans)}
    emit(data, as_json=as_json, render=lambda c: _plans_table(plans, c, dry_run), console=cli.out)


def _read_log_messages(path: Path) -> list[str]:
    text = read_text(
        path, missing_fix="pass a file of log events ('-' for stdin)", errors="replace"
    )
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            document = jsonsafe.loads(stripped, str(path), max_bytes=len(stripped))
        except ValueError:
            document = None
        if isinstance(document, dict):
            document = document.get("events", document.get("logEvents"))
        if isinstance(document, list) and all(
            isinstance(e, dict) and "message" in e for e in document
        ):
            return [str(e["message"]) for e in document]
    return text.splitlines()


@app.command("test-pattern")
def pattern_test(
    ctx: typer.Context,
    pattern: Annotated[
        str, typer.Argument(help="A CloudWatch Logs filter pattern ('' = default).")
    ],
    log: Annotated[
        Path,
        typer.Option(
            "--log",
            help="Log events: one per line, or JSON with events/logEvents (filter-log-events output).",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Show which log events a filter pattern matches, with the local pattern engine."""
    source = pattern or DEFAULT_PATTERN
    try:
        compiled = compile_pattern(source)
    except PatternError as exc:
        raise UserError(str(exc), "fix the pattern (see docs/alerts.md)") from None
    messages = _read_log_messages(log)
    matches = [{"index": i, "message": m} for i, m in enumerate(messages) if compiled.matches(m)]
    data = {
        "pattern": source,
        "kind": compiled.kind,
        "events": len(messages),
        "matched": len(matches),
        "matches": matches,
    }

    def render(console: Any) -> None:
        for match in matches:
            console.print(
                f"[green]{match['index']}[/green] {match['message']}", markup=True, highlight=False
            )
        console.print(f"{len(matches)} of {len(messages)} events match {source!r}")

    emit(data, as_json=as_json, render=render, console=state(ctx).out)


def sample_alert(now_ms: int | None = None) -> Alert:
    """A recognisable test alert (no real error behind it)."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    record = ErrorRecord(
        kind="test",
        function_name="quirks-send-test",
        request_id="00000000-0000-4000-8000-000000000000",
        error_type="QuirksTestAlert",
        message="This is a test alert from `quirks alerts send-test`: the route works.",
        stack=(
            '  File "/var/task/example.py", line 1, in handler',
            '    raise QuirksTestAlert("test")',
        ),
        top_frame='File "/var/task/example.py", line 1, in handler',
        timestamp=now_ms,
        log_group="/aws/lambda/quirks-send-test",
        log_stream=time.strftime("%Y/%m/%d/[$LATEST]0000000000000000", time.gmtime(now_ms / 1000)),
        event_id="0",
    )
    return Alert("0000000000000000", record, 1, now_ms, now_ms)


def _account(clients: aws.ClientFactory) -> str:
    try:
        return clients.client("sts").get_caller_identity()["Account"]
    except (BotoCoreError, AwsError):
        return "unknown"


@app.command("send-test")
def send_test(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Send a sample alert through the configured route (the notifier's QUIRKS_* variables).

    Exits 1 when a destination does not accept it.
    """
    import os

    clients = state(ctx).clients
    settings = AlertSettings.from_env(os.environ)
    sinks = build_sinks(settings, clients=clients)
    alert = sample_alert()
    origin = Origin(account=_account(clients), region=clients.region())
    results = []
    for sink in sinks:
        try:
            sink.send(alert, origin)
        except Exception as exc:
            results.append(
                {"sink": sink.name, "delivered": False, "error": f"{type(exc).__name__}: {exc}"}
            )
        else:
            results.append({"sink": sink.name, "delivered": True, "error": None})
    data = {"results": results}

    def render(console: Any) -> None:
        for result in results:
            status = (
                "[green]delivered[/green]"
                if result["delivered"]
                else f"[red]failed[/red]: {result['error']}"
            )
            console.print(f"{result['sink']}: {status}")

    emit(data, as_json=as_json, render=render, console=state(ctx).out)
    if not all(r["delivered"] for r in results):
        raise typer.Exit(1)
