"""Small, documented corrections to moto's backends, so Terraform's AWS provider works on them.

The hashicorp/aws provider does not trust a write until a read returns it: after CreateQueue or
SetQueueAttributes it polls GetQueueAttributes until every attribute it set reads back equal, for
up to several minutes. Wherever moto drops or rewrites an attribute AWS keeps, ``terraform apply``
hangs. Each patch below restores one documented AWS behaviour and says which.

:func:`install` applies them once per process, before the local cloud serves a request.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["install", "stamp_stream_records_with"]

_lock = threading.Lock()
_installed = False

_REDRIVE_ALLOW_POLICY = "RedriveAllowPolicy"
_record_clock: Callable[[], float] = time.time


def stamp_stream_records_with(clock: Callable[[], float]) -> None:
    """Stamp new stream records with ``clock`` (epoch seconds): the local cloud's own clock."""
    global _record_clock
    _record_clock = clock


def install() -> None:
    """Patch moto's backends in this process (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        _patch_sqs_attributes()
        _patch_dynamodb_stream_label()
        _patch_dynamodb_default_key()
        _patch_dynamodb_stream_record_time()
        _patch_eventbridge_account()
        _installed = True


def _patch_sqs_attributes() -> None:
    """SQS queue attributes as AWS stores and returns them.

    `SetQueueAttributes <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html>`_
    changes only the attributes it names and accepts ``RedriveAllowPolicy``;
    `GetQueueAttributes <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html>`_
    returns ``RedriveAllowPolicy`` (for ``All`` or by name) once set, and policies as the compact
    JSON they were given. moto 5 instead:

    * stores ``RedriveAllowPolicy`` but never returns it, and rejects it by name with
      ``InvalidAttributeName`` — so ``aws_sqs_queue_redrive_allow_policy`` waits forever for it;
    * clears ``Policy`` on every SetQueueAttributes call that does not name it — so setting the
      redrive allow policy (or any attribute) on a queue silently deletes its queue policy;
    * returns ``RedrivePolicy`` re-serialised with spaces (``{"deadLetterTargetArn": ...}``).
    """
    from moto.sqs.models import Queue, SQSBackend

    set_attributes = Queue._set_attributes
    read_attributes = Queue.__dict__["attributes"].fget  # a property: keep its getter
    get_queue_attributes = SQSBackend.get_queue_attributes

    def _set_attributes(self: Queue, attributes: dict[str, Any], now: float | None = None) -> None:
        kept = getattr(self, "policy", None)
        set_attributes(self, attributes, now)
        if "Policy" not in attributes:
            self.policy = kept

    def attributes(self: Queue) -> dict[str, Any]:
        assert read_attributes is not None
        result: dict[str, Any] = read_attributes(self)
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        allow = getattr(self, "redrive_allow_policy", None)
        if allow:  # "" is how the provider (and AWS) removes it
            result[_REDRIVE_ALLOW_POLICY] = allow
        return result

    def _get_queue_attributes(
        self: SQSBackend, queue_name: str, attribute_names: list[str]
    ) -> dict[str, Any]:
        others = [name for name in attribute_names if name != _REDRIVE_ALLOW_POLICY]
        result: dict[str, Any] = get_queue_attributes(self, queue_name, others)
        if _REDRIVE_ALLOW_POLICY in attribute_names:
            allow = self.get_queue(queue_name).attributes.get(_REDRIVE_ALLOW_POLICY)
            if allow:
                result[_REDRIVE_ALLOW_POLICY] = allow
        return result

    Queue._set_attributes = _set_attributes  # type: ignore[method-assign]
    Queue.attributes = property(attributes)  # type: ignore[assignment,method-assign]
    SQSBackend.get_queue_attributes = _get_queue_attributes  # type: ignore[method-assign]


def _patch_dynamodb_stream_label() -> None:
    """DynamoDB stream labels with milliseconds, as AWS writes them.

    AWS's ``LatestStreamLabel`` (`TableDescription
    <https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html>`_)
    is an ISO 8601 timestamp to the millisecond, ``2015-05-20T20:51:10.252``, and ends every stream
    ARN. moto writes ``datetime.isoformat()``: microseconds, or no fraction at all on a whole
    second. The modules' variable validation (and any code that parses stream ARNs) rejects that, so
    ``terraform apply`` of a table's consumers failed before creating them.
    """
    from moto.dynamodb.models.table import Table

    set_stream_specification = Table.set_stream_specification

    def _set_stream_specification(self: Table, streams: dict[str, Any] | None) -> None:
        before = getattr(self, "latest_stream_label", None)
        set_stream_specification(self, streams)
        label = self.latest_stream_label
        if label and label != before:  # a new stream: every ARN derives from the label
            parsed = datetime.fromisoformat(label)
            self.latest_stream_label = parsed.isoformat(timespec="milliseconds")

    Table.set_stream_specification = _set_stream_specification  # type: ignore[method-assign]


def _patch_dynamodb_default_key() -> None:
    """One AWS managed key ``alias/aws/dynamodb`` per account and region, as in AWS.

    A table with server-side encryption and no ``KMSMasterKeyId`` is encrypted with the AWS managed
    key ``alias/aws/dynamodb`` (`SSESpecification
    <https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSESpecification.html>`_),
    which AWS creates once and which ``DescribeKey`` reports with ``KeyManager`` ``AWS``
    (`KeyMetadata
    <https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html>`_). moto creates it
    on first use without a lock, so tables created in parallel (as ``terraform apply`` does) each
    made a ``CUSTOMER`` key, all under the same alias — and those looked like customer keys the
    destroy had left behind.
    """
    from moto.dynamodb.models.table import Table

    get_default_key = Table._get_default_encryption_key
    lock = threading.Lock()

    def _get_default_encryption_key(self: Table, account_id: str, region: str) -> str:
        from moto.kms.models import kms_backends

        with lock:  # a check-then-create: one table at a time
            arn: str = get_default_key(self, account_id, region)
            kms_backends[account_id][region].describe_key(arn).key_manager = "AWS"
        return arn

    Table._get_default_encryption_key = _get_default_encryption_key  # type: ignore[method-assign]


def _patch_dynamodb_stream_record_time() -> None:
    """``ApproximateCreationDateTime`` rounded down to the second, on the emulator's clock.

    The `StreamRecord
    <https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html>`_
    reference: "The approximate date and time when the stream record was created, in UNIX epoch
    time format and rounded down to the closest second". moto keeps the microseconds, and reads the
    host's clock, which the emulator's injected clock (trimming, ages) could not move. The exact
    time is kept beside the record (``quirks_created``), never in it: at a time factor of 0.001 a
    second rounded off would be 1000 emulated seconds of age.
    """
    from moto.dynamodb.models.table import StreamShard

    add = StreamShard.add

    def _add(self: StreamShard, old: Any, new: Any) -> None:
        before = len(self.items)
        add(self, old, new)
        now = _record_clock()
        stamp = datetime.fromtimestamp(int(now), UTC).replace(tzinfo=None)
        for item in self.items[before:]:
            item.record["dynamodb"]["ApproximateCreationDateTime"] = stamp
            item.quirks_created = now  # type: ignore[attr-defined]  # exact, for ages

    StreamShard.add = _add  # type: ignore[method-assign]


def _patch_eventbridge_account() -> None:
    """Events delivered to a rule's targets carry ``account``, as every EventBridge event does.

    The `event structure <https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html>`_
    has ``version``, ``id``, ``detail-type``, ``source``, ``account``, ``time``, ``region``,
    ``resources`` and ``detail``. moto's default target input leaves ``account`` out, so an
    EventBridge destination's event failed Powertools' ``EventBridgeModel`` ("account Field required").
    """
    from moto.events.utils import EventTemplateParser

    template = EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
    if '"account"' not in template:
        EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE = template.replace(
            '"detail-type"', '"account": "<account>", "detail-type"', 1
        )
