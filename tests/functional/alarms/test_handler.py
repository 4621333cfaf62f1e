"""The scheduled handler keeps alarms in sync and fails loudly when it cannot."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

import pytest

from quirks import aws
from quirks.alarms import handler
from quirks.alarms.handler import AlarmSyncError, config_from_env, lambda_handler, logger
from quirks.errors import ConfigurationError, UserError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.functional.alarms.conftest import Account

TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-alarms"


@pytest.fixture(autouse=True)
def _fresh_container() -> Iterator[None]:
    """Each test's handler builds its wiring from the test's own environment."""
    handler.reset()
    yield
    handler.reset()


def alarm_names() -> set[str]:
    return {a["AlarmName"] for a in aws.client("cloudwatch").describe_alarms()["MetricAlarms"]}


def test_handler_creates_then_prunes_with_the_env_config(
    shop: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRKS_ALARMS_TOPIC_ARN", TOPIC)
    monkeypatch.setenv(
        "QUIRKS_ALARMS_CONFIG", json.dumps({"functions": {"mailer": {"skip": True}}})
    )
    first = lambda_handler({}, None)
    assert len(first["created"]) == 6
    assert "quirks-async-event-age-mailer" not in alarm_names()
    assert lambda_handler({}, None)["created"] == []

    aws.client("lambda").delete_event_source_mapping(UUID=shop.mappings["audit-writer"])
    kept = lambda_handler({}, None)
    assert len(kept["orphaned_kept"]) == 2
    monkeypatch.setenv("QUIRKS_ALARMS_PRUNE", "true")
    handler.reset()  # a new environment: a new container
    pruned = lambda_handler({}, None)
    assert set(pruned["deleted"]) == {
        "quirks-iterator-age-warning-audit-writer",
        "quirks-iterator-age-critical-audit-writer",
    }


def test_handler_raises_and_logs_at_error_on_a_conflict(
    shop: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", log)
    aws.client("cloudwatch").put_metric_alarm(
        AlarmName="quirks-async-event-age-mailer",
        Namespace="AWS/Lambda",
        MetricName="AsyncEventAge",
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    with pytest.raises(AlarmSyncError, match="1 names conflict"):
        lambda_handler({}, None)
    logged = [json.loads(line) for line in log.getvalue().splitlines()]
    errors = [entry for entry in logged if entry["level"] == "ERROR"]
    assert errors
    assert errors[0]["alarms"]["conflicts"] == ["quirks-async-event-age-mailer"]


def test_config_from_an_ssm_parameter(aws_env: aws.ClientFactory) -> None:
    aws.client("ssm").put_parameter(
        Name="/quirks/alarms", Type="String", Value=json.dumps({"topic": TOPIC})
    )
    config = config_from_env({"QUIRKS_ALARMS_CONFIG_PARAMETER": "/quirks/alarms"})
    assert config.topic_arn == TOPIC
    with pytest.raises(UserError, match="not valid JSON"):
        config_from_env({"QUIRKS_ALARMS_CONFIG": "{"})


def test_handler_without_its_topic_never_strips_the_actions_of_alarms(
    shop: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", log)
    monkeypatch.setenv("QUIRKS_ALARMS_TOPIC_ARN", TOPIC)
    handler.reset()  # a new environment: a new container
    assert len(lambda_handler({}, None)["created"]) == 7
    monkeypatch.delenv("QUIRKS_ALARMS_TOPIC_ARN")
    handler.reset()  # a new environment: a new container
    with pytest.raises(UserError, match="remove the actions of 7 alarms") as raised:
        lambda_handler({}, None)
    assert "QUIRKS_ALARMS_TOPIC_ARN" in raised.value.one_line()
    described = aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert all(a["AlarmActions"] == [TOPIC] for a in described)
    assert any(json.loads(line)["level"] == "ERROR" for line in log.getvalue().splitlines())
    other = "arn:aws:sns:us-east-1:123456789012:other"
    monkeypatch.setenv("QUIRKS_ALARMS_TOPIC_ARN", other)  # a new topic: the alarms move to it
    handler.reset()  # a new environment: a new container
    assert len(lambda_handler({}, None)["updated"]) == 7
    monkeypatch.delenv("QUIRKS_ALARMS_TOPIC_ARN")
    monkeypatch.setenv("QUIRKS_ALARMS_ALLOW_REMOVING_ACTIONS", "true")
    handler.reset()  # a new environment: a new container
    assert len(lambda_handler({}, None)["updated"]) == 7


def test_the_container_reads_its_ssm_config_once_per_max_age(
    shop: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/quirks/alarms", Type="String", Value=json.dumps({"topic": TOPIC}))
    monkeypatch.setenv("QUIRKS_ALARMS_CONFIG_PARAMETER", "/quirks/alarms")
    assert len(lambda_handler({}, None)["created"]) == 7
    ssm.put_parameter(Name="/quirks/alarms", Type="String", Value="{", Overwrite=True)
    # Within CONFIG_MAX_AGE the container keeps the config it read: no SSM call per invocation.
    assert lambda_handler({}, None)["created"] == []
    handler.reset()  # a new container reads the parameter again
    with pytest.raises(UserError, match="not valid JSON"):
        lambda_handler({}, None)


def test_a_missing_ssm_parameter_is_a_configuration_error(
    aws_env: aws.ClientFactory,
) -> None:
    with pytest.raises(ConfigurationError, match="'/quirks/missing'") as raised:
        config_from_env({"QUIRKS_ALARMS_CONFIG_PARAMETER": "/quirks/missing"})
    assert "QUIRKS_ALARMS_CONFIG_PARAMETER" in raised.value.one_line()


def test_the_return_value_is_the_region_and_the_apply_summary(
    shop: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRKS_ALARMS_TOPIC_ARN", TOPIC)
    result = lambda_handler({}, None)
    assert list(result) == [
        "region",
        "created",
        "updated",
        "deleted",
        "unchanged",
        "orphaned_kept",
        "conflicts",
        "failed",
    ]
    assert result["region"] == "us-east-1"
    handler.reset()
    assert sorted(lambda_handler({}, None)["unchanged"]) == sorted(result["created"])
