"""HTTPS behaviour the simulator cannot show: AppSync refusing an expired or revoked token."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web

from quirks.appsync import (
    AppSyncClient,
    CognitoAuth,
    CognitoSession,
    GraphQLErrors,
    TokenCache,
    resolve_endpoints,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.functional.appsync.conftest import CognitoUser

UNAUTHORIZED = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "Valid authorization header not provided.",
        }
    ]
}


async def serve(accept: Callable[[str | None], bool], seen: list[str | None]) -> web.AppRunner:
    async def graphql(request: web.Request) -> web.Response:
        token = request.headers.get("Authorization")
        seen.append(token)
        if not accept(token):
            return web.json_response(UNAUTHORIZED, status=401)
        body: dict[str, Any] = await request.json()
        return web.json_response({"data": {"echo": body["variables"]["t"]}})

    app = web.Application()
    app.router.add_post("/graphql", graphql)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def port_of(runner: web.AppRunner) -> int:
    site = next(iter(runner.sites))
    server = site._server  # aiohttp exposes no public accessor for the bound port
    assert server is not None
    return int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


def test_a_refused_token_is_refreshed_and_the_request_retried_once(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    session = CognitoSession(
        cognito_user.login, password=cognito_user.password, cache=TokenCache(tmp_path / "t.json")
    )
    stale = session.tokens().id_token
    seen: list[str | None] = []

    async def scenario() -> None:
        runner = await serve(lambda token: token is not None and token != stale, seen)
        try:
            endpoints = resolve_endpoints(f"http://127.0.0.1:{port_of(runner)}/graphql")
            async with AppSyncClient(endpoints, CognitoAuth(endpoints.host, session)) as client:
                query = "query($t: String!) { echo(text: $t) }"
                assert await client.execute(query, {"t": "ok"}) == {"echo": "ok"}
        finally:
            await runner.cleanup()

    asyncio.run(scenario())
    assert seen[0] == stale
    assert seen[1] == session.tokens().id_token != stale
    assert len(seen) == 2


def test_a_token_refused_twice_surfaces_the_unauthorized_error(
    cognito_user: CognitoUser, tmp_path: Path
) -> None:
    session = CognitoSession(cognito_user.login, password=cognito_user.password)
    seen: list[str | None] = []

    async def scenario() -> None:
        runner = await serve(lambda token: False, seen)
        try:
            endpoints = resolve_endpoints(f"http://127.0.0.1:{port_of(runner)}/graphql")
            client = AppSyncClient(endpoints, CognitoAuth(endpoints.host, session))
            with pytest.raises(GraphQLErrors, match="UnauthorizedException: Valid authorization"):
                await client.execute('query { echo(text: "x") }')
        finally:
            await runner.cleanup()

    asyncio.run(scenario())
    assert len(seen) == 2
