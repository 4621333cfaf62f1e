"""Async destinations and failed invocations as the local cloud emits them, checked against AWS's
formats: the parser of :mod:`quirks.streams`, the record's documented keys, and Powertools."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import SnsModel

from quirks import aws
from quirks.local.cloud import LocalCloud
from quirks.streams import AsyncInvocationFailure, parse_failure_message, wire
from quirks.testing import drain_queue
from tests.functional.local.test_lambda_emulator import ACCOUNT, make, queue
from tests.support.zips import zipped

CATCHER = """
import json, os, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(event))
"""
RECORD_KEYS = set(wire.AsyncInvocationRecord.__annotations__)


def catcher(name: str, out_url: str) -> str:
    """A function that forwards the event it is invoked with to a queue; returns its ARN."""
    created = aws.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler="app.handler",
        Code={"ZipFile": zipped(CATCHER)},
        Environment={"Variables": {"OUT": out_url}},
    )
    return str(created["FunctionArn"])


def failing_async(name: str, destination: str) -> None:
    make(name, "fail")
    aws.client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": destination}},
    )
    aws.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b'{"id": 9}')


def check_record(document: Any, function: str) -> AsyncInvocationFailure:
    assert set(document) == RECORD_KEYS
    parsed = parse_failure_message(json.dumps(document))
    assert isinstance(parsed, AsyncInvocationFailure)
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function}:$LATEST"
    assert parsed.request_context.function_arn == arn
    assert parsed.request_context.condition == "RetriesExhausted"
    assert parsed.request_payload == {"id": 9}
    assert parsed.response_payload["errorType"] == "ValueError"
    assert parsed.response_context.function_error == "Unhandled"
    return parsed


def test_the_s3_destination_object_is_an_async_record_under_the_documented_key(
    cloud: LocalCloud,
) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="async-failures")
    failing_async("to-s3", "arn:aws:s3:::async-failures")
    assert cloud.wait_idle()
    (obj,) = s3.list_objects_v2(Bucket="async-failures")["Contents"]
    when = r"\d{4}/\d\d/\d\d/\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d"
    assert re.fullmatch(rf"aws/lambda/async/to-s3/{when}-[0-9a-f-]{{36}}", obj["Key"])
    body = json.loads(s3.get_object(Bucket="async-failures", Key=obj["Key"])["Body"].read())
    check_record(body, "to-s3")


def test_a_lambda_destination_is_invoked_with_the_async_record(cloud: LocalCloud) -> None:
    out_url, _ = queue("caught")
    destination = catcher("catcher", out_url)
    failing_async("to-lambda", destination)
    (message,) = drain_queue(out_url, 1, timeout=15)
    check_record(json.loads(message["Body"]), "to-lambda")


def test_an_sns_destination_reaches_a_subscribed_function_in_the_sns_event(
    cloud: LocalCloud,
) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="async-failures")["TopicArn"]
    out_url, _ = queue("caught")
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=catcher("catcher", out_url))
    failing_async("to-sns", topic)
    (message,) = drain_queue(out_url, 1, timeout=15)
    event = json.loads(message["Body"])
    (record,) = SnsModel.model_validate(event).Records
    assert str(record.Sns.TopicArn) == topic
    parsed = check_record(json.loads(record.Sns.Message), "to-sns")
    assert parsed.sns is None  # the Message itself is the bare record


@pytest.mark.parametrize(
    ("handler", "error_type"), [("fail", "ValueError"), ("crash", "Runtime.ExitError")]
)
def test_failed_json_platform_records_carry_the_error_type(
    cloud: LocalCloud, handler: str, error_type: str
) -> None:
    make(f"json-{handler}", handler, LoggingConfig={"LogFormat": "JSON"})
    response = aws.client("lambda").invoke(FunctionName=f"json-{handler}", Payload=b'{"id": 1}')
    assert json.loads(response["Payload"].read())["errorType"] == error_type
    cloud.telemetry.flush()
    group = f"/aws/lambda/json-{handler}"
    events = aws.client("logs").filter_log_events(logGroupName=group)["events"]
    records = [json.loads(e["message"]) for e in events if e["message"].startswith("{")]
    by_type = {r.get("type"): r.get("record") for r in records if "type" in r}
    for kind in ("platform.runtimeDone", "platform.report"):
        assert by_type[kind]["status"] == "error", kind
        assert by_type[kind]["errorType"] == error_type, kind
