"""Recovery's adapters use the ClientFactory they are given, never the process-wide one."""

from __future__ import annotations

import json

import pytest

from quirks import aws
from quirks.recovery.sources import QueueSource, S3ObjectSource
from quirks.storage import S3Store, open_store

UNREACHABLE = aws.AwsSettings(
    endpoint_url="http://127.0.0.1:9", max_attempts=1, connect_timeout=0.5, read_timeout=0.5
)


@pytest.fixture
def injected(aws_env: aws.ClientFactory) -> aws.ClientFactory:
    """A factory on the moto server, while the process-wide one points nowhere."""
    factory = aws.ClientFactory(aws_env.settings)
    aws.configure(UNREACHABLE)
    return factory


def test_s3_store_uses_the_injected_clients(injected: aws.ClientFactory) -> None:
    injected.client("s3").create_bucket(Bucket="archive")
    store = open_store("s3://archive/p", clients=injected)
    assert isinstance(store, S3Store)
    store.put("a/1.jsonl.gz", b"one")
    assert store.get("a/1.jsonl.gz") == b"one"
    assert store.exists("a/1.jsonl.gz")
    assert not store.exists("a/2.jsonl.gz")
    assert list(store.names()) == ["a/1.jsonl.gz"]


def test_queue_source_uses_the_injected_clients(injected: aws.ClientFactory) -> None:
    sqs = injected.client("sqs")
    url = sqs.create_queue(QueueName="on-failure")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"not": "a pointer"}))
    source = QueueSource(url, visibility_timeout=60, clients=injected)
    [message] = source.receive()
    assert message.error is not None
    source.release([message])
    assert source.delete([message]) == [message.id]


def test_s3_object_source_lists_a_key_prefix_through_the_injected_clients(
    injected: aws.ClientFactory,
) -> None:
    s3 = injected.client("s3")
    s3.create_bucket(Bucket="failures")
    for key in ("on-fail/a.json", "on-failure/b.json", "other/c.json"):
        s3.put_object(Bucket="failures", Key=key, Body=b"{}")
    source = S3ObjectSource("s3://failures/on-fail", clients=injected)
    messages = source.receive()
    # A plain key prefix, as Lambda's S3 destination writes it: both on-fail* keys, in order.
    assert [m.id for m in messages] == [
        "s3://failures/on-fail/a.json",
        "s3://failures/on-failure/b.json",
    ]
    assert sorted(source.delete(messages)) == [m.id for m in messages]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="failures")["Contents"]] == ["other/c.json"]
