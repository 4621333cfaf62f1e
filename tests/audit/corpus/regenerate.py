"""Regenerate each corpus stack's ``plan.json`` with the real AWS provider, offline.

    TF_PLUGIN_DIR=/opt/tf-plugins .venv/bin/python tests/audit/corpus/regenerate.py [STACK...]

Each stack's provider block uses fake credentials and skips every account lookup, so
``terraform plan`` makes no AWS call; the provider comes from a filesystem mirror.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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


def main(names: list[str]) -> int:
    plugin_dir = os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins")
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
