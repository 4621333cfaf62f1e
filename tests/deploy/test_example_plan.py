"""docs/deploy.md, followed to the letter on this machine: ``make package``, the local cloud, and a
``terraform plan`` of each example against it, with nothing else to do.

The plan runs the real ``hashicorp/aws`` provider against ``quirks local up`` (the provider honours
``AWS_ENDPOINT_URL``): credentials are checked and data sources read through the local STS and IAM,
and every file the examples read (the handlers' and the consumers' zips) must exist and hash.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from quirks.package import HANDLERS, code_sha256
from tests.deploy.conftest import ROOT
from tests.terraform.conftest import Terraform, plugin_dir, require_terraform

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.deploy

EXAMPLES = ["complete", "recovery-only"]


@pytest.fixture(scope="module")
def packaged() -> dict[str, Path]:
    """``make package`` in the checkout, as the guide's first step."""
    result = subprocess.run(
        ["make", "package"], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    zips = {
        "handlers": ROOT / "dist/lambda/quirks-lambda-python3.13-arm64.zip",
        "layer": ROOT / "dist/lambda/quirks-layer-python3.13-arm64.zip",
        "consumers": ROOT / "dist/lambda/consumers.zip",
    }
    for path in zips.values():
        assert path.is_file(), f"make package did not write {path}"
    return zips


@pytest.fixture(scope="module")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """``quirks local up`` in the background; yields what ``quirks local env`` prints."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    process = subprocess.Popen(
        [sys.executable, "-m", "quirks", "local", "up", "--port", "0", "--json"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        exports: dict[str, Any] | None = None
        while exports is None:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "quirks local up did not start within 60 s"
            shown = subprocess.run(
                [sys.executable, "-m", "quirks", "local", "env", "--json"],
                env=environment,
                capture_output=True,
                text=True,
                check=False,
            )
            if shown.returncode == 0:
                exports = json.loads(shown.stdout)
            else:
                time.sleep(0.2)  # polling a condition (the state file) with a deadline
        yield {k: str(v) for k, v in exports.items()}
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("example", EXAMPLES)
def test_plan_against_the_local_cloud(
    example: str, packaged: dict[str, Path], local_cloud: dict[str, str], tmp_path: Path
) -> None:
    require_terraform()
    tf = Terraform(ROOT / "terraform/examples" / example, tmp_path / "tf-data")
    tf.run("init", "-backend=false", f"-plugin-dir={plugin_dir()}", env=local_cloud)
    result = tf.run(
        "plan", "-lock=false", "-input=false", "-out", str(tmp_path / "plan"), env=local_cloud
    )
    planned = re.search(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy", result.stdout)
    assert planned, result.stdout[-3000:]
    assert int(planned.group(1)) > 20
    plan_json = tf.run("show", "-json", str(tmp_path / "plan"), env=local_cloud).stdout
    assert "hooks.slack.com" not in plan_json  # the webhook never enters the plan (or state)
    changes = json.loads(plan_json)["resource_changes"]
    functions = [c["change"]["after"] for c in changes if c["type"] == "aws_lambda_function"]
    expected = {
        "quirks.": code_sha256(packaged["handlers"].read_bytes()),
        "consumer.": code_sha256(packaged["consumers"].read_bytes()),
    }
    for function in functions:
        prefix = "quirks." if function["handler"].startswith("quirks.") else "consumer."
        assert function["source_code_hash"] == expected[prefix], function["function_name"]
    handlers = {f["handler"] for f in functions if f["handler"].startswith("quirks.")}
    wanted = {
        "complete": set(HANDLERS),
        "recovery-only": {"quirks.recovery.handler.lambda_handler"},
    }[example]
    assert handlers == wanted
    readers = [
        c["change"]["after"]
        for c in changes
        if c["type"] == "aws_lambda_event_source_mapping"
        and c["change"]["after"].get("starting_position")  # stream mappings only
    ]
    assert len(readers) == (1 if example == "complete" else 2)  # the stream's readers
