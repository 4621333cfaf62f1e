"""Event source mappings of the local Lambda: streams and queues, with Lambda's failure semantics.

Counts come from what the consumer function itself did (messages it sent to a "seen" queue), not
from the emulator's bookkeeping.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamLambdaOnFailureDestinationModel,
    DynamoDBStreamModel,
    SnsNotificationModel,
)

from quirks import aws
from quirks.errors import AwsError
from quirks.local.cloud import LocalCloud
from quirks.streams.failures import StreamBatchFailure, parse_failure_message, parse_sqs_message
from quirks.testing import drain_queue
from tests.functional.local.test_lambda_emulator import ACCOUNT, nothing_arrived, queue
from tests.support.dynamo import create_stream_table
from tests.support.zips import zipped

CONSUMER = """
import json, os, boto3
sqs = boto3.client("sqs")
POISON = set(filter(None, os.environ.get("POISON", "").split(",")))
def handler(event, context):
    failures = []
    for record in event["Records"]:
        if "dynamodb" in record:
            key, ident = record["dynamodb"]["Keys"]["pk"]["S"], record["dynamodb"]["SequenceNumber"]
        else:
            key, ident = record["body"], record["messageId"]
        if key in POISON:
            if os.environ.get("MODE") == "report":
                failures.append({"itemIdentifier": ident})
                continue
            raise ValueError("poison record " + key)
        sqs.send_message(QueueUrl=os.environ["SEEN"], MessageBody=json.dumps({"key": key, "batch": len(event["Records"])}))
    return {"batchItemFailures": failures}
