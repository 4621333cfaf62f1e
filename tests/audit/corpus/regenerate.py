"""Regenerate each corpus stack's ``plan.json`` with the real AWS provider, offline.

    TF_PLUGIN_DIR=/opt/tf-plugins .venv/bin/python tests/audit/corpus/regenerate.py [STACK...]

Each stack's provider block uses fake credentials and skips every account lookup, so
``terraform plan`` makes no AWS call; the provider comes from a filesystem mirror.

``state:STACK`` applies a stack to a local cloud and writes its ``state.json`` (``terraform show
-json`` of the state); ``cognito`` is the stack that needs no Lambda code for it.

``complete`` plans ``terraform/examples/complete`` instead (into ``../complete.plan.json``): its
data sources ask STS who the caller is, so that plan runs against a local cloud, with placeholder
Lambda packages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

HERE = Path(__file__).parent


def plan_json(stack: Path, plugin_dir: str) -> dict[str, object]:
    """``terraform show -json`` of a fresh plan of ``stack`` (worked on in a scratch copy)."""
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "TF_IN_AUTOMATION": "1"}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / stack.name
        shutil.copytree(stack, work, ignore=shutil.ignore_patterns("*.json", ".terraform*"))

        def tf(*args: str) -> str:
            return subprocess.run(
                ["terraform", *args], cwd=work, env=env, check=True, capture_output=True, text=True
            ).stdout

        tf("init", "-input=false", "-backend=false", f"-plugin-dir={plugin_dir}")
        tf("plan", "-input=false", "-refresh=false", "-lock=false", "-out=tfplan")
        document: dict[str, object] = json.loads(tf("show", "-json", "tfplan"))
    for volatile in ("timestamp", "terraform_version"):
        document.pop(volatile, None)
    return document


def _terraform(work: Path, env: dict[str, str]) -> Callable[..., str]:
    def tf(*args: str) -> str:
        return subprocess.run(
            ["terraform", *args], cwd=work, env=env, check=True, capture_output=True, text=True
        ).stdout

    return tf


def _local_env(cloud: Any) -> dict[str, str]:
    return {
        **os.environ,
        **cloud.environment(),
        "AWS_ENDPOINT_URL": cloud.url,
        "TF_CLI_CONFIG_FILE": "/dev/null",
        "TF_IN_AUTOMATION": "1",
    }


def state_json(stack: Path, plugin_dir: str) -> dict[str, object]:
    """``terraform show -json`` of the state after applying ``stack`` to a local cloud."""
    from quirks.local.cloud import LocalCloud

    with tempfile.TemporaryDirectory() as scratch, LocalCloud() as cloud:
        work = Path(scratch) / stack.name
        shutil.copytree(stack, work, ignore=shutil.ignore_patterns("*.json", ".terraform*"))
        tf = _terraform(work, _local_env(cloud))
        tf("init", "-input=false", "-backend=false", f"-plugin-dir={plugin_dir}")
        tf("apply", "-input=false", "-auto-approve", "-lock=false")
        document: dict[str, object] = json.loads(tf("show", "-json"))
    document.pop("terraform_version", None)
    return document


def complete_plan_json(plugin_dir: str) -> dict[str, object]:
    """The complete example's plan, made against a local cloud (STS answers its data sources)."""
    import zipfile

    from quirks.local.cloud import LocalCloud

    repo = HERE.parents[2]
    with tempfile.TemporaryDirectory() as scratch, LocalCloud() as cloud:
        shutil.copytree(
            repo / "terraform",
            Path(scratch) / "terraform",
            ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"),
        )
        packages = Path(scratch) / "dist" / "lambda"
        packages.mkdir(parents=True)
        for name in ("quirks-lambda-python3.13-arm64.zip", "consumers.zip"):
            with zipfile.ZipFile(packages / name, "w") as archive:
                archive.writestr("placeholder.py", "")
        work = Path(scratch) / "terraform" / "examples" / "complete"
        tf = _terraform(work, _local_env(cloud))
        tf("init", "-input=false", "-backend=false", f"-plugin-dir={plugin_dir}")
        tf("plan", "-input=false", "-refresh=false", "-lock=false", "-out=tfplan")
        document: dict[str, object] = json.loads(tf("show", "-json", "tfplan"))
    for volatile in ("timestamp", "terraform_version"):
        document.pop(volatile, None)
    return document


def main(names: list[str]) -> int:
    plugin_dir = os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins")
    for name in [n for n in names if n.startswith("state:")]:
        names.remove(name)
        stack = HERE / name.removeprefix("state:")
        document = state_json(stack, plugin_dir)
        (stack / "state.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
        print(f"wrote {stack / 'state.json'}")
        if not names:
            return 0
    if "complete" in names:
        names = [n for n in names if n != "complete"]
        target = HERE.parent / "complete.plan.json"
        document = complete_plan_json(plugin_dir)
        target.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
        print(f"wrote {target}")
        if not names:
            return 0
    stacks = (
        [HERE / n for n in names] if names else sorted(p.parent for p in HERE.glob("*/main.tf"))
    )
    for stack in stacks:
        (stack / "plan.json").write_text(
            json.dumps(plan_json(stack, plugin_dir), indent=1, sort_keys=True) + "\n"
        )
        print(f"wrote {stack / 'plan.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
