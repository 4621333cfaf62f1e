"""Where asynchronous invocation results and failures go: destinations and dead-letter queues.

Message shapes follow https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html, https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html: the async invocation record (``version``, ``timestamp``,
``requestContext``, ``requestPayload``, ``responseContext``, ``responsePayload``) for OnSuccess and
OnFailure destinations; for a ``DeadLetterConfig``, the original event as the body with the
attributes ``RequestID``, ``ErrorCode`` and ``ErrorMessage``.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any, Literal

from quirks import aws
from quirks.arns import Arn
from quirks.limits import SNS_MESSAGE_BYTES
from quirks.local.errors import DestinationDeliveryError
from quirks.streams import wire

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from quirks.local.runtime import InvocationResult

__all__ = ["async_record", "deliver", "deliver_dead_letter", "send"]


def _json_or_text(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return data.decode("utf-8", "replace")


def async_record(
    *,
    function_arn: str,
    request_id: str,
    condition: Literal["Success", "RetriesExhausted", "EventAgeExceeded"],
    attempts: int,
    payload: bytes,
    result: InvocationResult | None,
    now: float,
) -> wire.AsyncInvocationRecord:
    """The record Lambda sends to an async destination, for the emulator's invocation result."""
    return wire.async_record(
        function_arn=function_arn,
        request_id=request_id,
        condition=condition,
        attempts=attempts,
        request_payload=_json_or_text(payload),
        function_error=result.function_error if result is not None else None,
        response_payload=_json_or_text(result.payload) if result is not None else None,
        responded=result is not None,
        now=now,
    )


def send(
    destination: str,
    message: str,
    *,
    clients: aws.ClientFactory,
    s3_object: Callable[[], tuple[str, bytes]] | None = None,
    attributes: Any = None,
) -> None:
    """Send one message to an SQS queue or SNS topic, or (given ``s3_object``) an S3 bucket.

    The one send path of async destinations, DLQs and stream on-failure destinations.
    ``s3_object`` gives the key (Lambda's ``aws/lambda/...`` scheme) and body, built only for S3;
    ``attributes`` are message attributes (a DLQ's ``RequestID``/``ErrorCode``/``ErrorMessage``).
    Every failure is a :class:`DestinationDeliveryError` naming the destination.
    """
    arn = Arn.parse(destination)
    extra: dict[str, Any] = {"MessageAttributes": attributes} if attributes else {}
    with _delivering(destination):
        if arn.service == "sqs":
            clients.client("sqs").send_message(
                QueueUrl=aws.queue_url(destination, clients), MessageBody=message, **extra
            )
        elif arn.service == "sns":
            clients.client("sns").publish(TopicArn=destination, Message=message, **extra)
        elif arn.service == "s3" and s3_object is not None:
            key, body = s3_object()
            clients.client("s3").put_object(Bucket=arn.resource, Key=key, Body=body)
        else:
            raise DestinationDeliveryError(f"unsupported destination service {arn.service!r}")


def deliver(
    destination: str,
    record: wire.AsyncInvocationRecord,
    *,
    function_name: str,
    invoke_lambda: Callable[[str, bytes], None],
    clients: aws.ClientFactory,
    now: float,
) -> None:
    """Send an async invocation record to an SQS, SNS, Lambda, EventBridge or S3 destination.

    ``now`` is the emulator's clock: it dates an S3 destination object's key.
    """
    service = Arn.parse(destination).service
    body = json.dumps(record)
    if service == "lambda":
        with _delivering(destination):
            invoke_lambda(destination, body.encode())
    elif service == "events":
        with _delivering(destination):
            _put_event(destination, record, body, clients)
    else:
        if service == "sns" and len(body.encode()) > SNS_MESSAGE_BYTES:
            body = json.dumps(
                wire.without_payloads(record)
            )  # AWS drops the payloads, not the record
        send(
            destination,
            body,
            clients=clients,
            s3_object=lambda: (wire.s3_async_failure_key(function_name, now), body.encode()),
        )


@contextlib.contextmanager
def _delivering(destination: str) -> Iterator[None]:
    """Every failure of a delivery as a :class:`DestinationDeliveryError` naming ``destination``."""
    try:
        yield
    except DestinationDeliveryError:
        raise
    except Exception as exc:  # botocore's errors and connection failures alike: say where
        raise DestinationDeliveryError(f"{destination}: {exc}") from exc


def _put_event(
    destination: str, record: wire.AsyncInvocationRecord, body: str, clients: aws.ClientFactory
) -> None:
    success = record["requestContext"]["condition"] == "Success"
    response = clients.client("events").put_events(
        Entries=[
            {
                "Source": "lambda",
                "DetailType": f"Lambda Function Invocation Result - {'Success' if success else 'Failure'}",
                "Detail": body,
                "EventBusName": destination,
                # "the function and destination ARNs" (invocation-async-retain-records.html)
                "Resources": [record["requestContext"]["functionArn"], destination],
            }
        ]
    )
    if response.get("FailedEntryCount"):
        raise DestinationDeliveryError(f"EventBridge rejected the record: {response['Entries']}")


def deliver_dead_letter(
    target: str,
    payload: bytes,
    request_id: str,
    result: InvocationResult | None,
    clients: aws.ClientFactory,
) -> None:
    """Send the original event to a function's DLQ (SQS or SNS) with the error attributes."""
    error = _json_or_text(result.payload) if result is not None else None
    message = error.get("errorMessage", "") if isinstance(error, dict) else str(error or "")
    # The wire TypedDict is exactly SQS's and SNS's string MessageAttributeValue shape; each
    # client's stubs name that shape differently.
    attributes: Any = wire.dead_letter_attributes(request_id, message)
    service = Arn.parse(target).service
    if service not in ("sqs", "sns"):
        raise DestinationDeliveryError(f"a dead-letter queue must be SQS or SNS, not {service!r}")
    send(target, payload.decode("utf-8", "replace"), clients=clients, attributes=attributes)
