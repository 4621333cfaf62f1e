"""Check that a built package imports on the target interpreter, as Lambda would load it.

Lambda extracts the function zip to ``/var/task`` and puts it first on ``sys.path``, followed by the
runtime's own libraries (boto3 among them). The check does the same with the target Python run in
isolated mode (``-I``: no user site, no ``PYTHON*`` variables, not the current directory), a
folder holding boto3 for the runtime stand-in, and nothing else — so a dependency missing from the
zip, or one that is only on the build machine, fails the check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quirks.package.build import HANDLERS, PackageBuildError, install_for_runtime
from quirks.package.requirements import Target

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["ImportCheck", "check_imports", "find_interpreter", "runtime_standin"]

FORBIDDEN = ("typer", "rich", "moto")
"""Modules that must not be importable from the package: CLI and local-cloud dependencies."""

_SCRIPT = """
import importlib, importlib.util, json, sys
sys.path[:0] = json.loads(sys.argv[1])
result = {"python": "%d.%d" % sys.version_info[:2], "handlers": {}, "forbidden": []}
for handler in json.loads(sys.argv[2]):
    module, _, function = handler.rpartition(".")
    try:
        if not callable(getattr(importlib.import_module(module), function)):
            raise TypeError(handler + " is not callable")
        result["handlers"][handler] = "ok"
    except BaseException as exc:
        result["handlers"][handler] = "%s: %s" % (type(exc).__name__, exc)
for name in json.loads(sys.argv[3]):
    if importlib.util.find_spec(name) is not None:
        result["forbidden"].append(name)
print(json.dumps(result))
"""


@dataclass(frozen=True)
class ImportCheck:
    """What the target interpreter said about the package."""

    python: str
    handlers: dict[str, str]
    forbidden: list[str]

    @property
    def ok(self) -> bool:
        """Every handler imported and no forbidden module was found."""
        return not self.forbidden and all(v == "ok" for v in self.handlers.values())


def find_interpreter(version: str) -> Path | None:
    """``python<version>`` on PATH, else in pyenv's versions folder, else None.

    pyenv's shims are passed over: they only run when that version is selected.
    """
    found = shutil.which(f"python{version}")
    if found and "shims" not in Path(found).parts:
        return Path(found)
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in sorted(
        (root / "versions").glob(f"{version}.*/bin/python{version}"), reverse=True
    ):
        if candidate.is_file():
            return candidate
    return None


def check_imports(
    package: Path, interpreter: Path, runtime_paths: Sequence[Path] = ()
) -> ImportCheck:
    """Extract ``package`` like Lambda does and import every handler with ``interpreter -I``."""
    with tempfile.TemporaryDirectory(prefix="quirks-task-") as task:
        with zipfile.ZipFile(package) as archive:
            archive.extractall(task)
        paths = [task, *(str(p) for p in runtime_paths)]
        environment = {
            "PATH": "/usr/bin:/bin",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "LAMBDA_TASK_ROOT": task,
        }
        completed = subprocess.run(
            [
                str(interpreter),
                "-I",
                "-c",
                _SCRIPT,
                json.dumps(paths),
                json.dumps(HANDLERS),
                json.dumps(FORBIDDEN),
            ],
            capture_output=True,
            text=True,
            env=environment,
            cwd=task,
            check=False,
            timeout=120,
        )
    if completed.returncode != 0:
        raise PackageBuildError(f"{interpreter} failed: {completed.stderr.strip()[-400:]}")
    data = json.loads(completed.stdout)
    return ImportCheck(data["python"], data["handlers"], data["forbidden"])


def runtime_standin(target: Target, into: Path) -> Path:
    """A folder with what the Lambda runtime provides to functions (boto3), for ``target``."""
    install_for_runtime(Target(target.python, target.arch, with_boto3=True), ["boto3"], into)
    return into
