"""``quirks package``: the deterministic Lambda zip (and layer) of the four handlers."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit
from quirks.errors import UserError
from quirks.package import (
    ARCHITECTURES,
    PYTHON_VERSIONS,
    BuildOptions,
    Target,
    build_package,
)
from quirks.package.build import find_source_tree, package_code, zip_prefix
from quirks.package.verify import check_imports, find_interpreter, runtime_standin


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise UserError(f"{option} {value!r} is not supported", f"use one of: {', '.join(allowed)}")
    return value


def _verify(result_path: Path, target: Target) -> dict[str, Any]:
    interpreter = find_interpreter(target.python)
    if interpreter is None:
        raise UserError(
            f"--verify needs python{target.python}, which is not installed here",
            f"install Python {target.python} (or pyenv's) or leave out --verify",
        )
    with tempfile.TemporaryDirectory(prefix="quirks-runtime-") as runtime:
        paths = [] if target.with_boto3 else [runtime_standin(target, Path(runtime))]
        check = check_imports(result_path, interpreter, paths)
    return {
        "interpreter": str(interpreter),
        "python": check.python,
        "handlers": check.handlers,
        "forbidden": check.forbidden,
        "ok": check.ok,
    }


def _package_code(
    folders: list[Path], out: Path, layer: bool, json_output: bool, console: Any
) -> None:
    prefix = zip_prefix("layer" if layer else "function")
    artifacts = [package_code(folder, out, prefix) for folder in folders]
    summary = {"artifacts": [artifact.summary() for artifact in artifacts]}

    def render(console: Any) -> None:
        for artifact in artifacts:
            console.print(
                f"{artifact.path}  {artifact.size:,} bytes  code_sha256 {artifact.code_sha256}"
            )

    emit(summary, as_json=json_output, render=render, console=console)


def package(
    ctx: typer.Context,
    python: Annotated[
        str, typer.Option("--python", help="Lambda Python runtime: 3.12 or 3.13.")
    ] = "3.13",
    arch: Annotated[str, typer.Option("--arch", help="x86_64 or arm64 (Graviton).")] = "arm64",
    with_boto3: Annotated[
        bool,
        typer.Option(
            "--with-boto3", help="Bundle boto3 instead of using the runtime's (~17.5 MB more)."
        ),
    ] = False,
    layer: Annotated[
        bool, typer.Option("--layer", help="Also write the same content as a layer (python/...).")
    ] = False,
    out: Annotated[Path, typer.Option("--out", help="Folder for the zips.")] = Path("dist/lambda"),
    source: Annotated[
        Path | None,
        typer.Option(
            "--source",
            help="Build from this source tree (default: the checkout quirks runs from, "
            "else this version from the package index).",
        ),
    ] = None,
    constraint: Annotated[
        Path | None,
        typer.Option(
            "--constraint", "-c", help="pip constraints file pinning dependency versions."
        ),
    ] = None,
    code: Annotated[
        list[Path] | None,
        typer.Option(
            "--code",
            help="Zip this folder of your own handler code as <folder>.zip instead (repeatable; "
            "nothing is installed). Same reproducible bytes.",
        ),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Import every handler from the zip with python3.X -I, as Lambda loads it.",
        ),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Build the handlers' Lambda zip: reproducible bytes, dependencies for the target runtime."""
    cli = state(ctx)
    if code:
        _package_code(code, out, layer, json_output, cli.out)
        return
    version = _choice(python, PYTHON_VERSIONS, "--python")
    architecture = _choice(arch, ARCHITECTURES, "--arch")
    target = Target(version, architecture, with_boto3)  # type: ignore[arg-type]
    if constraint is not None and not constraint.is_file():
        raise UserError(f"constraints file {constraint} does not exist", "pass an existing file")
    if source is not None and not (source / "pyproject.toml").is_file():
        raise UserError(f"{source} has no pyproject.toml", "pass the project's checkout")
    options = BuildOptions(
        target=target,
        out_dir=out,
        layer=layer,
        source=source or find_source_tree(),
        constraints=constraint,
    )
    with cli.err.status("packaging") as status:
        result = build_package(options, progress=lambda step: status.update(step))
        summary = result.summary()
        if verify:
            status.update(f"importing the handlers with python{version} -I")
            summary["verify"] = _verify(result.artifacts[0].path, target)

    def render(console: Any) -> None:
        table = Table("zip", "bytes", "code_sha256 (source_code_hash)", "content sha256")
        for artifact in result.artifacts:
            table.add_row(
                str(artifact.path),
                f"{artifact.size:,}",
                artifact.code_sha256,
                artifact.content_sha256[:16] + "…",
            )
        console.print(table)
        console.print(
            f"{target.runtime} {target.arch}; "
            + ", ".join(f"{name} {v}" for name, v in sorted(result.dependencies.items()))
        )
        if verify:
            check = summary["verify"]
            verdict = "all handlers import" if check["ok"] else "IMPORT CHECK FAILED"
            console.print(f"{verdict} with {check['interpreter']} -I: {check['handlers']}")

    emit(summary, as_json=json_output, render=render, console=cli.out)
    if verify and not summary["verify"]["ok"]:
        raise typer.Exit(1)
