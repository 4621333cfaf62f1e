"""The real-time protocol against the tests' own strict server: the ``header-`` subprotocol (which
the simulator ignores), server-side token expiry, keep-alive timeouts and connection errors."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from quirks.appsync import (
    AppSyncClient,
    CognitoAuth,
    CognitoSession,
    ConnectionRejectedError,
    RealtimeClient,
    SubscriptionError,
    TokenCache,
    resolve_endpoints,
)
from tests.functional.appsync.conftest import ExpiringClock, eventually
from tests.functional.appsync.servers import ProtocolServer

if TYPE_CHECKING:
    from pathlib import Path

    from tests.functional.appsync.conftest import CognitoUser

SUB = "subscription { onPost { body } }"


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 60))


def session_for(user: CognitoUser, tmp_path: Path) -> CognitoSession:
    return CognitoSession(
        user.login, password=user.password, cache=TokenCache(tmp_path / "tokens.json")
    )


def test_auth_travels_in_the_header_subprotocol_never_in_the_url(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    session = session_for(cognito_user, tmp_path)
    token = session.tokens().id_token

    async def scenario() -> None:
        async with ProtocolServer(accept=lambda t: t == token) as server:
            endpoints = resolve_endpoints(server.url)
            client = AppSyncClient(endpoints, CognitoAuth(endpoints.host, session))
            async with client:
                first = await client.subscribe(SUB)
                second = await client.subscribe("subscription { onPost { room } }")
                assert await server.publish({"onPost": {"body": "x"}}) == 2
                assert await first.next(timeout=5) == {"onPost": {"body": "x"}}
                assert await second.next(timeout=5) == {"onPost": {"body": "x"}}
                await first.unsubscribe()
                await eventually(lambda: len(server.subscriptions) == 1)
            assert server.violations == []
            assert len(server.connections) == 1
            seen = server.connections[0]
            assert seen.path == "/graphql/realtime"
            assert seen.headers == {"host": endpoints.host, "Authorization": token}
            assert [
                s["payload"]["extensions"]["authorization"]["Authorization"] for s in seen.starts
            ] == [token, token]

    run(scenario())


def test_server_side_token_expiry_reconnects_and_resubscribes_with_a_fresh_token(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    session = session_for(cognito_user, tmp_path)
    revoked: set[str] = set()

    async def scenario() -> None:
        async with ProtocolServer(accept=lambda t: bool(t) and t not in revoked) as server:
            endpoints = resolve_endpoints(server.url)
            client = RealtimeClient(endpoints, CognitoAuth(endpoints.host, session))
            async with client:
                first = await client.subscribe(SUB)
                second = await client.subscribe(SUB)
                old = server.connections[0].headers["Authorization"]
                revoked.add(old)
                await server.expire()
                await eventually(lambda: client.connections == 2)
                await client.wait_ready(timeout=10)
                assert await server.publish({"onPost": {"body": "later"}}) == 2
                assert await first.next(timeout=5) == {"onPost": {"body": "later"}}
                assert await second.next(timeout=5) == {"onPost": {"body": "later"}}
            new = server.connections[1].headers["Authorization"]
            assert new != old
            assert new == session.tokens().id_token
            assert server.violations == []

    run(scenario())


def test_keepalive_timeout_comes_from_the_ack_and_a_silent_server_is_left(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    session = session_for(cognito_user, tmp_path)

    async def scenario() -> None:
        async with ProtocolServer(
            accept=lambda t: bool(t), ack_payload={"connectionTimeoutMs": 300}
        ) as server:
            endpoints = resolve_endpoints(server.url)
            client = RealtimeClient(
                endpoints, CognitoAuth(endpoints.host, session), check_interval=0.05
            )
            async with client:
                sub = await client.subscribe(SUB)
                assert client.keepalive_timeout == 0.3
                # The server never sends "ka": after 0.3 s the client must replace the socket.
                await eventually(lambda: client.connections >= 2)
                await client.wait_ready(timeout=10)
                await server.publish({"onPost": {"body": "still here"}})
                assert await sub.next(timeout=5) == {"onPost": {"body": "still here"}}

    run(scenario())


def test_connection_error_is_a_clear_one_line_error(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    session = session_for(cognito_user, tmp_path)

    async def scenario() -> None:
        async with ProtocolServer(accept=lambda t: False) as server:
            endpoints = resolve_endpoints(server.url)
            client = RealtimeClient(endpoints, CognitoAuth(endpoints.host, session))
            with pytest.raises(ConnectionRejectedError) as caught:
                await client.connect()
            assert "UnauthorizedException: Permission denied" in caught.value.one_line()
            assert "fix:" in caught.value.one_line()

    run(scenario())


def test_closing_a_busy_connection_is_a_clean_close_handshake(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    session = session_for(cognito_user, tmp_path)

    async def scenario() -> None:
        async with ProtocolServer(accept=lambda t: bool(t)) as server:
            endpoints = resolve_endpoints(server.url)
            client = RealtimeClient(endpoints, CognitoAuth(endpoints.host, session))
            subs = [await client.subscribe(SUB) for _ in range(40)]
            await client.close()
            for sub in subs:  # every iterator ends instead of hanging
                assert [event async for event in sub] == []
            await eventually(lambda: server.connections[0].close_code is not None)
            # 1000, not 1006: the handshake completed instead of being aborted after a timeout.
            assert server.connections[0].close_code == 1000

    run(scenario())


def test_server_complete_ends_the_iteration(cognito_user: CognitoUser, tmp_path: Path) -> None:
    session = session_for(cognito_user, tmp_path)

    async def scenario() -> None:
        async with ProtocolServer(accept=lambda t: bool(t)) as server:
            endpoints = resolve_endpoints(server.url)
            async with RealtimeClient(endpoints, CognitoAuth(endpoints.host, session)) as client:
                sub = await client.subscribe(SUB)
                await server.publish({"onPost": {"body": "last"}})
                await server.complete_all()
                assert [event async for event in sub] == [{"onPost": {"body": "last"}}]

    run(scenario())


def test_resubscribe_rejected_after_reconnect_reaches_the_iterator(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    session = session_for(cognito_user, tmp_path)

    async def scenario() -> None:
        async with ProtocolServer(accept=lambda t: bool(t)) as server:
            endpoints = resolve_endpoints(server.url)
            async with RealtimeClient(endpoints, CognitoAuth(endpoints.host, session)) as client:
                sub = await client.subscribe(SUB)
                server.reject_starts = True
                await server.expire()
                with pytest.raises(SubscriptionError, match="Not authorized"):
                    await sub.next(timeout=10)
                await client.wait_ready(timeout=5)  # released, not stuck on the lost ack

    run(scenario())


def test_reconnects_give_up_and_every_iterator_sees_why(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    session = session_for(cognito_user, tmp_path)
    allowed = {"yes": True}

    async def scenario() -> None:
        async with ProtocolServer(accept=lambda t: allowed["yes"]) as server:
            endpoints = resolve_endpoints(server.url)
            client = RealtimeClient(
                endpoints,
                CognitoAuth(endpoints.host, session),
                reconnect_delays=(0.01,),
                max_reconnect_attempts=3,
            )
            async with client:
                first = await client.subscribe(SUB)
                second = await client.subscribe(SUB)
                allowed["yes"] = False
                await server.expire()
                for sub in (first, second):
                    with pytest.raises(ConnectionRejectedError, match="Permission denied"):
                        await sub.next(timeout=10)
                assert client.connections == 1
                assert len(server.connections) == 4  # the first, then three refused attempts
                with pytest.raises(ConnectionRejectedError):
                    await client.subscribe(SUB)

    run(scenario())


def test_planned_rotation_is_make_before_break(cognito_user: CognitoUser, tmp_path: Path) -> None:
    session = session_for(cognito_user, tmp_path)
    clock = ExpiringClock()
    session.clock = clock
    cache = session.cache
    assert cache is not None

    async def scenario() -> None:
        async with ProtocolServer(accept=lambda t: bool(t)) as server:
            endpoints = resolve_endpoints(server.url)
            client = RealtimeClient(
                endpoints, CognitoAuth(endpoints.host, session), clock=clock, check_interval=0.02
            )
            async with client:
                subs = [await client.subscribe(SUB) for _ in range(3)]
                old = session.tokens()
                clock.expired = (cache, cognito_user.login, old.id_token, old.expires_at)
                await eventually(lambda: client.connections == 2)
                await client.wait_ready(timeout=10)
                assert await server.publish({"onPost": {"body": "new"}}) == 3
                for sub in subs:
                    assert await sub.next(timeout=5) == {"onPost": {"body": "new"}}
            ids = {sub.id for sub in subs}
            log = server.log
            new_starts = [i for i, e in enumerate(log) if e[:2] == ("start", 1)]
            old_stops = [i for i, e in enumerate(log) if e[:2] == ("stop", 0)]
            old_closed = log.index(("closed", 0, None))
            assert {log[i][2] for i in new_starts} == {log[i][2] for i in old_stops} == ids
            # Every subscription is started on the new socket before the old one is stopped.
            assert max(new_starts) < min(old_stops) < old_closed
            assert server.connections[1].headers["Authorization"] != old.id_token
            assert server.violations == []

    run(scenario())
