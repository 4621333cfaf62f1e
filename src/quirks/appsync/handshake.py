"""Opening one AppSync real-time connection: the websocket handshake, then ``connection_init`` →
``connection_ack`` (which gives the keep-alive timeout), each failure as one user error with its fix.

Split from :mod:`quirks.appsync.realtime`, which re-exports :class:`ConnectionRejectedError`. The
protocol is AppSync's (https://docs.aws.amazon.com/appsync/latest/devguide/real-time-websocket-client.html).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from quirks.appsync import protocol
from quirks.appsync import tls as tls_errors
from quirks.errors import UserError

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Sequence

    from websockets.typing import Subprotocol

__all__ = ["ConnectionRejectedError", "open_connection"]


class ConnectionRejectedError(UserError):
    """The server refused the websocket connection (bad credentials, URL or protocol)."""


async def open_connection(
    url: str,
    subprotocols: Sequence[Subprotocol],
    *,
    shown_url: str,
    ack_timeout: float,
    tls: Callable[[], ssl.SSLContext],
) -> tuple[ClientConnection, float]:
    """Connect to ``url`` and wait for ``connection_ack``; returns the socket and keep-alive (s).

    ``shown_url`` is the URL errors name (``url`` may carry credentials in its query); ``tls``
    gives the context for ``wss://``, only when one is needed.
    """
    # websockets refuses ssl=None for wss:// and an SSL context for ws://.
    tls_options: dict[str, Any] = {"ssl": tls()} if url.startswith("wss:") else {}
    try:
        ws = await connect(
            url,
            subprotocols=subprotocols,
            open_timeout=ack_timeout,
            ping_interval=None,  # AppSync keeps the connection alive with "ka" messages
            close_timeout=2.0,
            max_size=2**24,
            **tls_options,
        )
    except InvalidHandshake as exc:
        raise ConnectionRejectedError(
            f"AppSync refused the websocket handshake at {shown_url}: {exc}",
            "check --url and the credentials",
        ) from None
    except OSError as exc:  # refused, unresolvable, timed out, or a certificate not trusted
        error = tls_errors.connection_error(shown_url, exc)
        raise ConnectionRejectedError(error.message, error.fix) from None
    if ws.subprotocol != protocol.SUBPROTOCOL:
        await ws.close()
        raise ConnectionRejectedError(
            f"server did not accept the {protocol.SUBPROTOCOL} subprotocol", "check --url"
        )
    try:
        # A server may refuse before reading connection_init: its reason is still queued.
        with contextlib.suppress(ConnectionClosed):
            await ws.send(protocol.connection_init())
        async with asyncio.timeout(ack_timeout):
            while True:  # until connection_ack, or an error
                message = protocol.parse_message(await ws.recv())
                if message.type == "connection_ack":
                    return ws, protocol.keepalive_timeout(message)
                if message.type in ("connection_error", "error"):
                    raise ConnectionRejectedError(
                        f"AppSync rejected the connection: {protocol.describe_errors(message.payload)}",
                        "check the credentials and the auth mode (--auth, --token)",
                    )
    except ConnectionClosed as exc:
        raise ConnectionRejectedError(
            f"AppSync closed the connection before acknowledging it "
            f"(code {exc.rcvd.code if exc.rcvd else 'none'}"
            f"{': ' + exc.rcvd.reason if exc.rcvd and exc.rcvd.reason else ''})",
            "check the credentials and the auth mode (--auth, --token)",
        ) from None
    except TimeoutError:
        await ws.close()
        raise ConnectionRejectedError(
            f"no connection_ack within {ack_timeout:g} s", "check --url"
        ) from None
    except BaseException:
        await ws.close()
        raise
