"""PerContainer: built once on first use (even from racing threads), forgotten and closed on reset."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from quirks.lifecycle import PerContainer


def test_nothing_is_built_until_first_use_then_it_is_reused() -> None:
    built: list[int] = []

    def build() -> int:
        built.append(len(built))
        return len(built)

    container = PerContainer(build)
    assert (built, container.current) == ([], None)
    assert container.get() == 1
    assert container.get() == 1
    assert built == [0]


def test_racing_first_invocations_build_once() -> None:
    built: list[object] = []
    start = threading.Barrier(8)

    def build() -> object:
        built.append(object())
        return built[-1]

    container = PerContainer(build)
    seen: list[object] = []

    def invoke() -> None:
        start.wait()
        seen.append(container.get())

    threads = [threading.Thread(target=invoke) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert seen == built * 8


def test_reset_closes_what_it_forgets_and_the_next_use_rebuilds() -> None:
    closed: list[str] = []
    values = iter(["first", "second"])
    container = PerContainer(lambda: next(values), close=closed.append)
    assert container.get() == "first"
    container.reset()
    assert (closed, container.current) == (["first"], None)
    container.reset()  # nothing built: nothing to close
    assert closed == ["first"]
    assert container.get() == "second"


def test_holding_starts_with_a_prepared_object() -> None:
    container = PerContainer.holding("prepared")
    assert container.current == "prepared"
    assert container.get() == "prepared"


HANDLERS = {
    "quirks.fanout.handler": "_dispatcher",
    "quirks.recovery.handler": "_recovery",
    "quirks.alerts.handler": "_notifier",
    "quirks.alarms.handler": "_sync",
}


@pytest.mark.parametrize(("module", "attribute"), sorted(HANDLERS.items()))
def test_every_handler_imports_without_aws_and_builds_nothing(module: str, attribute: str) -> None:
    # No region, no credentials, every endpoint a closed port, and the configuration variables a
    # deployment sets: an import that read SSM or built a client would fail or print something.
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "QUIRKS_"))}
    environ |= {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_EC2_METADATA_DISABLED": "true",
        "QUIRKS_FANOUT_CONFIG_SSM": "/fanout/config",
        "QUIRKS_ARCHIVE": "s3://bucket/archive",
        "QUIRKS_SLACK_WEBHOOK_SECRET": "slack-webhook",
    }
    code = (
        f"import {module} as handler\n"
        f"assert isinstance(handler.{attribute}, PerContainer)\n"
        f"print(handler.{attribute}.current)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", "from quirks.lifecycle import PerContainer\n" + code],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "None"), result.stderr
