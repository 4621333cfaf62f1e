"""Loopback servers the AppSync tests run inside their own event loop.

* :class:`DropProxy` forwards TCP to the simulator and can cut every open connection, as a network
  failure would.
* :class:`ProtocolServer` is a strict AppSync real-time server: it accepts only the ``graphql-ws``
  subprotocol with the auth headers in a ``header-<base64url>`` subprotocol (never in the URL),
  checks every message against the protocol, records what it saw, and can expire tokens the way
  AppSync does (an ``UnauthorizedException`` error, then close). With an ``ssl`` context it serves
  ``wss://``, as every AppSync real-time endpoint does.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.typing import Subprotocol

if TYPE_CHECKING:
    import ssl as ssl_module
    from collections.abc import Callable


class DropProxy:
    """A TCP proxy on 127.0.0.1 in front of ``target_port``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> DropProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.drop_all()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def drop_all(self) -> None:
        """Cut every proxied connection (both directions) without a websocket close frame."""
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while chunk := await src.read(65536):
                    dst.write(chunk)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def decode_header_subprotocol(value: str) -> dict[str, Any]:
    encoded = value.removeprefix("header-")
    decoded = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert isinstance(decoded, dict)
    return decoded


@dataclass
class SeenConnection:
    path: str
    headers: dict[str, Any]
    starts: list[dict[str, Any]] = field(default_factory=list)
    socket: ServerConnection | None = None
    close_code: int | None = None


class ProtocolServer:
    """A strict AppSync real-time endpoint at ``ws://127.0.0.1:<port>/graphql/realtime``.

    ``accept``: whether an ``Authorization`` value is valid (connection and ``start``).
    ``ack_payload``: what ``connection_ack`` carries (``connectionTimeoutMs`` by default).
    """

    def __init__(
        self,
        accept: Callable[[Any], bool],
        host: str | None = None,
        ack_payload: dict[str, Any] | None = None,
        send_ka: bool = True,
        ssl: ssl_module.SSLContext | None = None,
    ) -> None:
        self.accept = accept
        self.ssl = ssl
        self.host = host
        self.ack_payload = (
            ack_payload if ack_payload is not None else {"connectionTimeoutMs": 300000}
        )
        self.send_ka = send_ka
        self.reject_starts = False
        self.log: list[tuple[str, int, str | None]] = []  # (what, connection index, id)
        self.connections: list[SeenConnection] = []
        self.violations: list[str] = []
        # Subscription ids are per connection: (socket, id) -> query.
        self.subscriptions: dict[tuple[ServerConnection, str], str] = {}
        self.port = 0
        self._server: Server | None = None

    async def __aenter__(self) -> ProtocolServer:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            select_subprotocol=self._select,
            ping_interval=None,
            **({"ssl": self.ssl} if self.ssl else {}),
        )
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        self.host = self.host or f"127.0.0.1:{self.port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"{'https' if self.ssl else 'http'}://127.0.0.1:{self.port}/graphql"

    def _select(self, connection: ServerConnection, offered: Any) -> Subprotocol | None:
        offered = list(offered)
        if "graphql-ws" not in offered:
            self.violations.append(f"graphql-ws not offered: {offered}")
            return None
        return Subprotocol("graphql-ws")

    def _violation(self, text: str) -> None:
        self.violations.append(text)

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        path = ws.request.path
        offered = [
            p.strip()
            for value in ws.request.headers.get_all("Sec-WebSocket-Protocol")
            for p in value.split(",")
        ]
        header_protocols = [p for p in offered if p.startswith("header-")]
        if "?" in path:
            self._violation(f"auth or other data in the URL: {path}")
        if not path.startswith("/graphql/realtime"):
            self._violation(f"wrong path {path}")
        if len(header_protocols) != 1:
            self._violation(f"expected one header- subprotocol, got {offered}")
            await ws.close(1002, "no auth")
            return
        headers = decode_header_subprotocol(header_protocols[0])
        seen = SeenConnection(path=path, headers=headers, socket=ws)
        self.connections.append(seen)
        if headers.get("host") != self.host:
            self._violation(f"host {headers.get('host')!r} != {self.host!r}")
        if not self.accept(headers.get("Authorization")):
            await ws.send(
                json.dumps(
                    {
                        "type": "connection_error",
                        "payload": {
                            "errors": [
                                {
                                    "errorType": "UnauthorizedException",
                                    "message": "Permission denied",
                                }
                            ]
                        },
                    }
                )
            )
            await ws.close(1000)
            return
        init = json.loads(await ws.recv())
        if init != {"type": "connection_init"}:
            self._violation(f"first message {init}")
        await ws.send(json.dumps({"type": "connection_ack", "payload": self.ack_payload}))
        with contextlib.suppress(Exception):
            async for raw in ws:
                message = json.loads(raw)
                await self._on_message(ws, seen, message)
        seen.close_code = ws.close_code
        self.log.append(("closed", self.connections.index(seen), None))
        for key in list(self.subscriptions):
            if key[0] is ws:
                del self.subscriptions[key]

    async def _on_message(
        self, ws: ServerConnection, seen: SeenConnection, message: dict[str, Any]
    ) -> None:
        kind = message.get("type")
        self.log.append((str(kind), self.connections.index(seen), message.get("id")))
        if kind == "start":
            seen.starts.append(message)
            ident = message.get("id")
            payload = message.get("payload", {})
            data = json.loads(payload.get("data", "null"))
            auth = payload.get("extensions", {}).get("authorization", {})
            if not isinstance(ident, str) or not isinstance(data, dict) or "query" not in data:
                self._violation(f"malformed start {message}")
                return
            if (
                self.reject_starts
                or not self.accept(auth.get("Authorization"))
                or auth.get("host") != self.host
            ):
                await ws.send(
                    json.dumps(
                        {
                            "type": "error",
                            "id": ident,
                            "payload": {
                                "errors": [
                                    {
                                        "errorType": "UnauthorizedException",
                                        "message": "Not authorized",
                                    }
                                ]
                            },
                        }
                    )
                )
                return
            self.subscriptions[(ws, ident)] = data["query"]
            await ws.send(json.dumps({"type": "start_ack", "id": ident}))
        elif kind == "stop":
            ident = message.get("id")
            self.subscriptions.pop((ws, ident), None)  # type: ignore[arg-type]
            await ws.send(json.dumps({"type": "complete", "id": ident}))
        else:
            self._violation(f"unexpected message {message}")

    async def publish(self, data: dict[str, Any]) -> int:
        """Send ``data`` to every live subscription; returns how many got it."""
        sent = 0
        for ws, ident in list(self.subscriptions):
            with contextlib.suppress(Exception):
                await ws.send(json.dumps({"type": "data", "id": ident, "payload": {"data": data}}))
                sent += 1
        return sent

    async def complete_all(self) -> None:
        """End every subscription from the server side (``complete``)."""
        for ws, ident in list(self.subscriptions):
            del self.subscriptions[(ws, ident)]
            with contextlib.suppress(Exception):
                await ws.send(json.dumps({"type": "complete", "id": ident}))

    async def expire(self) -> None:
        """Behave like AppSync when the connection's token expires: an error, then close."""
        error = {
            "type": "error",
            "payload": {
                "errors": [{"errorType": "UnauthorizedException", "message": "Token has expired."}]
            },
        }
        for seen in self.connections:
            if seen.socket is not None and seen.socket.state.name == "OPEN":
                with contextlib.suppress(Exception):
                    await seen.socket.send(json.dumps(error))
                    await seen.socket.close(4401, "token expired")
