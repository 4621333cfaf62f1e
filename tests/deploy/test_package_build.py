"""The Lambda package, built for real: reproducible, small, clean, and importable as Lambda loads it.

These builds need the package index (pip resolves the dependencies' wheels for the runtime), so they
run in ``make package-check``, not in ``make test``.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from quirks.package import HANDLERS, Target
from quirks.package.archive import ZIP_EPOCH
from quirks.package.verify import check_imports, find_interpreter, runtime_standin
from tests.deploy.conftest import quirks_package

pytestmark = pytest.mark.deploy

MAX_BYTES = 3 * 1024 * 1024


def _function(document: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in document["artifacts"] if a["kind"] == "function")


def _layer(document: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in document["artifacts"] if a["kind"] == "layer")


def test_two_builds_give_the_same_bytes(two_builds: tuple[dict[str, Any], dict[str, Any]]) -> None:
    first, second = two_builds
    for kind in (_function, _layer):
        a, b = kind(first), kind(second)
        assert a["path"] != b["path"]
        assert Path(a["path"]).read_bytes() == Path(b["path"]).read_bytes()
        assert (a["sha256"], a["code_sha256"], a["content_sha256"]) == (
            b["sha256"],
            b["code_sha256"],
            b["content_sha256"],
        )


def test_zip_is_small_and_holds_only_what_lambda_needs(
    two_builds: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    document = two_builds[0]
    function = _function(document)
    assert function["bytes"] < MAX_BYTES
    assert set(document["dependencies"]) >= {"aws_lambda_powertools", "slack_sdk"}
    with zipfile.ZipFile(function["path"]) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    tops = {n.split("/")[0] for n in names}
    assert "quirks" in tops
    assert not tops & {"bin", "boto3", "botocore", "typer", "rich", "click", "moto"}
    assert not [n for n in names if n.endswith((".pyc", "direct_url.json")) or "__pycache__" in n]
    assert not [i for i in infos if i.is_dir()]
    assert {i.date_time for i in infos} == {ZIP_EPOCH}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert names == sorted(names)
    for handler in HANDLERS:
        assert handler.rsplit(".", 1)[0].replace(".", "/") + ".py" in names


def test_layer_is_the_same_content_under_python(
    two_builds: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    document = two_builds[0]
    with (
        zipfile.ZipFile(_function(document)["path"]) as f,
        zipfile.ZipFile(_layer(document)["path"]) as layer,
    ):
        assert layer.namelist() == ["python/" + name for name in f.namelist()]
        for name in f.namelist()[:50]:
            assert layer.read("python/" + name) == f.read(name)


def test_code_sha256_is_what_terraform_computes(
    two_builds: tuple[dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    """Terraform's own filebase64sha256() is the oracle for source_code_hash."""
    from tests.terraform.conftest import require_terraform

    require_terraform()
    function = _function(two_builds[0])
    result = subprocess.run(
        ["terraform", "console"],
        input=f'filebase64sha256("{function["path"]}")\n',
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().strip('"') == function["code_sha256"]


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_handlers_import_under_the_isolated_target_interpreter(
    two_builds: tuple[dict[str, Any], dict[str, Any]], python: str, tmp_path: Path
) -> None:
    interpreter = find_interpreter(python)
    if interpreter is None:
        pytest.skip(f"python{python} is not installed here: its import check cannot run")
    runtime = runtime_standin(Target(python, "arm64"), tmp_path / "runtime")
    check = check_imports(Path(_function(two_builds[0])["path"]), interpreter, [runtime])
    assert check.python == python
    assert check.handlers == dict.fromkeys(HANDLERS, "ok")
    assert check.forbidden == []


def test_a_missing_dependency_fails_the_import_check(
    two_builds: tuple[dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    """The check can fail: the same zip without slack_sdk does not import the alerts handler."""
    interpreter = find_interpreter("3.13") or find_interpreter("3.12")
    if interpreter is None:
        pytest.skip("neither python3.12 nor python3.13 is installed here")
    source = Path(_function(two_builds[0])["path"])
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            if not name.startswith("slack_sdk/"):
                dst.writestr(name, src.read(name))
    version = ".".join(interpreter.name.removeprefix("python").split(".")[:2])
    runtime = runtime_standin(Target(version, "arm64"), tmp_path / "runtime")
    check = check_imports(broken, interpreter, [runtime])
    assert not check.ok
    assert check.handlers["quirks.alerts.handler.lambda_handler"].startswith("ModuleNotFoundError")


def test_with_boto3_and_x86_64_variant(tmp_path: Path) -> None:
    document = quirks_package(
        "--python", "3.12", "--arch", "x86_64", "--with-boto3", "--out", str(tmp_path), "--verify"
    )
    function = _function(document)
    assert Path(function["path"]).name == "quirks-lambda-python3.12-x86_64-boto3.zip"
    assert {"boto3", "botocore"} <= set(document["dependencies"])
    with zipfile.ZipFile(function["path"]) as archive:
        assert any(n.startswith("boto3/") for n in archive.namelist())
    if "verify" in document:
        assert document["verify"]["ok"]
