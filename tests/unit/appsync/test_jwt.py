"""Reading (not verifying) JWT claims, and token expiry arithmetic."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.appsync import Tokens
from quirks.appsync.tokens import jwt_claims
from quirks.errors import FormatError

claims = st.dictionaries(
    st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=12), st.booleans()), max_size=5
)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(payload: object) -> str:
    return f"{b64url(b'{}')}.{b64url(json.dumps(payload).encode())}.sig"


@given(claims)
def test_claims_round_trip_without_padding(payload: dict[str, object]) -> None:
    assert jwt_claims(jwt(payload)) == payload


@pytest.mark.parametrize(
    "token", ["", "a.b", "a.b.c.d", "x.!!!.y", jwt([1, 2]), "a." + b64url(b"no") + ".c"]
)
def test_malformed_tokens_are_format_errors(token: str) -> None:
    with pytest.raises(FormatError):
        jwt_claims(token)


def test_tokens_expire_at_the_earlier_of_id_and_access() -> None:
    tokens = Tokens.from_result(
        {"IdToken": jwt({"exp": 2000}), "AccessToken": jwt({"exp": 1900}), "RefreshToken": "r"}
    )
    assert tokens.expires_at == 1900
    assert tokens.expires_within(300, now=1600)
    assert not tokens.expires_within(300, now=1599)
    refreshed = Tokens.from_result(
        {"IdToken": jwt({"exp": 5000}), "AccessToken": jwt({"exp": 5000})}, refresh_token="r"
    )
    assert refreshed.refresh_token == "r"
    assert refreshed.token("access") == refreshed.access_token
