"""Fixtures for the AppSync tests: moto Cognito users, the Amplify AppSync simulator (the real peer,
started with Node.js on 127.0.0.1), a TCP proxy that can drop sockets, and the tests' own
protocol-checking real-time server (for the ``header-`` subprotocol the simulator ignores)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from quirks import aws
from quirks.appsync import CognitoLogin, TokenCache

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

PEER = Path(__file__).resolve().parent / "peer"
API_KEY = "da2-quirkstestkey"
PASSWORD = "Correct-Horse-9-battery"

SCHEMA = """
type Message @aws_cognito_user_pools @aws_api_key @aws_iam {
  room: String!
  body: String!
}
type Query {
  echo(text: String!): String @aws_cognito_user_pools @aws_api_key @aws_iam
  broken: String @aws_cognito_user_pools
}
type Mutation {
  post(room: String!, body: String!): Message @aws_cognito_user_pools @aws_api_key @aws_iam
}
type Subscription {
  onPost(room: String): Message
    @aws_subscribe(mutations: ["post"])
    @aws_cognito_user_pools
    @aws_iam
}
"""
ARGS = '{"version": "2018-05-29", "payload": $util.toJson($ctx.args)}'
RESOLVERS = [
    {
        "typeName": "Mutation",
        "fieldName": "post",
        "request": ARGS,
        "response": "$util.toJson($ctx.result)",
    },
    {
        "typeName": "Query",
        "fieldName": "echo",
        "request": ARGS,
        "response": "$util.toJson($ctx.result.text)",
    },
    {
        "typeName": "Query",
        "fieldName": "broken",
        "request": ARGS,
        "response": '$util.error("the resolver failed on purpose", "Custom")',
    },
]


@pytest.fixture(autouse=True)
def _quiet_moto_requests() -> None:
    """moto's request log would land in the stderr that CLI tests read."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``condition()`` holds (polling), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition still false after {timeout} s")
        await asyncio.sleep(0.01)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Simulator:
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"


@contextlib.contextmanager
def running_simulator() -> Iterator[Simulator]:
    """Start the simulator with SCHEMA (Cognito User Pools by default, plus API key and IAM).

    Skips where Node.js is absent; fails where it is present but the peer is not installed.
    """
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the AppSync simulator needs it)")
    if not (PEER / "node_modules" / "@aws-amplify" / "amplify-appsync-simulator").is_dir():
        pytest.fail(f"the AppSync simulator is not installed: run `make test` (npm ci in {PEER})")
    port = free_port()
    process = subprocess.Popen(
        [node, str(PEER / "simulator.js"), str(port)],
        cwd=PEER,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    config = {"schema": SCHEMA, "apiKey": API_KEY, "resolvers": RESOLVERS}
    process.stdin.write(json.dumps(config) + "\n")
    process.stdin.flush()
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        pytest.fail(f"the AppSync simulator did not start: {line!r}")
    try:
        yield Simulator(port)
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def simulator() -> Iterator[Simulator]:
    """The Amplify AppSync simulator on 127.0.0.1, shared by the session."""
    with running_simulator() as running:
        yield running


@dataclass(frozen=True)
class CognitoUser:
    login: CognitoLogin
    password: str


def create_user(username: str = "alice", *, srp: bool = True) -> CognitoUser:
    idp = aws.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="quirks-appsync")["UserPool"]["Id"]
    flows: list[str] = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    if srp:
        flows.append("ALLOW_USER_SRP_AUTH")
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="cli",
        ExplicitAuthFlows=flows,  # type: ignore[arg-type]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(
        UserPoolId=pool,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True
    )
    return CognitoUser(CognitoLogin(pool, client, username), PASSWORD)


@pytest.fixture
def cognito_user(aws_env: aws.ClientFactory) -> CognitoUser:
    """A confirmed user in a fresh moto user pool, with an app client allowing every flow."""
    return create_user()


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """XDG_CACHE_HOME pointed at the test's tmp_path (never the user's real cache)."""
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


class ExpiringClock:
    """Real time, except that while the cached ID token is ``expired`` it reads past its expiry.

    moto issues one-hour tokens in real time; this lets a test see the token expire now and the
    refreshed one be valid, without waiting an hour.
    """

    def __init__(self) -> None:
        self.expired: tuple[TokenCache, Any, str, float] | None = None

    def __call__(self) -> float:
        now = time.time()
        if self.expired is not None:
            cache, login, token, expires_at = self.expired
            current = cache.get(login)
            if current is not None and current.id_token == token:
                return expires_at + 1
        return now
