"""The real-time protocol as data: auth encodings, message parsing, keep-alive, error text."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.appsync import protocol
from quirks.errors import FormatError

header_values = st.dictionaries(
    st.text(min_size=1, max_size=12), st.text(max_size=40), min_size=1, max_size=4
)
TOKEN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@given(header_values)
def test_header_subprotocol_is_base64url_without_padding_and_round_trips(
    headers: dict[str, str],
) -> None:
    value = protocol.header_subprotocol(headers)
    assert value.startswith("header-")
    encoded = value.removeprefix("header-")
    assert set(encoded) <= TOKEN_CHARS  # a valid HTTP token: no '+', '/' or '='
    decoded = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    assert json.loads(decoded) == headers


@given(header_values)
def test_query_auth_url_round_trips_and_keeps_the_path(headers: dict[str, str]) -> None:
    url = protocol.query_auth_url("wss://h.example.com/graphql/realtime?old=1", headers)
    parts = urlsplit(url)
    assert parts.path == "/graphql/realtime"
    query = parse_qs(parts.query)
    assert set(query) == {"header", "payload"}
    assert json.loads(base64.b64decode(query["header"][0])) == headers
    assert query["payload"] == ["e30="]


def test_start_message_carries_data_as_a_json_string_and_the_authorization() -> None:
    message = json.loads(
        protocol.start("id-1", "subscription { s }", {"a": 1}, {"host": "h", "Authorization": "t"})
    )
    assert message["type"] == "start"
    assert message["id"] == "id-1"
    assert json.loads(message["payload"]["data"]) == {
        "query": "subscription { s }",
        "variables": {"a": 1},
    }
    assert message["payload"]["extensions"] == {
        "authorization": {"host": "h", "Authorization": "t"}
    }
    assert json.loads(protocol.stop("id-1")) == {"type": "stop", "id": "id-1"}
    assert json.loads(protocol.connection_init()) == {"type": "connection_init"}


@pytest.mark.parametrize(
    ("payload", "seconds"),
    [
        ({"connectionTimeoutMs": 300000}, 300.0),  # AppSync
        ({"connectionTimeout": 300000}, 300.0),  # the Amplify simulator
        ({"connectionTimeoutMs": 1500}, 1.5),
        ({}, protocol.DEFAULT_KEEPALIVE_TIMEOUT),
        ({"connectionTimeoutMs": "soon"}, protocol.DEFAULT_KEEPALIVE_TIMEOUT),
        ({"connectionTimeoutMs": True}, protocol.DEFAULT_KEEPALIVE_TIMEOUT),
        ({"connectionTimeoutMs": 0}, protocol.DEFAULT_KEEPALIVE_TIMEOUT),
    ],
)
def test_keepalive_timeout_from_the_ack(payload: dict[str, object], seconds: float) -> None:
    ack = protocol.ServerMessage(type="connection_ack", payload=payload)  # type: ignore[arg-type]
    assert protocol.keepalive_timeout(ack) == seconds


def test_parse_message_accepts_every_server_type() -> None:
    assert protocol.parse_message('{"type":"ka"}') == protocol.ServerMessage("ka")
    data = protocol.parse_message('{"type":"data","id":"1","payload":{"data":{"x":1}}}')
    assert data == protocol.ServerMessage("data", "1", {"data": {"x": 1}})
    # The simulator sends "payload": null and "id": "" on connection-level messages.
    assert protocol.parse_message('{"type":"error","id":"","payload":null}').id is None


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("nope", ""),
        ("[]", ""),
        ('{"id":"1"}', "type"),
        ('{"type":"surprise"}', "type"),
        ('{"type":"data","id":7}', "id"),
        ('{"type":"data","id":"1","payload":[1]}', "payload"),
    ],
)
def test_parse_message_names_what_is_wrong(raw: str, field: str) -> None:
    with pytest.raises(FormatError) as caught:
        protocol.parse_message(raw)
    assert caught.value.field == field


@given(st.binary(max_size=64))
def test_parse_message_never_raises_anything_but_format_error(raw: bytes) -> None:
    try:
        message = protocol.parse_message(raw)
    except FormatError:
        return
    assert message.type in protocol.KNOWN_TYPES
    assert isinstance(message.payload, dict)


def test_describe_errors_names_type_and_path() -> None:
    payload = {
        "errors": [
            {
                "errorType": "Unauthorized",
                "message": "Not Authorized to access onPost",
                "path": ["onPost"],
            },
            {"message": "second", "errorCode": 400},
        ]
    }
    assert (
        protocol.describe_errors(payload)
        == "Unauthorized: Not Authorized to access onPost at onPost; 400: second"
    )
    assert protocol.describe_errors({"message": "plain"}) == "plain"
    assert protocol.describe_errors({}) == "unknown error"
