"""``quirks local env --terraform``: a provider override file that sends hashicorp/aws to the cloud.

The rendering is checked on its own; then Terraform itself merges the printed file into a root
module's ``provider "aws"`` blocks (``terraform validate``) and plans against a running local cloud
with the shell's AWS variables pointing elsewhere, so only the override can make the plan work.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import moto.backends
import pytest

from quirks import aws
from quirks.cli.local import record_cloud
from quirks.local.cloud import LocalCloud
from quirks.local.terraform_override import FILE_NAME, SERVICES, render_override
from quirks.testing import run_cli
from tests.terraform.conftest import Terraform, require_terraform

URL = "http://127.0.0.1:4566"
REQUIRED_PROVIDERS = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
"""


def _endpoints(text: str) -> dict[str, str]:
    return dict(re.findall(r'^    (\w+) += "([^"]*)"$', text, flags=re.MULTILINE))


def test_every_service_points_at_the_cloud_with_the_local_settings() -> None:
    text = render_override(URL + "/", "eu-west-1")
    assert _endpoints(text) == dict.fromkeys(SERVICES, URL)
    for line in (
        'region                      = "eu-west-1"',
        'access_key                  = "quirks-local"',
        'secret_key                  = "quirks-local"',
        "skip_credentials_validation = true",
        "skip_requesting_account_id  = true",
        "skip_metadata_api_check     = true",
        "s3_use_path_style           = true",
    ):
        assert f"\n  {line}\n" in text
    assert text.count('provider "aws" {') == 1
    assert "alias" not in text


def test_the_service_list_is_what_the_local_cloud_serves() -> None:
    served = (
        set(moto.backends.list_of_moto_modules())
        | set(moto.backends.ALT_BACKEND_NAMES.values())
        | set(moto.backends.ALT_SERVICE_NAMES)
    )
    assert list(SERVICES) == sorted(set(SERVICES))
    assert set(SERVICES) <= served
    assert {"dynamodb", "lambda", "sqs", "sns", "s3", "sts", "iam", "logs", "kinesis"} <= set(
        SERVICES
    )
    # one name per provider service: aliases of one service together make the provider warn
    assert not {"cloudwatchlogs", "cloudwatchlog", "cognitoidentityprovider", "eventbridge"} & set(
        SERVICES
    )


def test_aliases_get_a_block_of_their_own() -> None:
    text = render_override(URL, "us-east-1", ["sqs"], aliases=["west", "west", "audit"])
    blocks = text.split('provider "aws" {')[1:]
    assert len(blocks) == 3
    assert 'alias                       = "west"' in blocks[1]
    assert 'alias                       = "audit"' in blocks[2]
    assert all(_endpoints(block) == {"sqs": URL} for block in blocks)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "127.0.0.1:4566"}, "http"),
        ({"url": 'http://x"y'}, "http"),
        ({"region": "Moon"}, "region"),
        ({"services": []}, "at least one"),
        ({"services": ["sqs", "bad-name"]}, "bad-name"),
        ({"aliases": ["two words"]}, "alias"),
        ({"credentials": ('a"b', "c")}, "escaped"),
    ],
)
def test_what_cannot_be_written_as_is_is_refused(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"url": URL, "region": "us-east-1", **kwargs}
    with pytest.raises(ValueError, match=message):
        render_override(**arguments)  # type: ignore[arg-type]


def test_without_a_running_cloud_the_fix_is_printed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    captured = run_cli("local", "env", "--terraform")
    assert captured.exit_code == 2
    assert captured.stdout == ""
    assert captured.stderr.count("\n") == 1
    assert "start one with: quirks local up" in captured.stderr


