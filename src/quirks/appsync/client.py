"""The AppSync client: queries and mutations over HTTPS (gql), subscriptions over the real-time socket.

Example::

    from quirks.appsync import AppSyncClient, CognitoAuth, CognitoLogin, CognitoSession, TokenCache
    from quirks.appsync import resolve_endpoints

    endpoints = resolve_endpoints("https://api.example.com/graphql")      # custom domain is fine
    session = CognitoSession(CognitoLogin(pool_id, client_id, "alice"), password=pw, cache=TokenCache())
    async with AppSyncClient(endpoints, CognitoAuth(endpoints.host, session)) as client:
        sub = await client.subscribe("subscription { onPost { body } }")
        await client.execute("mutation { post(body: \\"hi\\") { body } }")
        print(await sub.next(timeout=10))
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportQueryError,
    TransportServerError,
)
from graphql import GraphQLError

from quirks.appsync import protocol, tls
from quirks.appsync.realtime import AuthIn, RealtimeClient, Subscription
from quirks.errors import QuirksError, UserError

if TYPE_CHECKING:
    import ssl

    from quirks.appsync.auth import AppSyncAuth
    from quirks.appsync.endpoints import Endpoints

__all__ = ["AppSyncClient", "GraphQLErrors", "HttpError", "parse_document"]


class GraphQLErrors(QuirksError):
    """The response carried GraphQL ``errors``; ``data`` holds whatever did resolve."""

    def __init__(self, errors: list[Any], data: Any = None) -> None:
        self.errors = errors
        self.data = data
        super().__init__(protocol.describe_errors({"errors": errors}))

    @property
    def unauthorized(self) -> bool:
        """Whether AppSync refused the credentials (a 401 carries such an error)."""
        return any(
            isinstance(e, dict) and e.get("errorType") == "UnauthorizedException"
            for e in self.errors
        )


class HttpError(QuirksError):
    """AppSync answered with an HTTP error status (401 bad credentials, 403, 5xx), or could not be
    reached (``status`` None; ``fix`` says what to check: the network, or the TLS trust store)."""

    def __init__(self, status: int | None, message: str, fix: str | None = None) -> None:
        self.status = status
        self.fix = fix
        super().__init__(f"HTTP {status}: {message}" if status else message)


def parse_document(query: str) -> GraphQLRequest:
    """Parse a GraphQL document locally so that syntax errors never reach the network."""
    try:
        return GraphQLRequest(query)
    except GraphQLError as exc:
        raise UserError(f"invalid GraphQL: {exc.message}", "fix the query text") from None


class AppSyncClient:
    """Queries, mutations and subscriptions against one AppSync API with one auth mode.

    ``auth_in`` and ``realtime_options`` are passed to :class:`RealtimeClient`, created on the first
    :meth:`subscribe`. ``ssl`` verifies both the HTTPS and the ``wss://`` endpoint (default: the
    system trust store; :func:`quirks.appsync.tls.ssl_context` adds a CA bundle).
    """

    def __init__(
        self,
        endpoints: Endpoints,
        auth: AppSyncAuth,
        *,
        auth_in: AuthIn = "header",
        timeout: float = 30.0,
        ssl: ssl.SSLContext | None = None,
        **realtime_options: Any,
    ) -> None:
        self.endpoints = endpoints
        self.ssl = ssl if ssl is not None else tls.ssl_context()
        self.auth = auth
        self.auth_in = auth_in
        self.timeout = timeout
        self.realtime_options = realtime_options
        self._realtime: RealtimeClient | None = None
        self._entered = False
        self._gql_client: Client | None = None
        self._gql_session: Any = None

    async def __aenter__(self) -> AppSyncClient:
        # Inside ``async with``, HTTPS requests share one connection pool (see docs/benchmarks.md).
        self._entered = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        """Run a query or mutation over HTTPS and return its ``data``.

        Raises :class:`GraphQLErrors` (with paths) when the response has errors, and
        :class:`HttpError` for HTTP failures. A request refused as unauthorized (HTTP 401,
        ``UnauthorizedException``) is retried once with refreshed credentials.
        """
        request = parse_document(query)
        request = GraphQLRequest(
            request.document, variable_values=variables, operation_name=operation_name
        )
        try:
            return await self._execute_once(request)
        except HttpError as exc:
            if exc.status != 401:
                raise
        except GraphQLErrors as exc:
            if exc.data is not None or not exc.unauthorized:
                raise
        await asyncio.to_thread(self.auth.refresh)
        return await self._execute_once(request)

    async def _execute_once(self, request: GraphQLRequest) -> dict[str, Any]:
        # Fetch (and if needed refresh) credentials off the event loop; gql then reads them cached.
        await asyncio.to_thread(self.auth.get_headers)
        try:
            if self._entered:
                result = await (await self._shared_session()).execute(request)
            else:
                async with self._new_gql_client() as session:
                    result = await session.execute(request)
        except TransportQueryError as exc:
            raise GraphQLErrors(exc.errors or [{"message": str(exc)}], exc.data) from None
        except TransportServerError as exc:
            raise HttpError(exc.code, str(exc)) from None
        except (TransportConnectionFailed, OSError) as exc:  # gql wraps aiohttp's connect errors
            error = tls.connection_error(self.endpoints.graphql_url, exc)
            raise HttpError(None, error.message, fix=error.fix) from None
        return dict(result)

    def _new_gql_client(self) -> Client:
        transport = AIOHTTPTransport(
            url=self.endpoints.graphql_url,
            auth=self.auth,
            timeout=int(self.timeout),
            # Ignored for http:// URLs; for https:// the same verification as the socket's.
            ssl=self.ssl,
        )
        return Client(transport=transport, fetch_schema_from_transport=False)

    async def _shared_session(self) -> Any:
        if self._gql_session is None:
            self._gql_client = self._new_gql_client()
            self._gql_session = await self._gql_client.connect_async()  # type: ignore[no-untyped-call]
        return self._gql_session

    def execute_sync(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        """:meth:`execute` for synchronous code (runs its own event loop)."""
        return asyncio.run(self.execute(query, variables, operation_name))

    async def realtime(self) -> RealtimeClient:
        """The shared real-time connection (opened on first use)."""
        if self._realtime is None:
            self._realtime = RealtimeClient(
                self.endpoints,
                self.auth,
                auth_in=self.auth_in,
                ssl=self.ssl,
                **self.realtime_options,
            )
            await self._realtime.connect()
        return self._realtime

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> Subscription:
        """Start a subscription on the shared socket; iterate the result for events."""
        parse_document(query)
        realtime = await self.realtime()
        return await realtime.subscribe(query, variables)

    async def close(self) -> None:
        """Close the real-time connection and the HTTPS connection pool."""
        if self._realtime is not None:
            await self._realtime.close()
            self._realtime = None
        if self._gql_client is not None:
            await self._gql_client.close_async()  # type: ignore[no-untyped-call]
            self._gql_client = None
            self._gql_session = None
        self._entered = False
