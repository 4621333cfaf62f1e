"""``quirks demo``: see the stream quirks and their fixes work, on this machine, in under a minute."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - typer reads the annotations at runtime
from typing import Annotated, Any

import typer
from rich.table import Table

from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit


def demo(
    ctx: typer.Context,
    records: Annotated[
        int, typer.Option(min=10, max=100_000, help="Orders written per phase.")
    ] = 200,
    report: Annotated[
        Path | None, typer.Option(help="Also write report.json and IteratorAge charts (SVG) here.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run both phases (direct readers vs. fan-out) on the local cloud and report every record.

    Exits 0 only when no record was lost (lost_total 0), 1 otherwise.
    """
    from quirks.local.demo import run_demo, write_report

    cli = state(ctx)
    with cli.err.status("starting the local cloud") as status:
        result = run_demo(records, say=lambda message: status.update(message))
    data = result.to_json()
    if report is not None:
        data["files"] = write_report(result, str(report))

    def render(console: Any) -> None:
        for phase in result.phases:
            table = Table(
                title=(
                    f"phase {phase.name}: {phase.readers_per_shard} readers per shard, "
                    f"{phase.throttled_polls} throttled polls, IteratorAge max "
                    f"{phase.iterator_age_max_ms:,.0f} ms"
                )
            )
            columns = ("consumer", "processed", "failed", "recovered", "lost")
            for column in (*columns, "IteratorAge max"):
                table.add_column(column, justify="left" if column == "consumer" else "right")
            for name, counts in phase.consumers.items():
                table.add_row(
                    name,
                    str(counts.processed),
                    str(counts.failed),
                    str(counts.recovered),
                    f"[red]{counts.lost}[/red]" if counts.lost else "0",
                    f"{counts.iterator_age_max_ms:,.0f} ms",
                )
            console.print(table)
        console.print(
            f"{result.records_written} records written; alerts delivered to the webhook: "
            f"{result.alerts['delivered']} ({result.alerts['distinct']} distinct); "
            f"lost: {result.lost_total}; {result.duration_seconds} s"
        )
        for path in data.get("files", []):
            console.print(f"wrote {path}")

    emit(data, as_json=as_json, render=render, console=cli.out)
    if result.lost_total:
        raise typer.Exit(1)
