"""Stack files provision through the AWS APIs; ``quirks local up/env`` serve and describe the cloud."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quirks import aws
from quirks.alerts.decode import decode_event
from quirks.errors import UserError
from quirks.limits import DEFAULT_ACCOUNT, FILTER_NAME
from quirks.local.cloud import LocalCloud
from quirks.local.stack import (
    FunctionSpec,
    InvokeConfigSpec,
    LogSubscriptionSpec,
    MappingSpec,
    QueueSpec,
    RedriveSpec,
    Stack,
    SubscriptionSpec,
    TableSpec,
    TopicSpec,
    load_stack,
    provision,
)
from quirks.testing import drain_queue, run_cli

STACKS = Path(__file__).parent / "stacks"


def test_a_stack_file_provisions_a_working_pipeline(cloud: LocalCloud) -> None:
    created = provision(load_stack(STACKS / "shop.toml"), cloud.clients)
    assert set(created) >= {
        "table:orders",
        "queue:seen",
        "function:billing",
        "event_source_mapping:0",
    }
    aws.client("dynamodb").put_item(TableName="orders", Item={"pk": {"S": "o-1"}})
    (message,) = drain_queue(created["queue:seen"], 1, timeout=15)
    assert json.loads(message["Body"]) == {"pk": {"S": "o-1"}}


def test_a_stack_file_with_fan_out_and_a_log_subscription(cloud: LocalCloud) -> None:
    created = provision(load_stack(STACKS / "fanout.toml"), cloud.clients)
    assert "log_subscription:/aws/lambda/billing" in created
    dynamodb = aws.client("dynamodb")
    dynamodb.put_item(TableName="orders", Item={"pk": {"S": "o-1"}})
    (seen,) = drain_queue(created["queue:seen"], 1, timeout=15)
    assert json.loads(seen["Body"]) == {"pk": {"S": "o-1"}}
    dynamodb.put_item(TableName="orders", Item={"pk": {"S": "bad-2"}})
    alerts: list[dict[str, object]] = []
    deadline = time.monotonic() + 20
    while not alerts and time.monotonic() < deadline:
        cloud.telemetry.flush()
        alerts = drain_queue(created["queue:alerts"], 1, timeout=1)
    (alert,) = alerts[:1]
    batch = decode_event(json.loads(str(alert["Body"])))
    assert batch.log_group == "/aws/lambda/billing"
    assert any("cannot bill bad-2" in event.message for event in batch.events)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[functions]]\nname = 'f'\n", "handler"),
        ("[[functions]]\nname = 'f'\nhandler = 'nodot'\n", "module.function"),
        ("[[event_source_mappings]]\nfunction = 'ghost'\nsource = 'table:t'\n", "ghost"),
        ("[[tables]]\nhash_key = 'pk'\n", "name"),
        ("[[log_subscriptions]]\ndestination = 'function:x'\n", "'function' or 'log_group'"),
        ("[surprise]\n", "unknown section"),
        ("tables = 5\n", "array of tables"),
        ("not toml ===", "not valid TOML"),
    ],
)
def test_bad_stack_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "stack.toml"
    path.write_text(text)
    with pytest.raises(UserError, match=message):
        load_stack(path)


FUNCTION = "[[functions]]\nname = 'billing'\nhandler = 'shop.billing'\n"
TABLE = "[[tables]]\nname = 'orders'\nstream = 'NEW_IMAGE'\n"
MAPPING = "[[event_source_mappings]]\nfunction = 'billing'\n"


@pytest.mark.parametrize(
    ("text", "where", "problem", "fix"),
    [
        (
            FUNCTION + TABLE + MAPPING + "source = 'table:orders'\nstarting_position = 'LATEST'\n"
            "on_failure = 'queue:nope'\n",
            "event_source_mappings[0] (billing).on_failure",
            "no queue named 'nope' in the stack",
            "declare it in [[queues]] or fix the name",
        ),
        (
            "[[tables]]\nname = 'orders'\nstream = 'NEW_AND_OLD'\n",
            "tables[0] (orders).stream",
            "'NEW_AND_OLD' is not one of ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', "
            "'NEW_AND_OLD_IMAGES'] (did you mean 'NEW_AND_OLD_IMAGES'?)",
            "see docs/local.md",
        ),
        (
            FUNCTION + "enviroment = {A = 'b'}\n",
            "functions[0] (billing).enviroment",
            "unknown field (did you mean 'environment'?)",
            "rename it to 'environment'",
        ),
        (
            "[[function]]\nname = 'x'\n",
            "function",
            "unknown section (did you mean 'functions'?)",
            "rename it to 'functions'",
        ),
        (
            "paths = ['../nonexistent-dir']\n",
            "paths[0]",
            "'../nonexistent-dir' is not a directory (relative to the stack file)",
            "see docs/local.md",
        ),
        (
            FUNCTION + TABLE + MAPPING + "source = 'table:orders'\n",
            "event_source_mappings[0] (billing).starting_position",
            "is required for a stream source",
            'add starting_position = "TRIM_HORIZON"',
        ),
        (
            FUNCTION + TABLE + MAPPING + "source = 'table:order'\nstarting_position = 'LATEST'\n",
            "event_source_mappings[0] (billing).source",
            "no table with a stream named 'order' in the stack (did you mean 'orders'?)",
            "declare it in [[tables]]",
        ),
        (
            FUNCTION + "timeout = 'ten'\n",
            "functions[0] (billing).timeout",
            "must be an integer, not 'ten'",
            "see docs/local.md",
        ),
        (
            FUNCTION + "[[queues]]\nname='q'\n" + MAPPING + "source = 'queue:q'\n"
            "starting_position = 'LATEST'\n",
            "event_source_mappings[0] (billing).starting_position",
            "applies to stream sources only, not to SQS",
            "see docs/local.md",
        ),
        ("region = 'Europe'\n", "region", "'Europe' is not a region name", "eu-west-1"),
        (
            "[[queues]]\nname = 'q'\n[[queues]]\nname = 'q'\n",
            "queues[1] (q)",
            "a second queue named 'q'",
            "see docs/local.md",
        ),
    ],
)
def test_stack_mistakes_are_caught_before_anything_starts(
    tmp_path: Path, text: str, where: str, problem: str, fix: str
) -> None:
    path = tmp_path / "stack.toml"
    path.write_text(text)
    with pytest.raises(UserError) as raised:
        load_stack(path)
    assert raised.value.message == f"stack file: {where}: {problem}"
    assert fix in (raised.value.fix or "")


def test_local_up_with_a_bad_stack_starts_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = tmp_path / "stack.toml"
    path.write_text(FUNCTION + "enviroment = {A = 'b'}\n")
    captured = run_cli("local", "up", "--port", "0", "--stack", str(path))
    assert captured.exit_code == 2
    assert captured.stdout == ""
    assert captured.stderr.startswith(
        "quirks: error: stack file: functions[0] (billing).enviroment"
    )
    assert not (tmp_path / "quirks").exists()


def test_buckets_are_created_in_the_stack_region(tmp_path: Path) -> None:
    path = tmp_path / "stack.toml"
    path.write_text("region = 'eu-west-1'\n[[buckets]]\nname = 'archive'\n[[queues]]\nname = 'q'\n")
    stack = load_stack(path)
    cloud = LocalCloud(port=0, region=stack.region).start()
    try:
        created = provision(stack, cloud.clients)
        s3 = cloud.clients.client("s3")
        location = s3.get_bucket_location(Bucket="archive")["LocationConstraint"]
        assert location == "eu-west-1"
        assert (
            ":eu-west-1:"
            in cloud.clients.client("sqs").get_queue_attributes(
                QueueUrl=created["queue:q"], AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"]
        )
    finally:
        cloud.stop()


def test_env_without_a_running_cloud_is_a_user_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    result = run_cli("local", "env")
    assert result.exit_code == 2
    assert "quirks local up" in result.stderr


def test_local_up_serves_until_terminated_and_env_prints_its_exports(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "quirks",
            "local",
            "up",
            "--port",
            "0",
            "--stack",
            str(STACKS / "shop.toml"),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines = []
        while True:
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else "no output"
            lines.append(line)
            if line.startswith("}"):
                break
        started = json.loads("".join(lines))
        assert started["url"].startswith("http://127.0.0.1:")
        assert started["environment"]["AWS_ENDPOINT_URL"] == started["url"]
        assert "function:billing" in started["resources"]
        printed = subprocess.run(
            [sys.executable, "-m", "quirks", "local", "env", "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        assert json.loads(printed.stdout)["AWS_ENDPOINT_URL"] == started["url"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    assert list((tmp_path / "quirks" / "local").glob("*.json")) == []


def test_local_up_passes_the_stream_retention_to_the_cloud(monkeypatch: pytest.MonkeyPatch) -> None:
    import quirks.local.cloud

    built: dict[str, object] = {}

    class Refusing(LocalCloud):
        def __init__(self, *args: object, **kwargs: object) -> None:
            built.update(kwargs)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

        def start(self) -> LocalCloud:
            raise OSError("address in use")

    monkeypatch.setattr(quirks.local.cloud, "LocalCloud", Refusing)
    code, _, err = run_cli("local", "up", "--port", "0", "--stream-retention", "90")
    assert code == 2, err
    assert built["stream_retention"] == 90.0
    assert run_cli("local", "up", "--stream-retention", "0").exit_code == 2  # at least one second


def test_a_stack_built_in_code_provisions_every_kind(cloud: LocalCloud) -> None:
    """The typed model is the one provisioning input: a stack file and ``quirks demo`` both build it."""
    stack = Stack(
        region=cloud.region,
        paths=(str(STACKS),),
        tables=(TableSpec("orders", stream="NEW_AND_OLD_IMAGES"),),
        queues=(
            QueueSpec("dlq"),
            QueueSpec(
                "work",
                attributes={"VisibilityTimeout": 40},
                redrive=RedriveSpec("queue:dlq", max_receive_count=4),
            ),
        ),
        topics=(TopicSpec("events", subscriptions=(SubscriptionSpec("queue:work"),)),),
        functions=(
            FunctionSpec(
                "billing",
                "shop_consumer.handler",
                environment={"SEEN_QUEUE": "work"},
                timeout=12,
                dead_letter="queue:dlq",
            ),
        ),
        event_invoke_configs=(
            InvokeConfigSpec("billing", maximum_retry_attempts=1, on_failure="queue:dlq"),
        ),
        event_source_mappings=(
            MappingSpec("billing", "table:orders", starting_position="TRIM_HORIZON", batch_size=5),
        ),
        log_subscriptions=(LogSubscriptionSpec("function:billing", function="billing"),),
    )
    created = provision(stack, cloud.clients)
    arn = f"arn:aws:sqs:{cloud.region}:{DEFAULT_ACCOUNT}"
    sqs = cloud.clients.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=created["queue:work"], AttributeNames=["All"])[
        "Attributes"
    ]
    assert attributes["VisibilityTimeout"] == "40"
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": f"{arn}:dlq",
        "maxReceiveCount": 4,
    }
    lam = cloud.clients.client("lambda")
    configuration = lam.get_function_configuration(FunctionName="billing")
    assert (configuration["Timeout"], configuration["DeadLetterConfig"]["TargetArn"]) == (
        12,
        f"{arn}:dlq",
    )
    invoke = lam.get_function_event_invoke_config(FunctionName="billing")
    assert invoke["MaximumRetryAttempts"] == 1
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == f"{arn}:dlq"
    (mapping,) = lam.list_event_source_mappings(FunctionName="billing")["EventSourceMappings"]
    assert mapping["UUID"] == created["event_source_mapping:0"]
    assert mapping["BatchSize"] == 5
    (subscription,) = cloud.clients.client("sns").list_subscriptions_by_topic(
        TopicArn=created["topic:events"]
    )["Subscriptions"]
    assert subscription["Endpoint"] == f"{arn}:work"
    (log_filter,) = cloud.clients.client("logs").describe_subscription_filters(
        logGroupName="/aws/lambda/billing"
    )["subscriptionFilters"]
    assert log_filter["filterName"] == FILTER_NAME
    # The pipeline works: a write reaches the consumer through the stream mapping.
    cloud.clients.client("dynamodb").put_item(TableName="orders", Item={"pk": {"S": "o-9"}})
    (message,) = drain_queue(created["queue:work"], 1, timeout=15)
    assert json.loads(message["Body"]) == {"pk": {"S": "o-9"}}
