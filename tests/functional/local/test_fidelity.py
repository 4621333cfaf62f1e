"""What the local cloud emits on its failure paths, checked with AWS-written code (Powertools)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
    EventBridgeModel,
    SqsModel,
)
from botocore.exceptions import ClientError

from quirks import aws
from quirks.alerts.classify import classify
from quirks.alerts.decode import LogEvent
from quirks.local.cloud import LocalCloud
from quirks.testing import drain_queue
from tests.functional.local.test_event_source_mappings import consumer, put_keys, stream_mapping
from tests.functional.local.test_lambda_emulator import ACCOUNT, make, queue
from tests.support.dynamo import create_stream_table
from tests.support.zips import zipped


def test_a_pointer_the_emulator_sends_validates_with_powertools(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    failures_url, failures_arn = queue("failures")
    put_keys(table, ["bad"])
    consumer("strict", seen_url, POISON="bad")
    stream_mapping(
        "strict",
        table.stream_arn,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    (message,) = drain_queue(failures_url, 1, timeout=15)
    model = DynamoDBStreamLambdaOnFailureDestinationModel.model_validate_json(message["Body"])
    assert model.model_dump(by_alias=True)["DDBStreamBatchInfo"]["batchSize"] == 1


STARTS_THEN_HANGS = """
import os, time, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["STARTED"], MessageBody="started")
    time.sleep(10)
