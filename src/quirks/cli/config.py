"""``quirks config``: show the settings every command will use, and optionally test them."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from quirks import __version__, aws
from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit

SERVICES: tuple[aws.ServiceName, ...] = (
    "dynamodb",
    "dynamodbstreams",
    "lambda",
    "sqs",
    "sns",
    "s3",
    "events",
    "kinesis",
    "logs",
    "cloudwatch",
    "ssm",
    "secretsmanager",
    "cognito-idp",
    "route53",
    "acm",
    "sts",
)


def show_config(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Call STS GetCallerIdentity to test the credentials.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the resolved region, profile, retry mode and endpoint of each AWS service."""
    cli = state(ctx)
    factory = aws.current()
    endpoints = {service: factory.endpoint_for(service) for service in SERVICES}
    data: dict[str, Any] = {
        "version": __version__,
        "region": factory.region(),
        "profile": factory.settings.profile or factory.environ.get("AWS_PROFILE"),
        "max_attempts": factory.settings.max_attempts,
        "user_agent": aws.USER_AGENT,
        "endpoints": endpoints,
    }
    if check:
        identity = aws.client("sts").get_caller_identity()
        data["account"] = identity["Account"]
        data["caller_arn"] = identity["Arn"]

    def render(console: Any) -> None:
        table = Table(title=f"quirks {__version__}", show_header=False)
        for key in ("region", "profile", "max_attempts", "user_agent", "account", "caller_arn"):
            if key in data:
                table.add_row(key, str(data[key] if data[key] is not None else "-"))
        for service, endpoint in endpoints.items():
            table.add_row(f"endpoint {service}", endpoint or "AWS default")
        console.print(table)

    emit(data, as_json=as_json, render=render, console=cli.out)
