"""``quirks fanout``: validate a fan-out configuration and dry-run it on an event, sending nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from quirks import jsonsafe
from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit
from quirks.errors import FormatError, UserError
from quirks.fanout.chunking import limits_for
from quirks.fanout.config import FanoutConfig, Target, load_file
from quirks.fanout.filters import never_matching
from quirks.fanout.plan import plan_target
from quirks.limits import SQS_MAX_MESSAGE_BYTES
from quirks.streams.codec import records_from_lambda_event
from quirks.streams.encoding import encode_records

app = typer.Typer(help="Fan one DynamoDB stream out to many consumers.", no_args_is_help=True)

ConfigArgument = Annotated[
    Path, typer.Argument(help="The fan-out configuration (JSON, or YAML with PyYAML).")
]


def _warnings(config: FanoutConfig, target: Target) -> list[str]:
    notes: list[str] = []
    destination = target.on_failure.destination
    if target.on_failure.mode == "block" and destination is None:
        notes.append(
            "block mode without a failure destination: a record that can never be delivered "
            "(poison) holds this target until the stream trims it (24 h)"
        )
    if config.claim_check is None:
        notes.append(
            f"no claim_check: a record over {limits_for(target).message_bytes:,} bytes fails "
            "for this target"
        )
    if destination is not None and not destination.startswith("s3://"):
        notes.append(
            f"failures go to SQS: a record over {SQS_MAX_MESSAGE_BYTES:,} bytes cannot be "
            "diverted there (use s3://)"
        )
    notes.extend(never_matching(target.filter_source, "filter"))
    return notes


def describe_target(config: FanoutConfig, target: Target) -> dict[str, Any]:
    """A JSON-ready explanation of one target and the limits in force for it."""
    limits = limits_for(target)
    data: dict[str, Any] = {
        "id": target.id,
        "type": target.type,
        "destination": target.destination,
        "format": target.format,
        "filter": target.filter_source,
        "on_failure": {
            "mode": target.on_failure.mode,
            "destination": target.on_failure.destination,
        },
        "max_attempts": target.max_attempts,
        "limits": {
            "message_bytes": limits.message_bytes,
            "entries_per_call": limits.entries_per_call,
            "bytes_per_call": limits.bytes_per_call,
        },
        "warnings": _warnings(config, target),
    }
    if target.type == "eventbridge":
        data["source"] = target.source
        data["detail_type"] = target.detail_type
    return data


ROW_LABELS = ("target", "type", "format", "on failure", "limit/msg", "per call", "filter")


def _row(target: dict[str, Any]) -> tuple[str, ...]:
    limits = target["limits"]
    failure = target["on_failure"]
    return (
        target["id"],
        f"{target['type']} {target['destination']}",
        target["format"],
        f"{failure['mode']} -> {failure['destination'] or '-'}",
        f"{limits['message_bytes']:,}",
        f"{limits['entries_per_call']} / {limits['bytes_per_call']:,}",
        json.dumps(target["filter"]) if target["filter"] is not None else "all records",
    )


@app.command("check")
def check(ctx: typer.Context, config_file: ConfigArgument, as_json: JsonOption = False) -> None:
    """Validate a configuration and explain its targets, filters and limits.

    Exits 2 with the target and field named when the configuration is invalid.
    """
    config = load_file(config_file)
    targets = [describe_target(config, target) for target in config.targets]
    data: dict[str, Any] = {
        "valid": True,
        "claim_check": config.claim_check,
        "checkpoint_table": config.checkpoint_table,
        "concurrency": config.concurrency,
        "targets": targets,
    }

    def render(console: Any) -> None:
        title = f"{config_file}: valid, {len(config.targets)} targets"
        rows = [_row(target) for target in targets]
        table = Table(title=title)
        for column in ROW_LABELS:
            table.add_column(column, no_wrap=True)
        for row in rows:
            table.add_row(*row)
        # Measured without the terminal's limit (rich clamps a measurement to the width given).
        natural = Measurement.get(console, console.options.update_width(100_000), table).maximum
        if natural <= console.width:
            console.print(table)
        else:  # too narrow for every value in full: one block per target, never a cut value
            console.print(title, highlight=False)
            for row in rows:
                console.print(f"\n[bold]{escape(row[0])}[/bold]", highlight=False)
                for label, value in zip(ROW_LABELS[1:], row[1:], strict=True):
                    console.print(f"  {label:<11} {escape(value)}", highlight=False)
        console.print(
            f"claim checks: {config.claim_check or 'off'}   "
            f"checkpoints: {config.checkpoint_table or 'off'}   concurrency: {config.concurrency}"
        )
        for target in targets:
            for warning in target["warnings"]:
                state(ctx).err.print(f"warning: {target['id']}: {warning}", highlight=False)

    emit(data, as_json=as_json, render=render, console=state(ctx).out)


def simulate_target(
    config: FanoutConfig, target: Target, records: list[dict[str, Any]], encoded: list[bytes]
) -> dict[str, Any]:
    """Which records a target would get, in how many messages and calls (nothing is sent).

    The dispatcher's own plan (:func:`quirks.fanout.plan.plan_target`), rendered.
    """
    plan = plan_target(target, records, encoded, claim_check=config.claim_check is not None)
    return {
        "id": target.id,
        "type": target.type,
        "selected": len(plan.selected),
        "sequence_numbers": [records[i]["dynamodb"]["SequenceNumber"] for i in plan.selected],
        "messages": plan.sendable,
        "calls": len(plan.calls),
        "largest_message_bytes": plan.largest_message_bytes,
        "claim_checks": len(plan.claim_checks),
        "would_fail": [
            {"SequenceNumber": records[r.index]["dynamodb"]["SequenceNumber"], "reason": r.reason}
            for r in plan.refused
        ],
    }


@app.command("simulate")
def simulate(
    ctx: typer.Context,
    config_file: ConfigArgument,
    event: Annotated[
        Path, typer.Option("--event", help="A Lambda DynamoDB stream event (JSON file).")
    ],
    as_json: JsonOption = False,
) -> None:
    """Show which records go to which target in how many messages and calls, sending nothing."""
    config = load_file(config_file)
    try:
        raw = jsonsafe.loads(event.read_text(encoding="utf-8"), str(event))
    except OSError as exc:
        raise UserError(f"cannot read {event}: {exc.strerror}", "check the path") from None
    except ValueError as exc:
        raise UserError(str(exc), "pass a Lambda stream event") from None
    try:
        records_from_lambda_event(raw)  # validates every record, naming the bad field
    except FormatError as exc:
        raise UserError(f"{event}: {exc}", "pass a Lambda DynamoDB stream event") from None
    records: list[dict[str, Any]] = raw["Records"]
    encoded = encode_records(records)
    plans = [simulate_target(config, t, records, encoded) for t in config.targets]
    data: dict[str, Any] = {"records": len(records), "targets": plans}

    def render(console: Any) -> None:
        table = Table(title=f"{len(records)} records from {event} (nothing sent)")
        for column in ("target", "records", "messages", "calls", "claim checks", "would fail"):
            table.add_column(column, justify="right" if column != "target" else "left")
        for target in plans:
            table.add_row(
                f"{target['id']} ({target['type']})",
                str(target["selected"]),
                str(target["messages"]),
                str(target["calls"]),
                str(target["claim_checks"]),
                str(len(target["would_fail"])),
            )
        console.print(table)

    emit(data, as_json=as_json, render=render, console=state(ctx).out)
