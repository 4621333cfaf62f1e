"""Helpers for tests that need a DynamoDB table with a stream, backed by the moto server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from quirks import aws

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

ViewType = Literal["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]


@dataclass(frozen=True)
class StreamTable:
    """A table created for a test, with the ARN of its stream."""

    name: str
    stream_arn: str

    def put(self, item: dict[str, AttributeValueTypeDef]) -> None:
        aws.client("dynamodb").put_item(TableName=self.name, Item=item)

    def put_all(self, items: Iterable[dict[str, AttributeValueTypeDef]]) -> None:
        for item in items:
            self.put(item)

    def delete(self, key: dict[str, AttributeValueTypeDef]) -> None:
        aws.client("dynamodb").delete_item(TableName=self.name, Key=key)

    def shard_ids(self) -> list[str]:
        streams = aws.client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        return [shard["ShardId"] for shard in shards]

    def read_all(self) -> list[dict[str, Any]]:
        """Every record in the stream, in boto3 ``get_records`` form (the ground truth)."""
        streams = aws.client("dynamodbstreams")
        records: list[dict[str, Any]] = []
        for shard_id in self.shard_ids():
            iterator: str | None = streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while iterator:
                page = streams.get_records(ShardIterator=iterator, Limit=1000)
                records.extend(page["Records"])  # type: ignore[arg-type]
                if not page["Records"]:
                    break
                iterator = page.get("NextShardIterator")
        return records


def create_stream_table(
    name: str = "orders",
    view_type: ViewType = "NEW_AND_OLD_IMAGES",
    hash_key: str = "pk",
    range_key: str | None = None,
) -> StreamTable:
    """Create an on-demand table with a stream; keys are strings."""
    schema: list[Any] = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    definitions: list[Any] = [{"AttributeName": hash_key, "AttributeType": "S"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
        definitions.append({"AttributeName": range_key, "AttributeType": "S"})
    table = aws.client("dynamodb").create_table(
        TableName=name,
        KeySchema=schema,
        AttributeDefinitions=definitions,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
    )["TableDescription"]
    return StreamTable(name=name, stream_arn=table["LatestStreamArn"])
