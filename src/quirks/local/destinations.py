"""Where asynchronous invocation results and failures go: destinations and dead-letter queues.

Message shapes follow https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html, https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html: the async invocation record (``version``, ``timestamp``,
``requestContext``, ``requestPayload``, ``responseContext``, ``responsePayload``) for OnSuccess and
OnFailure destinations; for a ``DeadLetterConfig``, the original event as the body with the
attributes ``RequestID``, ``ErrorCode`` and ``ErrorMessage``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from quirks import aws
from quirks.arns import Arn
from quirks.streams import wire

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.local.runtime import InvocationResult

__all__ = ["DeliveryError", "async_record", "deliver", "deliver_dead_letter", "queue_url"]


class DeliveryError(Exception):
    """A destination or DLQ could not take the message."""


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


def queue_url(clients: aws.ClientFactory, arn: Arn) -> str:
    """The URL of the SQS queue an ARN names, as the emulated account serves it."""
    return aws.queue_url(str(arn), clients)


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
    arn = Arn.parse(destination)
    body = json.dumps(record)
    try:
        if arn.service == "sqs":
            clients.client("sqs").send_message(QueueUrl=queue_url(clients, arn), MessageBody=body)
        elif arn.service == "sns":
            if (
                len(body.encode()) > wire.SNS_MESSAGE_LIMIT
            ):  # AWS drops the payloads, not the record
                body = json.dumps(wire.without_payloads(record))
            clients.client("sns").publish(TopicArn=destination, Message=body)
        elif arn.service == "lambda":
            invoke_lambda(destination, body.encode())
        elif arn.service == "events":
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
                raise DeliveryError(f"EventBridge rejected the record: {response['Entries']}")
        elif arn.service == "s3":
            key = wire.s3_async_failure_key(function_name, now)
            clients.client("s3").put_object(Bucket=arn.resource, Key=key, Body=body.encode())
        else:
            raise DeliveryError(f"unsupported destination service {arn.service!r}")
    except DeliveryError:
        raise
    except Exception as exc:
        raise DeliveryError(f"{destination}: {exc}") from exc


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
    arn = Arn.parse(target)
    body = payload.decode("utf-8", "replace")
    try:
        if arn.service == "sqs":
            clients.client("sqs").send_message(
                QueueUrl=queue_url(clients, arn),
                MessageBody=body,
                MessageAttributes=attributes,
            )
        elif arn.service == "sns":
            clients.client("sns").publish(
                TopicArn=target, Message=body, MessageAttributes=attributes
            )
        else:
            raise DeliveryError(f"a dead-letter queue must be SQS or SNS, not {arn.service!r}")
    except DeliveryError:
        raise
    except Exception as exc:
        raise DeliveryError(f"{target}: {exc}") from exc
