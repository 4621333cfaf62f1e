"""``quirks streams``: look inside failure messages and record archives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path  # noqa: TC003  # typer reads the annotations at runtime
from typing import Annotated, Any

import typer
from rich.table import Table

from quirks.cli.archives import read_archives
from quirks.cli.context import state
from quirks.cli.io import read_text
from quirks.cli.output import JsonOption, emit
from quirks.errors import FormatError
from quirks.streams.failures import (
    AsyncInvocationFailure,
    DeadLetterMessage,
    FailureMessage,
    StreamBatchFailure,
    parse_saved_message,
    split_messages,
    unwrap_envelopes,
)
from quirks.streams.wire import stream_event

app = typer.Typer(help="Inspect stream failure messages and record archives.", no_args_is_help=True)


def describe_failure(message: FailureMessage, now: datetime | None = None) -> dict[str, Any]:
    """A flat, JSON-ready summary of a parsed failure message."""
    if isinstance(message, StreamBatchFailure):
        batch = message.batch
        now = now or datetime.now(UTC)
        expires = batch.expires_at
        return {
            "kind": message.kind,
            "source": batch.source,
            "via": "sns" if message.sns else ("s3" if message.payload is not None else "direct"),
            "stream_arn": batch.stream_arn,
            "shard_id": batch.shard_id,
            "start": batch.start_sequence_number,
            "end": batch.end_sequence_number,
            "batch_size": batch.batch_size,
            "records_included": len(message.records) if message.records is not None else None,
            "function_arn": message.request_context.function_arn,
            "condition": message.request_context.condition,
            "first_arrival": batch.first_arrival,
            "expires_at": expires,
            "seconds_left": round((expires - now).total_seconds()) if expires else None,
        }
    if isinstance(message, AsyncInvocationFailure):
        return {
            "kind": message.kind,
            "via": "sns" if message.sns else "direct",
            "function_arn": message.request_context.function_arn,
            "condition": message.request_context.condition,
            "request_id": message.request_context.request_id,
            "function_error": message.response_context.function_error,
        }
    assert isinstance(message, DeadLetterMessage)
    return {
        "kind": message.kind,
        "request_id": message.request_id,
        "error_code": message.error_code,
        "error_message": message.error_message,
    }


def _deadline(entry: dict[str, Any]) -> str:
    """``EXPIRED 3d4h ago`` or ``expires 2026-… (5h12m left)``: what a human needs to act on."""
    left = entry["seconds_left"]
    if left is None:
        return "expiry unknown"
    span = abs(int(left))
    days, rest = divmod(span, 86400)
    text = f"{days}d{rest // 3600}h" if days else f"{rest // 3600}h{(rest % 3600) // 60:02d}m"
    if left <= 0:
        return f"[red]EXPIRED {text} ago[/red]: the stream no longer holds these records"
    return f"expires {entry['expires_at']:%Y-%m-%d %H:%M:%S} UTC ({text} left)"


@app.command("parse-failure")
def parse_failure(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Files of failure messages: JSON, JSON array or JSON Lines; '-' = stdin."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Parse on-failure destination / DLQ messages and show what each one is.

    Exits 1 when any message is not a recognized failure message.
    """
    results: list[dict[str, Any]] = []
    for path in files:
        text = read_text(path, missing_fix="pass the path of a file of messages")
        for index, raw in enumerate(unwrap_envelopes(split_messages(text))):
            entry: dict[str, Any] = {"file": str(path), "index": index}
            try:
                entry.update(describe_failure(parse_saved_message(raw)))
            except FormatError as exc:
                entry.update(kind="invalid", error={"field": exc.field, "problem": exc.problem})
            results.append(entry)
    rejected = sum(1 for entry in results if entry["kind"] == "invalid")
    data = {"messages": results, "parsed": len(results) - rejected, "rejected": rejected}

    def render(console: Any) -> None:
        table = Table("file", "#", "kind", "details")
        for entry in results:
            if entry["kind"] == "invalid":
                details = f"[red]{entry['error']['field']}: {entry['error']['problem']}[/red]"
            elif entry["kind"] == "stream-batch":
                details = (
                    f"{entry['shard_id']} {entry['start']}..{entry['end']} "
                    f"({entry['batch_size']} records, via {entry['via']}, "
                    f"{_deadline(entry)})"
                )
            else:
                details = ", ".join(
                    f"{k}={v}" for k, v in entry.items() if k not in ("file", "index", "kind") and v
                )
            table.add_row(entry["file"], str(entry["index"]), entry["kind"], details)
        console.print(table)
        console.print(f"{data['parsed']} parsed, {rejected} rejected")

    emit(data, as_json=as_json, render=render, console=state(ctx).out)
    if rejected:
        raise typer.Exit(1)


@app.command("cat")
def cat(
    ctx: typer.Context,
    archives: Annotated[
        list[str],
        typer.Argument(
            help="Archives (*.jsonl.gz), directories or s3://bucket/prefix locations, in order."
        ),
    ],
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help='Print the replay event {"Records": [...]} as one JSON document.'
        ),
    ] = False,
) -> None:
    """Show the records of ``*.jsonl.gz`` archives, local or in S3 (``--json``: the Lambda event
    that replays them)."""
    clients = state(ctx).clients
    records: list[dict[str, Any]] = [
        record for location in archives for record in read_archives(location, clients=clients)
    ]

    def render(console: Any) -> None:
        table = Table("sequence", "event", "keys", "created")
        for record in records:
            ddb = record["dynamodb"]
            keys = ", ".join(f"{k}={next(iter(v.values()))}" for k, v in ddb["Keys"].items())
            created = ddb.get("ApproximateCreationDateTime")
            when = datetime.fromtimestamp(created, UTC).isoformat() if created is not None else "-"
            table.add_row(ddb["SequenceNumber"], record["eventName"], keys, when)
        console.print(table)
        console.print(f"{len(records)} records")

    emit(stream_event(records), as_json=as_json, render=render, console=state(ctx).out)
