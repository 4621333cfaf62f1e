"""Where an AppSync API lives: its GraphQL URL, its real-time URL and the host its auth headers name.

Pure: no I/O. AppSync's own domains map ``https://<id>.appsync-api.<region>.amazonaws.com/graphql`` to
``wss://<id>.appsync-realtime-api.<region>.amazonaws.com/graphql``; every other host is treated as a
custom domain (or an emulator), whose real-time endpoint is ``/graphql/realtime`` on the same host
(https://docs.aws.amazon.com/appsync/latest/devguide/real-time-websocket-client.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from quirks.errors import UserError

__all__ = ["Endpoints", "resolve_endpoints"]

_APPSYNC_HOST = re.compile(
    r"^(?P<id>[a-z0-9]+)\.appsync-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$"
)


@dataclass(frozen=True)
class Endpoints:
    """The URLs of one AppSync API.

    ``host`` is the value of the ``host`` field in every authorization header object: the GraphQL
    (not the real-time) host, or the custom domain.
    """

    graphql_url: str
    realtime_url: str
    host: str
    region: str | None


def resolve_endpoints(url: str, realtime_url: str | None = None) -> Endpoints:
    """The :class:`Endpoints` of the API whose GraphQL endpoint is ``url``.

    ``realtime_url`` overrides the derived real-time URL. Raises :class:`UserError` for URLs that
    are not ``http(s)://host/...``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise UserError(
            f"not an AppSync GraphQL URL: {url!r}",
            "pass --url https://<id>.appsync-api.<region>.amazonaws.com/graphql or your custom domain",
        )
    path = parts.path or "/graphql"
    graphql_url = urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    match = _APPSYNC_HOST.match(parts.hostname or "")
    if realtime_url is None:
        if match:
            realtime_host = f"{match['id']}.appsync-realtime-api.{match['region']}.amazonaws.com"
            realtime_url = urlunsplit((ws_scheme, realtime_host, "/graphql", "", ""))
        else:
            realtime_path = path.rstrip("/") + "/realtime"
            realtime_url = urlunsplit((ws_scheme, parts.netloc, realtime_path, "", ""))
    elif urlsplit(realtime_url).scheme not in ("ws", "wss"):
        raise UserError(f"not a websocket URL: {realtime_url!r}", "pass a wss:// URL")
    return Endpoints(
        graphql_url=graphql_url,
        realtime_url=realtime_url,
        host=parts.netloc,
        region=match["region"] if match else None,
    )