"""


def test_an_async_result_survives_the_deletion_of_its_function(cloud: LocalCloud) -> None:
    url, arn = queue("async-failures")
    started_url, _ = queue("started")
    lam = aws.client("lambda")
    lam.create_function(
        FunctionName="doomed",
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler="app.handler",
        Code={"ZipFile": zipped(STARTS_THEN_HANGS)},
        Environment={"Variables": {"STARTED": started_url}},
        Timeout=2,
    )
    lam.put_function_event_invoke_config(
        FunctionName="doomed",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    lam.invoke(FunctionName="doomed", InvocationType="Event", Payload=b"{}")
    assert len(drain_queue(started_url, 1, timeout=15)) == 1  # the invocation is running
    lam.delete_function(FunctionName="doomed")
    (message,) = drain_queue(url, 1, timeout=15)
    assert json.loads(message["Body"])["requestContext"]["condition"] == "RetriesExhausted"


def test_s3_is_refused_as_an_on_success_destination(cloud: LocalCloud) -> None:
    make("ok1", "ok")
    with pytest.raises(ClientError) as raised:
        aws.client("lambda").put_function_event_invoke_config(
            FunctionName="ok1",
            DestinationConfig={"OnSuccess": {"Destination": "arn:aws:s3:::bucket"}},
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_an_oversized_record_to_sns_arrives_without_its_payloads(cloud: LocalCloud) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="async-topic")["TopicArn"]
    url, arn = queue("from-topic")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    make("bigfail", "fail")
    lam = aws.client("lambda")
    lam.put_function_event_invoke_config(
        FunctionName="bigfail",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic}},
    )
    lam.invoke(
        FunctionName="bigfail", InvocationType="Event", Payload=json.dumps({"id": "x" * 300_000})
    )
    (message,) = drain_queue(url, 1, timeout=15)
    record = json.loads(json.loads(message["Body"])["Message"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert "requestPayload" not in record


def test_the_context_names_the_configured_log_group_and_the_instance_stream(
    cloud: LocalCloud,
) -> None:
    aws.client("lambda").create_function(
        FunctionName="ctx",
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler="app.handler",
        Code={"ZipFile": zipped(CONTEXT_PROBE)},
        LoggingConfig={"LogGroup": "/custom/probe", "LogFormat": "Text"},
    )
    out = aws.client("lambda").invoke(FunctionName="ctx", Payload=b"{}")
    body: dict[str, Any] = json.loads(out["Payload"].read())
    assert body["group"] == body["env_group"] == "/custom/probe"
    assert body["stream"]
    assert body["stream"] == body["env_stream"]
    cloud.telemetry.flush()
    streams = aws.client("logs").describe_log_streams(logGroupName="/custom/probe")["logStreams"]
    assert [s["logStreamName"] for s in streams] == [body["stream"]]


def test_an_uncaught_error_logged_by_the_emulator_has_no_request_id_field(
    cloud: LocalCloud,
) -> None:
    make("textfail", "fail")
    aws.client("lambda").invoke(FunctionName="textfail", Payload=b'{"id": 1}')
    cloud.telemetry.flush()
    events = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/textfail")["events"]
    (error,) = [e["message"] for e in events if e["message"].startswith("[ERROR]")]
    assert error.startswith("[ERROR] ValueError: bad order 1\nTraceback (most recent call last):")
    record = classify(LogEvent("1", 0, error), "/aws/lambda/textfail", "s")
    assert record is not None
    assert record.request_id is None, "AWS writes no request id on this line"


CONTEXT_PROBE = """
import os
def handler(event, context):
    return {"group": context.log_group_name, "stream": context.log_stream_name,
            "env_group": os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME"),
            "env_stream": os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")}
"""


PLATFORM_PROBE = """
import logging, time
def handler(event, context):
    print("first")
    time.sleep(0.02)
    logging.getLogger().info("second")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return "ok"
"""


def _events(cloud: LocalCloud, group: str) -> list[dict[str, Any]]:
    cloud.telemetry.flush()
    return aws.client("logs").filter_log_events(logGroupName=group)["events"]  # type: ignore[no-any-return]


def _make(name: str, log_format: str, timeout: int = 3) -> None:
    aws.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler="app.handler",
        Code={"ZipFile": zipped(PLATFORM_PROBE)},
        Timeout=timeout,
        LoggingConfig={"LogFormat": log_format},
    )


def test_text_reports_carry_init_duration_once_and_lines_their_own_times(
    cloud: LocalCloud,
) -> None:
    _make("plat", "Text")
    lam = aws.client("lambda")
    lam.invoke(FunctionName="plat", Payload=b"{}")
    lam.invoke(FunctionName="plat", Payload=b"{}")
    events = _events(cloud, "/aws/lambda/plat")
    reports = [e["message"] for e in events if e["message"].startswith("REPORT")]
    assert len(reports) == 2
    assert [("Init Duration:" in r) for r in reports] == [True, False]
    first = next(e for e in events if e["message"] == "first")
    second = next(e for e in events if e["message"].endswith("\tsecond"))
    assert second["timestamp"] > first["timestamp"], "each line has its own time"


def test_a_timeout_reports_its_status_and_the_timeout_as_duration(cloud: LocalCloud) -> None:
    _make("slowplat", "Text", timeout=1)
    aws.client("lambda").invoke(FunctionName="slowplat", Payload=b'{"sleep": 5}')
    events = _events(cloud, "/aws/lambda/slowplat")
    (report,) = [e["message"] for e in events if e["message"].startswith("REPORT")]
    assert "\tDuration: 1000.00 ms\t" in report
    assert report.endswith("\tStatus: timeout")


def test_json_platform_records_follow_the_telemetry_schema(cloud: LocalCloud) -> None:
    _make("jsonplat", "JSON", timeout=1)
    lam = aws.client("lambda")
    lam.invoke(FunctionName="jsonplat", Payload=b"{}")
    lam.invoke(FunctionName="jsonplat", Payload=b'{"sleep": 5}')
    messages = [e["message"] for e in _events(cloud, "/aws/lambda/jsonplat")]
    records = [json.loads(m) for m in messages if m.startswith("{")]  # print() stays text
    types = [r.get("type") for r in records]
    assert types.count("platform.initStart") == types.count("platform.initReport") == 1
    reports = [r["record"] for r in records if r.get("type") == "platform.report"]
    assert all("maxMemoryUsedMB" in r["metrics"] for r in reports)
    assert "initDurationMs" in reports[0]["metrics"]
    assert (reports[1]["status"], reports[1]["errorType"]) == ("timeout", "Sandbox.Timedout")
    done = [r["record"] for r in records if r.get("type") == "platform.runtimeDone"]
    assert done[1]["errorType"] == "Sandbox.Timedout"
    assert not any(m.split(" ", 2)[-1].startswith("Task timed out") for m in messages)


def test_an_eventbridge_destination_event_validates_with_powertools(cloud: LocalCloud) -> None:
    events = aws.client("events")
    bus_arn = events.create_event_bus(Name="results")["EventBusArn"]
    url, arn = queue("bus-target")
    events.put_rule(Name="all", EventBusName="results", EventPattern='{"source": ["lambda"]}')
    events.put_targets(Rule="all", EventBusName="results", Targets=[{"Id": "q", "Arn": arn}])
    make("busfail", "fail")
    lam = aws.client("lambda")
    lam.put_function_event_invoke_config(
        FunctionName="busfail",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": bus_arn}},
    )
    lam.invoke(FunctionName="busfail", InvocationType="Event", Payload=b'{"id": 3}')
    (message,) = drain_queue(url, 1, timeout=15)
    event = EventBridgeModel.model_validate_json(message["Body"])
    assert event.detail_type == "Lambda Function Invocation Result - Failure"
    assert bus_arn in event.resources
    assert event.detail["requestContext"]["condition"] == "RetriesExhausted"


SQS_PROBE = """
import json, os, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["SEEN"], MessageBody=json.dumps(event))
"""


def test_queue_events_of_dlq_and_destination_messages_validate_with_powertools(
    cloud: LocalCloud,
) -> None:
    """The async record (OnFailure) and the DLQ message, read back through an SQS mapping."""
    seen_url, _ = queue("seen-events")
    _, failures_arn = queue("onfailure")
    _, dlq_arn = queue("dlq")
    lam = aws.client("lambda")
    make("tofail", "fail")
    lam.put_function_event_invoke_config(
        FunctionName="tofail",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    make("todlq", "fail", DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(FunctionName="todlq", MaximumRetryAttempts=0)
    lam.create_function(
        FunctionName="probe",
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler="app.handler",
        Code={"ZipFile": zipped(SQS_PROBE)},
        Environment={"Variables": {"SEEN": seen_url}},
    )
    for source in (failures_arn, dlq_arn):
        lam.create_event_source_mapping(FunctionName="probe", EventSourceArn=source, BatchSize=1)
    lam.invoke(FunctionName="tofail", InvocationType="Event", Payload=b'{"id": 5}')
    lam.invoke(FunctionName="todlq", InvocationType="Event", Payload=b'{"id": 6}')
    events = [json.loads(m["Body"]) for m in drain_queue(seen_url, 2, timeout=20)]
    by_source = {}
    for event in events:
        model = SqsModel.model_validate(event)
        (record,) = model.Records
        by_source[record.eventSourceARN] = record
    async_record = json.loads(by_source[failures_arn].body)
    assert async_record["requestPayload"] == {"id": 5}
    assert async_record["responseContext"]["functionError"] == "Unhandled"
    dead = by_source[dlq_arn]
    assert json.loads(dead.body) == {"id": 6}
    attributes = dead.messageAttributes
    assert set(attributes) == {"RequestID", "ErrorCode", "ErrorMessage"}
    assert attributes["ErrorCode"].dataType == "Number"


def test_stream_events_the_emulator_delivers_validate_with_powertools(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen-events")
    aws.client("lambda").create_function(
        FunctionName="streamprobe",
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler="app.handler",
        Code={"ZipFile": zipped(SQS_PROBE)},
        Environment={"Variables": {"SEEN": seen_url}},
    )
    put_keys(table, ["k0", "k1"])
    table.delete({"pk": {"S": "k0"}})
    stream_mapping("streamprobe", table.stream_arn, BatchSize=10, MaximumBatchingWindowInSeconds=1)
    events = [json.loads(m["Body"]) for m in drain_queue(seen_url, 1, timeout=15)]
    records = [r for event in events for r in DynamoDBStreamModel.model_validate(event).Records]
    assert [r.eventName for r in records][:3] == ["INSERT", "INSERT", "REMOVE"]
    data = DynamoDBStreamEvent(events[0])
    assert all(r.dynamodb is not None and r.dynamodb.sequence_number for r in data.records)


JSON_LOGGER = """
import logging
log = logging.getLogger("app")
def handler(event, context):
    log.info("hello json", extra={"order_id": 7})
    try:
        {}["missing"]
    except KeyError:
        log.exception("caught it")
    return "ok"
"""


def test_json_records_keep_extra_fields_and_type_logged_exceptions(cloud: LocalCloud) -> None:
    aws.client("lambda").create_function(
        FunctionName="jsonapp",
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler="app.handler",
        Code={"ZipFile": zipped(JSON_LOGGER)},
        LoggingConfig={"LogFormat": "JSON"},
    )
    aws.client("lambda").invoke(FunctionName="jsonapp", Payload=b"{}")
    records = [
        json.loads(e["message"])
        for e in _events(cloud, "/aws/lambda/jsonapp")
        if e["message"].startswith("{")
    ]
    info = next(r for r in records if r.get("message") == "hello json")
    assert info["order_id"] == 7
    caught = next(r for r in records if r.get("message") == "caught it")
    assert (caught["errorType"], caught["errorMessage"]) == ("KeyError", "'missing'")
    assert caught["stackTrace"]
    assert caught["location"].endswith("app.py:handler:9")
