"""Put records a target could not take somewhere durable: full records, archive format, no pointers.

* ``s3://bucket/prefix``: one archive object (``*.jsonl.gz``, see ``docs/formats.md``) per target
  and batch, named ``<target id>/<first sequence>-<last sequence>-<digest>.jsonl.gz``; identical
  records give an identical name and identical bytes.
* an SQS queue URL: the archive's lines, uncompressed (JSON Lines: one Lambda-form record per line),
  as few messages as fit the queue's ``MaximumMessageSize`` each (1 MiB or 256 KiB). Split a body
  on ``\\n`` only (``body.split("\\n")``, not ``splitlines()``, which also splits on U+2028 inside a
  record) and wrap the parsed lines in ``Records``: that is the event that replays them.

Either way, replaying is "wrap the lines in ``Records``". :class:`DivertError` means the records
are *not* safe anywhere; the dispatcher then holds the batch (``batchItemFailures``) instead.

Records the dispatcher cannot read at all (no usable ``dynamodb.SequenceNumber``) cannot be archived
or replayed as records; :func:`divert_unreadable` keeps each as it came, with the reason, as one
JSON object ``{"quirksUnreadableRecord": {"index", "reason", "record"}}``: an S3 object
``unreadable/<digest>.json`` or one SQS message each.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks import limits as aws_limits
from quirks.arns import S3Uri
from quirks.errors import QuirksError
from quirks.fanout.chunking import ENVELOPE_RESERVE
from quirks.storage import open_store
from quirks.streams.archive import encode_archive, encode_line
from quirks.streams.encoding import pack_calls

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from quirks.fanout.targets import EntryFailure, Outgoing

    QueueSend = Callable[[str, str, Sequence[Outgoing]], dict[int, EntryFailure]]
    """``send(owner, queue, messages)``: one SendMessageBatch to ``queue`` on behalf of ``owner``
    (a target id, or ``unreadable``), with retries; the failed entries by position."""

__all__ = ["UNREADABLE_KEY", "DivertError", "divert", "divert_unreadable"]

UNREADABLE_KEY = "quirksUnreadableRecord"


class DivertError(QuirksError):
    """The failure destination did not take the records."""


def _digest(lines: Sequence[bytes]) -> str:
    return hashlib.sha256(b"".join(lines)).hexdigest()[:16]


def divert(
    destination: str,
    target_id: str,
    records: Sequence[dict[str, Any]],
    encoded: Sequence[bytes],
    send: QueueSend,
    *,
    clients: aws.ClientFactory | None = None,
) -> str:
    """Write ``records`` (stream order) to ``destination``; returns where they went.

    ``encoded[i]`` is ``records[i]`` as the dispatcher encoded it once
    (:func:`quirks.streams.encoding.encode_record`): those bytes are the archive lines, unchanged.
    ``send`` delivers SQS batches with retries (the dispatcher's retry loop). Raises
    :class:`DivertError` when any record could not be written.
    """
    try:
        lines = [encode_line(body) for body in encoded]
    except QuirksError as exc:
        raise DivertError(f"cannot archive the records: {exc}") from exc
    first = records[0]["dynamodb"]["SequenceNumber"]
    last = records[-1]["dynamodb"]["SequenceNumber"]
    if S3Uri.is_s3(destination):
        name = f"{target_id}/{first}-{last}-{_digest(lines)}.jsonl.gz"
        try:
            return open_store(destination, clients=clients).put(
                name, encode_archive(encoded), "application/gzip"
            )
        except Exception as exc:
            raise DivertError(f"cannot write {destination}/{name}: {exc}") from exc
    # The queue's own limit: 1 MiB on queues that allow it, 256 KiB on those Terraform's AWS
    # provider 5.x creates by default.
    body_limit = aws.queue_max_message_bytes(destination, clients) - ENVELOPE_RESERVE
    bodies: list[bytes] = []
    current = b""
    for line in lines:
        if len(line) > body_limit:
            raise DivertError(
                f"a record of {len(line)} bytes does not fit an SQS message; "
                "use an s3:// failure destination"
            )
        if current and len(current) + len(line) > body_limit:
            bodies.append(current)
            current = b""
        current += line
    bodies.append(current)
    _send_bodies(destination, target_id, bodies, body_limit, send)
    return destination


def divert_unreadable(
    destination: str,
    items: Sequence[tuple[int, Any, str]],
    send: QueueSend,
    *,
    clients: aws.ClientFactory | None = None,
) -> str:
    """Keep records that cannot be read, ``(index in batch, record as received, reason)`` each.

    Returns where they went; raises :class:`DivertError` when any could not be written.
    """
    bodies = [
        json.dumps(
            {UNREADABLE_KEY: {"index": index, "reason": reason, "record": record}},
            default=repr,  # whatever it holds, a human can still see it
            separators=(",", ":"),
        ).encode()
        for index, record, reason in items
    ]
    if S3Uri.is_s3(destination):
        store = open_store(destination, clients=clients)
        for body in bodies:
            name = f"unreadable/{_digest([body])}.json"
            try:
                store.put(name, body, "application/json")
            except Exception as exc:
                raise DivertError(f"cannot write {destination}/{name}: {exc}") from exc
        return destination
    body_limit = aws.queue_max_message_bytes(destination, clients) - ENVELOPE_RESERVE
    for body in bodies:
        if len(body) > body_limit:
            raise DivertError(
                f"an unreadable record of {len(body)} bytes does not fit an SQS message; "
                "use an s3:// failure destination"
            )
    _send_bodies(destination, "unreadable", bodies, body_limit, send)
    return destination


def _send_bodies(
    destination: str, owner: str, bodies: Sequence[bytes], body_limit: int, send: QueueSend
) -> None:
    """Send ``bodies`` to the queue, up to 10 a call while they fit ``body_limit`` together."""
    from quirks.fanout.targets import Outgoing

    outgoing = [Outgoing(body, owner, f"{owner}-{_digest([body])}") for body in bodies]
    sizes = [len(body) for body in bodies]
    for positions in pack_calls(sizes, aws_limits.SQS_ENTRIES_PER_CALL, body_limit):
        # The bodies were cut to the queue's message size; a call stays within it in total too.
        failures = send(owner, destination, [outgoing[i] for i in positions])
        if failures:
            reason = next(iter(failures.values())).reason
            raise DivertError(f"cannot send to {destination}: {reason}")
