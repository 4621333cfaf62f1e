"""AppSync client: shared HTTPS connection pool and shared real-time socket vs. the naive way.

Against the Amplify AppSync simulator on 127.0.0.1 (needs Node.js and `make test` once to install it).
Run: ``.venv/bin/pytest benchmarks/test_appsync.py --benchmark-only``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from quirks import aws
from quirks.appsync import ApiKeyAuth, AppSyncClient, IamAuth, RealtimeClient, resolve_endpoints

# The simulator launcher lives with the functional tests; make the repository root importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.functional.appsync.conftest import API_KEY, running_simulator

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_benchmark.fixture import BenchmarkFixture
    from tests.functional.appsync.conftest import Simulator

QUERIES = 50
SUBSCRIPTIONS = 20
ECHO = 'query { echo(text: "x") }'
SUB = "subscription { onPost { body } }"


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    # The simulator accepts any SigV4 signature; sign with fake keys, never real ones.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.delenv("AWS_SESSION_TOKEN", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        aws.configure(aws.AwsSettings())
        with running_simulator() as running:
            yield running
        aws.configure(aws.AwsSettings())


def test_queries_shared_pool(benchmark: BenchmarkFixture, simulator: Simulator) -> None:
    endpoints = resolve_endpoints(simulator.url)

    async def run() -> None:
        async with AppSyncClient(endpoints, ApiKeyAuth(endpoints.host, API_KEY)) as client:
            for _ in range(QUERIES):
                await client.execute(ECHO)

    benchmark.pedantic(lambda: asyncio.run(run()), rounds=10)


def test_queries_new_connection_each(benchmark: BenchmarkFixture, simulator: Simulator) -> None:
    endpoints = resolve_endpoints(simulator.url)

    async def run() -> None:
        client = AppSyncClient(endpoints, ApiKeyAuth(endpoints.host, API_KEY))  # not entered
        for _ in range(QUERIES):
            await client.execute(ECHO)

    benchmark.pedantic(lambda: asyncio.run(run()), rounds=10)


def test_subscriptions_one_socket(benchmark: BenchmarkFixture, simulator: Simulator) -> None:
    endpoints = resolve_endpoints(simulator.url)

    async def run() -> None:
        async with RealtimeClient(
            endpoints, IamAuth(endpoints.host, "us-east-1"), auth_in="query"
        ) as client:
            for _ in range(SUBSCRIPTIONS):
                await client.subscribe(SUB)

    benchmark.pedantic(lambda: asyncio.run(run()), rounds=10)


def test_subscriptions_socket_each(benchmark: BenchmarkFixture, simulator: Simulator) -> None:
    endpoints = resolve_endpoints(simulator.url)

    async def run() -> None:
        clients = [
            RealtimeClient(endpoints, IamAuth(endpoints.host, "us-east-1"), auth_in="query")
            for _ in range(SUBSCRIPTIONS)
        ]
        for client in clients:
            await client.subscribe(SUB)
        for client in clients:
            await client.close()

    benchmark.pedantic(lambda: asyncio.run(run()), rounds=10)