"""


def consumer(name: str, seen_url: str, **env: str) -> str:
    aws.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler="app.handler",
        Code={"ZipFile": zipped(CONSUMER)},
        Environment={"Variables": {"SEEN": seen_url, **env}},
        Timeout=10,
    )
    return name


def seen_keys(url: str, expect: int, timeout: float = 15.0) -> list[str]:
    return [json.loads(m["Body"])["key"] for m in drain_queue(url, expect, timeout=timeout)]


def put_keys(table: Any, keys: list[str]) -> None:
    for key in keys:
        table.put({"pk": {"S": key}, "payload": {"S": "x" * 10}})


def stream_mapping(function: str, stream_arn: str, **settings: Any) -> dict[str, Any]:
    return aws.client("lambda").create_event_source_mapping(
        FunctionName=function,
        EventSourceArn=stream_arn,
        StartingPosition="TRIM_HORIZON",
        **settings,
    )  # type: ignore[return-value]


def test_stream_records_reach_the_function_as_lambda_events(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("billing", seen_url)
    mapping = stream_mapping("billing", table.stream_arn, BatchSize=5)
    assert mapping["State"] == "Enabled"
    assert mapping["BatchSize"] == 5
    keys = [f"order-{i}" for i in range(12)]
    put_keys(table, keys)
    assert sorted(seen_keys(seen_url, 12)) == sorted(keys)
    listed = aws.client("lambda").list_event_source_mappings(FunctionName="billing")[
        "EventSourceMappings"
    ]
    assert [m["UUID"] for m in listed] == [mapping["UUID"]]


def test_exhausted_retries_leave_only_a_pointer_on_the_failure_queue(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    failures_url, failures_arn = queue("failures")
    consumer("billing", seen_url, POISON="bad")
    put_keys(table, ["a", "bad", "c"])
    stream_mapping(
        "billing",
        table.stream_arn,
        BatchSize=10,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    (message,) = drain_queue(failures_url, 1)
    pointer = parse_sqs_message(message)
    assert isinstance(pointer, StreamBatchFailure)
    assert pointer.records is None, "SQS gets a pointer, not the records"
    truth = table.read_all()
    assert pointer.batch.stream_arn == table.stream_arn
    assert pointer.batch.start_sequence_number == truth[0]["dynamodb"]["SequenceNumber"]
    assert pointer.batch.end_sequence_number == truth[-1]["dynamodb"]["SequenceNumber"]
    assert pointer.batch.batch_size == 3
    assert pointer.request_context.condition == "RetryAttemptsExhausted"
    assert pointer.request_context.approximate_invoke_count == 2
    assert pointer.response_context.function_error == "Unhandled"


def test_bisect_isolates_the_poison_record(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    failures_url, failures_arn = queue("failures")
    consumer("billing", seen_url, POISON="k2")
    put_keys(table, ["k0", "k1", "k2", "k3"])
    stream_mapping(
        "billing",
        table.stream_arn,
        BatchSize=4,
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    (message,) = drain_queue(failures_url, 1)
    pointer = parse_sqs_message(message)
    assert isinstance(pointer, StreamBatchFailure)
    assert pointer.batch.batch_size == 1
    poison_sequence = table.read_all()[2]["dynamodb"]["SequenceNumber"]
    assert pointer.batch.start_sequence_number == poison_sequence
    assert {"k0", "k1", "k3"} <= set(seen_keys(seen_url, 3))


def test_partial_batch_response_resumes_from_the_lowest_failed_record(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    failures_url, failures_arn = queue("failures")
    consumer("billing", seen_url, POISON="k2", MODE="report")
    put_keys(table, ["k0", "k1", "k2", "k3"])
    stream_mapping(
        "billing",
        table.stream_arn,
        BatchSize=4,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    (message,) = drain_queue(failures_url, 1)
    pointer = parse_sqs_message(message)
    assert isinstance(pointer, StreamBatchFailure)
    truth = [r["dynamodb"]["SequenceNumber"] for r in table.read_all()]
    # Retried from k2 (the lowest reported failure) to the end of the batch: k2, k3.
    assert (pointer.batch.start_sequence_number, pointer.batch.end_sequence_number) == (
        truth[2],
        truth[3],
    )
    keys = seen_keys(seen_url, 5)
    assert keys.count("k0") == 1, "records before the failure are not redelivered"
    assert keys.count("k3") == 2, "records after it are, on the retry"


def test_sqs_mapping_deletes_processed_messages_and_redrives_failures(cloud: LocalCloud) -> None:
    sqs = aws.client("sqs")
    seen_url, _ = queue("seen")
    dlq_url, dlq_arn = queue("source-dlq")
    source_url = sqs.create_queue(
        QueueName="source",
        Attributes={
            "VisibilityTimeout": "1",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
        },
    )["QueueUrl"]
    consumer("worker", seen_url, POISON="bad", MODE="report")
    for body in ("one", "bad", "two"):
        sqs.send_message(QueueUrl=source_url, MessageBody=body)
    aws.client("lambda").create_event_source_mapping(
        FunctionName="worker",
        EventSourceArn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:source",
        BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    assert sorted(seen_keys(seen_url, 2)) == ["one", "two"]
    (dead,) = drain_queue(dlq_url, 1, timeout=20)
    assert dead["Body"] == "bad"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"StartingPosition": "AT_TIMESTAMP"}, "StartingPosition"),
        ({"StartingPosition": "LATEST", "BatchSize": 10001}, "BatchSize"),
        (
            {"StartingPosition": "LATEST", "MaximumRecordAgeInSeconds": 30},
            "MaximumRecordAgeInSeconds",
        ),
        ({"StartingPosition": "LATEST", "MaximumRetryAttempts": 10001}, "MaximumRetryAttempts"),
        (
            {
                "StartingPosition": "LATEST",
                "DestinationConfig": {
                    "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:q.fifo"}
                },
            },
            "FIFO",
        ),
    ],
)
def test_invalid_stream_mappings_are_rejected(
    cloud: LocalCloud, settings: dict[str, Any], message: str
) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("billing", seen_url)
    with pytest.raises(AwsError) as info:
        aws.client("lambda").create_event_source_mapping(
            FunctionName="billing", EventSourceArn=table.stream_arn, **settings
        )
    assert info.value.code == "InvalidParameterValueException"
    assert message in str(info.value)


def test_sqs_sources_refuse_on_failure_destinations(cloud: LocalCloud) -> None:
    seen_url, _ = queue("seen")
    queue("source")
    consumer("worker", seen_url)
    with pytest.raises(AwsError) as info:
        aws.client("lambda").create_event_source_mapping(
            FunctionName="worker",
            EventSourceArn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:source",
            DestinationConfig={
                "OnFailure": {"Destination": f"arn:aws:sqs:us-east-1:{ACCOUNT}:seen"}
            },
        )
    assert "redrive" in str(info.value)


def test_records_older_than_the_maximum_age_are_given_up_without_invoking(
    cloud: LocalCloud,
) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    failures_url, failures_arn = queue("failures")
    consumer("billing", seen_url)
    put_keys(table, ["old-1", "old-2"])
    cloud.clock.advance(200)  # older than 60 s when the mapping first reads them
    stream_mapping(
        "billing",
        table.stream_arn,
        MaximumRecordAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    (message,) = drain_queue(failures_url, 1)
    pointer = parse_sqs_message(message)
    assert isinstance(pointer, StreamBatchFailure)
    assert pointer.batch.batch_size == 2
    assert pointer.request_context.condition == "RecordAgeExceeded"
    assert nothing_arrived(cloud, seen_url)


def test_s3_and_sns_on_failure_destinations(cloud: LocalCloud) -> None:
    """S3 keeps the records themselves (pointer + payload); SNS wraps the pointer in a notification."""
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    via_sns_url, via_sns_arn = queue("via-sns")
    topic = aws.client("sns").create_topic(Name="failures")["TopicArn"]
    aws.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=via_sns_arn)
    aws.client("s3").create_bucket(Bucket="failures")
    consumer("to-s3", seen_url, POISON="bad")
    consumer("to-sns", seen_url, POISON="bad")
    put_keys(table, ["bad"])
    stream_mapping(
        "to-s3",
        table.stream_arn,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::failures"}},
    )
    stream_mapping(
        "to-sns",
        table.stream_arn,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic}},
    )
    (message,) = drain_queue(via_sns_url, 1)
    pointer = parse_sqs_message(message)
    assert isinstance(pointer, StreamBatchFailure)
    assert pointer.sns is not None
    assert pointer.records is None
    s3 = aws.client("s3")
    deadline = time.monotonic() + 10
    objects: list[Any] = []
    while not objects and time.monotonic() < deadline:
        objects = s3.list_objects_v2(Bucket="failures").get("Contents", [])
        time.sleep(0.1)  # polling a condition with a deadline
    (obj,) = objects
    assert obj["Key"].startswith("aws/lambda/")
    body = s3.get_object(Bucket="failures", Key=obj["Key"])["Body"].read()
    stored = parse_failure_message(body)
    assert isinstance(stored, StreamBatchFailure)
    assert stored.records is not None
    assert [r.keys for r in stored.records] == [{"pk": {"S": "bad"}}]
    # What AWS-written code makes of the same artifacts:
    DynamoDBStreamLambdaOnFailureDestinationModel.model_validate_json(body)
    DynamoDBStreamModel.model_validate_json(json.loads(body)["payload"])
    notification = SnsNotificationModel.model_validate_json(message["Body"])
    DynamoDBStreamLambdaOnFailureDestinationModel.model_validate_json(notification.Message)


def test_batching_window_gathers_records_into_one_invocation(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("billing", seen_url)
    stream_mapping("billing", table.stream_arn, BatchSize=100, MaximumBatchingWindowInSeconds=300)
    put_keys(table, ["a", "b", "c"])  # the window (300 s x the time factor) outlasts the writes
    messages = drain_queue(seen_url, 3)
    assert sorted(json.loads(m["Body"])["key"] for m in messages) == ["a", "b", "c"]
    assert {json.loads(m["Body"])["batch"] for m in messages} == {3}
