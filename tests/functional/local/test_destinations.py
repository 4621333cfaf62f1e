"""One send path for every destination message: async destinations, DLQs and stream pointers."""

from __future__ import annotations

import pytest

from quirks import aws
from quirks.limits import DEFAULT_ACCOUNT as ACCOUNT
from quirks.local.destinations import send
from quirks.local.errors import DestinationDeliveryError
from quirks.streams import wire


def _never() -> tuple[str, bytes]:
    raise AssertionError("the S3 object is built for S3 destinations only")


def test_a_queue_gets_the_message_and_its_attributes(aws_env: aws.ClientFactory) -> None:
    sqs = aws_env.client("sqs")
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    attributes = wire.dead_letter_attributes("req-1", "boom")
    send(
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq",
        '{"order": 1}',
        clients=aws_env,
        s3_object=_never,
        attributes=attributes,
    )
    (message,) = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == '{"order": 1}'
    assert message["MessageAttributes"]["RequestID"]["StringValue"] == "req-1"


def test_a_bucket_gets_the_object_under_its_key(aws_env: aws.ClientFactory) -> None:
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="failures")
    send(
        "arn:aws:s3:::failures",
        "unused for S3",
        clients=aws_env,
        s3_object=lambda: ("aws/lambda/u/shard/x", b'{"pointer": 1}'),
    )
    body = s3.get_object(Bucket="failures", Key="aws/lambda/u/shard/x")["Body"].read()
    assert body == b'{"pointer": 1}'


@pytest.mark.parametrize(
    "destination",
    [
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:absent",
        "arn:aws:s3:::absent-bucket",
        f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s",
    ],
)
def test_every_failure_is_a_delivery_error_naming_the_destination(
    aws_env: aws.ClientFactory, destination: str
) -> None:
    with pytest.raises(DestinationDeliveryError) as raised:
        send(destination, "{}", clients=aws_env, s3_object=lambda: ("k", b"{}"))
    assert destination in str(raised.value) or "kinesis" in str(raised.value)


def test_without_an_s3_object_a_bucket_is_not_a_destination(aws_env: aws.ClientFactory) -> None:
    with pytest.raises(DestinationDeliveryError, match="unsupported destination service 's3'"):
        send("arn:aws:s3:::failures", "{}", clients=aws_env)
