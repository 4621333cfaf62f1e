"""``quirks local env`` finds the right cloud: one state file per cloud, liveness checked, --port;
and ``local up`` port errors are user errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from quirks.cli.local import record_cloud
from quirks.testing import run_cli

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "quirks" / "local"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """Something answering on a port of 127.0.0.1, as a cloud does."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        yield sock


def fake_cloud(sock: socket.socket) -> int:
    port = int(sock.getsockname()[1])
    record_cloud(f"http://127.0.0.1:{port}", port, {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"})
    return port


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_env_skips_and_removes_the_state_of_clouds_that_are_gone(
    cache: Path, listener: socket.socket
) -> None:
    port = fake_cloud(listener)
    cache.joinpath("1.json").write_text(json.dumps({"url": "x", "port": 1, "pid": dead_pid()}))
    # alive pid, but nothing answers on its port any more
    with socket.create_server(("127.0.0.1", 0)) as closed:
        gone = int(closed.getsockname()[1])
    record_cloud(f"http://127.0.0.1:{gone}", gone, {})
    cache.joinpath("junk.json").write_text("{not json")
    code, out, err = run_cli("local", "env", "--json")
    assert code == 0, err
    assert json.loads(out) == {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    assert sorted(p.name for p in cache.iterdir()) == [f"{port}.json"]


def test_two_clouds_need_port_and_stopping_one_keeps_the_other(
    cache: Path, listener: socket.socket
) -> None:
    first = fake_cloud(listener)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache.parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "quirks", "local", "up", "--port", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines = []
        while not lines or not lines[-1].startswith("}"):
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else "no output"
            lines.append(line)
        second = int(json.loads("".join(lines))["url"].rsplit(":", 1)[1])

        code, out, err = run_cli("local", "env")
        assert (code, out) == (2, "")
        low, high = sorted((first, second))
        assert f"2 local clouds are running (ports {low}, {high})" in err
        assert "(fix: pick one with --port N)" in err
        code, out, err = run_cli("local", "env", "--port", str(second), "--json")
        assert code == 0, err
        assert json.loads(out)["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{second}"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    # The second cloud removed its own state only: the first is still found.
    code, out, err = run_cli("local", "env", "--json")
    assert code == 0, err
    assert json.loads(out)["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{first}"
    code, _, err = run_cli("local", "env", "--port", str(second))
    assert code == 2
    assert f"no local cloud is running on port {second} (running: {first})" in err


@pytest.mark.parametrize("running", [False, True])
def test_alias_without_terraform_is_refused_whether_or_not_a_cloud_runs(
    cache: Path, listener: socket.socket, running: bool
) -> None:
    if running:
        fake_cloud(listener)
    code, out, err = run_cli("local", "env", "--alias", "west")
    assert (code, out) == (2, "")
    assert (
        err == "quirks: error: --alias only applies to the override file (fix: add --terraform)\n"
    )


def test_a_port_out_of_range_is_refused() -> None:
    code, out, err = run_cli("local", "up", "--port", "99999")
    assert (code, out) == (2, "")
    assert "Invalid value for '--port'" in err
    assert "65535" in err


def test_a_port_in_use_is_a_user_error_with_the_fix(cache: Path, listener: socket.socket) -> None:
    port = int(listener.getsockname()[1])
    code, out, err = run_cli("local", "up", "--port", str(port))
    assert (code, out) == (2, "")
    assert err.startswith(f"quirks: error: cannot listen on 127.0.0.1:{port}")
    assert "(fix: pass --port 0 or stop what uses it)" in err
    assert len(err.strip().splitlines()) == 1
    assert not cache.exists() or list(cache.iterdir()) == []
