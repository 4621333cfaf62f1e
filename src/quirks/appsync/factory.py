"""Composition root for AppSync: a Cognito session, an auth mode and a client from typed options.

``quirks appsync`` fills :class:`SessionOptions` and :class:`ClientOptions` from its command line
and calls :func:`build_session` / :func:`build_client`; a script can do the same without the CLI.
Nothing here signs in or connects: the session fetches tokens when the client first needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, cast, get_args

from graphql import OperationDefinitionNode

from quirks.appsync.auth import ApiKeyAuth, AppSyncAuth, CognitoAuth, IamAuth
from quirks.appsync.client import AppSyncClient, parse_document
from quirks.appsync.endpoints import Endpoints, resolve_endpoints
from quirks.appsync.tls import ssl_context
from quirks.appsync.tokens import CognitoLogin, CognitoSession, TokenCache
from quirks.errors import UserError

if TYPE_CHECKING:
    from pathlib import Path

    from quirks import aws
    from quirks.appsync.realtime import AuthIn
    from quirks.appsync.tokens import SignInFlow, TokenKind

__all__ = [
    "AuthMode",
    "ClientOptions",
    "OperationKind",
    "SessionOptions",
    "build_auth",
    "build_client",
    "build_session",
    "operation_kind",
]

AuthMode = Literal["cognito", "api-key", "iam"]
"""How requests are authorized."""
OperationKind = Literal["query", "mutation", "subscription"]
"""The kind of the operations in a GraphQL document."""


@dataclass(frozen=True)
class SessionOptions:
    """Who signs in to which Cognito user pool, and where the tokens are cached."""

    user_pool_id: str | None = None
    client_id: str | None = None
    username: str | None = None
    password: str | None = None
    client_secret: str | None = None
    flow: SignInFlow = "password"
    cache_path: Path | None = None


@dataclass(frozen=True)
class ClientOptions:
    """How to reach one AppSync API: its URL, the auth mode and what that mode needs."""

    url: str
    realtime_url: str | None = None
    auth: AuthMode = "cognito"
    token: TokenKind = "id"
    auth_in: AuthIn = "header"
    api_key: str | None = None
    ca_bundle: Path | None = None
    session: SessionOptions = field(default_factory=SessionOptions)


def build_session(
    options: SessionOptions, *, clients: aws.ClientFactory | None = None
) -> CognitoSession:
    """A :class:`CognitoSession` (not signed in yet); :class:`UserError` names what is missing."""
    pool, client_id, username = options.user_pool_id, options.client_id, options.username
    missing = [
        name
        for name, value in (
            ("--user-pool-id", pool),
            ("--client-id", client_id),
            ("--username", username),
        )
        if not value
    ]
    if pool is None or client_id is None or username is None or missing:
        raise UserError(
            f"Cognito auth needs {', '.join(missing)}",
            "pass them or set QUIRKS_COGNITO_USER_POOL_ID / _CLIENT_ID / _USERNAME",
        )
    login = CognitoLogin(pool, client_id, username, options.client_secret)
    return CognitoSession(
        login,
        password=options.password,
        flow=options.flow,
        cache=TokenCache(options.cache_path),
        clients=clients,
    )


def build_auth(
    options: ClientOptions, endpoints: Endpoints, *, clients: aws.ClientFactory | None = None
) -> AppSyncAuth:
    """The auth mode ``options`` ask for; a Cognito session is only built for Cognito auth."""
    if options.auth == "api-key":
        if not options.api_key:
            raise UserError(
                "--auth api-key needs an API key", "pass --api-key or set QUIRKS_APPSYNC_API_KEY"
            )
        return ApiKeyAuth(endpoints.host, options.api_key)
    if options.auth == "iam":
        return IamAuth(endpoints.host, endpoints.region, clients=clients)
    session = build_session(options.session, clients=clients)
    return CognitoAuth(endpoints.host, session, options.token)


def build_client(
    options: ClientOptions, *, clients: aws.ClientFactory | None = None
) -> AppSyncClient:
    """An :class:`AppSyncClient` for ``options``.

    The CA bundle is checked before any credentials are fetched, so a wrong ``--ca-bundle`` never
    costs a sign-in.
    """
    endpoints = resolve_endpoints(options.url, options.realtime_url)
    context = ssl_context(options.ca_bundle)
    auth = build_auth(options, endpoints, clients=clients)
    return AppSyncClient(endpoints, auth, auth_in=options.auth_in, ssl=context)


def operation_kind(document: str) -> OperationKind:
    """The one kind of operation ``document`` holds; :class:`UserError` when it mixes kinds."""
    request = parse_document(document)
    kinds = {
        d.operation.value
        for d in request.document.definitions
        if isinstance(d, OperationDefinitionNode)
    }
    if len(kinds) != 1:
        raise UserError("the document must contain operations of one kind", "send one operation")
    kind = kinds.pop()
    if kind not in get_args(OperationKind):
        raise UserError(
            f"unknown operation kind {kind!r}", "send a query, mutation or subscription"
        )
    return cast("OperationKind", kind)
