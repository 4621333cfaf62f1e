"""Build the Lambda package: pip resolves for the target runtime, :mod:`.archive` makes the zip.

This is the adapter around the pure pieces: it runs pip (the one tool that resolves wheels for
another platform correctly), reads what pip installed, and writes the zips durably. Nothing of the
build machine reaches the zip (see :mod:`quirks.package.archive`).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import quirks
from quirks.durable import write_file_durably
from quirks.errors import QuirksError, UserError
from quirks.package.archive import Entry, code_sha256, collect, content_sha256, write_zip
from quirks.package.requirements import Target, handler_requirements
from quirks.timeouts import HANDLER_PATHS

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "HANDLERS",
    "Artifact",
    "BuildOptions",
    "PackageBuildError",
    "PackageResult",
    "artifact_name",
    "build_package",
    "find_source_tree",
    "install_for_runtime",
    "package_code",
    "zip_prefix",
]

HANDLERS = tuple(HANDLER_PATHS.values())
"""The handler settings one package serves."""

Kind = Literal["function", "layer"]


class PackageBuildError(QuirksError):
    """pip could not build or resolve the package (its last lines say why)."""


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where."""

    target: Target = field(default_factory=Target)
    out_dir: Path = Path("dist/lambda")
    layer: bool = False
    source: Path | None = None
    """The project's source tree; ``None`` installs this version of serverless-quirks from the index."""
    constraints: Path | None = None
    """A pip constraints file pinning the dependencies' versions."""
    pip: Sequence[str] = (sys.executable, "-m", "pip")


@dataclass(frozen=True)
class Artifact:
    """One zip that was written."""

    kind: Kind
    path: Path
    size: int
    sha256: str
    code_sha256: str
    content_sha256: str
    entries: int

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": str(self.path),
            "bytes": self.size,
            "sha256": self.sha256,
            "code_sha256": self.code_sha256,
            "content_sha256": self.content_sha256,
            "entries": self.entries,
        }


@dataclass(frozen=True)
class PackageResult:
    """The zips, what went into them, and for which runtime."""

    target: Target
    artifacts: list[Artifact]
    dependencies: dict[str, str]

    def summary(self) -> dict[str, Any]:
        """The ``--json`` document of ``quirks package``."""
        return {
            "runtime": self.target.runtime,
            "architecture": self.target.arch,
            "with_boto3": self.target.with_boto3,
            "handlers": list(HANDLERS),
            "dependencies": self.dependencies,
            "artifacts": [artifact.summary() for artifact in self.artifacts],
        }


def zip_prefix(kind: Kind) -> str:
    """Where a zip's files go: a layer's under ``python/``, the folder of a layer that Lambda's
    Python runtimes put on ``sys.path``
    (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html); a function's at the root.
    """
    return "python/" if kind == "layer" else ""


def artifact_name(target: Target, kind: Kind) -> str:
    """``quirks-lambda-python3.13-arm64.zip`` (``-layer-`` for a layer, ``-boto3`` with the SDK)."""
    label = "lambda" if kind == "function" else "layer"
    suffix = "-boto3" if target.with_boto3 else ""
    return f"quirks-{label}-{target.runtime}-{target.arch}{suffix}.zip"


def find_source_tree() -> Path | None:
    """The checkout this ``quirks`` runs from (an editable install), or None for an installed wheel."""
    root = Path(quirks.__file__).resolve().parent.parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "serverless-quirks"' in pyproject.read_text("utf-8"):
        return root
    return None


def _run_pip(pip: Sequence[str], args: list[str]) -> None:
    command = [*pip, *args, "--disable-pip-version-check", "--no-input", "--quiet"]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UserError(f"cannot run pip: {exc}", "install pip into this environment") from exc
    if completed.returncode != 0:
        lines = [
            line
            for line in (completed.stderr or completed.stdout).splitlines()
            if line.strip() and not line.startswith("WARNING: Location")
        ]
        raise PackageBuildError(f"pip {args[0]} failed: " + " | ".join(lines[-4:]))


def _wheel(options: BuildOptions, into: Path) -> Path:
    if options.source is not None:
        _run_pip(options.pip, ["wheel", "--no-deps", "--wheel-dir", str(into), str(options.source)])
    else:
        _run_pip(
            options.pip,
            [
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                str(into),
                f"serverless-quirks=={quirks.__version__}",
            ],
        )
    wheels = sorted(into.glob("serverless_quirks-*.whl"))
    if len(wheels) != 1:
        raise PackageBuildError(f"expected one serverless-quirks wheel in {into}, found {wheels}")
    return wheels[0]


