"""The Lambda handler end to end: payload in, Slack messages (or SNS notifications) out."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from quirks import aws
from quirks.alerts.decode import LogEvent
from quirks.alerts.handler import lambda_handler
from quirks.testing import awslogs_event, lambda_context
from tests.functional.alerts.events import error_events
from tests.support.events import load_event

if TYPE_CHECKING:
    from tests.functional.alerts.conftest import FakeSlack

FIXTURES = load_event("alerts-log-events.json")
GROUP = "/aws/lambda/orders-api"


REQUEST_ID = "11111111-2222-3333-4444-555555555555"
CONTEXT = lambda_context("quirks-alerts", request_id=REQUEST_ID)


def _event(events: list[LogEvent], group: str = GROUP) -> dict[str, Any]:
    return awslogs_event(
        [(e.timestamp, e.message) for e in events],
        ids=[e.id for e in events],
        log_group=group,
        log_stream="2024/05/02/[$LATEST]abc",
    )


@pytest.fixture
def slack_env(fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> FakeSlack:
    monkeypatch.setenv("QUIRKS_SLACK_WEBHOOK_URL", fake_slack.url)
    monkeypatch.setenv("QUIRKS_SLACK_MIN_INTERVAL", "0")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "quirks-alerts")
    return fake_slack


def test_every_recognized_shape_reaches_slack_and_noise_does_not(
    slack_env: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRKS_ALERTS_MAX_MESSAGES", "50")  # one message per shape, no digest
    events = [
        LogEvent(str(i), 1714644672345 + i, c["message"])
        for i, c in enumerate(FIXTURES["recognized"])
    ]
    events += [LogEvent(str(100 + i), 1714644672345, m) for i, m in enumerate(FIXTURES["noise"])]
    result = lambda_handler(_event(events), CONTEXT)
    # two platform records are folded into the errors of their own requests
    expected = len(FIXTURES["recognized"]) - 2
    assert result["errors"] == expected
    assert result["sent"] == len(slack_env.bodies) == result["alerts"]
    assert result["failed"] == 0
    assert any("Sandbox.Timedout in orders-api" in t for t in slack_env.texts)
    assert any("Runtime.ExitError in orders-api" in t for t in slack_env.texts)

    slack_env.bodies.clear()
    result = lambda_handler(
        _event([LogEvent(str(i), 1, m) for i, m in enumerate(FIXTURES["noise"])]),
        CONTEXT,
    )
    assert result["errors"] == 0
    assert slack_env.bodies == []


def test_one_failing_delivery_does_not_drop_the_rest(
    slack_env: FakeSlack, log_lines: list[dict[str, Any]]
) -> None:
    slack_env.answer_next(500, "internal_error")
    result = lambda_handler(_event(error_events(25)), CONTEXT)
    assert (result["alerts"], result["sent"], result["failed"]) == (5, 4, 1)
    assert len(slack_env.bodies) == 4
    lines = log_lines
    failures = [line for line in lines if line["message"] == "alert delivery failed"]
    assert len(failures) == 1
    assert failures[0]["level"] == "ERROR"
    assert failures[0]["sink"] == "slack"
    assert "HTTP 500" in failures[0]["error"]
    assert not any("SECRET" in json.dumps(line) for line in lines)


def test_429_in_the_middle_of_a_batch_is_retried(slack_env: FakeSlack) -> None:
    lambda_handler(_event(error_events(2)), CONTEXT)
    slack_env.answer_next(429, "rate_limited", {"Retry-After": "1"})
    result = lambda_handler(_event(error_events(3, start=2)), CONTEXT)
    assert (result["sent"], result["failed"]) == (3, 0)
    assert len(slack_env.bodies) == 5
    assert slack_env.attempts == 6  # one 429, then the retry went through


@pytest.mark.parametrize(
    "event",
    [
        {"awslogs": {"data": "%%%"}},
        {"awslogs": {"data": "aGVsbG8="}},
        {"not": "awslogs"},
        {
            "awslogs": {
                "data": awslogs_event([], log_group="g", log_stream="s")["awslogs"]["data"][:-8]
            }
        },
    ],
)
def test_malformed_payloads_are_logged_and_skipped(
    slack_env: FakeSlack, event: dict[str, Any], log_lines: list[dict[str, Any]]
) -> None:
    result = lambda_handler(event, CONTEXT)
    assert result["skipped"] == "malformed"
    assert slack_env.bodies == []
    errors = [line for line in log_lines if line["level"] == "ERROR"]
    assert [line["message"] for line in errors] == ["malformed CloudWatch Logs payload skipped"]
    assert errors[0]["field"] == result["field"]


def test_control_message_and_own_log_group_are_ignored(slack_env: FakeSlack) -> None:
    control = awslogs_event(
        [], log_group="testLogGroup", log_stream="testLogStream", message_type="CONTROL_MESSAGE"
    )
    assert lambda_handler(control, CONTEXT)["skipped"] == "control"
    own = lambda_handler(
        _event(error_events(5), group="/aws/lambda/quirks-alerts"),
        CONTEXT,
    )
    assert own["skipped"] == "own-log-group"
    assert slack_env.bodies == []


def test_webhook_from_secrets_manager_is_cached_and_never_logged(
    fake_slack: FakeSlack,
    aws_env: aws.ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: list[dict[str, Any]],
) -> None:
    secrets = aws.client("secretsmanager")
    secrets.create_secret(Name="quirks/slack", SecretString=json.dumps({"url": fake_slack.url}))
    monkeypatch.setenv("QUIRKS_SLACK_WEBHOOK_SECRET", "quirks/slack")
    monkeypatch.setenv("QUIRKS_SLACK_MIN_INTERVAL", "0")
    lambda_handler(_event(error_events(1)), CONTEXT)
    secrets.delete_secret(SecretId="quirks/slack", ForceDeleteWithoutRecovery=True)
    lambda_handler(_event(error_events(1, start=1)), CONTEXT)  # cached: no second read
    assert len(fake_slack.bodies) == 2
    assert log_lines  # the handler did log
    assert not any("SECRET" in json.dumps(line) for line in log_lines)


def test_webhook_from_ssm_securestring(
    fake_slack: FakeSlack, aws_env: aws.ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.client("ssm").put_parameter(Name="/quirks/slack", Value=fake_slack.url, Type="SecureString")
    monkeypatch.setenv("QUIRKS_SLACK_WEBHOOK_SSM", "/quirks/slack")
    monkeypatch.setenv("QUIRKS_SLACK_MIN_INTERVAL", "0")
    lambda_handler(_event(error_events(2)), CONTEXT)
    assert len(fake_slack.bodies) == 2


def test_chatbot_route_publishes_custom_notifications(
    aws_env: aws.ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="chatbot")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    monkeypatch.setenv("QUIRKS_ALERTS_SNS_TOPIC", topic)
    result = lambda_handler(_event(error_events(10)), CONTEXT)
    assert result["sent"] == 5
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    bodies = [json.loads(m["Body"]) for m in messages]
    assert len(bodies) == 5
    assert all(b["version"] == "1.0" and b["source"] == "custom" for b in bodies)
    assert len({b["metadata"]["threadId"] for b in bodies}) == 5


def test_missing_destination_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from quirks.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="no alert destination"):
        lambda_handler(_event(error_events(1)), CONTEXT)


def test_alerts_that_cannot_be_sent_before_the_timeout_are_logged_with_their_content(
    slack_env: FakeSlack, log_lines: list[dict[str, Any]]
) -> None:
    result = lambda_handler(
        _event(error_events(3)),
        lambda_context("quirks-alerts", remaining_ms=1_000, request_id=REQUEST_ID),
    )
    assert (result["sent"], result["failed"]) == (0, 3)
    assert slack_env.bodies == []
    failures = [line for line in log_lines if line["message"] == "alert delivery failed"]
    assert len(failures) == 3
    assert {f["error_type"] for f in failures} == {"KeyError", "Sandbox.Timedout", "ERROR"}
    assert all("out of time" in f["error"] and f["error_message"] for f in failures)


def test_dedupe_table_is_shared_by_containers(
    slack_env: FakeSlack, aws_env: aws.ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quirks.alerts import handler

    aws.client("dynamodb").create_table(
        TableName="alerts-dedupe",
        KeySchema=[{"AttributeName": "fingerprint", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "fingerprint", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    monkeypatch.setenv("QUIRKS_ALERTS_DEDUPE_TABLE", "alerts-dedupe")
    first = lambda_handler(_event(error_events(10)), CONTEXT)
    handler.reset()  # a second container: no memory of the first
    second = lambda_handler(_event(error_events(10, start=10)), CONTEXT)
    assert (first["sent"], second["sent"], second["suppressed"]) == (5, 0, 10)
    assert len(slack_env.bodies) == 5
    items = aws.client("dynamodb").scan(TableName="alerts-dedupe")["Items"]
    assert sorted(int(i["suppressed"]["N"]) for i in items) == [2] * 5
    assert all("expires_at" in i for i in items)


def test_the_handler_imports_no_cli_or_test_dependencies() -> None:
    import subprocess
    import sys

    code = (
        "import sys, quirks.alerts.handler; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich', 'moto', 'pytest'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_sample_event_aws_publishes_gives_an_alert_per_event(slack_env: FakeSlack) -> None:
    # The CloudWatch Logs sample event of the Lambda console / developer guide: two [ERROR] lines.
    result = lambda_handler(
        load_event("alerts-awslogs-sample.json"),
        CONTEXT,
    )
    assert (result["events"], result["errors"], result["sent"]) == (2, 2, 2)
    assert slack_env.texts == [
        "ERROR in testLogGroup: First test message",
        "ERROR in testLogGroup: Second test message",
    ]


def _distinct_errors(count: int) -> list[LogEvent]:
    names = ["".join(chr(65 + int(d)) for d in str(k)) for k in range(count)]
    return [
        LogEvent(
            str(k),
            1714644672345 + k,
            f"[ERROR] {name}Error: failed\nTraceback (most recent call last):\n",
        )
        for k, name in enumerate(names)
    ]


def test_a_burst_of_distinct_errors_ends_in_one_digest(
    slack_env: FakeSlack, log_lines: list[dict[str, Any]]
) -> None:
    from slack_sdk.models.blocks import Block

    result = lambda_handler(_event(_distinct_errors(30)), CONTEXT)
    assert (result["alerts"], result["sent"], result["failed"]) == (30, 30, 0)
    assert len(slack_env.bodies) == 10  # QUIRKS_ALERTS_MAX_MESSAGES default
    digest = slack_env.bodies[-1]
    assert digest["blocks"][0]["text"]["text"] == "21 more errors in this delivery"
    for raw in digest["blocks"]:
        Block.parse(raw).validate_json()  # type: ignore[union-attr]
    assert digest["text"].count("Error in orders-api") == 21


def test_a_failed_digest_logs_every_alert_it_carried(
    slack_env: FakeSlack, log_lines: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRKS_ALERTS_MAX_MESSAGES", "3")
    slack_env.answer_next(200)
    slack_env.answer_next(200)
    slack_env.answer_next(500, "internal_error")
    result = lambda_handler(_event(_distinct_errors(6)), CONTEXT)
    assert (result["sent"], result["failed"]) == (2, 4)
    failures = [line for line in log_lines if line["message"] == "alert delivery failed"]
    assert len(failures) == 4
    assert all(
        f["error"].startswith("digest: DeliveryError: Slack webhook answered HTTP 500")
        for f in failures
    )


def test_an_account_level_policy_delivery_is_not_skipped(slack_env: FakeSlack) -> None:
    # Powertools' sample event for account-level subscription policies is zlib, not gzip.
    result = lambda_handler(
        load_event("alerts-awslogs-account-policy.json"),
        CONTEXT,
    )
    assert result.get("skipped") != "malformed"
    assert (result["events"], result["errors"], result["sent"]) == (2, 2, 2)
    assert any("First test message" in t for t in slack_env.texts)


SECRET_VALUES = {
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "hunter2",
    "jane.doe@example.com",
}


def test_secrets_never_reach_slack_or_the_notifiers_log(
    slack_env: FakeSlack, log_lines: list[dict[str, Any]]
) -> None:
    message = (
        "[ERROR]\t2024-05-02T10:11:12.345Z\t8f5f1e8a-2b7c-4d1e-9a3f-0c6b5d4e3f21\tValueError: "
        "login failed key=AKIAIOSFODNN7EXAMPLE "
        "secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY "
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk "
        "hook https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX "
        "password=hunter2 user jane.doe@example.com <!channel>\n"
        'Traceback (most recent call last):\n  File "/var/task/app.py", line 3, in handler\n'
    )
    slack_env.answer_next(500, "internal_error")  # the failure line carries the alert too
    result = lambda_handler(
        _event([LogEvent("1", 1714644672345, message)]),
        CONTEXT,
    )
    assert result["failed"] == 1
    slack_env.bodies.clear()
    lambda_handler(
        _event([LogEvent("2", 1714644672345, message.replace("ValueError", "KeyError"))]),
        CONTEXT,
    )
    assert slack_env.bodies
    leaked = json.dumps(slack_env.bodies) + json.dumps(log_lines)
    found = [s for s in SECRET_VALUES if s in leaked]
    assert found == [], leaked[max(0, leaked.find(found[0]) - 300) :][:600]
    assert "<!channel>" not in json.dumps(slack_env.bodies)  # shown, not acted on


def test_an_unreadable_webhook_secret_is_a_configuration_error(
    aws_env: aws.ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quirks.alerts.factory import build_notifier
    from quirks.errors import ConfigurationError

    monkeypatch.setenv("QUIRKS_SLACK_WEBHOOK_SECRET", "quirks/missing")
    with pytest.raises(ConfigurationError, match="secret 'quirks/missing'") as raised:
        build_notifier(clients=aws_env)
    assert "secretsmanager:GetSecretValue" in raised.value.one_line()
