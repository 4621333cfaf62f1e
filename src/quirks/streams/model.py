"""The typed model of one DynamoDB stream record.

A :class:`StreamRecord` holds everything any of the three wire forms carries (Lambda event record,
boto3 ``get_records`` record, archive line) so that converting between them loses nothing; see
:mod:`quirks.streams.codec` for the conversions. Keys and images are kept in boto3 form
(:data:`~quirks.streams.attributes.Item`: numbers as strings, binaries as bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from quirks.streams.sequence import parse_sequence_number

if TYPE_CHECKING:
    from collections.abc import Mapping

    from quirks.streams.attributes import Item

__all__ = [
    "TTL_PRINCIPAL",
    "EventName",
    "StreamRecord",
    "StreamViewType",
    "UserIdentity",
]

EventName: TypeAlias = Literal["INSERT", "MODIFY", "REMOVE"]
StreamViewType: TypeAlias = Literal["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
EVENT_NAMES: frozenset[str] = frozenset({"INSERT", "MODIFY", "REMOVE"})
STREAM_VIEW_TYPES: frozenset[str] = frozenset(
    {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"}
)
TTL_PRINCIPAL = "dynamodb.amazonaws.com"


@dataclass(frozen=True, slots=True)
class UserIdentity:
    """Who made the change; present only for deletions made by the TTL service."""

    type: str
    principal_id: str


@dataclass(frozen=True, slots=True)
class StreamRecord:
    """One change to one item, as DynamoDB Streams records it.

    ``approximate_creation_date_time`` is kept as the epoch-seconds number the Lambda form carries
    (an ``int`` for whole seconds), so the Lambda form round-trips bit for bit; use
    :attr:`created_at` for a datetime. ``event_source_arn`` and ``aws_region`` are ``None`` only for a
    record read with ``get_records`` before the stream ARN was attached (:meth:`with_source`).
    ``extra`` and ``extra_dynamodb`` keep fields this model does not know (top level and inside
    ``dynamodb``), so that a future field survives a round trip.
    """

    event_id: str
    event_name: EventName
    sequence_number: str
    keys: Item
    size_bytes: int
    stream_view_type: StreamViewType
    approximate_creation_date_time: int | float | None = None
    new_image: Item | None = None
    old_image: Item | None = None
    event_version: str = "1.1"
    event_source: str = "aws:dynamodb"
    aws_region: str | None = None
    event_source_arn: str | None = None
    user_identity: UserIdentity | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    extra_dynamodb: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sequence(self) -> int:
        """The sequence number as an integer, the only correct way to order records."""
        return parse_sequence_number(self.sequence_number)

    @property
    def created_at(self) -> datetime | None:
        """The approximate creation time as an aware UTC datetime."""
        if self.approximate_creation_date_time is None:
            return None
        return datetime.fromtimestamp(self.approximate_creation_date_time, tz=UTC)

    @property
    def is_ttl_delete(self) -> bool:
        """True for a REMOVE made by DynamoDB's time-to-live service rather than by a client."""
        return (
            self.event_name == "REMOVE"
            and self.user_identity is not None
            and self.user_identity.type == "Service"
            and self.user_identity.principal_id == TTL_PRINCIPAL
        )

    @property
    def table_name(self) -> str | None:
        """The table name, parsed from the stream ARN (``...:table/<name>/stream/<label>``)."""
        if not self.event_source_arn or ":table/" not in self.event_source_arn:
            return None
        return self.event_source_arn.split(":table/", 1)[1].split("/stream/", 1)[0]

    def with_source(self, stream_arn: str, region: str | None = None) -> StreamRecord:
        """A copy that knows its stream ARN (and region, when the record had none)."""
        return replace(
            self,
            event_source_arn=stream_arn,
            aws_region=self.aws_region or region or _region_of(stream_arn),
        )


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None
