"""Where pointer messages come from, and how they are removed once settled.

* :class:`QueueSource` — an SQS on-failure queue: receive, extend visibility while slow, delete;
* :class:`FileSource` — a file of messages (JSON Lines, a JSON array, or one object): never deleted;
* :class:`S3ObjectSource` — S3 on-failure objects below a prefix: deleted once archived;
* :class:`EventSource` — messages of a Lambda SQS event: Lambda deletes them (partial batch response).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from quirks import aws, jsonsafe
from quirks.arns import S3Uri
from quirks.errors import FormatError, UserError
from quirks.limits import S3_DELETE_KEYS_PER_CALL, SQS_ENTRIES_PER_CALL, SQS_RECEIVE_MAX_MESSAGES
from quirks.storage import S3Store
from quirks.streams.failures import (
    parse_saved_message,
    split_messages,
    unwrap_envelopes,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from mypy_boto3_sqs import SQSClient

    from quirks.streams.failures import FailureMessage

__all__ = [
    "EventSource",
    "FileSource",
    "MessageSource",
    "QueueSource",
    "S3ObjectSource",
    "SourceMessage",
    "parse_entry",
]


@dataclass
class SourceMessage:
    """One message as received: its identity, the parse result (or error), and a delete handle."""

    id: str
    raw: Any
    parsed: FailureMessage | None = None
    error: FormatError | None = None
    handle: str | None = None


def parse_entry(message_id: str, entry: Any, handle: str | None = None) -> SourceMessage:
    """Parse a message body, a whole SQS message (boto3 or Lambda form), or an object's text."""
    message = SourceMessage(id=message_id, raw=entry, handle=handle)
    try:
        message.parsed = parse_saved_message(entry)
    except FormatError as exc:
        message.error = exc
    except RecursionError:  # an already-decoded entry nested past what the parsers walk
        message.error = FormatError("message", "is nested too deeply")
    return message


class MessageSource(Protocol):
    """A source of pointer messages."""

    description: str

    def receive(self) -> list[SourceMessage]:
        """All messages to process in this run."""
        ...

    def delete(self, messages: Sequence[SourceMessage]) -> list[str]:
        """Remove settled messages; returns the ids actually deleted."""
        ...

    def extend(self, messages: Sequence[SourceMessage]) -> None:
        """Keep in-flight messages invisible a while longer (no-op where meaningless)."""
        ...

    def release(self, messages: Sequence[SourceMessage]) -> None:
        """Make messages left in place visible again at once, for the next run."""
        ...


class QueueSource:
    """An SQS queue holding on-failure pointers (``clients`` defaults to :func:`aws.current`)."""

    def __init__(
        self,
        url: str,
        *,
        visibility_timeout: int = 300,
        max_messages: int = 10_000,
        clients: aws.ClientFactory | None = None,
    ) -> None:
        self._clients = clients or aws.current()
        self.url = url
        self.description = url
        self.visibility_timeout = visibility_timeout
        self.max_messages = max_messages
        self._extended_at = time.monotonic()

    def _sqs(self) -> SQSClient:
        return self._clients.client("sqs")

    def receive(self) -> list[SourceMessage]:
        sqs = self._sqs()
        received: dict[str, SourceMessage] = {}
        while len(received) < self.max_messages:
            response = sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=min(
                    SQS_RECEIVE_MAX_MESSAGES, self.max_messages - len(received)
                ),
                VisibilityTimeout=self.visibility_timeout,
                WaitTimeSeconds=1,
                MessageAttributeNames=["All"],
                AttributeNames=["All"],
            )
            batch = response.get("Messages", [])
            if not batch:
                break
            for raw in batch:
                message_id = raw["MessageId"]
                received[message_id] = parse_entry(message_id, dict(raw), raw["ReceiptHandle"])
        self._extended_at = time.monotonic()
        return list(received.values())

    def delete(self, messages: Sequence[SourceMessage]) -> list[str]:
        sqs = self._sqs()
        deleted: list[str] = []
        for start in range(0, len(messages), SQS_ENTRIES_PER_CALL):
            chunk = messages[start : start + SQS_ENTRIES_PER_CALL]
            response = sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m.handle or ""} for i, m in enumerate(chunk)
                ],
            )
            deleted.extend(chunk[int(ok["Id"])].id for ok in response.get("Successful", []))
        return deleted

    def extend(self, messages: Sequence[SourceMessage]) -> None:
        # Extend once half the visibility timeout has passed, for another full timeout.
        if time.monotonic() - self._extended_at < self.visibility_timeout / 2 or not messages:
            return
        self._change_visibility(messages, self.visibility_timeout)
        self._extended_at = time.monotonic()

    def release(self, messages: Sequence[SourceMessage]) -> None:
        self._change_visibility(messages, 0)

    def _change_visibility(self, messages: Sequence[SourceMessage], timeout: int) -> None:
        sqs = self._sqs()
        for start in range(0, len(messages), SQS_ENTRIES_PER_CALL):
            chunk = messages[start : start + SQS_ENTRIES_PER_CALL]
            sqs.change_message_visibility_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m.handle or "", "VisibilityTimeout": timeout}
                    for i, m in enumerate(chunk)
                ],
            )