@pytest.fixture
def running(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> LocalCloud:
    """``cloud`` as ``quirks local up`` records it, in a cache folder of this test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    record_cloud(cloud.url, cloud.port, cloud.environment())
    return cloud


def _override(*options: str) -> str:
    code, out, err = run_cli("local", "env", "--terraform", *options)
    assert code == 0, err
    return out


def test_the_cli_prints_the_file_and_its_json(running: LocalCloud) -> None:
    text = _override()
    assert text == render_override(running.url, running.region)
    assert json.loads(_override("--json")) == {"file": FILE_NAME, "content": text}
    assert _override("--alias", "west").count('alias                       = "west"') == 1


def test_alias_without_terraform_is_a_user_error(running: LocalCloud) -> None:
    result = run_cli("local", "env", "--alias", "west")
    assert result.exit_code == 2
    assert "--terraform" in result.stderr


def _root(tmp_path: Path, name: str, main_tf: str, override: str) -> Terraform:
    require_terraform()
    directory = tmp_path / name
    directory.mkdir()
    (directory / "main.tf").write_text(REQUIRED_PROVIDERS + main_tf)
    (directory / FILE_NAME).write_text(override)
    tf = Terraform(directory, tmp_path / f"{name}-data")
    tf.data_dir.mkdir()
    return tf


def _run(tf: Terraform, *args: str, env: dict[str, str] | None = None) -> str:
    result = tf.run(*args, check=False, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"terraform {' '.join(args)} failed:\n{output[-4000:]}"
    return output


def test_terraform_merges_the_file_into_the_roots_own_provider_blocks(
    running: LocalCloud, tmp_path: Path
) -> None:
    from tests.terraform.conftest import plugin_dir

    main_tf = (
        'provider "aws" {\n  region = "eu-west-1"\n}\n'
        'provider "aws" {\n  alias  = "west"\n  region = "us-west-2"\n}\n'
    )
    tf = _root(tmp_path, "validate", main_tf, _override("--alias", "west"))
    _run(tf, "init", "-backend=false", f"-plugin-dir={plugin_dir()}")
    output = _run(tf, "validate")
    assert "Success! The configuration is valid." in output
    assert "Warning" not in output


def test_terraform_refuses_an_alias_the_root_does_not_declare(
    running: LocalCloud, tmp_path: Path
) -> None:
    from tests.terraform.conftest import plugin_dir

    main_tf = 'provider "aws" {\n  region = "eu-west-1"\n}\n'
    tf = _root(tmp_path, "ghost", main_tf, _override("--alias", "ghost"))
    # already `terraform init` stops on it, before any provider is installed
    result = tf.run("init", "-backend=false", f"-plugin-dir={plugin_dir()}", check=False)
    assert result.returncode != 0
    assert "Missing base provider configuration for override" in result.stderr


def test_terraform_plans_against_the_cloud_through_the_file_alone(
    running: LocalCloud, tmp_path: Path
) -> None:
    from tests.terraform.conftest import plugin_dir

    probe = aws.client("sqs").create_queue(QueueName="quirks-tf-probe")["QueueUrl"]
    main_tf = """provider "aws" {
  region = "eu-west-1"
}
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
resource "aws_sqs_queue" "orders" {
  name = "orders"
}
data "aws_sqs_queue" "probe" {
  name = "quirks-tf-probe"
}
data "aws_sqs_queue" "probe_west" {
  provider = aws.west
  name     = "quirks-tf-probe"
}
data "aws_region" "current" {}
output "probe" {
  value = data.aws_sqs_queue.probe.url
}
output "probe_west" {
  value = data.aws_sqs_queue.probe_west.url
}
output "region" {
  value = data.aws_region.current.name
}
"""
    tf = _root(tmp_path, "plan", main_tf, _override("--alias", "west"))
    _run(tf, "init", f"-plugin-dir={plugin_dir()}")
    # The shell points at nothing: a dead endpoint, no credentials. Only the override can reach.
    shell = {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_SESSION_TOKEN": "",
        "AWS_REGION": "",
        "AWS_DEFAULT_REGION": "",
        "AWS_PROFILE": "",
    }
    output = _run(tf, "plan", "-input=false", env=shell)
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in output
    assert "aws_sqs_queue.orders will be created" in output
    assert f'probe      = "{probe}"' in output
    assert f'probe_west = "{probe}"' in output
    assert f'region     = "{running.region}"' in output
    assert "Warning" not in output
