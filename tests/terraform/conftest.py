"""Run Terraform itself, offline, on every module and example under ``terraform/``.

Terraform and the ``hashicorp/aws`` provider are not Python packages: where the ``terraform`` binary
or a filesystem mirror of the provider is missing, these tests are skipped with one line that says
what is missing (and the run's header says it too) — never silently. The mirror is found from
``QUIRKS_TF_PLUGIN_DIR`` (the folder that holds ``registry.terraform.io/``), else the usual places.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
MODULES = sorted(p for p in (TERRAFORM / "modules").iterdir() if (p / "main.tf").is_file())
EXAMPLES = sorted(p for p in (TERRAFORM / "examples").glob("*") if (p / "main.tf").is_file())
PROVIDER = "registry.terraform.io/hashicorp/aws"
_CANDIDATES = ("/opt/tf-plugins", "~/.terraform.d/plugins", "/usr/share/terraform/plugins")


def plugin_dir() -> Path | None:
    """The provider mirror's root, or None."""
    configured = os.environ.get("QUIRKS_TF_PLUGIN_DIR")
    for candidate in [configured] if configured else _CANDIDATES:
        root = Path(candidate).expanduser()
        if (root / PROVIDER).is_dir():
            return root
    return None


def missing() -> str | None:
    """What is missing to run Terraform offline here, as one line; None when nothing is."""
    if shutil.which("terraform") is None:
        return "terraform is not on PATH (install Terraform >= 1.6 to run the module tests)"
    if plugin_dir() is None:
        return (
            f"no filesystem mirror of {PROVIDER} found (set QUIRKS_TF_PLUGIN_DIR to the folder "
            "that holds registry.terraform.io/)"
        )
    return None


def pytest_report_header() -> str:
    reason = missing()
    return (
        f"terraform: SKIPPED — {reason}" if reason else f"terraform: provider mirror {plugin_dir()}"
    )


@dataclass
class Terraform:
    """``terraform`` in one directory, with its working data kept out of the checkout."""

    directory: Path
    data_dir: Path

    def run(
        self,
        *args: str,
        check: bool = True,
        env: dict[str, str] | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        environment = {
            **{
                k: v
                for k, v in os.environ.items()
                # a CLI config file that does not exist only makes Terraform warn
                if not (k == "TF_CLI_CONFIG_FILE" and not Path(v).is_file())
            },
            "TF_DATA_DIR": str(self.data_dir),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            **(env or {}),
        }
        result = subprocess.run(
            ["terraform", *args, "-no-color"],
            cwd=self.directory,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"terraform {' '.join(args)} in {self.directory.relative_to(ROOT)} failed:\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def init(self) -> None:
        self.run("init", "-backend=false", f"-plugin-dir={plugin_dir()}")


def require_terraform() -> None:
    reason = missing()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def terraform_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tf-data")


def initialised(directory: Path, data: Path) -> Terraform:
    """An initialised :class:`Terraform` for ``directory`` (init once per session and directory)."""
    require_terraform()
    name = re.sub(r"[^A-Za-z0-9]+", "-", str(directory.relative_to(ROOT)))
    tf = Terraform(directory, data / name)
    if directory not in _initialised:
        tf.data_dir.mkdir(parents=True, exist_ok=True)
        tf.init()
        _initialised.add(directory)
    return tf


_initialised: set[Path] = set()