class FileSource:
    """Messages saved in a file: JSON Lines, a JSON array, or one JSON object. Never deleted."""

    def __init__(self, path: str, text: str) -> None:
        self.description = path
        self.path = path
        self.text = text

    def receive(self) -> list[SourceMessage]:
        return [
            parse_entry(f"{self.path}#{index}", entry)
            for index, entry in enumerate(unwrap_envelopes(split_messages(self.text)))
        ]

    def delete(self, messages: Sequence[SourceMessage]) -> list[str]:
        return []

    def extend(self, messages: Sequence[SourceMessage]) -> None:
        return None

    def release(self, messages: Sequence[SourceMessage]) -> None:
        return None


class S3ObjectSource:
    """S3 on-failure destination objects whose keys start with ``s3://bucket/prefix``."""

    def __init__(
        self, location: str, *, max_objects: int = 10_000, clients: aws.ClientFactory | None = None
    ) -> None:
        self._clients = clients or aws.current()
        self.location = S3Uri.parse(location)
        self.description = location
        self.max_objects = max_objects
        # Keys relative to the bucket: the prefix is a plain key prefix, not a directory.
        self._bucket = S3Store(S3Uri(self.location.bucket), clients=self._clients)

    def receive(self) -> list[SourceMessage]:
        messages: list[SourceMessage] = []
        for key in self._bucket.names(self.location.key):
            if len(messages) >= self.max_objects:
                break
            uri = f"s3://{self.location.bucket}/{key}"
            try:
                body = self._bucket.get(key)
            except UserError as exc:  # a key no store name can be ("../x"): reported in place
                messages.append(
                    SourceMessage(id=uri, raw=key, error=FormatError("key", exc.message))
                )
                continue
            try:
                entry: Any = jsonsafe.loads(body, uri)
            except FormatError:  # parse_entry reports it in its place
                entry = body.decode("utf-8", "replace")
            messages.append(parse_entry(uri, entry, key))
        return messages

    def delete(self, messages: Sequence[SourceMessage]) -> list[str]:
        s3 = self._clients.client("s3")
        deleted: list[str] = []
        for start in range(0, len(messages), S3_DELETE_KEYS_PER_CALL):
            chunk = [m for m in messages[start : start + S3_DELETE_KEYS_PER_CALL] if m.handle]
            if not chunk:
                continue
            response = s3.delete_objects(
                Bucket=self.location.bucket,
                Delete={"Objects": [{"Key": m.handle or ""} for m in chunk], "Quiet": False},
            )
            gone = {d["Key"] for d in response.get("Deleted", [])}
            deleted.extend(m.id for m in chunk if m.handle in gone)
        return deleted

    def extend(self, messages: Sequence[SourceMessage]) -> None:
        return None

    def release(self, messages: Sequence[SourceMessage]) -> None:
        return None


class EventSource:
    """The records of a Lambda SQS event; Lambda itself deletes the ones not reported as failed."""

    def __init__(self, records: Iterable[dict[str, Any]]) -> None:
        self.description = "lambda-event"
        self.records = list(records)

    def receive(self) -> list[SourceMessage]:
        messages = []
        for index, record in enumerate(self.records):
            message_id = record.get("messageId") if isinstance(record, dict) else None
            messages.append(parse_entry(str(message_id or f"record-{index}"), record))
        return messages

    def delete(self, messages: Sequence[SourceMessage]) -> list[str]:
        return []

    def extend(self, messages: Sequence[SourceMessage]) -> None:
        return None

    def release(self, messages: Sequence[SourceMessage]) -> None:
        return None


def check_distinct(source: S3ObjectSource, target: str) -> None:
    """Refuse to archive into the prefix being read (archives would be read back as messages)."""
    if S3Uri.is_s3(target):
        out = S3Uri.parse(target)
        src = source.location
        if out.bucket == src.bucket and out.key.startswith(src.key):
            raise UserError(
                f"--to {target} is inside --s3 {source.description}",
                "archive to a different bucket or prefix",
            )