def _wheel_metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return archive.read(name).decode("utf-8")


def install_for_runtime(
    target: Target,
    requirements: Sequence[str],
    into: Path,
    constraints: Path | None = None,
    pip: Sequence[str] = (sys.executable, "-m", "pip"),
) -> None:
    """pip-install ``requirements`` into ``into`` as wheels for ``target``'s runtime and platform.

    Only wheels are accepted (``--only-binary=:all:``): a dependency with no wheel for the runtime's
    interpreter, ABI and glibc fails loudly instead of compiling for the build machine.
    """
    tag = "cp" + target.python.replace(".", "")
    args = ["install", "--no-compile", "--target", str(into), "--only-binary=:all:"]
    args += ["--implementation", "cp", "--python-version", target.python]
    for abi in (tag, "abi3", "none"):
        args += ["--abi", abi]
    for platform in target.platforms():
        args += ["--platform", platform]
    if constraints is not None:
        args += ["--constraint", str(constraints)]
    _run_pip(pip, [*args, *requirements])


def _read_tree(root: Path, files: dict[str, bytes]) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise PackageBuildError(f"{path}: a symbolic link cannot be packaged reproducibly")
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        data = path.read_bytes()
        if files.get(name, data) != data:
            raise PackageBuildError(f"{name} is installed twice with different contents")
        files[name] = data


def _installed_versions(root: Path) -> dict[str, str]:
    versions = {}
    for metadata in sorted(root.glob("*.dist-info/METADATA")):
        headers = HeaderParser().parsestr(metadata.read_text("utf-8"))
        versions[str(headers["Name"])] = str(headers["Version"])
    return versions


def _write(entries: list[Entry], kind: Kind, options: BuildOptions) -> Artifact:
    path = options.out_dir / artifact_name(options.target, kind)
    return _write_zip_file(entries, zip_prefix(kind), kind, path)


def _write_zip_file(entries: list[Entry], prefix: str, kind: Kind, path: Path) -> Artifact:
    data = write_zip(entries, prefix)
    write_file_durably(path, data)
    path.chmod(0o644)  # a build output others read (CI, Terraform), not a secret
    return Artifact(
        kind=kind,
        path=path,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        code_sha256=code_sha256(data),
        content_sha256=content_sha256(entries, prefix),
        entries=len(entries),
    )


def build_package(
    options: BuildOptions, progress: Callable[[str], None] | None = None
) -> PackageResult:
    """Build the function zip (and the layer zip with ``options.layer``) into ``options.out_dir``."""
    say = progress or (lambda _step: None)
    with tempfile.TemporaryDirectory(prefix="quirks-package-") as scratch:
        work = Path(scratch)
        say("building the serverless-quirks wheel")
        wheel = _wheel(options, work / "wheel")
        requirements = handler_requirements(_wheel_metadata(wheel), options.target)
        say(f"installing the handlers and {len(requirements)} dependencies for the runtime")
        _run_pip(
            options.pip,
            ["install", "--no-compile", "--no-deps", "--target", str(work / "app"), str(wheel)],
        )
        if requirements:
            install_for_runtime(
                options.target, requirements, work / "deps", options.constraints, options.pip
            )
        files: dict[str, bytes] = {}
        _read_tree(work / "app", files)
        if requirements:
            _read_tree(work / "deps", files)
        entries = collect(files)
        versions = _installed_versions(work / "deps") if requirements else {}
    say("writing the zips")
    kinds: list[Kind] = ["function", "layer"] if options.layer else ["function"]
    artifacts = [_write(entries, kind, options) for kind in kinds]
    return PackageResult(options.target, artifacts, versions)


def package_code(folder: Path, out_dir: Path, prefix: str = "") -> Artifact:
    """A deterministic zip of a folder of your own handler code, as ``<folder name>.zip``.

    Nothing is resolved or installed: the folder is zipped as it is, with the same rules as the
    handlers' package (sorted, fixed timestamps and modes, no byte code), so Terraform's
    ``source_code_hash`` changes only when the code does.
    """
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder", "pass the folder that holds your handler code")
    files: dict[str, bytes] = {}
    _read_tree(folder, files)
    entries = collect(files)
    if not entries:
        raise UserError(f"{folder} holds no files to package", "pass the folder of your code")
    return _write_zip_file(entries, prefix, "function", out_dir / f"{folder.resolve().name}.zip")
