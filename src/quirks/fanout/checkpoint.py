"""Per-target checkpoints in DynamoDB, so a retried batch skips what a target already received.

Lambda does not tell a function which shard a batch came from, but it does say where a retry
resumes: at the sequence number the handler reported in ``batchItemFailures``. So a checkpoint is
keyed by **target id** (partition key ``target``) and **shard position** (sort key ``position`` =
``<stream ARN>#<resume sequence number, 40 digits>``), and holds ``delivered``: the highest sequence
number up to which the target has received every record it selected. Sequence numbers are unique
within a stream, so a resume point identifies one shard.

Writes are conditional and only move forward (``attribute_not_exists(delivered) OR delivered <
:new``); sequence numbers are stored zero-padded to 40 digits so that string order is numeric
order (DynamoDB numbers keep only 38 digits). Items carry ``expires_at`` (epoch seconds, 25 hours
ahead: the stream keeps records 24 hours); enable TTL on that attribute to let the table clean itself.

Table: ``aws dynamodb create-table --table-name T --attribute-definitions
AttributeName=target,AttributeType=S AttributeName=position,AttributeType=S --key-schema
AttributeName=target,KeyType=HASH AttributeName=position,KeyType=RANGE --billing-mode PAY_PER_REQUEST``
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from quirks import aws

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["CheckpointStore", "position_key"]

TTL_SECONDS = 25 * 3600
_WIDTH = 40


def position_key(stream_arn: str, sequence: int) -> str:
    """The sort key of the shard position that resumes at ``sequence``."""
    return f"{stream_arn}#{sequence:0{_WIDTH}d}"


class CheckpointStore:
    """Checkpoints in one DynamoDB table (see the module docstring for its schema)."""

    def __init__(self, table: str, *, clients: aws.ClientFactory | None = None) -> None:
        self.table = table
        self._clients = clients or aws.current()

    def read(self, targets: Iterable[str], stream_arn: str, resume: int) -> dict[str, int]:
        """The ``delivered`` sequence number of each target that has a checkpoint at ``resume``."""
        position = position_key(stream_arn, resume)
        keys = [{"target": {"S": t}, "position": {"S": position}} for t in targets]
        found: dict[str, int] = {}
        client = self._clients.client("dynamodb")
        for start in range(0, len(keys), 100):
            request: dict[str, object] = {
                self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}
            }
            while request:
                response = client.batch_get_item(RequestItems=request)  # type: ignore[arg-type]
                for item in response.get("Responses", {}).get(self.table, []):
                    found[str(item["target"]["S"])] = int(str(item["delivered"]["S"]))
                request = dict(response.get("UnprocessedKeys") or {})
        return found

    def advance(self, target: str, stream_arn: str, resume: int, delivered: int) -> bool:
        """Move a checkpoint forward to ``delivered``; False when it already was at or past it."""
        client = self._clients.client("dynamodb")
        try:
            client.put_item(
                TableName=self.table,
                Item={
                    "target": {"S": target},
                    "position": {"S": position_key(stream_arn, resume)},
                    "delivered": {"S": f"{delivered:0{_WIDTH}d}"},
                    "expires_at": {"N": str(int(time.time()) + TTL_SECONDS)},
                },
                ConditionExpression="attribute_not_exists(delivered) OR delivered < :new",
                ExpressionAttributeValues={":new": {"S": f"{delivered:0{_WIDTH}d}"}},
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def advance_all(self, stream_arn: str, resume: int, delivered: Mapping[str, int]) -> None:
        """:meth:`advance` for several targets at one shard position."""
        for target, sequence in delivered.items():
            self.advance(target, stream_arn, resume, sequence)
