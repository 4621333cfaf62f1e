"""One subscription: the client's state of it and the async iterator callers consume."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Protocol

from quirks.errors import QuirksError

__all__ = ["END", "ActiveSubscription", "Subscription", "SubscriptionError"]

# Put on a subscription's queue when it ends (complete, unsubscribe, close).
END = object()


class Stopper(Protocol):
    async def stop_subscription(self, active: ActiveSubscription) -> None: ...


class SubscriptionError(QuirksError):
    """The server rejected or ended a subscription with GraphQL errors."""

    def __init__(self, message: str, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


@dataclass
class ActiveSubscription:
    """The client's state of one subscription; its queue feeds the :class:`Subscription`."""

    id: str
    query: str
    variables: dict[str, Any] | None
    queue: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    acked: asyncio.Future[None] | None = None
    # Set once the caller of subscribe() got its first start_ack; later failures go to the queue.
    handed_out: bool = False

    def fail(self, error: BaseException) -> None:
        """Deliver ``error`` to whoever waits: subscribe() before the first ack, else the iterator."""
        if not self.handed_out and self.acked is not None and not self.acked.done():
            self.acked.set_exception(error)
            return
        if self.acked is not None and not self.acked.done():
            self.acked.set_result(None)  # release wait_ready(); the iterator raises the error
        self.queue.put_nowait(error)


class Subscription:
    """An async iterator of the ``data`` of each event (``{"onPost": {...}}``)."""

    def __init__(self, client: Stopper, active: ActiveSubscription) -> None:
        self._client = client
        self._active = active

    @property
    def id(self) -> str:
        return self._active.id

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> dict[str, Any]:
        item = await self._active.queue.get()
        if item is END:
            self._active.queue.put_nowait(END)  # stay exhausted
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            raise item
        return dict(item)

    async def next(self, timeout: float | None = None) -> dict[str, Any]:
        """The next event; raises ``TimeoutError`` after ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            return await self.__anext__()

    async def unsubscribe(self) -> None:
        """Send ``stop`` and end the iteration."""
        await self._client.stop_subscription(self._active)
