"""The local cloud for a test: started with a stack, pointed at, waited on, stopped.

:func:`local_cloud` starts :class:`quirks.local.cloud.LocalCloud` (moto for the AWS APIs and the
local Lambda, on 127.0.0.1 and a free port), provisions a stack file through the AWS APIs as
``quirks local up --stack`` does, and stops it when the ``with`` block ends. It needs the ``local``
extra (``pip install 'serverless-quirks[local]'``). :func:`drain_queue` waits for the messages a
consumer sends, under a deadline.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.limits import SQS_RECEIVE_MAX_MESSAGES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from quirks.local.cloud import LocalCloud

__all__ = ["RunningCloud", "drain_queue", "local_cloud"]


@dataclass(frozen=True)
class RunningCloud:
    """A started local cloud: where it listens, how to reach it, and what the stack created."""

    cloud: LocalCloud
    """The emulator itself (``wait_idle``, ``reset``, telemetry)."""
    clients: aws.ClientFactory
    """A client factory pointed at the cloud: ``clients.client("sqs")``."""
    resources: dict[str, str] = field(default_factory=dict)
    """ARNs (queue URLs for queues) by stack reference: ``resources["queue:billing-failures"]``."""

    @property
    def endpoint(self) -> str:
        """The one endpoint URL every service answers on (``http://127.0.0.1:<port>``)."""
        return self.cloud.url

    @property
    def environment(self) -> dict[str, str]:
        """The variables that point unmodified AWS SDK code at the cloud."""
        return self.cloud.environment()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every event source mapping has caught up and no async event is pending."""
        return self.cloud.wait_idle(timeout)


@contextlib.contextmanager
def local_cloud(
    stack: str | Path | None = None, *, time_factor: float = 1.0, region: str | None = None
) -> Iterator[RunningCloud]:
    """Start a local cloud, provision ``stack`` (a TOML stack file) on it, stop it afterwards.

    ``time_factor`` scales the emulator's waits (``0.001`` turns a 60 s retry delay into 60 ms).
    The process environment is left alone: apply :attr:`RunningCloud.environment` yourself (the
    pytest fixture does) or use :attr:`RunningCloud.clients`.
    """
    from quirks.local.cloud import LocalCloud
    from quirks.local.stack import load_stack, provision

    parsed = load_stack(stack) if stack is not None else None
    cloud = LocalCloud(
        region=region or (parsed.region if parsed else "us-east-1"), time_factor=time_factor
    )
    cloud.start()
    try:
        # moto keeps its backends per process: start from an empty account, whatever an earlier
        # cloud (or a moto server in the same test session) left behind.
        cloud.reset()
        created = provision(parsed, cloud.clients) if parsed else {}
        yield RunningCloud(cloud=cloud, clients=cloud.clients, resources=created)
    finally:
        cloud.stop()


def drain_queue(
    queue_url: str,
    expect: int | None = None,
    *,
    clients: aws.ClientFactory | None = None,
    timeout: float = 10.0,
    delete: bool = False,
) -> list[dict[str, Any]]:
    """The messages on a queue, as ``receive_message`` returns them (with their attributes).

    With ``expect``, keep receiving until that many have arrived or ``timeout`` seconds have
    passed (a consumer's output arrives asynchronously); without it, receive until the queue
    answers empty. Received messages stay invisible for the queue's visibility timeout; ``delete``
    deletes them as well.
    """
    sqs = (clients or aws.current()).client("sqs")
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while expect is None or (len(messages) < expect and time.monotonic() < deadline):
        got = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=SQS_RECEIVE_MAX_MESSAGES,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        messages.extend(dict(m) for m in got)
        if got and delete:
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)
                ],
            )
        if not got:
            if expect is None:
                break
            time.sleep(0.05)  # a condition polled under a deadline, not a wait for an effect
    return messages
