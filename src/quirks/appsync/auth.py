"""AppSync authorization: Cognito User Pools (ID or access token), API key, IAM (SigV4).

Each mode is a :class:`gql.transport.appsync_auth.AppSyncAuthentication`, so the same object
authorizes gql's HTTPS transport and our real-time connection. Two additions serve the real-time
client: :meth:`AppSyncAuth.expires_at` (when the socket must move to a fresh token) and
:meth:`AppSyncAuth.refresh` (called after the server rejected the current credentials).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gql.transport.appsync_auth import (
    AppSyncApiKeyAuthentication,
    AppSyncAuthentication,
    AppSyncIAMAuthentication,
)

from quirks import aws

if TYPE_CHECKING:
    from quirks.appsync.tokens import CognitoSession, TokenKind

__all__ = ["ApiKeyAuth", "AppSyncAuth", "CognitoAuth", "IamAuth"]


class AppSyncAuth(AppSyncAuthentication):
    """An AppSync auth mode that can tell when its credentials expire and renew them."""

    def expires_at(self) -> float | None:
        """Epoch seconds when the current credentials stop working (``None``: never)."""
        return None

    def refresh(self) -> None:
        """Renew the credentials now (after the server said they are no longer valid)."""


class CognitoAuth(AppSyncAuth):
    """Cognito User Pools: ``Authorization: <JWT>``; the ID token by default, or the access token.

    Amplify JS always puts the *access* token on the real-time socket (https://docs.aws.amazon.com/appsync/latest/devguide/real-time-websocket-client.html); resolvers
    that read ID-token claims (``email``, ``custom:*``, groups in some setups) then fail. Here the
    same token kind is used for HTTPS and the socket.
    """

    def __init__(self, host: str, session: CognitoSession, token: TokenKind = "id") -> None:
        self.host = host
        self.session = session
        self.token = token

    def get_headers(
        self, data: str | None = None, headers: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return {"host": self.host, "Authorization": self.session.tokens().token(self.token)}

    def expires_at(self) -> float | None:
        return self.session.tokens().expires_at

    def refresh(self) -> None:
        self.session.tokens(force_refresh=True)


class ApiKeyAuth(AppSyncApiKeyAuthentication, AppSyncAuth):
    """``x-api-key`` auth (keys expire on a date you set; there is nothing to refresh)."""

    def __init__(self, host: str, api_key: str) -> None:
        super().__init__(host=host, api_key=api_key)
        self._host = host  # gql rewrites realtime hosts; ours is already the API host


class IamAuth(AppSyncIAMAuthentication, AppSyncAuth):
    """SigV4 with the credentials of the quirks client factory (profile, env, role)."""

    def __init__(
        self, host: str, region: str | None = None, *, clients: aws.ClientFactory | None = None
    ) -> None:
        factory = clients or aws.current()
        session = factory.session()
        super().__init__(
            host=host,
            region_name=region or factory.region(),
            credentials=session.get_credentials(),
        )
        self._host = host
        self._boto_session = session

    def refresh(self) -> None:
        # Temporary credentials (roles, SSO) renew themselves inside botocore; re-read them.
        from botocore.auth import SigV4Auth

        credentials = self._boto_session.get_credentials()
        if credentials is not None:
            self._credentials = credentials
            self._signer = SigV4Auth(credentials, self._service_name, self._region_name)
