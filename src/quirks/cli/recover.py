"""``quirks recover``: turn on-failure pointers into durable archives before the records expire."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path  # noqa: TC003  # typer reads the annotations at runtime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from quirks.cli.archives import read_archives
from quirks.cli.context import state
from quirks.cli.io import read_text
from quirks.cli.output import JsonOption, emit, progress
from quirks.errors import UserError
from quirks.recovery.factory import build_recovery, build_replayer
from quirks.recovery.replay import describe_failure
from quirks.recovery.sources import (
    FileSource,
    MessageSource,
    QueueSource,
    S3ObjectSource,
    check_distinct,
)

if TYPE_CHECKING:
    from rich.console import Console

    from quirks import aws
    from quirks.recovery.report import RecoveryReport

app = typer.Typer(
    help="Recover DynamoDB stream records from on-failure pointers (SQS, SNS, S3) into archives."
)


def _source(
    queue: str | None,
    file: Path | None,
    s3: str | None,
    clients: aws.ClientFactory,
    **options: int,
) -> MessageSource:
    given = [name for name, value in (("--queue", queue), ("--file", file), ("--s3", s3)) if value]
    if len(given) != 1:
        raise UserError(
            "pass exactly one source" + (f", got {' and '.join(given)}" if given else ""),
            "use --queue URL, --file PATH or --s3 s3://bucket/prefix",
        )
    if queue:
        if not queue.startswith(("https://", "http://")):
            raise UserError(
                f"--queue {queue!r} is not a queue URL",
                "pass the URL: https://sqs.<region>.amazonaws.com/<account>/<name> "
                "(aws sqs get-queue-url --queue-name <name>)",
            )
        return QueueSource(
            queue,
            visibility_timeout=options["visibility_timeout"],
            max_messages=options["max_messages"],
            clients=clients,
        )
    if s3:
        return S3ObjectSource(s3, max_objects=options["max_messages"], clients=clients)
    assert file is not None
    return FileSource(str(file), read_text(file, missing_fix="pass a file of on-failure messages"))


def warn_deadlines(report: RecoveryReport, console: Console) -> None:
    """Print a prominent warning for pointers close to (or past) their 24-hour deadline."""
    near = report.near_deadline()
    if not near:
        return
    hours = report.warn_before.total_seconds() / 3600
    console.print(
        f"[bold red]WARNING: {len(near)} pointer(s) expire within {hours:g} h "
        "(records leave the stream 24 h after arrival):[/bold red]",
        highlight=False,
    )
    for entry in near:
        left = entry["seconds_left"]
        when = "EXPIRED" if left <= 0 else f"{left // 3600}h{(left % 3600) // 60:02d}m left"
        console.print(
            f"[red]  {entry['shard_id']} {entry['start']}..{entry['end']}: {when}[/red]",
            highlight=False,
        )


def render_report(report: RecoveryReport, console: Console) -> None:
    """The human-readable form of a recovery run."""
    for outcome in report.outcomes:
        planned = outcome.planned
        if outcome.error:
            kept = "would be kept for retry" if report.dry_run else "kept for retry"
            status = f"[yellow]{kept}: {escape(outcome.error)}[/yellow]"
        else:
            status = escape(
                outcome.archive or ("read (dry run)" if report.dry_run else "nothing to archive")
            )
        for lost in outcome.lost:
            status += (
                f"\n  [red]LOST {lost.start}..{lost.end}: {lost.expected} records, "
                f"{lost.reason}[/red]"
            )
        console.print(
            f"{planned.shard_id} {planned.range.start}..{planned.range.end}: "
            f"{len(planned.pointers)} pointers, {len(outcome.records)} records -> {status}",
            markup=True,
            highlight=False,
        )
    for entry in report.invalid:
        console.print(
            f"[yellow]invalid message {escape(entry['message'])}: {escape(entry['field'])}: "
            f"{escape(entry['problem'])}[/yellow]",
            highlight=False,
        )
    for entry in report.unsupported:
        console.print(
            f"[yellow]skipped {escape(entry['message'])}: {entry['kind']}[/yellow]",
            highlight=False,
        )
    if report.dry_run:
        console.print(
            f"dry run: {len(report.pointers)} pointers, {len(report.outcomes)} ranges; "
            f"{report.records_recovered} records would be recovered, {report.records_lost} "
            "would be lost; nothing was written or deleted",
            highlight=False,
        )
    else:
        console.print(
            f"{len(report.pointers)} pointers, {len(report.outcomes)} ranges, "
            f"{report.records_recovered} records recovered, {report.records_lost} lost, "
            f"{len(report.deleted)} messages deleted",
            highlight=False,
        )
    if report.manifest:
        console.print(f"manifest: {report.manifest}", highlight=False)


@app.callback(invoke_without_command=True)
def recover(
    ctx: typer.Context,
    queue: Annotated[str | None, typer.Option(help="SQS on-failure queue URL.")] = None,
    file: Annotated[
        Path | None, typer.Option(help="File of messages: JSON Lines or a JSON array; '-' = stdin.")
    ] = None,
    s3: Annotated[
        str | None, typer.Option(help="s3://bucket/prefix of S3 on-failure destination objects.")
    ] = None,
    to: Annotated[
        str | None, typer.Option(help="Archive location: a directory or s3://bucket/prefix.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and report; write and delete nothing.")
    ] = False,
    keep: Annotated[bool, typer.Option("--keep", help="Do not delete messages.")] = False,
    visibility_timeout: Annotated[
        int, typer.Option(min=30, max=43_200, help="Seconds received messages stay hidden.")
    ] = 300,
    max_messages: Annotated[
        int, typer.Option(min=1, help="Stop receiving after this many messages.")
    ] = 10_000,
    replay_to_function: Annotated[
        str | None,
        typer.Option(help="After archiving, invoke this function with the recovered records."),
    ] = None,
    replay_to_queue: Annotated[
        str | None, typer.Option(help="After archiving, send each recovered record to this queue.")
    ] = None,
    warn_hours: Annotated[
        float, typer.Option(min=0, help="Warn about pointers expiring within this many hours.")
    ] = 2.0,
    as_json: JsonOption = False,
) -> None:
    """Recover the records on-failure pointers point to; delete a message only once settled.

    Exit codes: 0 all recovered; 3 records were lost (see lost_ranges); 1 some messages were kept
    for a retry (unreadable ranges, write failures, invalid messages); 2 usage errors.
    """
    if ctx.invoked_subcommand is not None:
        return

    cli = state(ctx)
    source = _source(
        queue,
        file,
        s3,
        cli.clients,
        visibility_timeout=visibility_timeout,
        max_messages=max_messages,
    )
    recovery = build_recovery(
        to,
        dry_run=dry_run,
        keep=keep,
        warn_before=timedelta(hours=warn_hours),
        replay_function=replay_to_function,
        replay_queue=replay_to_queue,
        clients=cli.clients,
    )
    if isinstance(source, S3ObjectSource) and to:
        check_distinct(source, to)
    replayer = recovery.replayer
    with progress(cli.err) as bar:
        task = bar.add_task("Receiving messages", total=None)
        messages = source.receive()
        service = recovery.service(on_range=lambda outcome: bar.advance(task))
        _, planned = service.plan(messages)
        bar.update(task, description="Recovering ranges", total=len(planned), completed=0)
        report = service.run(source, messages)
    if replayer is not None and dry_run:
        cli.err.print("[yellow]--dry-run: nothing replayed[/yellow]")
    elif replayer is not None:
        records, encoded = report.recovered_records(), report.recovered_encoded()
        report.replay = replayer.replay(records, encoded).summary()
    warn_deadlines(report, cli.err)
    emit(
        report.summary(),
        as_json=as_json,
        render=lambda c: render_report(report, c),
        console=cli.out,
    )
    raise typer.Exit(report.exit_code)


@app.command("replay")
def replay(
    ctx: typer.Context,
    archives: Annotated[
        list[str],
        typer.Argument(
            help="Archives (*.jsonl.gz), directories or s3://bucket/prefix locations, in order."
        ),
    ],
    to_function: Annotated[
        str | None, typer.Option(help="Invoke this function with Lambda stream events.")
    ] = None,
    to_queue: Annotated[
        str | None, typer.Option(help="Send each record as one message to this queue.")
    ] = None,
    asynchronous: Annotated[
        bool,
        typer.Option("--async", help="Invoke asynchronously (1 MB chunks; errors do not surface)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Send archived records back to a function (chunked to the payload limit) or a queue.

    Exits 1 when anything was not delivered (the summary says from which record on).
    """
    clients = state(ctx).clients
    replayer = build_replayer(
        to_function, to_queue, asynchronous=asynchronous, flag="--to-function", clients=clients
    )
    if replayer is None:
        raise UserError("no replay target", "pass --to-function NAME or --to-queue URL")
    records = [r for location in archives for r in read_archives(location, clients=clients)]
    result = replayer.replay(records)

    def render(console: Console) -> None:
        console.print(
            f"{result.records_sent}/{result.records} records sent to {result.target} "
            f"in {result.calls} calls"
        )
        for failure in result.failed:
            console.print(
                f"[red]failed: {escape(describe_failure(failure))}[/red]", highlight=False
            )

    emit(result.summary(), as_json=as_json, render=render, console=state(ctx).out)
    raise typer.Exit(1 if result.failed else 0)
