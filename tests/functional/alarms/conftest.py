"""An account with stream consumers, async targets and failure queues, built in moto."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from quirks import aws
from tests.support.dynamo import create_stream_table
from tests.support.zips import zipped

ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@dataclass
class Account:
    """Builds resources in moto; ARNs by name for the assertions."""

    role_arn: str
    queues: dict[str, str] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    mappings: dict[str, str] = field(default_factory=dict)

    def queue(self, name: str) -> str:
        sqs = aws.client("sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.queues[name] = arn
        return arn

    def function(self, name: str, dead_letter: str | None = None) -> str:
        extra: dict[str, Any] = {}
        if dead_letter:
            extra["DeadLetterConfig"] = {"TargetArn": dead_letter}
        arn = aws.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=self.role_arn,
            Handler="handler.handler",
            Code={"ZipFile": zipped(name="handler.py")},
            **extra,
        )["FunctionArn"]
        self.functions[name] = arn
        return arn

    def consumer(self, function: str, table: str, on_failure: str | None = None) -> str:
        """A DynamoDB-stream mapping; nothing ever writes to the table (moto would drain it)."""
        stream_arn = create_stream_table(table).stream_arn
        extra: dict[str, Any] = {}
        if on_failure:
            extra["DestinationConfig"] = {"OnFailure": {"Destination": on_failure}}
        uuid = aws.client("lambda").create_event_source_mapping(
            EventSourceArn=stream_arn, FunctionName=function, StartingPosition="LATEST", **extra
        )["UUID"]
        self.mappings[function] = uuid
        return uuid

    def kinesis_consumer(self, function: str, stream: str) -> str:
        kinesis = aws.client("kinesis")
        kinesis.create_stream(StreamName=stream, ShardCount=1)
        arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
        uuid = aws.client("lambda").create_event_source_mapping(
            EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST"
        )["UUID"]
        self.mappings[function] = uuid
        return uuid

    def async_config(
        self, function: str, on_failure: str | None = None, max_age: int | None = None
    ) -> None:
        extra: dict[str, Any] = {}
        if on_failure:
            extra["DestinationConfig"] = {"OnFailure": {"Destination": on_failure}}
        if max_age:
            extra["MaximumEventAgeInSeconds"] = max_age
        aws.client("lambda").put_function_event_invoke_config(
            FunctionName=function, MaximumRetryAttempts=1, **extra
        )


@pytest.fixture
def account(aws_env: aws.ClientFactory) -> Account:
    """An empty moto account with a Lambda execution role."""
    iam = aws_env.client("iam")
    role = iam.create_role(
        RoleName="consumer-role", AssumeRolePolicyDocument=json.dumps(ROLE_POLICY)
    )
    return Account(role_arn=role["Role"]["Arn"])


@pytest.fixture
def shop(account: Account) -> Account:
    """Two stream consumers (one with an on-failure queue) and one async target with a DLQ."""
    failures = account.queue("orders-failures")
    dlq = account.queue("mailer-dlq")
    account.function("orders-projector")
    account.function("audit-writer")
    account.function("mailer", dead_letter=dlq)
    account.consumer("orders-projector", "orders", on_failure=failures)
    account.consumer("audit-writer", "audit")
    account.async_config("mailer", max_age=3600)
    return account
