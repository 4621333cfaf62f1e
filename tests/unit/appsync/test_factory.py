"""The AppSync composition root: typed options in, a session, an auth mode and a client out."""

from __future__ import annotations

from pathlib import Path

import pytest

from quirks import aws
from quirks.appsync import ApiKeyAuth, CognitoAuth, IamAuth
from quirks.appsync.factory import (
    ClientOptions,
    SessionOptions,
    build_client,
    build_session,
    operation_kind,
)
from quirks.errors import UserError

URL = "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql"


@pytest.fixture
def clients() -> aws.ClientFactory:
    return aws.ClientFactory(aws.AwsSettings(region="eu-west-1", credentials=("a", "b", None)))


def test_a_session_names_every_missing_option(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="needs --client-id, --username"):
        build_session(SessionOptions(user_pool_id="eu-west-1_x", cache_path=tmp_path / "t"))


def test_each_auth_mode_gets_its_own_auth(tmp_path: Path, clients: aws.ClientFactory) -> None:
    keyed = build_client(ClientOptions(URL, auth="api-key", api_key="da2-x"), clients=clients)
    assert isinstance(keyed.auth, ApiKeyAuth)
    iam = build_client(ClientOptions(URL, auth="iam"), clients=clients)
    assert isinstance(iam.auth, IamAuth)
    session = SessionOptions("eu-west-1_x", "client", "alice", cache_path=tmp_path / "tokens")
    cognito = build_client(ClientOptions(URL, token="access", session=session), clients=clients)
    assert isinstance(cognito.auth, CognitoAuth)
    assert cognito.auth.token == "access"
    with pytest.raises(UserError, match="needs an API key"):
        build_client(ClientOptions(URL, auth="api-key"), clients=clients)


def test_operation_kind_is_one_kind_or_a_user_error() -> None:
    assert operation_kind("subscription S { onX { id } }") == "subscription"
    assert operation_kind("{ x }") == "query"
    with pytest.raises(UserError, match="one kind"):
        operation_kind("query A { x } mutation B { y }")
    with pytest.raises(UserError, match="invalid GraphQL"):
        operation_kind("{")
