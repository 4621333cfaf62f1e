"""The AppSync real-time client: many subscriptions on one websocket that survives drops and expiry.

Built on ``websockets`` directly rather than gql's ``AppSyncWebsocketsTransport`` (docs/appsync.md
says why: that transport computes its auth URL once, only from query parameters, rewrites hosts by
string replacement so custom domains fail, and keeps a fixed keep-alive timeout).

Lifecycle of one connection: open the socket (auth in the ``header-`` subprotocol or in the query)
→ ``connection_init`` → ``connection_ack`` (keep-alive timeout) → ``start``/``start_ack`` per
subscription → ``data``/``ka`` … When the socket drops, no ``ka`` arrives within the timeout, the
server reports an authorization error, or the credentials are about to expire, the client opens a
new connection with fresh credentials and re-sends every ``start``; callers keep iterating.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from quirks.appsync import handshake, protocol, tls
from quirks.appsync.handshake import ConnectionRejectedError
from quirks.appsync.subscription import END, ActiveSubscription, Subscription, SubscriptionError
from quirks.errors import FormatError, UserError

if TYPE_CHECKING:
    import ssl as ssl_module
    from collections.abc import Callable, Sequence

    from websockets.asyncio.client import ClientConnection

    from quirks.appsync.auth import AppSyncAuth
    from quirks.appsync.endpoints import Endpoints

__all__ = [
    "AuthIn",
    "ConnectionRejectedError",
    "RealtimeClient",
    "Subscription",
    "SubscriptionError",
]

log = logging.getLogger("quirks.appsync")

AuthIn = Literal["header", "query"]


class RealtimeClient:
    """One real-time connection shared by any number of subscriptions.

    Use as ``async with RealtimeClient(endpoints, auth) as client: sub = await client.subscribe(q)``.
    ``auth_in="header"`` (default) sends the auth headers as the ``header-<base64url>`` subprotocol;
    ``"query"`` sends them as ``?header=…&payload=e30=`` (the Amplify simulator reads only that).
    ``expiry_margin``: reconnect with fresh credentials this long before they expire. ``clock``
    (epoch seconds) is injectable for tests. ``ssl``: the context for ``wss://`` URLs (default: the
    system trust store, see :func:`quirks.appsync.tls.ssl_context`).
    """

    def __init__(
        self,
        endpoints: Endpoints,
        auth: AppSyncAuth,
        *,
        auth_in: AuthIn = "header",
        ack_timeout: float = 10.0,
        expiry_margin: float = 60.0,
        reconnect_delays: Sequence[float] = (0.0, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0),
        max_reconnect_attempts: int = 10,
        check_interval: float = 0.5,
        clock: Callable[[], float] = time.time,
        ssl: ssl_module.SSLContext | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.auth = auth
        self.auth_in = auth_in
        self.ack_timeout = ack_timeout
        self.expiry_margin = expiry_margin
        self.reconnect_delays = tuple(reconnect_delays) or (1.0,)
        self.max_reconnect_attempts = max_reconnect_attempts
        self.check_interval = check_interval
        self.clock = clock
        self.ssl = ssl
        self.connections = 0  # connections acknowledged so far (1 + successful reconnects)
        self.keepalive_timeout = protocol.DEFAULT_KEEPALIVE_TIMEOUT
        self._ws: ClientConnection | None = None
        self._expires_at: float | None = None
        self._subs: dict[str, ActiveSubscription] = {}
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._closing = False
        self._failure: BaseException | None = None

    async def __aenter__(self) -> RealtimeClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """Open the connection; raises :class:`ConnectionRejectedError` if the server refuses it."""
        if self._task is not None:
            return
        self._ws = await self._open()
        self._ready.set()
        self._task = asyncio.create_task(self._supervise(), name="appsync-realtime")

    async def close(self) -> None:
        """End every subscription and close the socket."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._ws is not None:
            # Closing the socket ends its subscriptions on the server; "stop" messages would only
            # queue "complete" answers nobody reads any more, and stall the close handshake.
            await self._ws.close()
        for active in self._subs.values():
            active.queue.put_nowait(END)
        self._subs.clear()

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> Subscription:
        """Start a subscription and wait for ``start_ack``; raises :class:`SubscriptionError`."""
        if self._task is None:
            await self.connect()
        active = ActiveSubscription(id=str(uuid.uuid4()), query=query, variables=variables)
        await self.wait_ready(timeout=None)
        self._subs[active.id] = active
        try:
            with contextlib.suppress(ConnectionClosed):
                # If the socket drops meanwhile, the supervisor re-sends this start with the rest.
                await self._start(active)
            assert active.acked is not None
            async with asyncio.timeout(self.ack_timeout + self._reconnect_budget()):
                await active.acked
        except BaseException:
            self._subs.pop(active.id, None)
            raise
        active.handed_out = True
        return Subscription(self, active)

    def _reconnect_budget(self) -> float:
        return sum(self.reconnect_delays) + self.ack_timeout

    async def wait_ready(self, timeout: float | None = 30.0) -> None:
        """Wait until connected and every subscription is acknowledged (e.g. after a reconnect)."""
        async with asyncio.timeout(timeout):
            while True:
                if self._failure is not None:
                    raise self._failure
                await self._ready.wait()
                pending = [a.acked for a in self._subs.values() if a.acked and not a.acked.done()]
                if not pending:
                    return
                await asyncio.wait(pending)

    # -- connection -------------------------------------------------------------------------

    async def _open(self) -> ClientConnection:
        headers, expires_at = await asyncio.to_thread(self._connect_headers)
        url = self.endpoints.realtime_url
        subprotocols = [Subprotocol(protocol.SUBPROTOCOL)]
        if self.auth_in == "header":
            subprotocols.append(Subprotocol(protocol.header_subprotocol(headers)))
        else:
            url = protocol.query_auth_url(url, headers)
        ws, self.keepalive_timeout = await handshake.open_connection(
            url,
            subprotocols,
            shown_url=self.endpoints.realtime_url,
            ack_timeout=self.ack_timeout,
            tls=self._tls,
        )
        self._expires_at = expires_at
        self.connections += 1
        log.info(
            "realtime connection %d open (keep-alive %gs)", self.connections, self.keepalive_timeout
        )
        return ws

    def _tls(self) -> ssl_module.SSLContext:
        if self.ssl is None:
            self.ssl = tls.ssl_context()  # the system trust store, verifying the host name
        return self.ssl

    def _connect_headers(self) -> tuple[dict[str, Any], float | None]:
        headers = self.auth.get_headers()
        return headers, self.auth.expires_at()

    async def _start(self, active: ActiveSubscription) -> None:
        data = protocol.start_data(active.query, active.variables)
        authorization = await asyncio.to_thread(self.auth.get_headers, data)
        if active.acked is None or active.acked.done():
            # A caller may be waiting on a pending future: keep it across a re-subscribe.
            active.acked = asyncio.get_running_loop().create_future()
        assert self._ws is not None
        await self._ws.send(
            protocol.start(active.id, active.query, active.variables, authorization)
        )

    async def stop_subscription(self, active: ActiveSubscription) -> None:
        """Send ``stop`` for ``active`` and end its iterator (used by ``Subscription.unsubscribe``)."""
        if self._subs.pop(active.id, None) is not None and self._ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._ws.send(protocol.stop(active.id))
        active.queue.put_nowait(END)

    # -- supervision ------------------------------------------------------------------------

    async def _supervise(self) -> None:
        try:
            while not self._closing:
                reason = await self._serve()
                if self._is_closing():  # close() ran while we were reading
                    return
                self._ready.clear()
                if reason == "credentials expiring":
                    try:
                        await self._rotate()
                        self._ready.set()
                        continue
                    except Exception as exc:
                        log.warning("make-before-break rotation failed (%s)", exc)
                log.warning("realtime connection lost (%s); reconnecting", reason)
                if self._ws is not None:
                    await self._ws.close()
                self._ws = await self._reconnect(refresh=reason != "dropped")
                with contextlib.suppress(ConnectionClosed):  # dropped again: _serve notices
                    for active in list(self._subs.values()):
                        await self._start(active)
                self._ready.set()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # give up: every subscriber sees why
            log.error("realtime connection failed for good: %s", exc)
            self._failure = exc
            self._ready.set()
            for active in self._subs.values():
                active.fail(exc)

    async def _rotate(self) -> None:
        """Move every subscription to a new connection with fresh credentials, losing no event.

        Make before break: the new socket is opened and every subscription acknowledged on it
        before the old one gets ``stop``; the old socket's events are delivered until its
        ``complete``. Events published in between arrive on both sockets (at least once).
        """
        old = self._ws
        assert old is not None
        await asyncio.to_thread(self.auth.refresh)
        new = await self._open()
        try:
            held = await self._start_all_on(new)
            ids = set(self._subs)
            with contextlib.suppress(ConnectionClosed):
                for ident in ids:
                    await old.send(protocol.stop(ident))
            with contextlib.suppress(ConnectionClosed, TimeoutError):
                async with asyncio.timeout(self.ack_timeout):
                    while ids:
                        message = protocol.parse_message(await old.recv())
                        if message.type == "complete" and message.id in ids:
                            ids.discard(message.id)  # not dispatched: the subscription goes on
                        elif message.type == "data":
                            self._dispatch(message)
        except BaseException:  # failed or cancelled (close()): never leak the new socket
            await new.close()
            raise
        await old.close()
        self._ws = new
        for message in held:
            self._dispatch(message)
        log.info("credentials rotated onto connection %d", self.connections)

    async def _start_all_on(self, ws: ClientConnection) -> list[protocol.ServerMessage]:
        """Send every ``start`` on ``ws`` and wait for all answers; returns messages to dispatch."""
        waiting: set[str] = set()
        for active in list(self._subs.values()):
            data = protocol.start_data(active.query, active.variables)
            authorization = await asyncio.to_thread(self.auth.get_headers, data)
            await ws.send(protocol.start(active.id, active.query, active.variables, authorization))
            waiting.add(active.id)
        held: list[protocol.ServerMessage] = []
        async with asyncio.timeout(self.ack_timeout):
            while waiting:
                message = protocol.parse_message(await ws.recv())
                if message.type in ("start_ack", "error") and message.id in waiting:
                    waiting.discard(message.id)
                if message.type != "start_ack":
                    held.append(message)
        return held

    def _is_closing(self) -> bool:
        return self._closing

    async def _reconnect(self, *, refresh: bool) -> ClientConnection:
        last: BaseException | None = None
        for attempt in range(self.max_reconnect_attempts):
            delay = self.reconnect_delays[min(attempt, len(self.reconnect_delays) - 1)]
            await asyncio.sleep(delay)
            try:
                if refresh or attempt > 0:
                    await asyncio.to_thread(self.auth.refresh)
                return await self._open()
            except UserError as exc:
                if not isinstance(exc, ConnectionRejectedError):
                    raise  # e.g. the Cognito session cannot be renewed without a password
                last = exc
            except Exception as exc:  # network errors, timeouts, garbled handshakes: retry
                last = exc
                log.warning("reconnect attempt %d failed: %s", attempt + 1, exc)
        assert last is not None
        raise last

    async def _serve(self) -> str:
        """Read messages until the connection must be replaced; returns why."""
        ws = self._ws
        assert ws is not None
        last_seen = time.monotonic()
        while True:
            if (
                self._expires_at is not None
                and self.clock() >= self._expires_at - self.expiry_margin
            ):
                return "credentials expiring"
            if time.monotonic() - last_seen > self.keepalive_timeout:
                return "keep-alive timeout"
            try:
                async with asyncio.timeout(self.check_interval):
                    raw = await ws.recv()
            except TimeoutError:
                continue
            except ConnectionClosed:
                return "dropped"
            last_seen = time.monotonic()
            try:
                message = protocol.parse_message(raw)
            except FormatError as exc:
                log.warning("ignoring a malformed message: %s", exc)
                continue
            if not self._dispatch(message):
                return "unauthorized"

    def _dispatch(self, message: protocol.ServerMessage) -> bool:
        """Route one message; False when the connection must be renewed with fresh credentials."""
        active = self._subs.get(message.id) if message.id else None
        if message.type == "data" and active is not None:
            payload = message.payload
            if payload.get("errors") and payload.get("data") is None:
                active.queue.put_nowait(
                    SubscriptionError(protocol.describe_errors(payload), payload["errors"])
                )
            else:
                active.queue.put_nowait(payload.get("data") or {})
        elif message.type == "start_ack" and active is not None:
            if active.acked is not None and not active.acked.done():
                active.acked.set_result(None)
        elif message.type == "complete" and active is not None:
            self._subs.pop(active.id, None)
            active.queue.put_nowait(END)
        elif message.type == "error" and active is not None:
            error = SubscriptionError(
                f"subscription rejected: {protocol.describe_errors(message.payload)}",
                message.payload.get("errors"),
            )
            self._subs.pop(active.id, None)
            active.fail(error)
        elif message.type in ("error", "connection_error"):
            text = protocol.describe_errors(message.payload)
            log.warning("connection-level %s: %s", message.type, text)
            if "unauthorized" in text.lower() or "expired" in text.lower():
                return False
        return True
