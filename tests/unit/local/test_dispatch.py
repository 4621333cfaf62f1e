"""The local cloud's own JSON handlers read bodies bounded, and answer a bad one with a 400."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from werkzeug.test import Client

from quirks import jsonsafe
from quirks.local.account_policies import AccountPolicies
from quirks.local.dispatch import Dispatcher, json_object, read_body
from quirks.local.subscriptions import SubscriptionRouter


class Unreadable(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("a body this large must not be read")


@pytest.mark.parametrize("length", [str(jsonsafe.MAX_BYTES + 1), "-1", "many"])
def test_a_body_of_a_length_we_do_not_read_is_refused_unread(length: str) -> None:
    assert read_body({"CONTENT_LENGTH": length, "wsgi.input": Unreadable()}) is None


def test_a_body_is_read_by_its_length() -> None:
    environ = {"CONTENT_LENGTH": "2", "wsgi.input": io.BytesIO(b"{}trailing")}
    assert read_body(environ) == b"{}"
    assert read_body({"wsgi.input": Unreadable()}) == b""


@pytest.mark.parametrize("body", [b"{", b"[1]", b"[" * 5000, b"\xff"])
def test_only_a_json_object_is_a_request(body: bytes) -> None:
    assert json_object(body) is None


def _dispatcher(moto_calls: list[str]) -> Dispatcher:
    def moto(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        moto_calls.append(environ.get("HTTP_X_AMZ_TARGET", ""))
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1")])
        return [b"{}"]

    subscriptions = SubscriptionRouter(
        "123456789012",
        invoke_async=lambda _name, _payload: "",
        function_exists=lambda _arn: True,
        compile_pattern=lambda _pattern: lambda _message: True,
    )
    fake: Any = object()  # the Lambda API and stream reads are not reached by these requests
    return Dispatcher(moto, fake, subscriptions, AccountPolicies("123456789012"), fake)


@pytest.mark.parametrize(
    "target", ["Logs_20140328.PutSubscriptionFilter", "Logs_20140328.PutAccountPolicy"]
)
@pytest.mark.parametrize("body", [b"not json", b"[" * 5000, b"[]"])
def test_a_malformed_logs_request_is_a_400_and_never_reaches_moto(target: str, body: bytes) -> None:
    calls: list[str] = []
    response = Client(_dispatcher(calls)).post(
        "/",
        data=body,
        headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
    )
    assert response.status_code == 400
    assert json.loads(response.data)["__type"] == "SerializationException"
    assert calls == []


def test_other_requests_go_to_moto() -> None:
    calls: list[str] = []
    response = Client(_dispatcher(calls)).post(
        "/", data=b"{}", headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"}
    )
    assert response.status_code == 200
    assert calls == ["DynamoDB_20120810.ListTables"]
