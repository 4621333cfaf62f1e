"""``quirks package`` as users see it, offline: user errors, the missing-extra guard, the output.

Builds that need the package index (pip resolving wheels for the runtime) are in ``tests/deploy``,
run by ``make package-check``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from quirks.package import build as build_module
from quirks.package.archive import Entry, write_zip
from quirks.testing import run_cli


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--python", "3.11"], "--python '3.11' is not supported (fix: use one of: 3.12, 3.13)"),
        (
            ["--arch", "aarch64"],
            "--arch 'aarch64' is not supported (fix: use one of: x86_64, arm64)",
        ),
        (["--constraint", "no-such-file.txt"], "constraints file no-such-file.txt does not exist"),
        (["--source", "/"], "/ has no pyproject.toml (fix: pass the project's checkout)"),
    ],
)
def test_user_errors_are_one_line_with_exit_2(argv: list[str], expected: str) -> None:
    code, out, err = run_cli("package", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert expected in err


def test_cli_without_its_extra_says_what_to_install() -> None:
    script = (
        "import sys; sys.modules['typer'] = None; "  # as if the cli extra were not installed
        "from quirks.cli import main; sys.exit(main(['--version']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "quirks: error: the command line needs typer, which is not installed "
        "(fix: pip install 'serverless-quirks[cli]')\n"
    )


def test_handlers_import_without_the_cli_dependencies() -> None:
    script = (
        "import sys; sys.modules['typer'] = None; sys.modules['rich'] = None\n"
        "import quirks.fanout.handler, quirks.recovery.handler, quirks.alerts.handler, "
        "quirks.alarms.handler\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_json_output_describes_every_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI around the build: pip is replaced by a fake that installs two small trees."""

    def fake_pip(pip: Any, args: list[str]) -> None:
        if args[0] == "wheel":
            wheel_dir = Path(args[args.index("--wheel-dir") + 1])
            wheel_dir.mkdir(parents=True)
            wheel = wheel_dir / "serverless_quirks-0.1.0-py3-none-any.whl"
            metadata = "Name: serverless-quirks\nVersion: 0.1.0\nRequires-Dist: slack-sdk>=3\n"
            wheel.write_bytes(
                write_zip([Entry("serverless_quirks-0.1.0.dist-info/METADATA", metadata.encode())])
            )
            return
        into = Path(args[args.index("--target") + 1])
        if "--no-deps" in args:
            (into / "quirks").mkdir(parents=True)
            (into / "quirks/__init__.py").write_text("")
            (into / "bin").mkdir()
            (into / "bin/quirks").write_text("#!/build/machine/python\n")
        else:
            assert args[-1] == "slack-sdk>=3"
            assert "--only-binary=:all:" in args
            (into / "slack_sdk-3.48.0.dist-info").mkdir(parents=True)
            (into / "slack_sdk-3.48.0.dist-info/METADATA").write_text(
                "Name: slack_sdk\nVersion: 3.48.0\n"
            )

    monkeypatch.setattr(build_module, "_run_pip", fake_pip)
    code, out, err = run_cli("package", "--layer", "--out", str(tmp_path), "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["runtime"] == "python3.13"
    assert document["architecture"] == "arm64"
    assert document["dependencies"] == {"slack_sdk": "3.48.0"}
    function, layer = document["artifacts"]
    assert Path(function["path"]).name == "quirks-lambda-python3.13-arm64.zip"
    assert Path(layer["path"]).name == "quirks-layer-python3.13-arm64.zip"
    with zipfile.ZipFile(function["path"]) as archive:
        assert archive.namelist() == ["quirks/__init__.py", "slack_sdk-3.48.0.dist-info/METADATA"]
    with zipfile.ZipFile(layer["path"]) as archive:
        assert archive.namelist() == [
            "python/quirks/__init__.py",
            "python/slack_sdk-3.48.0.dist-info/METADATA",
        ]
    assert function["bytes"] == Path(function["path"]).stat().st_size


def test_code_folders_zip_reproducibly_without_byte_code(tmp_path: Path) -> None:
    code = tmp_path / "consumers"
    (code / "__pycache__").mkdir(parents=True)
    (code / "consumer.py").write_text("def handler(event, context):\n    return event\n")
    (code / "__pycache__" / "consumer.cpython-313.pyc").write_bytes(b"\x00")
    documents = []
    for out in ("a", "b"):
        status, stdout, err = run_cli(
            "package", "--code", str(code), "--out", str(tmp_path / out), "--json"
        )
        assert status == 0, err
        documents.append(json.loads(stdout)["artifacts"][0])
    first, second = documents
    assert Path(first["path"]).name == "consumers.zip"
    assert Path(first["path"]).read_bytes() == Path(second["path"]).read_bytes()
    with zipfile.ZipFile(first["path"]) as archive:
        assert archive.namelist() == ["consumer.py"]


def test_a_code_folder_as_a_layer_goes_under_python(tmp_path: Path) -> None:
    code = tmp_path / "shared"
    code.mkdir()
    (code / "helpers.py").write_text("VALUE = 1\n")
    argv = ["package", "--code", str(code), "--layer", "--out", str(tmp_path / "out"), "--json"]
    status, stdout, err = run_cli(*argv)
    assert status == 0, err
    (artifact,) = json.loads(stdout)["artifacts"]
    with zipfile.ZipFile(artifact["path"]) as archive:
        assert archive.namelist() == ["python/helpers.py"]


def test_code_folder_that_does_not_exist_is_a_user_error(tmp_path: Path) -> None:
    code, out, err = run_cli("package", "--code", str(tmp_path / "missing"))
    assert code == 2
    assert out == ""
    assert "is not a folder (fix: pass the folder that holds your handler code)" in err
