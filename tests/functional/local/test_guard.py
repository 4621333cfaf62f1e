"""The local cloud refuses what a web page can make a browser send, before any code runs.

Each request here is byte for byte what a browser sends: a "simple" cross-origin POST
(``Content-Type: text/plain``, an ``Origin``, no ``Authorization``), the CORS preflight a page
triggers when it asks for more, and a DNS-rebinding request (the page's own ``Host`` name, now
resolving to 127.0.0.1). The SDK's signed requests keep working, functions inside the emulator call
back with their environment's credentials, and no response ever allows a foreign origin.
"""

from __future__ import annotations

import base64
import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from quirks import aws
from quirks.limits import DEFAULT_ACCOUNT as ACCOUNT
from quirks.local.cloud import LocalCloud
from quirks.local.guard import refusal
from tests.support.zips import zipped

MARKER_CODE = """
import os, pathlib
def handler(event, context):
    pathlib.Path(os.environ["MARKER"]).write_text("ran")
    return "ran"
def calls_back(event, context):
    import boto3
    return boto3.client("sqs").list_queues().get("QueueUrls", [])
"""
BROWSER_HEADERS = {
    "Origin": "https://evil.example",
    "Content-Type": "text/plain;charset=UTF-8",
    "Accept": "*/*",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Sec-Fetch-Mode": "no-cors",
    "Sec-Fetch-Site": "cross-site",
}


def raw(
    cloud: LocalCloud,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request exactly as given (``Host`` included when set), and its response."""
    parts = urlsplit(cloud.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    given = dict(headers or {})
    conn.putrequest(method, path, skip_host="Host" in given, skip_accept_encoding=True)
    for name, value in given.items():
        conn.putheader(name, value)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def signed_headers(
    cloud: LocalCloud, method: str, path: str, body: bytes, service: str, **extra: str
) -> dict[str, str]:
    request = AWSRequest(method=method, url=f"{cloud.url}{path}", data=body, headers=extra)
    SigV4Auth(Credentials("any", "thing"), service, cloud.region).add_auth(request)
    return dict(request.headers.items())


def make_function(cloud: LocalCloud, name: str, handler: str, marker: str) -> None:
    aws.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ACCOUNT}:role/test",
        Handler=f"app.{handler}",
        Code={"ZipFile": zipped(MARKER_CODE)},
        Environment={"Variables": {"MARKER": marker}},
    )


def test_a_cross_origin_simple_post_creates_nothing(cloud: LocalCloud, tmp_path: Any) -> None:
    marker = tmp_path / "ran"
    body = json.dumps(
        {
            "FunctionName": "drive-by",
            "Runtime": "python3.11",
            "Role": f"arn:aws:iam::{ACCOUNT}:role/x",
            "Handler": "app.handler",
            "Code": {"ZipFile": base64.b64encode(zipped(MARKER_CODE)).decode()},
            "Environment": {"Variables": {"MARKER": str(marker)}},
        }
    ).encode()
    status, headers, data = raw(cloud, "POST", "/2015-03-31/functions", body, BROWSER_HEADERS)
    assert status == 403
    assert "web page" in json.loads(data)["message"]
    # Without the Origin (a page in a sandboxed frame sends none), the missing signature refuses.
    no_origin = {k: v for k, v in BROWSER_HEADERS.items() if k != "Origin"}
    status, _, data = raw(cloud, "POST", "/2015-03-31/functions", body, no_origin)
    assert status == 403
    assert "SigV4" in json.loads(data)["message"]
    assert "access-control-allow-origin" not in headers
    assert aws.client("lambda").list_functions()["Functions"] == []


def test_a_cross_origin_simple_post_invokes_nothing(cloud: LocalCloud, tmp_path: Any) -> None:
    marker = tmp_path / "ran"
    make_function(cloud, "victim", "handler", str(marker))
    path = "/2015-03-31/functions/victim/invocations"
    status, _, _ = raw(cloud, "POST", path, b"{}", BROWSER_HEADERS)
    assert status == 403
    # moto's query-protocol services get the same treatment (SQS CreateQueue as a form post).
    form = dict(BROWSER_HEADERS, **{"Content-Type": "application/x-www-form-urlencoded"})
    status, _, _ = raw(cloud, "POST", "/", b"Action=CreateQueue&QueueName=planted", form)
    assert status == 403
    assert "QueueUrls" not in aws.client("sqs").list_queues()
    assert not marker.exists()
    # The user's own SDK still gets through, and the code does run for it.
    assert aws.client("lambda").invoke(FunctionName="victim")["StatusCode"] == 200
    assert marker.read_text() == "ran"


def test_preflights_are_refused_without_cors_allowance(cloud: LocalCloud) -> None:
    for path in ("/2015-03-31/functions/victim/invocations", "/", "/moto-api/reset"):
        status, headers, _ = raw(
            cloud,
            "OPTIONS",
            path,
            headers={
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,x-amz-target",
            },
        )
        assert status == 403, path
        assert not [h for h in headers if h.startswith("access-control-")], path


def test_a_rebinding_host_is_refused_even_when_signed(cloud: LocalCloud) -> None:
    port = urlsplit(cloud.url).port
    body = b"Action=ListQueues&Version=2012-11-05"
    headers = signed_headers(
        cloud,
        "POST",
        "/",
        body,
        "sqs",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    status, _, data = raw(
        cloud, "POST", "/", body, dict(headers, Host=f"rebind.evil.example:{port}")
    )
    assert status == 403
    assert "loopback" in json.loads(data)["message"]
    # The same signed request to a loopback Host is served.
    status, _, _ = raw(cloud, "POST", "/", body, dict(headers, Host=f"localhost:{port}"))
    assert status == 200


def test_moto_never_echoes_an_origin(cloud: LocalCloud) -> None:
    body = b"Action=ListQueues&Version=2012-11-05"
    headers = signed_headers(
        cloud, "POST", "/", body, "sqs", **{"Content-Type": "application/x-www-form-urlencoded"}
    )
    status, got, _ = raw(cloud, "POST", "/", body, dict(headers, Origin=cloud.url))
    assert status == 200
    assert not [h for h in got if h.startswith("access-control-")]
    status, _, _ = raw(cloud, "POST", "/", body, dict(headers, Origin="https://evil.example"))
    assert status == 403


def test_functions_call_back_with_their_environment_credentials(cloud: LocalCloud) -> None:
    aws.client("sqs").create_queue(QueueName="seen-from-inside")
    make_function(cloud, "inside", "calls_back", "/nonexistent")
    reply = aws.client("lambda").invoke(FunctionName="inside")
    urls = json.loads(reply["Payload"].read())
    assert "FunctionError" not in reply
    assert [u.rsplit("/", 1)[-1] for u in urls] == ["seen-from-inside"]


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:4566", True),
        ("localhost:4566", True),
        ("s3.localhost:4566", True),
        ("[::1]:4566", True),
        ("127.0.0.2", True),
        ("evil.example:4566", False),
        ("127.0.0.1.evil.example", False),
        ("localhost.evil.example", False),
        ("", False),
        ("[::1", False),
    ],
)
def test_host_names(host: str, allowed: bool) -> None:
    environ = {
        "HTTP_HOST": host,
        "REQUEST_METHOD": "POST",
        "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=ab12",
    }
    assert (refusal(environ, "127.0.0.1") is None) is allowed
