"""Fixtures for the deploy checks (``make package-check``): real builds with pip from the index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUIRKS = [sys.executable, "-m", "quirks"]


def quirks_package(*args: str) -> dict[str, Any]:
    """Run ``quirks package ... --json`` as a user would and return its document."""
    result = subprocess.run(
        [*QUIRKS, "package", *args, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.fixture(scope="session")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The default package (function + layer) built twice, into two folders."""
    first = quirks_package("--layer", "--out", str(tmp_path_factory.mktemp("build-1")))
    second = quirks_package("--layer", "--out", str(tmp_path_factory.mktemp("build-2")))
    return first, second
