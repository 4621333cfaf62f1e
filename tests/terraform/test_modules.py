"""Every module and example: formatted, valid, and its own ``terraform test`` files pass, offline.

The ``*.tftest.hcl`` files plan against the real ``hashicorp/aws`` provider schema (no mocks) and
assert what each guarantee depends on; their ``expect_failures`` runs prove that a wrong input is
refused. This file also checks what Terraform cannot: each README documents every input and output,
and each module's minimum timeout is the one its handler enforces at cold start.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quirks.timeouts import MINIMUM_TIMEOUT_SECONDS
from tests.terraform.conftest import (
    EXAMPLES,
    MODULES,
    ROOT,
    TERRAFORM,
    initialised,
    require_terraform,
)

ALL = MODULES + EXAMPLES
IDS = [str(p.relative_to(TERRAFORM)) for p in ALL]
HANDLER_OF_MODULE = {
    "stream-fanout": "fanout",
    "stream-recovery": "recovery",
    "error-alerts": "alerts",
    "stream-alarms": "alarms",
}
_SUMMARY = re.compile(r"(\d+) passed, (\d+) failed")


def _blocks(directory: Path, kind: str) -> list[str]:
    text = "\n".join(p.read_text("utf-8") for p in sorted(directory.glob("*.tf")))
    return re.findall(rf'^{kind} "([^"]+)"', text, flags=re.MULTILINE)


def _table_names(readme: str, heading: str) -> list[str]:
    section = re.search(rf"^## {heading}\n(.*?)(?=^## |\Z)", readme, flags=re.MULTILINE | re.DOTALL)
    assert section, f"the README has no '## {heading}' section"
    return re.findall(r"^\| `([^`]+)` \|", section.group(1), flags=re.MULTILINE)


def test_every_module_named_by_the_issue_exists() -> None:
    assert {p.name for p in MODULES} >= {
        "stream-fanout",
        "stream-recovery",
        "error-alerts",
        "stream-alarms",
        "cognito-custom-domain",
    }


def test_fmt(terraform_data: Path) -> None:
    require_terraform()
    from tests.terraform.conftest import Terraform

    result = Terraform(TERRAFORM, terraform_data / "fmt").run(
        "fmt", "-check", "-recursive", "-diff", check=False
    )
    assert result.returncode == 0, f"terraform fmt would change:\n{result.stdout}"


@pytest.mark.parametrize("directory", ALL, ids=IDS)
def test_validate(directory: Path, terraform_data: Path) -> None:
    # A module that needs an aliased provider (cognito-custom-domain's us-east-1 one) cannot be
    # validated on its own (hashicorp/terraform#28490): its tests/validate root calls it instead.
    root = directory / "tests" / "validate"
    result = initialised(root if root.is_dir() else directory, terraform_data).run("validate")
    assert "Success" in result.stdout


@pytest.mark.parametrize("directory", ALL, ids=IDS)
def test_terraform_test_files_pass(directory: Path, terraform_data: Path) -> None:
    files = sorted((directory / "tests").glob("*.tftest.hcl"))
    assert files, f"{directory.relative_to(ROOT)} has no tests/*.tftest.hcl"
    result = initialised(directory, terraform_data).run("test", check=False)
    summary = _SUMMARY.findall(result.stdout)
    output = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, output
    assert summary, output
    passed, failed = map(int, summary[-1])
    assert failed == 0
    assert passed >= 2 * len(files)  # each file proves at least one guarantee and one refusal


@pytest.mark.parametrize("directory", MODULES, ids=[p.name for p in MODULES])
def test_readme_documents_every_input_and_output(directory: Path) -> None:
    readme = (directory / "README.md").read_text("utf-8")
    assert sorted(_table_names(readme, "Inputs")) == sorted(_blocks(directory, "variable"))
    assert sorted(_table_names(readme, "Outputs")) == sorted(_blocks(directory, "output"))


@pytest.mark.parametrize("module", sorted(HANDLER_OF_MODULE))
def test_minimum_timeout_is_the_handlers_own(module: str) -> None:
    text = (TERRAFORM / "modules" / module / "variables.tf").read_text("utf-8")
    minima = {int(n) for n in re.findall(r"var\.timeout >= (\d+)", text)}
    assert minima == {MINIMUM_TIMEOUT_SECONDS[HANDLER_OF_MODULE[module]]}  # type: ignore[index]
