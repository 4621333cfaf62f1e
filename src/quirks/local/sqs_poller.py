"""The poller behind an SQS event source mapping, with Lambda's semantics.

Up to 10 messages a poll, batching window, filters (non-matching messages are deleted, as Lambda
does), successful messages deleted, failed ones left to the visibility timeout and the queue's
redrive policy, partial batch responses by ``messageId``
(https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.arns import Arn
from quirks.limits import SQS_ENTRIES_PER_CALL, SQS_RECEIVE_MAX_MESSAGES
from quirks.local.pollers import POLL_INTERVAL, Poller, reported_failures
from quirks.streams import wire

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import DeleteMessageBatchRequestEntryTypeDef, MessageTypeDef

    from quirks.local.runtime import InvocationResult

__all__ = ["SqsPoller"]


class SqsPoller(Poller):
    """Polls an SQS queue for one mapping."""

    def loop(self) -> None:
        sqs = self.ctx.clients.client("sqs")
        arn = Arn.parse(self.mapping.event_source_arn)
        url = aws.queue_url(str(arn), self.ctx.clients)
        pending: list[dict[str, Any]] = []
        window_started: float | None = None
        while self._sleep(POLL_INTERVAL):
            got = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(SQS_RECEIVE_MAX_MESSAGES, self.mapping.batch_size),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not got and not pending:
                self.idle_polls += 1
            if got and window_started is None:
                window_started = self.ctx.clock.monotonic()
            pending.extend(self._event_record(m) for m in got)
            if pending and (
                len(pending) >= self.mapping.batch_size
                or self.ctx.clock.elapsed(window_started or 0) >= self.mapping.batching_window
            ):
                batch, pending = (
                    pending[: self.mapping.batch_size],
                    pending[self.mapping.batch_size :],
                )
                self._process(url, batch)
                window_started = self.ctx.clock.monotonic() if pending else None

    def _event_record(self, message: MessageTypeDef) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message.get("Body", ""),
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {
                name: {
                    "stringValue": attr.get("StringValue"),
                    "binaryValue": attr.get("BinaryValue"),
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": attr.get("DataType"),
                }
                for name, attr in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.mapping.event_source_arn,
            "awsRegion": self.ctx.region,
        }

    def _process(self, url: str, batch: list[dict[str, Any]]) -> None:
        sqs = self.ctx.clients.client("sqs")
        selected = [r for r in batch if self.matches(r)]
        done = [r for r in batch if r not in selected]  # filtered-out messages are deleted
        if selected:
            event = wire.stream_event(selected)
            result = self.ctx.invoke(self.function_name, json.dumps(event).encode())
            done += self._succeeded(selected, result)
        for start in range(0, len(done), SQS_ENTRIES_PER_CALL):
            entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                for i, r in enumerate(done[start : start + SQS_ENTRIES_PER_CALL])
            ]
            if entries:
                sqs.delete_message_batch(QueueUrl=url, Entries=entries)

    def _succeeded(
        self, batch: list[dict[str, Any]], result: InvocationResult
    ) -> list[dict[str, Any]]:
        if not self.mapping.report_item_failures:
            return [] if result.failed else batch
        indexes = reported_failures(result, [r["messageId"] for r in batch])
        if indexes is None:
            return []
        return [r for i, r in enumerate(batch) if i not in indexes]
