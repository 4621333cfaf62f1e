"""DynamoDB on the local cloud names streams as AWS does, so Terraform's stream ARN checks pass."""

from __future__ import annotations

import re
from typing import Any

import botocore.session

from quirks import aws
from quirks.local.cloud import LocalCloud

# AWS's LatestStreamLabel: an ISO 8601 timestamp to the millisecond, e.g. 2015-05-20T20:51:10.252.
LABEL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$")


def _table(dynamodb: Any, name: str, **extra: Any) -> dict[str, Any]:
    description: dict[str, Any] = dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        **extra,
    )["TableDescription"]
    return description


def test_a_new_stream_is_labelled_to_the_millisecond(cloud: LocalCloud) -> None:
    dynamodb = aws.client("dynamodb")
    created = _table(
        dynamodb,
        "orders",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )

    table = dynamodb.describe_table(TableName="orders")["Table"]
    label = table["LatestStreamLabel"]
    assert LABEL.match(label), label
    assert created["LatestStreamLabel"] == label
    assert table["LatestStreamArn"] == f"{table['TableArn']}/stream/{label}"
    model = botocore.session.get_session().get_service_model("dynamodb")
    assert set(table) <= set(model.shape_for("TableDescription").members)


def test_the_stream_arn_is_the_one_dynamodb_streams_serves(cloud: LocalCloud) -> None:
    dynamodb = aws.client("dynamodb")
    _table(dynamodb, "ledger")
    dynamodb.update_table(
        TableName="ledger",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    arn = dynamodb.describe_table(TableName="ledger")["Table"]["LatestStreamArn"]
    assert LABEL.match(arn.rsplit("/stream/", 1)[1])

    streams = aws.client("dynamodbstreams")
    listed = streams.list_streams(TableName="ledger")["Streams"]
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert [s["StreamArn"] for s in listed] == [arn]
    assert described["StreamArn"] == arn
    assert LABEL.match(described["StreamLabel"])
    shard = described["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert streams.get_records(ShardIterator=iterator)["Records"] == []
