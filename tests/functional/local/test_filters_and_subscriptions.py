"""FilterCriteria (the fan-out engine) on mappings, and log subscriptions to local functions."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import CloudWatchLogsModel

from quirks import aws
from quirks.alerts.decode import decode_event
from quirks.errors import AwsError
from quirks.local.cloud import LocalCloud
from quirks.testing import drain_queue
from tests.functional.local.test_event_source_mappings import (
    consumer,
    put_keys,
    seen_keys,
    stream_mapping,
)
from tests.functional.local.test_lambda_emulator import ACCOUNT, nothing_arrived, queue
from tests.support.dynamo import create_stream_table
from tests.support.shapes import checked_call, checked_error
from tests.support.zips import zipped

RECEIVER = """
import json, os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["SEEN"], MessageBody=json.dumps(event))
def fail(event, context):
    raise RuntimeError("payment declined for order 42")
"""


def test_filter_criteria_select_records_with_the_fan_out_engine(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("billing", seen_url)
    pattern = {"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "paid-"}]}}}}
    stream_mapping(
        "billing", table.stream_arn, FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]}
    )
    put_keys(table, ["paid-1", "open-2", "paid-3", "open-4"])
    assert sorted(seen_keys(seen_url, 2)) == ["paid-1", "paid-3"]
    assert nothing_arrived(cloud, seen_url)


def test_invalid_filter_patterns_are_rejected(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("billing", seen_url)
    with pytest.raises(AwsError) as info:
        stream_mapping(
            "billing",
            table.stream_arn,
            FilterCriteria={"Filters": [{"Pattern": json.dumps({"eventName": "INSERT"})}]},
        )
    assert info.value.code == "InvalidParameterValueException"


def _receiver(name: str, handler: str, **env: str) -> str:
    return aws.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler=f"app.{handler}",
        Code={"ZipFile": zipped(RECEIVER)},
        Environment={"Variables": env},
    )["FunctionArn"]


def test_matching_log_events_reach_a_subscribed_function_in_awslogs_format(
    cloud: LocalCloud,
) -> None:
    seen_url, _ = queue("seen")
    notifier = _receiver("notifier", "handler", SEEN=seen_url)
    _receiver("orders", "fail")
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/orders")
    logs.put_subscription_filter(
        logGroupName="/aws/lambda/orders",
        filterName="quirks-errors",
        filterPattern="ERROR",
        destinationArn=notifier,
    )
    described = logs.describe_subscription_filters(logGroupName="/aws/lambda/orders")[
        "subscriptionFilters"
    ]
    assert [(f["filterName"], f["destinationArn"]) for f in described] == [
        ("quirks-errors", notifier)
    ]

    aws.client("lambda").invoke(FunctionName="orders", Payload=b"{}")
    cloud.telemetry.flush()
    (message,) = drain_queue(seen_url, 1)
    event: dict[str, Any] = json.loads(message["Body"])
    document = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    assert document["messageType"] == "DATA_MESSAGE"
    assert document["logGroup"] == "/aws/lambda/orders"
    assert document["subscriptionFilters"] == ["quirks-errors"]
    assert CloudWatchLogsModel.model_validate(event).awslogs.decoded_data.logEvents
    assert all(len(e["id"]) == 56 and e["id"].isdigit() for e in document["logEvents"])
    assert [e["message"].split(" ")[0] for e in document["logEvents"]] == ["[ERROR]"], (
        "only matching events"
    )
    assert "payment declined for order 42" in document["logEvents"][0]["message"]
    decoded = decode_event(event)  # the alerts module reads it as it reads AWS's deliveries
    assert decoded.log_group == "/aws/lambda/orders"


def test_two_filters_per_group_at_most(cloud: LocalCloud) -> None:
    notifier = _receiver("notifier", "handler", SEEN="unused")
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/x")
    for name in ("one", "two"):
        logs.put_subscription_filter(
            logGroupName="/aws/lambda/x", filterName=name, filterPattern="", destinationArn=notifier
        )
    logs.put_subscription_filter(
        logGroupName="/aws/lambda/x",
        filterName="two",
        filterPattern="ERROR",
        destinationArn=notifier,
    )
    with pytest.raises(AwsError) as info:
        logs.put_subscription_filter(
            logGroupName="/aws/lambda/x",
            filterName="three",
            filterPattern="",
            destinationArn=notifier,
        )
    assert info.value.code == "LimitExceededException"
    logs.delete_subscription_filter(logGroupName="/aws/lambda/x", filterName="one")
    names = [
        f["filterName"]
        for f in logs.describe_subscription_filters(logGroupName="/aws/lambda/x")[
            "subscriptionFilters"
        ]
    ]
    assert names == ["two"]


def test_subscriptions_need_an_existing_group_and_function(cloud: LocalCloud) -> None:
    logs = aws.client("logs")
    missing = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ghost"
    with pytest.raises(AwsError) as info:
        logs.put_subscription_filter(
            logGroupName="/aws/lambda/none",
            filterName="f",
            filterPattern="",
            destinationArn=missing,
        )
    assert info.value.code == "ResourceNotFoundException"
    logs.create_log_group(logGroupName="/aws/lambda/y")
    with pytest.raises(AwsError) as info:
        logs.put_subscription_filter(
            logGroupName="/aws/lambda/y", filterName="f", filterPattern="", destinationArn=missing
        )
    assert info.value.code == "InvalidParameterException"


def test_subscription_filter_calls_to_a_function_answer_in_aws_shapes(cloud: LocalCloud) -> None:
    notifier = _receiver("notifier", "handler", SEEN="unused")
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/orders")
    checked_call(
        logs,
        "put_subscription_filter",
        logGroupName="/aws/lambda/orders",
        filterName="quirks-errors",
        filterPattern="ERROR",
        destinationArn=notifier,
    )
    described = checked_call(
        logs, "describe_subscription_filters", logGroupName="/aws/lambda/orders"
    )
    assert [f["destinationArn"] for f in described["subscriptionFilters"]] == [notifier]
    checked_call(
        logs,
        "delete_subscription_filter",
        logGroupName="/aws/lambda/orders",
        filterName="quirks-errors",
    )
    checked_error(
        logs,
        "delete_subscription_filter",
        logGroupName="/aws/lambda/orders",
        filterName="quirks-errors",
    )
