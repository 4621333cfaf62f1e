"""A dependable AppSync client: Cognito User Pools (ID or access token), API key or IAM auth,
queries and mutations over HTTPS, and subscriptions over the real-time protocol that survive
dropped sockets and token expiry. See docs/appsync.md.

Needs the ``appsync`` extra: ``pip install 'serverless-quirks[appsync]'``.
"""

from quirks.appsync.auth import ApiKeyAuth, AppSyncAuth, CognitoAuth, IamAuth
from quirks.appsync.client import AppSyncClient, GraphQLErrors, HttpError, parse_document
from quirks.appsync.endpoints import Endpoints, resolve_endpoints
from quirks.appsync.realtime import (
    AuthIn,
    ConnectionRejectedError,
    RealtimeClient,
    Subscription,
    SubscriptionError,
)
from quirks.appsync.tls import ssl_context
from quirks.appsync.tokens import (
    CognitoLogin,
    CognitoSession,
    SignInFlow,
    TokenCache,
    TokenKind,
    Tokens,
    default_cache_path,
)

__all__ = [
    "ApiKeyAuth",
    "AppSyncAuth",
    "AppSyncClient",
    "AuthIn",
    "CognitoAuth",
    "CognitoLogin",
    "CognitoSession",
    "ConnectionRejectedError",
    "Endpoints",
    "GraphQLErrors",
    "HttpError",
    "IamAuth",
    "RealtimeClient",
    "SignInFlow",
    "Subscription",
    "SubscriptionError",
    "TokenCache",
    "TokenKind",
    "Tokens",
    "default_cache_path",
    "parse_document",
    "resolve_endpoints",
    "ssl_context",
]
