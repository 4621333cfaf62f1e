"""Fixtures for recovery tests: a table with real stream records, a queue, a bucket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from quirks import aws
from tests.support.dynamo import StreamTable, create_stream_table

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class Stream:
    table: StreamTable
    shard_id: str
    raw: list[dict[str, Any]]

    @property
    def arn(self) -> str:
        return self.table.stream_arn


def write_items(table: StreamTable, count: int, start: int = 0) -> None:
    dynamodb = aws.client("dynamodb")
    for first in range(start, start + count, 25):
        dynamodb.batch_write_item(
            RequestItems={
                table.name: [
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": {"S": f"k{i:05d}"},
                                "n": {"N": str(i)},
                                "b": {"B": bytes([i % 256])},
                            }
                        }
                    }
                    for i in range(first, min(first + 25, start + count))
                ]
            }
        )


@pytest.fixture
def stream(aws_env: aws.ClientFactory) -> Stream:
    """A table with 40 real stream records (inserts) and its ground truth."""
    table = create_stream_table("orders")
    write_items(table, 40)
    raw = table.read_all()
    assert len(raw) == 40
    return Stream(table, table.shard_ids()[0], raw)


@pytest.fixture
def queue_url(aws_env: aws.ClientFactory) -> str:
    return aws.client("sqs").create_queue(QueueName="on-failure")["QueueUrl"]


@pytest.fixture
def bucket(aws_env: aws.ClientFactory) -> str:
    aws.client("s3").create_bucket(Bucket="archive")
    return "archive"


@pytest.fixture(autouse=True)
def _fresh_handler() -> Iterator[None]:
    """Each test's environment builds the recovery handler's wiring anew."""
    from quirks.recovery import handler

    handler.reset()
    yield
    handler.reset()
