"""The local Lambda behaves as AWS documents it: invocation types, failure paths, limits, logs."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from quirks import aws
from quirks.errors import AwsError
from quirks.limits import DEFAULT_ACCOUNT as ACCOUNT
from quirks.local.cloud import LocalCloud
from quirks.streams.failures import (
    AsyncInvocationFailure,
    DeadLetterMessage,
    parse_failure_message,
    parse_sqs_message,
)
from quirks.testing import drain_queue
from tests.support.zips import zipped

SOURCE = """
import json, os, time, logging
STATE = {"calls": 0}
def ok(event, context):
    STATE["calls"] += 1
    print("processing", json.dumps(event))
    logging.getLogger("app").info("info line")
    return {"event": event, "calls": STATE["calls"], "var": os.environ.get("VAR"),
            "host_secret": os.environ.get("HOST_SECRET"), "request_id": context.aws_request_id}
def fail(event, context):
    raise ValueError("bad order " + str(event.get("id")))
def slow(event, context):
    time.sleep(5)
def crash(event, context):
    os._exit(1)
"""


def make(name: str, handler: str, **extra: Any) -> None:
    aws.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler=f"app.{handler}",
        Code={"ZipFile": zipped(SOURCE)},
        **extra,
    )


def queue(name: str) -> tuple[str, str]:
    url = aws.client("sqs").create_queue(QueueName=name)["QueueUrl"]
    return url, f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def nothing_arrived(cloud: LocalCloud, url: str) -> bool:
    """Once the emulator is idle (every mapping caught up, no async event left), the queue is empty."""
    assert cloud.wait_idle(), "the local cloud did not become idle"
    got = aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return not got.get("Messages")


def log_messages(cloud: LocalCloud, function: str) -> list[str]:
    cloud.telemetry.flush()
    events = aws.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
    return [event["message"] for event in events]


def invocations(cloud: LocalCloud, function: str) -> int:
    return sum(1 for line in log_messages(cloud, function) if line.startswith("START RequestId:"))


def test_sync_success_returns_the_result_and_logs_like_lambda(cloud: LocalCloud) -> None:
    make("orders", "ok", Environment={"Variables": {"VAR": "x"}})
    response = aws.client("lambda").invoke(
        FunctionName="orders", Payload=b'{"id": 1}', LogType="Tail"
    )
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    body = json.loads(response["Payload"].read())
    assert body["event"] == {"id": 1}
    assert body["var"] == "x"
    tail = base64.b64decode(response["LogResult"]).decode()
    assert tail.startswith(f"START RequestId: {body['request_id']} Version: $LATEST")
    assert "REPORT RequestId:" in tail
    lines = log_messages(cloud, "orders")
    assert lines[0] == f"START RequestId: {body['request_id']} Version: $LATEST"
    assert 'processing {"id": 1}' in lines
    assert any(line.startswith("[INFO]\t") and line.endswith("\tinfo line") for line in lines)
    assert lines[-1].startswith(f"REPORT RequestId: {body['request_id']}\tDuration: ")


def test_the_event_reaches_the_handler_as_sent_non_ascii_and_line_breaks_included(
    cloud: LocalCloud,
) -> None:
    make("echo", "ok")
    sent = '{\n  "name": "Zoë ✓ 订单",\n  "note": "a\\nb",\n  "n": [1, 2]\n}'.encode()
    response = aws.client("lambda").invoke(FunctionName="echo", Payload=sent)
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read())["event"] == json.loads(sent)
    # The next invocation on the same worker still starts at its own request line.
    again = aws.client("lambda").invoke(FunctionName="echo", Payload=b'{"id": 2}')
    body = json.loads(again["Payload"].read())
    assert (body["event"], body["calls"]) == ({"id": 2}, 2)


def test_sync_failure_is_in_band_and_never_reaches_dlq_or_destination(cloud: LocalCloud) -> None:
    dlq_url, dlq_arn = queue("dlq")
    dest_url, dest_arn = queue("on-failure")
    make("fails", "fail", DeadLetterConfig={"TargetArn": dlq_arn})
    aws.client("lambda").put_function_event_invoke_config(
        FunctionName="fails", DestinationConfig={"OnFailure": {"Destination": dest_arn}}
    )
    response = aws.client("lambda").invoke(FunctionName="fails", Payload=b'{"id": 7}')
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "bad order 7"
    assert any('raise ValueError("bad order "' in frame for frame in error["stackTrace"])
    assert nothing_arrived(cloud, dlq_url)
    assert nothing_arrived(cloud, dest_url)
    error_lines = [line for line in log_messages(cloud, "fails") if line.startswith("[ERROR]")]
    assert len(error_lines) == 1
    assert "ValueError: bad order 7" in error_lines[0]
    assert "Traceback (most recent call last):" in error_lines[0], "traceback stays in one event"


@pytest.mark.parametrize("retries", [0, 1, 2])
def test_async_failure_is_retried_then_sent_to_the_on_failure_destination(
    cloud: LocalCloud, retries: int
) -> None:
    url, arn = queue("failures")
    make("fails", "fail")
    aws.client("lambda").put_function_event_invoke_config(
        FunctionName="fails",
        MaximumRetryAttempts=retries,
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    response = aws.client("lambda").invoke(
        FunctionName="fails", InvocationType="Event", Payload=b'{"id": 3}'
    )
    assert response["StatusCode"] == 202
    (message,) = drain_queue(url, 1)
    record = parse_sqs_message(message)
    assert isinstance(record, AsyncInvocationFailure)
    assert record.request_context.condition == "RetriesExhausted"
    assert record.request_context.approximate_invoke_count == retries + 1
    assert (
        record.request_context.function_arn
        == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fails:$LATEST"
    )
    assert record.request_payload == {"id": 3}
    assert record.response_context.function_error == "Unhandled"
    assert record.response_payload["errorMessage"] == "bad order 3"
    assert invocations(cloud, "fails") == retries + 1


def test_async_success_goes_to_the_on_success_destination(cloud: LocalCloud) -> None:
    url, arn = queue("successes")
    make("works", "ok")
    aws.client("lambda").put_function_event_invoke_config(
        FunctionName="works", DestinationConfig={"OnSuccess": {"Destination": arn}}
    )
    aws.client("lambda").invoke(FunctionName="works", InvocationType="Event", Payload=b'{"id": 5}')
    (message,) = drain_queue(url, 1)
    record = parse_sqs_message(message)
    assert isinstance(record, AsyncInvocationFailure)
    assert record.succeeded
    assert record.response_payload["event"] == {"id": 5}


def test_async_failure_without_destination_goes_to_the_dead_letter_queue(cloud: LocalCloud) -> None:
    url, arn = queue("dlq")
    make("fails", "fail", DeadLetterConfig={"TargetArn": arn})
    aws.client("lambda").invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"id": 9}')
    (message,) = drain_queue(url, 1)
    record = parse_sqs_message(message)
    assert isinstance(record, DeadLetterMessage)
    assert record.event == {"id": 9}
    assert record.error_message == "bad order 9"
    assert record.error_code == "200"
    assert invocations(cloud, "fails") == 3, "default: two retries"


def test_events_older_than_the_maximum_age_are_not_retried(cloud: LocalCloud) -> None:
    url, arn = queue("expired")
    make("fails", "fail")
    aws.client("lambda").put_function_event_invoke_config(
        FunctionName="fails",
        MaximumRetryAttempts=2,
        MaximumEventAgeInSeconds=60,  # the first retry comes after ~60 s: too old by then
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    aws.client("lambda").invoke(FunctionName="fails", InvocationType="Event", Payload=b"{}")
    (message,) = drain_queue(url, 1)
    record = parse_sqs_message(message)
    assert isinstance(record, AsyncInvocationFailure)
    assert record.request_context.condition == "EventAgeExceeded"
    assert invocations(cloud, "fails") == 1


def test_on_failure_to_sns_and_to_another_function(cloud: LocalCloud) -> None:
    url, queue_arn = queue("via-sns")
    topic = aws.client("sns").create_topic(Name="failures")["TopicArn"]
    aws.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    make("fails", "fail")
    make("catcher", "ok")
    aws.client("lambda").put_function_event_invoke_config(
        FunctionName="fails",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic}},
    )
    aws.client("lambda").invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"id": 1}')
    (message,) = drain_queue(url, 1)
    record = parse_failure_message(message["Body"])
    assert isinstance(record, AsyncInvocationFailure)
    assert record.sns is not None
    catcher_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:catcher"
    aws.client("lambda").put_function_event_invoke_config(
        FunctionName="fails",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": catcher_arn}},
    )
    aws.client("lambda").invoke(FunctionName="fails", InvocationType="Event", Payload=b'{"id": 2}')
    assert cloud.lambda_service.wait_idle()
    processed = [line for line in log_messages(cloud, "catcher") if line.startswith("processing ")]
    assert len(processed) == 1
    assert '"condition": "RetriesExhausted"' in processed[0]


def test_timeouts_are_enforced_and_reported_like_lambda(cloud: LocalCloud) -> None:
    make("sleepy", "slow", Timeout=1)
    started = time.monotonic()
    response = aws.client("lambda").invoke(FunctionName="sleepy")
    assert time.monotonic() - started < 4
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in error["errorMessage"]
    assert any(
        line.endswith("Task timed out after 1.00 seconds") for line in log_messages(cloud, "sleepy")
    )
    # The execution environment was replaced: the next call works.
    aws.client("lambda").update_function_configuration(FunctionName="sleepy", Handler="app.ok")
    assert "FunctionError" not in aws.client("lambda").invoke(FunctionName="sleepy")


def test_crashes_are_reported_as_runtime_exit_errors(cloud: LocalCloud) -> None:
    make("crashy", "crash")
    response = aws.client("lambda").invoke(FunctionName="crashy")
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: exit status 1" in error["errorMessage"]
    assert "Runtime.ExitError" in log_messages(cloud, "crashy")


def test_functions_are_isolated_from_each_other_and_from_the_host(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOST_SECRET", "do-not-leak")
    make("first", "ok", Environment={"Variables": {"VAR": "one"}})
    make("second", "ok", Environment={"Variables": {"VAR": "two"}})
    lam = aws.client("lambda")
    results = [
        json.loads(lam.invoke(FunctionName=name)["Payload"].read())
        for name in ("first", "first", "second")
    ]
    assert [(r["var"], r["calls"]) for r in results] == [("one", 1), ("one", 2), ("two", 1)]
    assert all(r["host_secret"] is None for r in results)


def test_configuration_changes_take_effect(cloud: LocalCloud) -> None:
    make("cfg", "ok", Environment={"Variables": {"VAR": "before"}})
    lam = aws.client("lambda")
    assert json.loads(lam.invoke(FunctionName="cfg")["Payload"].read())["var"] == "before"
    lam.update_function_configuration(
        FunctionName="cfg", Environment={"Variables": {"VAR": "after"}}
    )
    assert json.loads(lam.invoke(FunctionName="cfg")["Payload"].read())["var"] == "after"
    config = lam.get_function_configuration(FunctionName="cfg")
    assert config["Environment"]["Variables"] == {"VAR": "after"}
    assert config["Handler"] == "app.ok"


def test_json_log_format(cloud: LocalCloud) -> None:
    make("jsonlogs", "fail", LoggingConfig={"LogFormat": "JSON"})
    aws.client("lambda").invoke(FunctionName="jsonlogs", Payload=b'{"id": 1}')
    records = [json.loads(line) for line in log_messages(cloud, "jsonlogs")]
    types = [r.get("type") for r in records]
    assert types[0] == "platform.initStart"  # a cold start
    assert "platform.start" in types
    assert "platform.runtimeDone" in types
    done = next(r for r in records if r.get("type") == "platform.runtimeDone")
    assert done["record"]["status"] == "error"
    errors = [r for r in records if r.get("log_level") == "ERROR" or r.get("level") == "ERROR"]
    assert errors
    assert errors[0]["errorType"] == "ValueError"


@pytest.mark.parametrize(
    ("invoke", "code"),
    [
        ({"FunctionName": "missing"}, "ResourceNotFoundException"),
        (
            {"FunctionName": "ok", "Payload": b"x" * (6 * 1024 * 1024 + 1)},
            "RequestEntityTooLargeException",
        ),
        (
            {"FunctionName": "ok", "InvocationType": "Event", "Payload": b"x" * (1024 * 1024 + 1)},
            "RequestEntityTooLargeException",
        ),
    ],
)
def test_invoke_errors(cloud: LocalCloud, invoke: dict[str, Any], code: str) -> None:
    make("ok", "ok")
    with pytest.raises(AwsError) as info:
        aws.client("lambda").invoke(**invoke)
    assert info.value.code == code


def test_dry_run_and_management_calls(cloud: LocalCloud) -> None:
    make("ok", "ok")
    lam = aws.client("lambda")
    assert lam.invoke(FunctionName="ok", InvocationType="DryRun")["StatusCode"] == 204
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["ok"]
    with pytest.raises(AwsError) as info:
        make("ok", "ok")
    assert info.value.code == "ResourceConflictException"
    lam.delete_function(FunctionName="ok")
    assert lam.list_functions()["Functions"] == []


def test_metrics_are_published(cloud: LocalCloud) -> None:
    make("counted", "fail")
    for _ in range(3):
        aws.client("lambda").invoke(FunctionName="counted")
    cloud.telemetry.flush()
    now = time.time()
    stats = aws.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "counted"}],
        StartTime=now - 600,
        EndTime=now + 600,
        Period=60,
        Statistics=["Sum"],
    )
    assert sum(point["Sum"] for point in stats["Datapoints"]) == 3


def test_async_results_can_go_to_an_eventbridge_bus(cloud: LocalCloud) -> None:
    url, queue_arn = queue("bus-sink")
    events = aws.client("events")
    events.create_event_bus(Name="results")
    events.put_rule(
        Name="lambda-results",
        EventBusName="results",
        EventPattern=json.dumps({"source": ["lambda"]}),
    )
    events.put_targets(
        Rule="lambda-results", EventBusName="results", Targets=[{"Id": "q", "Arn": queue_arn}]
    )
    make("works", "ok")
    aws.client("lambda").put_function_event_invoke_config(
        FunctionName="works",
        DestinationConfig={
            "OnSuccess": {"Destination": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/results"}
        },
    )
    aws.client("lambda").invoke(FunctionName="works", InvocationType="Event", Payload=b'{"id": 8}')
    (message,) = drain_queue(url, 1)
    event = json.loads(message["Body"])
    assert event["detail-type"] == "Lambda Function Invocation Result - Success"
    assert event["detail"]["requestPayload"] == {"id": 8}
    assert event["detail"]["requestContext"]["condition"] == "Success"
