"""DynamoDB on the local cloud names streams as AWS does, so Terraform's stream ARN checks pass."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
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


def test_encrypted_tables_share_the_aws_managed_key(cloud: LocalCloud) -> None:
    dynamodb = aws.client("dynamodb")
    names = [f"table-{n}" for n in range(6)]
    # Terraform creates tables in parallel: the managed key must still be created once.
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        list(
            pool.map(lambda name: _table(dynamodb, name, SSESpecification={"Enabled": True}), names)
        )

    keys = {
        dynamodb.describe_table(TableName=n)["Table"]["SSEDescription"]["KMSMasterKeyArn"]
        for n in names
    }
    kms = aws.client("kms")
    aliases = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/aws/dynamodb"]
    assert len(keys) == 1
    assert [a["TargetKeyId"] for a in aliases] == [
        kms.describe_key(KeyId=keys.pop())["KeyMetadata"]["KeyId"]
    ]
    metadata = kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]
    assert metadata["KeyManager"] == "AWS"
    customer = [
        k["KeyId"]
        for k in kms.list_keys()["Keys"]
        if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    ]
    assert customer == []
