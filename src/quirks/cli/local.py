"""``quirks local``: run the embedded cloud (moto + the local Lambda) on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from quirks import jsonsafe
from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit
from quirks.errors import UserError

app = typer.Typer(
    help="Run AWS locally: moto for the APIs plus a real Lambda emulator.", no_args_is_help=True
)


def _state_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "quirks" / "local"


def _state_path(port: int) -> Path:
    """One state file per running cloud, named by its port: clouds never overwrite each other."""
    return _state_dir() / f"{port}.json"


def record_cloud(url: str, port: int, environment: dict[str, str]) -> Path:
    """Record a running cloud of this process for ``quirks local env``; returns its state file."""
    path = _state_path(port)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"url": url, "port": port, "pid": os.getpid(), "environment": environment}
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def running_clouds() -> list[dict[str, Any]]:
    """The state of every local cloud that is still running (pid alive, port answering).

    State left behind by a cloud that was killed is removed on the way.
    """
    clouds: list[dict[str, Any]] = []
    for path in sorted(_state_dir().glob("*.json")):
        try:
            data = jsonsafe.loads(path.read_bytes(), str(path))
            port, pid = int(data["port"]), int(data["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            continue
        if _alive(pid) and _answers(port):
            clouds.append(data)
        else:
            path.unlink(missing_ok=True)
    return sorted(clouds, key=lambda cloud: int(cloud["port"]))


def _pick(port: int | None) -> dict[str, Any]:
    clouds = running_clouds()
    if port is not None:
        for cloud in clouds:
            if cloud["port"] == port:
                return cloud
        running = ", ".join(str(c["port"]) for c in clouds) or "none"
        raise UserError(
            f"no local cloud is running on port {port} (running: {running})",
            f"start one with: quirks local up --port {port}",
        )
    if not clouds:
        raise UserError("no local cloud is running", "start one with: quirks local up")
    if len(clouds) > 1:
        ports = ", ".join(str(c["port"]) for c in clouds)
        raise UserError(
            f"{len(clouds)} local clouds are running (ports {ports})",
            "pick one with --port N",
        )
    return clouds[0]


def _exports(env: dict[str, str]) -> str:
    return "\n".join(f"export {name}={value}" for name, value in env.items())


@app.command("up")
def up(
    ctx: typer.Context,
    stack: Annotated[
        Path | None, typer.Option(help="TOML stack file to provision after start.")
    ] = None,
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0 = any free port).")
    ] = 4566,
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
    try:
        cloud = LocalCloud(
            port=port,
            time_factor=time_factor,
            region=parsed.region if parsed else "us-east-1",
            stream_retention=stream_retention,
        )
        cloud.start()
    except OSError as exc:
        raise UserError(
            f"cannot listen on 127.0.0.1:{port}: {exc}", "pass --port 0 or stop what uses it"
        ) from None
    written: Path | None = None
    try:
        created = provision(parsed, cloud.clients) if parsed else {}
        env = cloud.environment()
        written = record_cloud(cloud.url, cloud.port, env)
        # Before the ready line (whoever reads it may send SIGTERM at once), SIGTERM stops the
        # cloud as Ctrl-C does. The handler only raises: one that took a lock (Event.set) could
        # deadlock with the main thread inside that same lock.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        emit(
            {"url": cloud.url, "environment": env, "resources": created},
            as_json=as_json,
            render=lambda console: console.print(
                f"# quirks local cloud on {cloud.url} ({len(created)} resources provisioned)\n"
                f"{_exports(env)}\n# Ctrl-C to stop"
            ),
            console=state(ctx).out,
        )
        with contextlib.suppress(KeyboardInterrupt):
            # Timed: Python runs signal handlers in the main thread only, and a signal the kernel
            # hands to one of the cloud's threads would never wake an untimed wait.
            while True:
                time.sleep(0.5)
    finally:
        cloud.stop()
        if written is not None:
            written.unlink(missing_ok=True)  # only this cloud's own state


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
    port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="The cloud on this port, when more than one is running."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the exports of the running local cloud (eval "$(quirks local env)").

    With ``--terraform``, print a ``provider "aws"`` override file instead, to save next to a root
    module as ``quirks_local_override.tf`` (``--json``: ``{"file": ..., "content": ...}``).
    """
    if alias and not terraform:
        raise UserError("--alias only applies to the override file", "add --terraform")
    data = _pick(port)
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
