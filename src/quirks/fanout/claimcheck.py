"""S3 claim checks: a record too large for its target travels as a pointer to a durable S3 copy.

The object holds exactly the record's Lambda-form JSON (one record, compact UTF-8), under
``<prefix>/<target id>/<SequenceNumber>-<eventID>.json``; the same record always gets the same key,
so a retry rewrites an identical object. The message the target receives instead of the record is::

    {"quirksClaimCheck": {"version": 1, "uri": "s3://bucket/prefix/billing/1234-abcd.json",
                          "bucket": "bucket", "key": "prefix/billing/1234-abcd.json",
                          "bytes": 512345, "sha256": "<hex of the object>",
                          "format": "record", "eventID": "abcd", "eventName": "MODIFY",
                          "SequenceNumber": "1234", "eventSourceARN": "arn:aws:dynamodb:..."}}

It is sent as one message of its own (never inside a ``Records`` list), for ``lambda-event`` and
``record`` targets alike. :func:`resolve_claim_check` turns it back into the record, or raises
:class:`ClaimCheckError` naming what is wrong.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from quirks import aws, jsonsafe
from quirks.arns import S3Uri
from quirks.errors import FormatError
from quirks.fields import Fields
from quirks.storage import S3Store

__all__ = [
    "CLAIM_CHECK_KEY",
    "ClaimCheckError",
    "is_claim_check",
    "resolve_claim_check",
    "store_claim_check",
]

CLAIM_CHECK_KEY = "quirksClaimCheck"


class ClaimCheckError(FormatError):
    """A message is not a claim check, or the object it points to does not match it."""


_FIELDS = Fields(ClaimCheckError)


def store_claim_check(
    location: str,
    target_id: str,
    record: Any,
    encoded: bytes,
    *,
    clients: aws.ClientFactory | None = None,
) -> bytes:
    """Write the record durably to S3 and return the claim-check message body."""
    ddb = record.get("dynamodb", {})
    sequence = str(ddb.get("SequenceNumber", "unknown"))
    event_id = str(record.get("eventID", "unknown"))
    store = S3Store(location, clients=clients)
    name = f"{target_id}/{sequence}-{event_id}.json"
    uri = store.put(name, encoded, "application/json")
    parsed = S3Uri.parse(uri)
    check = {
        "version": 1,
        "uri": uri,
        "bucket": parsed.bucket,
        "key": parsed.key,
        "bytes": len(encoded),
        "sha256": hashlib.sha256(encoded).hexdigest(),
        "format": "record",
        "eventID": event_id,
        "eventName": record.get("eventName"),
        "SequenceNumber": sequence,
        "eventSourceARN": record.get("eventSourceARN"),
    }
    return json.dumps({CLAIM_CHECK_KEY: check}, separators=(",", ":")).encode("utf-8")


def is_claim_check(message: Any) -> bool:
    """True when a decoded message body is a claim check."""
    return isinstance(message, dict) and isinstance(message.get(CLAIM_CHECK_KEY), dict)


def resolve_claim_check(
    message: Any, *, clients: aws.ClientFactory | None = None
) -> dict[str, Any]:
    """The original Lambda-form record a claim-check message points to (checksum verified)."""
    if isinstance(message, str | bytes):
        message = jsonsafe.loads(message, "claim check")
    if not is_claim_check(message):
        raise ClaimCheckError("", f"not a claim-check message (no {CLAIM_CHECK_KEY!r} object)")
    check = message[CLAIM_CHECK_KEY]
    prefix = f"{CLAIM_CHECK_KEY}."
    uri = S3Uri(
        _FIELDS.require(check, "bucket", prefix, str), _FIELDS.require(check, "key", prefix, str)
    )
    digest = _FIELDS.require(check, "sha256", prefix, str)
    parent, _, name = uri.key.rpartition("/")
    data = S3Store(S3Uri(uri.bucket, parent), clients=clients).get(name)
    if hashlib.sha256(data).hexdigest() != digest:
        raise ClaimCheckError(str(uri), "does not match the claim check's sha256")
    record: dict[str, Any] = jsonsafe.loads(data, str(uri))
    return record
