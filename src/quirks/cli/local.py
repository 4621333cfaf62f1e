"""``quirks local``: run the embedded cloud (moto + the local Lambda) on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit
from quirks.errors import UserError

app = typer.Typer(
    help="Run AWS locally: moto for the APIs plus a real Lambda emulator.", no_args_is_help=True
)


def _state_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "quirks" / "local.json"


def _exports(env: dict[str, str]) -> str:
    return "\n".join(f"export {name}={value}" for name, value in env.items())


@app.command("up")
def up(
    ctx: typer.Context,
    stack: Annotated[
        Path | None, typer.Option(help="TOML stack file to provision after start.")
    ] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 = any free port).")] = 4566,
    time_factor: Annotated[
        float,
        typer.Option(
            min=0.0001, help="Scale Lambda's retry delays and event ages (1 = real time)."
        ),
    ] = 1.0,
    stream_retention: Annotated[
        float,
        typer.Option(
            min=1.0,
            help="Seconds (emulated time) a stream record stays readable before it is trimmed.",
        ),
    ] = 24 * 3600.0,
    as_json: JsonOption = False,
) -> None:
    """Start the local cloud, print the exports that point AWS SDKs at it, run until Ctrl-C."""
    from quirks.local.cloud import LocalCloud
    from quirks.local.stack import load_stack, provision

    parsed = load_stack(stack) if stack else None
    cloud = LocalCloud(
        port=port,
        time_factor=time_factor,
        region=parsed.region if parsed else "us-east-1",
        stream_retention=stream_retention,
    )
    try:
        cloud.start()
    except OSError as exc:
        raise UserError(
            f"cannot listen on 127.0.0.1:{port}: {exc}", "pass --port 0 or stop what uses it"
        ) from None
    try:
        created = provision(parsed, cloud.clients) if parsed else {}
        env = cloud.environment()
        path = _state_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"url": cloud.url, "pid": os.getpid(), "environment": env}))
        emit(
            {"url": cloud.url, "environment": env, "resources": created},
            as_json=as_json,
            render=lambda console: console.print(
                f"# quirks local cloud on {cloud.url} ({len(created)} resources provisioned)\n"
                f"{_exports(env)}\n# Ctrl-C to stop"
            ),
            console=state(ctx).out,
        )
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()
    finally:
        cloud.stop()
        _state_file().unlink(missing_ok=True)


@app.command("env")
def env(
    ctx: typer.Context,
    terraform: Annotated[
        bool,
        typer.Option(
            "--terraform",
            help="Print a provider override file (quirks_local_override.tf) instead of exports.",
        ),
    ] = False,
    alias: Annotated[
        list[str] | None,
        typer.Option(
            help="With --terraform: also point the provider aws.ALIAS at the cloud (repeatable)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the exports of the running local cloud (``eval "$(quirks local env)"``).

    With ``--terraform``, print a ``provider "aws"`` override file instead, to save next to a root
    module as ``quirks_local_override.tf`` (``--json``: ``{"file": ..., "content": ...}``).
    """
    path = _state_file()
    if not path.is_file():
        raise UserError("no local cloud is running", "start one with: quirks local up")
    data: dict[str, Any] = json.loads(path.read_text())
    if alias and not terraform:
        raise UserError("--alias only applies to the override file", "add --terraform")
    if terraform:
        _emit_override(ctx, data, alias or [], as_json=as_json)
        return
    emit(
        data["environment"],
        as_json=as_json,
        render=lambda console: console.print(_exports(data["environment"]), highlight=False),
        console=state(ctx).out,
    )


def _emit_override(
    ctx: typer.Context, data: dict[str, Any], aliases: list[str], *, as_json: bool
) -> None:
    from quirks.local.terraform_override import FILE_NAME, render_override

    environment: dict[str, str] = data["environment"]
    try:
        content = render_override(
            data["url"],
            environment["AWS_REGION"],
            credentials=(environment["AWS_ACCESS_KEY_ID"], environment["AWS_SECRET_ACCESS_KEY"]),
            aliases=aliases,
        )
    except ValueError as exc:
        fix = (
            "pass a plain --alias name (letters, digits, _ and -)"
            if "alias" in str(exc)
            else "restart the local cloud: quirks local up"
        )
        raise UserError(str(exc), fix) from None
    emit(
        {"file": FILE_NAME, "content": content},
        as_json=as_json,
        # markup off: the HCL is printed byte for byte, ready for `> quirks_local_override.tf`
        render=lambda console: console.print(content, end="", markup=False, highlight=False),
        console=state(ctx).out,
    )
