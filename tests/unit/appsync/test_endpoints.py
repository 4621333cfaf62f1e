"""Endpoint derivation for AppSync domains, custom domains and local emulators."""

from __future__ import annotations

import pytest

from quirks.appsync import resolve_endpoints
from quirks.errors import UserError


def test_appsync_domain_maps_to_the_realtime_domain() -> None:
    endpoints = resolve_endpoints("https://abc123.appsync-api.eu-west-1.amazonaws.com/graphql")
    assert (
        endpoints.realtime_url
        == "wss://abc123.appsync-realtime-api.eu-west-1.amazonaws.com/graphql"
    )
    assert endpoints.host == "abc123.appsync-api.eu-west-1.amazonaws.com"
    assert endpoints.region == "eu-west-1"


def test_custom_domain_uses_graphql_realtime_on_the_same_host() -> None:
    endpoints = resolve_endpoints("https://api.example.com/graphql")
    assert endpoints.realtime_url == "wss://api.example.com/graphql/realtime"
    assert endpoints.host == "api.example.com"
    assert endpoints.region is None


def test_plain_http_emulator_gets_ws_and_keeps_the_port() -> None:
    endpoints = resolve_endpoints("http://127.0.0.1:20002/graphql")
    assert endpoints.realtime_url == "ws://127.0.0.1:20002/graphql/realtime"
    assert endpoints.host == "127.0.0.1:20002"


def test_missing_path_defaults_to_graphql_and_realtime_can_be_overridden() -> None:
    endpoints = resolve_endpoints(
        "https://api.example.com", "wss://rt.example.com/graphql/realtime"
    )
    assert endpoints.graphql_url == "https://api.example.com/graphql"
    assert endpoints.realtime_url == "wss://rt.example.com/graphql/realtime"


@pytest.mark.parametrize(
    ("url", "realtime"),
    [("ftp://x/graphql", None), ("not a url", None), ("https://x/graphql", "https://x/rt")],
)
def test_bad_urls_are_user_errors(url: str, realtime: str | None) -> None:
    with pytest.raises(UserError):
        resolve_endpoints(url, realtime)
