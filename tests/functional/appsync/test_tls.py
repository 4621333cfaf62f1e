"""TLS: ``wss://`` subscriptions and ``https://`` queries against real TLS servers whose certificates
the test issues (trustme), and connection failures as one-line user errors (exit 2, with the fix).

Every real AppSync endpoint is ``https://`` and ``wss://``; the other AppSync tests use plain
``ws://`` peers, so these are the tests that would catch a broken TLS setup.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from typing import TYPE_CHECKING, Any

import pytest
import trustme
from aiohttp import web

from quirks.appsync import ApiKeyAuth, AppSyncClient, resolve_endpoints
from quirks.testing import run_cli
from tests.functional.appsync.conftest import API_KEY, eventually
from tests.functional.appsync.servers import ProtocolServer

if TYPE_CHECKING:
    from collections.abc import Awaitable, Coroutine, Iterator
    from pathlib import Path

SUB = "subscription { onPost { body } }"


class Loop:
    """An event loop in a thread, so a server keeps answering while the CLI runs its own loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def spawn(self, coro: Awaitable[Any]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    """A server certificate for the custom domain ``localhost`` (and 127.0.0.1), signed by ``ca``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def loop() -> Iterator[Loop]:
    background = Loop()
    yield background
    background.close()


@pytest.fixture
def wss(loop: Loop, server_tls: ssl.SSLContext) -> Iterator[ProtocolServer]:
    """A strict real-time server on ``wss://localhost:<port>/graphql/realtime``."""
    server = ProtocolServer(accept=lambda _: True, ssl=server_tls)
    loop.run(server.__aenter__())
    server.host = f"localhost:{server.port}"  # a custom domain: the auth header names it
    yield server
    loop.run(server.__aexit__(None, None, None))


@pytest.fixture
def https(loop: Loop, server_tls: ssl.SSLContext) -> Iterator[int]:
    """A GraphQL endpoint on ``https://localhost:<port>/graphql``; yields the port."""

    async def graphql(request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        return web.json_response({"data": {"echo": body["variables"]["t"]}})

    async def start() -> tuple[web.AppRunner, int]:
        app = web.Application()
        app.router.add_post("/graphql", graphql)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_tls)
        await site.start()
        server = site._server  # aiohttp exposes no public accessor for the bound port
        assert server is not None
        return runner, int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]

    runner, port = loop.run(start())
    yield port
    loop.run(runner.cleanup())


def subscribe_args(url: str, *extra: str) -> list[str]:
    return [
        "appsync",
        "subscribe",
        "--url",
        url,
        "--auth",
        "api-key",
        "--api-key",
        API_KEY,
        "-q",
        SUB,
        "--count",
        "1",
        "--timeout",
        "20",
        *extra,
    ]


def publish_once_subscribed(loop: Loop, server: ProtocolServer) -> None:
    async def publish() -> None:
        await eventually(lambda: bool(server.subscriptions), timeout=20)
        await server.publish({"onPost": {"body": "over tls"}})

    loop.spawn(publish())


def test_subscribe_connects_over_wss_to_a_custom_domain_with_a_ca_bundle(
    loop: Loop, wss: ProtocolServer, ca_file: Path
) -> None:
    publish_once_subscribed(loop, wss)
    url = f"https://localhost:{wss.port}/graphql"
    code, out, err = run_cli(*subscribe_args(url, "--ca-bundle", str(ca_file)))
    assert code == 0, err
    assert json.loads(out) == {"onPost": {"body": "over tls"}}
    assert wss.violations == []
    assert [c.path for c in wss.connections] == ["/graphql/realtime"]


def test_the_system_trust_store_is_used_by_default(
    loop: Loop,
    wss: ProtocolServer,
    ca_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # OpenSSL's default verify paths (what the system store is) honour SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    publish_once_subscribed(loop, wss)
    code, out, err = run_cli(*subscribe_args(f"https://localhost:{wss.port}/graphql"))
    assert code == 0, err
    assert json.loads(out) == {"onPost": {"body": "over tls"}}


def test_an_untrusted_wss_certificate_is_a_one_line_user_error_naming_ca_bundle(
    wss: ProtocolServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    code, out, err = run_cli(*subscribe_args(f"https://localhost:{wss.port}/graphql"))
    assert (code, out) == (2, ""), err
    assert err.startswith(f"quirks: error: TLS certificate of wss://localhost:{wss.port}/")
    assert "--ca-bundle" in err
    assert len(err.strip().splitlines()) == 1


def test_a_certificate_for_another_host_is_refused(
    wss: ProtocolServer, ca: trustme.CA, tmp_path: Path
) -> None:
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))  # a CA that did not sign the server's cert
    code, out, err = run_cli(
        *subscribe_args(f"https://localhost:{wss.port}/graphql", "--ca-bundle", str(other))
    )
    assert (code, out) == (2, ""), err
    assert "not trusted" in err


def test_https_queries_verify_with_the_ca_bundle(
    https: int,
    ca_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    query = ["-q", "query ($t: String!) { echo(text: $t) }", "-v", '{"t": "tls"}']
    base = ["appsync", "query", "--url", f"https://localhost:{https}/graphql"]
    auth = ["--auth", "api-key", "--api-key", API_KEY]
    code, out, err = run_cli(*base, *auth, *query, "--ca-bundle", str(ca_file), "--json")
    assert code == 0, err
    assert json.loads(out) == {"data": {"echo": "tls"}}

    code, out, err = run_cli(*base, *auth, *query, "--json")
    assert (code, out) == (2, ""), err
    assert err.startswith("quirks: error: AppSync request failed: TLS certificate of https://")
    assert "--ca-bundle" in err


def test_the_library_client_verifies_https_and_wss_with_one_context(
    ca_file: Path, server_tls: ssl.SSLContext
) -> None:
    async def scenario() -> None:
        async with ProtocolServer(accept=lambda _: True, ssl=server_tls) as server:
            server.host = f"localhost:{server.port}"
            endpoints = resolve_endpoints(f"https://localhost:{server.port}/graphql")
            context = ssl.create_default_context(cafile=str(ca_file))
            client = AppSyncClient(endpoints, ApiKeyAuth(endpoints.host, API_KEY), ssl=context)
            async with client:
                subscription = await client.subscribe(SUB)
                assert await server.publish({"onPost": {"body": "lib"}}) == 1
                assert await subscription.next(timeout=5) == {"onPost": {"body": "lib"}}
            assert server.violations == []

    asyncio.run(asyncio.wait_for(scenario(), 60))


@pytest.mark.parametrize("command", ["query", "subscribe"])
def test_an_unreachable_url_is_exit_2_with_the_fix(command: str) -> None:
    document = SUB if command == "subscribe" else '{ echo(text: "x") }'
    code, out, err = run_cli(
        "appsync",
        command,
        "--url",
        "https://127.0.0.1:1/graphql",
        "--auth",
        "api-key",
        "--api-key",
        API_KEY,
        "-q",
        document,
    )
    assert (code, out) == (2, ""), err
    assert "cannot reach https://127.0.0.1:1/graphql" in err or "cannot reach wss://" in err
    assert "(fix: check --url and your network)" in err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_ca_bundle_is_exit_2(tmp_path: Path) -> None:
    code, out, err = run_cli(
        "appsync",
        "query",
        "--url",
        "https://localhost:1/graphql",
        "--auth",
        "api-key",
        "--api-key",
        API_KEY,
        "-q",
        '{ echo(text: "x") }',
        "--ca-bundle",
        str(tmp_path / "nope.pem"),
    )
    assert (code, out) == (2, ""), err
    assert "does not exist" in err
