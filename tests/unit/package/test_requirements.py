"""Which dependencies reach the Lambda package, evaluated for the target runtime."""

from __future__ import annotations

from pathlib import Path

import pytest

from quirks.package.requirements import Target, handler_requirements

METADATA = """Metadata-Version: 2.4
Name: serverless-quirks
Version: 0.1.0
Requires-Dist: aws-lambda-powertools<4,>=3.0
Requires-Dist: boto3<2,>=1.35
Requires-Dist: slack-sdk<4,>=3.27
Requires-Dist: tomli>=2; python_version < "3.11"
Requires-Dist: uvloop; platform_machine == "aarch64"
Provides-Extra: cli
Requires-Dist: rich<15,>=13; extra == 'cli'
Requires-Dist: typer<1,>=0.29; extra == 'cli'

A description.
"""


def test_core_dependencies_without_runtime_provided_boto3() -> None:
    assert handler_requirements(METADATA, Target("3.13", "x86_64")) == [
        "aws-lambda-powertools<4,>=3.0",
        "slack-sdk<4,>=3.27",
    ]


def test_markers_are_evaluated_for_the_target_not_the_build_machine() -> None:
    assert "uvloop" in handler_requirements(METADATA, Target("3.12", "arm64"))
    assert "uvloop" not in handler_requirements(METADATA, Target("3.12", "x86_64"))


def test_with_boto3_bundles_the_sdk() -> None:
    kept = handler_requirements(METADATA, Target("3.13", "arm64", with_boto3=True))
    assert "boto3<2,>=1.35" in kept


def test_cli_extra_never_reaches_the_package() -> None:
    for target in (Target("3.12", "x86_64"), Target("3.13", "arm64", with_boto3=True)):
        kept = " ".join(handler_requirements(METADATA, target))
        assert "typer" not in kept
        assert "rich" not in kept


def test_project_metadata_keeps_the_cli_out_of_the_core() -> None:
    """The real pyproject: typer and rich are only in the ``cli`` extra."""
    import tomllib

    project = tomllib.loads((Path(__file__).parents[3] / "pyproject.toml").read_text("utf-8"))[
        "project"
    ]
    core = " ".join(project["dependencies"])
    assert "typer" not in core
    assert "rich" not in core
    assert any(r.startswith("typer") for r in project["optional-dependencies"]["cli"])


@pytest.mark.parametrize(("arch", "machine"), [("x86_64", "x86_64"), ("arm64", "aarch64")])
def test_platform_tags_cover_the_runtime_glibc_down_to_manylinux2014(
    arch: str, machine: str
) -> None:
    tags = Target("3.13", arch).platforms()  # type: ignore[arg-type]
    assert tags[0] == f"manylinux_2_34_{machine}"  # Amazon Linux 2023
    assert f"manylinux_2_17_{machine}" in tags
    assert tags[-1] == f"manylinux2014_{machine}"
    assert not any("2_35" in tag for tag in tags)
