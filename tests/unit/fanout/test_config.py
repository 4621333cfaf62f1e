"""Configuration validation: every error names the target and the field."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from quirks.errors import ConfigurationError
from quirks.fanout.config import load_file, parse_config
from quirks.fanout.factory import load_config

if TYPE_CHECKING:
    from pathlib import Path

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/failures"


def target(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "billing",
        "type": "lambda",
        "destination": "billing-fn",
        "filter": {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["paid"]}}}},
        "on_failure": {"mode": "divert", "destination": QUEUE},
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def test_the_issue_example_parses_with_defaults() -> None:
    config = parse_config(
        {
            "targets": [target(format="lambda-event")],
            "claim_check": {"s3": "s3://bucket/prefix"},
            "checkpoint_table": "checkpoints",
        }
    )
    billing = config.target("billing")
    assert billing.format == "lambda-event"
    assert billing.on_failure.mode == "divert"
    assert billing.on_failure.destination == QUEUE
    assert billing.source == "quirks.fanout"
    assert billing.detail_type == "DynamoDB Stream Record"
    assert billing.filter.matches(
        {"eventName": "INSERT", "dynamodb": {"NewImage": {"status": {"S": "paid"}}}}
    )
    assert config.claim_check == "s3://bucket/prefix"
    assert config.checkpoint_table == "checkpoints"


BAD: list[tuple[Any, str]] = [
    ({"targets": []}, "targets: must be a non-empty list"),
    ({"targets": [target()], "extra": 1}, "config: extra: unknown setting; use one of"),
    ({"targets": [target(colour=1)]}, "targets[billing].colour: unknown setting; use one of"),
    ({"targets": [target(destination="")]}, "targets[billing].destination: must not be empty"),
    ({"targets": [target(type="webhook")]}, "targets[billing].type: 'webhook' is not one of"),
    ({"targets": [target(destination=None)]}, "targets[billing].destination: is missing"),
    ({"targets": [target(id="bad id!")]}, "targets[0].id: 'bad id!'"),
    ({"targets": [target(format="xml")]}, "targets[billing].format: 'xml'"),
    (
        {"targets": [target(filter={"dynamodb": {"NewImage": {"status": {"S": "paid"}}}})]},
        "targets[billing].filter.dynamodb.NewImage.status.S: must be a list of rules",
    ),
    (
        {"targets": [target(on_failure={"mode": "divert"})]},
        "targets[billing].on_failure.destination: is required for mode 'divert'",
    ),
    (
        {"targets": [target(on_failure={"mode": "retry"})]},
        "targets[billing].on_failure.mode: must be 'divert' or 'block'",
    ),
    (
        {"targets": [target(on_failure={"mode": "divert", "destination": "my-queue"})]},
        "targets[billing].on_failure.destination: 'my-queue' is neither",
    ),
    (
        {"targets": [target(on_failure={"mode": "block"})]},
        "targets[billing].on_failure.mode: 'block' needs a checkpoint_table",
    ),
    ({"targets": [target(), target()]}, "targets[billing].id: is used twice"),
    ({"targets": [target(max_attempts=0)]}, "targets[billing].max_attempts"),
    ({"targets": [target(max_message_bytes=2048)]}, "targets[billing].max_message_bytes"),
    ({"targets": [target()], "claim_check": {"s3": "bucket"}}, "claim_check.s3"),
    ({"targets": [target()], "concurrency": 0}, "concurrency"),
    ([], "config: expected an object, got list"),
    ({"targets": [target(max_attempts=True)]}, "max_attempts: expected an integer, got bool"),
]


@pytest.mark.parametrize(("data", "message"), BAD)
def test_bad_configs_name_target_and_field(data: Any, message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_config(data)
    assert message in raised.value.message
    assert raised.value.fix


def test_top_level_failure_destination_is_the_default() -> None:
    config = parse_config(
        {"targets": [target(on_failure=None)], "failure_destination": "s3://b/failed"}
    )
    assert config.targets[0].on_failure.destination == "s3://b/failed"


def test_sources_inline_file_and_missing(tmp_path: Path) -> None:
    document = {"targets": [target()]}
    assert load_config({"QUIRKS_FANOUT_CONFIG": json.dumps(document)}).targets[0].id == "billing"
    path = tmp_path / "fanout.json"
    path.write_text(json.dumps(document))
    assert load_config({"QUIRKS_FANOUT_CONFIG_FILE": str(path)}).targets[0].id == "billing"
    with pytest.raises(ConfigurationError, match="no fan-out configuration"):
        load_config({})
    with pytest.raises(ConfigurationError, match="QUIRKS_FANOUT_CONFIG: is not valid JSON"):
        load_config({"QUIRKS_FANOUT_CONFIG": "{"})
    with pytest.raises(ConfigurationError, match="cannot be read"):
        load_file(tmp_path / "missing.json")


def test_yaml_file_when_pyyaml_is_installed(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / "fanout.yaml"
    path.write_text(
        "targets:\n  - id: audit\n    type: sqs\n    destination: https://sqs.us-east-1.amazonaws.com/1/q\n"
        "    on_failure: {mode: divert, destination: s3://b/p}\n"
    )
    assert load_file(path).targets[0].type == "sqs"
