"""End to end against the Amplify AppSync simulator, with tokens from moto's Cognito.

The simulator reads auth only from the ``header`` query parameter, so these tests use
``auth_in="query"``; the ``header-`` subprotocol is tested in test_protocol_server.py.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from quirks.appsync import (
    ApiKeyAuth,
    AppSyncClient,
    CognitoAuth,
    CognitoSession,
    ConnectionRejectedError,
    GraphQLErrors,
    SubscriptionError,
    TokenCache,
    resolve_endpoints,
)
from quirks.appsync.auth import AppSyncAuth
from quirks.appsync.tokens import jwt_claims
from tests.functional.appsync.conftest import API_KEY, ExpiringClock, eventually
from tests.functional.appsync.servers import DropProxy

if TYPE_CHECKING:
    from pathlib import Path

    from tests.functional.appsync.conftest import CognitoUser, Simulator

ON_POST = "subscription OnPost($room: String) { onPost(room: $room) { room body } }"
POST = (
    "mutation Post($room: String!, $body: String!) { post(room: $room, body: $body) { room body } }"
)


def cognito_client(
    url: str, user: CognitoUser, tmp_path: Path, token: str = "id", **options: Any
) -> tuple[AppSyncClient, CognitoSession]:
    endpoints = resolve_endpoints(url)
    clock = options.pop("clock", None)
    extra = {"clock": clock} if clock else {}
    session = CognitoSession(
        user.login, password=user.password, cache=TokenCache(tmp_path / "tokens.json"), **extra
    )
    auth = CognitoAuth(endpoints.host, session, token=token)  # type: ignore[arg-type]
    return AppSyncClient(endpoints, auth, auth_in="query", **options, **extra), session


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 60))


def test_query_and_graphql_errors_with_paths_over_https(
    simulator: Simulator, cognito_user: CognitoUser, tmp_path: Path
) -> None:
    client, session = cognito_client(simulator.url, cognito_user, tmp_path)

    async def scenario() -> None:
        assert await client.execute("query($t: String!) { echo(text: $t) }", {"t": "hi"}) == {
            "echo": "hi"
        }
        with pytest.raises(GraphQLErrors) as caught:
            await client.execute("query { broken }")
        assert caught.value.errors[0]["path"] == ["broken"]
        assert "the resolver failed on purpose at broken" in str(caught.value)
        assert caught.value.data == {"broken": None}

    run(scenario())
    assert jwt_claims(session.tokens().id_token)["token_use"] == "id"


def test_subscribe_then_mutate_over_https_delivers_the_event(
    simulator: Simulator, cognito_user: CognitoUser, tmp_path: Path
) -> None:
    client, _ = cognito_client(simulator.url, cognito_user, tmp_path)

    async def scenario() -> dict[str, Any]:
        async with client:
            sub = await client.subscribe(ON_POST, {"room": "lobby"})
            await client.execute(POST, {"room": "lobby", "body": "hello"})
            return await sub.next(timeout=10)

    assert run(scenario()) == {"onPost": {"room": "lobby", "body": "hello"}}


def test_access_token_works_too(
    simulator: Simulator, cognito_user: CognitoUser, tmp_path: Path
) -> None:
    client, _ = cognito_client(simulator.url, cognito_user, tmp_path, token="access")

    async def scenario() -> dict[str, Any]:
        async with client:
            sub = await client.subscribe(ON_POST)
            await client.execute(POST, {"room": "r", "body": "b"})
            return await sub.next(timeout=10)

    assert run(scenario()) == {"onPost": {"room": "r", "body": "b"}}


def test_subscription_with_the_wrong_auth_mode_is_rejected_clearly(simulator: Simulator) -> None:
    endpoints = resolve_endpoints(simulator.url)
    client = AppSyncClient(endpoints, ApiKeyAuth(endpoints.host, API_KEY), auth_in="query")

    async def scenario() -> None:
        async with client:
            # The API key is valid (queries work) but onPost requires Cognito User Pools.
            assert await client.execute('query { echo(text: "k") }') == {"echo": "k"}
            with pytest.raises(SubscriptionError, match=r"subscription rejected: .*Not Authorized"):
                await client.subscribe(ON_POST)

    run(scenario())


class GarbageToken(AppSyncAuth):
    def __init__(self, host: str) -> None:
        self.host = host

    def get_headers(self, data: str | None = None, headers: Any = None) -> dict[str, Any]:
        return {"host": self.host, "Authorization": "not-a-jwt"}


def test_connection_with_an_invalid_token_is_rejected_clearly(simulator: Simulator) -> None:
    endpoints = resolve_endpoints(simulator.url)
    client = AppSyncClient(endpoints, GarbageToken(endpoints.host), auth_in="query")

    async def scenario() -> None:
        with pytest.raises(
            ConnectionRejectedError,
            match=r"closed the connection before acknowledging it \(code 1002",
        ):
            await client.subscribe(ON_POST)

    run(scenario())


def test_two_subscriptions_share_one_socket(
    simulator: Simulator, cognito_user: CognitoUser, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with DropProxy(simulator.port) as proxy:
            client, _ = cognito_client(proxy.url, cognito_user, tmp_path)
            async with client:
                first = await client.subscribe(ON_POST)
                second = await client.subscribe("subscription { onPost { body } }")
                await client.execute(POST, {"room": "a", "body": "one"})
                assert await first.next(timeout=10) == {"onPost": {"room": "a", "body": "one"}}
                assert await second.next(timeout=10) == {"onPost": {"body": "one"}}
                realtime = await client.realtime()
                assert realtime.connections == 1
                # One websocket through the proxy; the two HTTPS mutations add one each.
                assert proxy.accepted == 2

    run(scenario())


def test_dropped_socket_is_survived_without_losing_later_events(
    simulator: Simulator, cognito_user: CognitoUser, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with DropProxy(simulator.port) as proxy:
            client, _ = cognito_client(proxy.url, cognito_user, tmp_path, reconnect_delays=(0.05,))
            async with client:
                first = await client.subscribe(ON_POST)
                second = await client.subscribe(ON_POST, {"room": "a"})
                await client.execute(POST, {"room": "a", "body": "before"})
                assert (await first.next(timeout=10))["onPost"]["body"] == "before"
                assert (await second.next(timeout=10))["onPost"]["body"] == "before"

                proxy.drop_all()
                realtime = await client.realtime()
                await eventually(lambda: realtime.connections == 2)
                await realtime.wait_ready(timeout=10)
                for n in range(3):
                    await client.execute(POST, {"room": "a", "body": f"after-{n}"})
                got_first = [(await first.next(timeout=10))["onPost"]["body"] for _ in range(3)]
                got_second = [(await second.next(timeout=10))["onPost"]["body"] for _ in range(3)]
                assert got_first == got_second == ["after-0", "after-1", "after-2"]

    run(scenario())


def test_forced_token_expiry_reconnects_with_a_fresh_token(
    simulator: Simulator, cognito_user: CognitoUser, tmp_path: Path
) -> None:
    clock = ExpiringClock()
    client, session = cognito_client(
        simulator.url, cognito_user, tmp_path, clock=clock, check_interval=0.05
    )
    cache = session.cache
    assert cache is not None

    async def scenario() -> None:
        async with client:
            sub = await client.subscribe(ON_POST)
            realtime = await client.realtime()
            old = session.tokens()
            clock.expired = (cache, cognito_user.login, old.id_token, old.expires_at)
            await eventually(lambda: realtime.connections == 2)
            await realtime.wait_ready(timeout=10)
            new = session.tokens()
            assert new.id_token != old.id_token
            assert new.expires_at > clock()
            await client.execute(POST, {"room": "x", "body": "after expiry"})
            assert await sub.next(timeout=10) == {"onPost": {"room": "x", "body": "after expiry"}}

    run(scenario())


def test_iam_auth_signs_queries_mutations_and_subscriptions(simulator: Simulator) -> None:
    from quirks.appsync import IamAuth

    endpoints = resolve_endpoints(simulator.url)
    auth = IamAuth(endpoints.host, region="us-east-1")
    assert auth.get_headers("{}")["Authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=testing/"
    )
    client = AppSyncClient(endpoints, auth, auth_in="query")

    async def scenario() -> dict[str, Any]:
        async with client:
            sub = await client.subscribe(ON_POST)
            await client.execute(POST, {"room": "iam", "body": "signed"})
            return await sub.next(timeout=10)

    assert run(scenario()) == {"onPost": {"room": "iam", "body": "signed"}}


def test_api_key_auth_runs_mutations(simulator: Simulator) -> None:
    endpoints = resolve_endpoints(simulator.url)
    client = AppSyncClient(endpoints, ApiKeyAuth(endpoints.host, API_KEY))
    assert client.execute_sync(POST, {"room": "k", "body": "v"}) == {
        "post": {"room": "k", "body": "v"}
    }
    wrong = AppSyncClient(endpoints, ApiKeyAuth(endpoints.host, "da2-wrong"))
    with pytest.raises(GraphQLErrors, match=r"^UnauthorizedException: Invalid API key$"):
        wrong.execute_sync(POST, {"room": "k", "body": "v"})


def test_token_rotation_loses_no_event_published_meanwhile(
    simulator: Simulator, cognito_user: CognitoUser, tmp_path: Path
) -> None:
    clock = ExpiringClock()
    client, session = cognito_client(
        simulator.url, cognito_user, tmp_path, clock=clock, check_interval=0.02
    )
    cache = session.cache
    assert cache is not None
    endpoints = resolve_endpoints(simulator.url)
    publisher = AppSyncClient(endpoints, ApiKeyAuth(endpoints.host, API_KEY))

    async def scenario() -> tuple[list[str], list[str]]:
        published: list[str] = []
        async with client, publisher:
            sub = await client.subscribe(ON_POST, {"room": "seq"})
            realtime = await client.realtime()
            old = session.tokens()
            clock.expired = (cache, cognito_user.login, old.id_token, old.expires_at)
            n = 0
            # Publish without pause until the rotation is over, and a little beyond.
            while realtime.connections < 2 or n < 20:
                await publisher.execute(POST, {"room": "seq", "body": str(n)})
                published.append(str(n))
                n += 1
                assert n < 2000, "the rotation never happened"
            received: list[str] = []
            while not set(published) <= set(received):
                received.append((await sub.next(timeout=10))["onPost"]["body"])
            return published, received

    published, received = run(scenario())
    assert set(received) == set(published)
    # At least once, in publication order once duplicates from the overlap are dropped.
    assert list(dict.fromkeys(received)) == published
