"""Cognito sign-in, refresh and the token cache against moto's Cognito (server mode)."""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

import pytest

from quirks import aws
from quirks.appsync import CognitoLogin, CognitoSession, TokenCache, default_cache_path
from quirks.appsync.tokens import jwt_claims
from quirks.errors import UserError
from tests.functional.appsync.conftest import create_user

if TYPE_CHECKING:
    from pathlib import Path

    from tests.functional.appsync.conftest import CognitoUser


def test_password_sign_in_caches_tokens_in_a_0600_file_under_xdg_cache_home(
    cognito_user: CognitoUser, cache_home: Path
) -> None:
    cache = TokenCache()
    assert cache.path == cache_home / "serverless-quirks" / "appsync-tokens.json"
    tokens = CognitoSession(cognito_user.login, cache=cache).sign_in(cognito_user.password)
    assert jwt_claims(tokens.id_token)["token_use"] == "id"
    assert jwt_claims(tokens.access_token)["token_use"] == "access"
    assert tokens.refresh_token
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.path.parent.stat().st_mode) == 0o700
    assert cache.get(cognito_user.login) == tokens


def test_cache_rewrite_tightens_a_loose_file(cognito_user: CognitoUser, cache_home: Path) -> None:
    cache = TokenCache()
    cache.path.parent.mkdir(parents=True)
    cache.path.write_text("{}")
    cache.path.chmod(0o644)
    CognitoSession(cognito_user.login, cache=cache).sign_in(cognito_user.password)
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600


def test_cached_tokens_are_reused_and_refreshed_before_expiry_without_a_password(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    cache = TokenCache(tmp_path / "t.json")
    first = CognitoSession(cognito_user.login, cache=cache).sign_in(cognito_user.password)

    # A new process (no password) reuses the cached tokens while they are fresh...
    assert CognitoSession(cognito_user.login, cache=cache).tokens() == first
    # ...and refreshes them with the refresh token once they are within the margin of expiry.
    late = CognitoSession(
        cognito_user.login, cache=cache, clock=lambda: first.expires_at - 60
    ).tokens()
    assert late.id_token != first.id_token
    assert late.refresh_token == first.refresh_token
    assert cache.get(cognito_user.login) == late


def test_revoked_refresh_token_means_sign_in_again(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    cache = TokenCache(tmp_path / "t.json")
    first = CognitoSession(cognito_user.login, cache=cache).sign_in(cognito_user.password)
    # moto has no RevokeToken; a global sign-out revokes the user's refresh tokens as well.
    aws.client("cognito-idp").admin_user_global_sign_out(
        UserPoolId=cognito_user.login.user_pool_id, Username=cognito_user.login.username
    )
    expired = CognitoSession(cognito_user.login, cache=cache, clock=lambda: first.expires_at + 1)
    with pytest.raises(UserError, match="no valid Cognito session for alice") as caught:
        expired.tokens()
    assert "quirks appsync login" in caught.value.one_line()
    with_password = CognitoSession(
        cognito_user.login,
        cache=cache,
        password=cognito_user.password,
        clock=lambda: first.expires_at + 1,
    )
    assert with_password.tokens().refresh_token != first.refresh_token


def test_srp_sign_in(cognito_user: CognitoUser, tmp_path: Path) -> None:
    session = CognitoSession(cognito_user.login, flow="srp", cache=TokenCache(tmp_path / "t.json"))
    tokens = session.sign_in(cognito_user.password)
    assert jwt_claims(tokens.access_token)["username"] == cognito_user.login.username


def test_wrong_password_is_a_user_error(cognito_user: CognitoUser) -> None:
    with pytest.raises(UserError, match="refused the sign-in of alice: NotAuthorizedException"):
        CognitoSession(cognito_user.login).sign_in("wrong-Password-1")


def test_new_password_challenge_is_a_user_error(aws_env: aws.ClientFactory) -> None:
    idp = aws.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c")["UserPoolClient"][
        "ClientId"
    ]
    idp.admin_create_user(
        UserPoolId=pool,
        Username="bob",
        TemporaryPassword="Temp-Password-1",
        MessageAction="SUPPRESS",
    )
    with pytest.raises(UserError, match="NEW_PASSWORD_REQUIRED"):
        CognitoSession(CognitoLogin(pool, client, "bob")).sign_in("Temp-Password-1")


def test_default_cache_path_without_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / ".cache" / "serverless-quirks" / "appsync-tokens.json"


@pytest.mark.parametrize("flow", ["password", "srp"])
def test_app_client_with_a_secret_signs_in_and_refreshes(
    aws_env: aws.ClientFactory, tmp_path: Path, flow: str
) -> None:
    from dataclasses import replace

    user = create_user()
    idp = aws.client("cognito-idp")
    secret_client = idp.create_user_pool_client(
        UserPoolId=user.login.user_pool_id,
        ClientName="with-secret",
        GenerateSecret=True,
        ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    )["UserPoolClient"]
    login = replace(
        user.login, client_id=secret_client["ClientId"], client_secret=secret_client["ClientSecret"]
    )
    cache = TokenCache(tmp_path / "t.json")
    first = CognitoSession(login, cache=cache, flow=flow).sign_in(user.password)  # type: ignore[arg-type]
    later = CognitoSession(login, cache=cache, clock=lambda: first.expires_at).tokens()
    assert later.access_token != first.access_token

    # moto checks SECRET_HASH for SRP and refresh, not for USER_PASSWORD_AUTH.
    wrong = replace(login, client_secret="not-the-secret")
    with pytest.raises(UserError, match="NotAuthorizedException"):
        CognitoSession(wrong, flow="srp").sign_in(user.password)
