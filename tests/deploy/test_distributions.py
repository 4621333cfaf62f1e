"""``python -m build`` gives a wheel and an sdist that install; the CLI extra is optional."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT

pytestmark = pytest.mark.deploy


def _run(*command: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, cwd=cwd, timeout=900, check=False
    )


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    result = _run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def _fresh_env(where: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(where)
    return where / "bin" / "python"


def test_wheel_without_the_cli_extra_serves_the_handlers(
    dists: dict[str, Path], tmp_path: Path
) -> None:
    python = _fresh_env(tmp_path / "env")
    installed = _run(python, "-m", "pip", "install", "--quiet", dists["wheel"])
    assert installed.returncode == 0, installed.stderr[-3000:]
    imported = _run(python, "-c", "import quirks.fanout.handler, quirks.alerts.handler")
    assert imported.returncode == 0, imported.stderr
    cli = _run(tmp_path / "env" / "bin" / "quirks", "--version")
    assert cli.returncode == 2
    assert "pip install 'serverless-quirks[cli]'" in cli.stderr


def test_sdist_with_the_cli_extra_installs_the_command(
    dists: dict[str, Path], tmp_path: Path
) -> None:
    python = _fresh_env(tmp_path / "env")
    installed = _run(python, "-m", "pip", "install", "--quiet", f"{dists['sdist']}[cli]")
    assert installed.returncode == 0, installed.stderr[-3000:]
    cli = _run(tmp_path / "env" / "bin" / "quirks", "--version")
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.startswith("quirks ")
