"""``quirks config``: show the settings every command will use, and optionally test them."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from quirks import __version__, aws
from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit
from quirks.errors import UserError

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


def _credentials(factory: aws.ClientFactory) -> dict[str, Any]:
    """Where the credentials come from, as ``aws configure list`` shows it (never the secret)."""
    credentials = factory.session().get_credentials()
    if credentials is None:
        return {"access_key": None, "source": "not set"}
    key = credentials.access_key or ""
    return {"access_key": f"****{key[-4:]}" if key else None, "source": credentials.method}


def show_config(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Call STS GetCallerIdentity to test the credentials.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the region, profile, credentials and endpoint each command will use, and their source.

    Works with nothing configured: what is missing shows as "not set". --check also calls STS.
    """
    cli = state(ctx)
    factory = cli.clients
    profile, profile_source = factory.profile_and_source()
    try:
        region, region_source = factory.region_and_source()
        credentials = _credentials(factory)
    except UserError as exc:  # a profile that does not exist: say so, show the rest
        region, region_source = None, exc.message
        credentials = {"access_key": None, "source": exc.message}
    endpoints = {service: factory.endpoint_and_source(service) for service in SERVICES}
    data: dict[str, Any] = {
        "version": __version__,
        "region": region,
        "profile": profile,
        "max_attempts": factory.settings.max_attempts,
        "user_agent": aws.USER_AGENT,
        "endpoints": {service: url for service, (url, _) in endpoints.items()},
        "sources": {
            "region": region_source,
            "profile": profile_source,
            "credentials": credentials["source"],
            "max_attempts": cli.max_attempts_source,
            "endpoints": {service: source for service, (_, source) in endpoints.items()},
        },
        "access_key": credentials["access_key"],
    }
    if check:
        identity = factory.client("sts").get_caller_identity()
        data["account"] = identity["Account"]
        data["caller_arn"] = identity["Arn"]

    def render(console: Any) -> None:
        table = Table(title=f"quirks {__version__}")
        table.add_column("name")
        table.add_column("value", overflow="fold")
        table.add_column("source", overflow="fold")
        table.add_row("region", region or "not set", region_source)
        table.add_row("profile", profile or "not set", profile_source)
        table.add_row("access_key", credentials["access_key"] or "not set", credentials["source"])
        table.add_row("max_attempts", str(data["max_attempts"]), cli.max_attempts_source)
        for key in ("account", "caller_arn"):
            if key in data:
                table.add_row(key, str(data[key]), "sts:GetCallerIdentity")
        overridden = {k: v for k, v in endpoints.items() if v[0] is not None}
        for service, (endpoint, source) in overridden.items():
            table.add_row(f"endpoint {service}", str(endpoint), source)
        if len(overridden) < len(endpoints):
            others = "other services" if overridden else "every service"
            table.add_row(f"endpoint ({others})", "AWS default", "no override set")
        console.print(table)
        if region is None:
            console.print("region is not set (fix: pass --region, or set AWS_REGION)")

    emit(data, as_json=as_json, render=render, console=cli.out)
