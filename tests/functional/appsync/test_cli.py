"""What users see from ``quirks appsync``: output, exit codes, one-line errors, no leaked tokens."""

from __future__ import annotations

import json
import stat
import threading
import time
from typing import TYPE_CHECKING

import pytest

from quirks.appsync import ApiKeyAuth, AppSyncClient, TokenCache, resolve_endpoints
from quirks.testing import CliResult, run_cli
from tests.functional.appsync.conftest import API_KEY, create_user

if TYPE_CHECKING:
    from pathlib import Path

    from tests.functional.appsync.conftest import CognitoUser, Simulator

POST = 'mutation { post(room: "cli", body: "hi") { room body } }'


def cognito_args(user: CognitoUser) -> list[str]:
    login = user.login
    return [
        "--user-pool-id",
        login.user_pool_id,
        "--client-id",
        login.client_id,
        "--username",
        login.username,
    ]


def test_login_caches_tokens_0600_and_prints_no_token_unless_asked(
    cognito_user: CognitoUser, cache_home: Path
) -> None:
    code, out, err = run_cli(
        "appsync",
        "login",
        *cognito_args(cognito_user),
        "--password",
        cognito_user.password,
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert "token" not in data
    cache = TokenCache()
    assert data["token_cache"] == str(cache.path)
    tokens = cache.get(cognito_user.login)
    assert tokens is not None
    for secret in (tokens.id_token, tokens.access_token, tokens.refresh_token or "-"):
        assert secret not in out
        assert secret not in err
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600

    code, out, err = run_cli(
        "appsync",
        "login",
        *cognito_args(cognito_user),
        "--password",
        cognito_user.password,
        "--print-token",
        "--token",
        "access",
    )
    assert code == 0, err
    tokens = cache.get(cognito_user.login)
    assert tokens is not None
    assert out.strip() == tokens.access_token


def test_login_without_password_and_without_a_terminal_is_a_user_error(
    cognito_user: CognitoUser, cache_home: Path
) -> None:
    code, out, err = run_cli("appsync", "login", *cognito_args(cognito_user))
    assert (code, out) == (2, "")
    assert err.startswith("quirks: error: no password given (fix: pass --password")


def test_query_uses_the_cached_login_and_mutate_prints_data(
    simulator: Simulator,
    cognito_user: CognitoUser,
    cache_home: Path,
) -> None:
    args = cognito_args(cognito_user)
    assert run_cli("appsync", "login", *args, "--password", cognito_user.password)[0] == 0
    code, out, err = run_cli(
        "appsync",
        "query",
        "--url",
        simulator.url,
        *args,
        "-q",
        "query($t: String!) { echo(text: $t) }",
        "-v",
        '{"t": "cached"}',
        "--json",
    )
    assert code == 0, err
    assert json.loads(out) == {"data": {"echo": "cached"}}
    code, out, err = run_cli(
        "appsync", "mutate", "--url", simulator.url, *args, "-q", POST, "--json"
    )
    assert code == 0, err
    assert json.loads(out) == {"data": {"post": {"room": "cli", "body": "hi"}}}


def test_graphql_errors_exit_1_with_paths(
    simulator: Simulator,
    cognito_user: CognitoUser,
    cache_home: Path,
) -> None:
    code, out, err = run_cli(
        "appsync",
        "query",
        "--url",
        simulator.url,
        *cognito_args(cognito_user),
        "--password",
        cognito_user.password,
        "-q",
        "{ broken }",
        "--json",
    )
    assert code == 1
    data = json.loads(out)
    assert data["data"] == {"broken": None}
    assert data["errors"][0]["path"] == ["broken"]
    assert "the resolver failed on purpose at broken" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "-q", POST], "the document is a mutation, not a query"),
        (["mutate", "-q", "{ echo(text: 1 }"], "invalid GraphQL"),
        (["query", "-q", "{ echo }", "-v", "[1]"], "--variables must be a JSON object"),
        (["query", "-q", "{ echo }", "--auth", "api-key"], "--auth api-key needs an API key"),
        (["query", "-q", "{ echo }"], "Cognito auth needs --user-pool-id, --client-id, --username"),
        (["subscribe", "-q", "{ echo }"], "the document is not a subscription"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(argv: list[str], message: str) -> None:
    code, out, err = run_cli("appsync", argv[0], "--url", "http://127.0.0.1:9/graphql", *argv[1:])
    assert (code, out) == (2, "")
    assert err.startswith(f"quirks: error: {message}")
    assert err.count("\n") == 1


def test_subscribe_prints_one_json_line_per_event_and_stops_after_count(
    simulator: Simulator,
    cognito_user: CognitoUser,
    cache_home: Path,
) -> None:
    result: dict[str, CliResult] = {}

    def subscriber() -> None:
        result["run"] = run_cli(
            "appsync",
            "subscribe",
            "--url",
            simulator.url,
            "--auth-in",
            "query",
            *cognito_args(cognito_user),
            "--password",
            cognito_user.password,
            "-q",
            "subscription { onPost { room body } }",
            "--count",
            "2",
            "--timeout",
            "30",
        )

    thread = threading.Thread(target=subscriber)
    thread.start()
    endpoints = resolve_endpoints(simulator.url)
    publisher = AppSyncClient(endpoints, ApiKeyAuth(endpoints.host, API_KEY))
    deadline = time.monotonic() + 30
    while thread.is_alive() and time.monotonic() < deadline:
        publisher.execute_sync(POST)
        thread.join(0.2)
    thread.join(5)
    assert "run" in result, "the subscription did not end"
    code, out, err = result["run"]
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert [json.loads(line) for line in lines] == [{"onPost": {"room": "cli", "body": "hi"}}] * 2
    assert "subscribed" in err


def test_subscribe_timeout_before_count_exits_1(
    simulator: Simulator,
    cognito_user: CognitoUser,
    cache_home: Path,
) -> None:
    code, out, err = run_cli(
        "appsync",
        "subscribe",
        "--url",
        simulator.url,
        "--auth-in",
        "query",
        *cognito_args(cognito_user),
        "--password",
        cognito_user.password,
        "-q",
        "subscription { onPost { body } }",
        "--count",
        "1",
        "--timeout",
        "0.5",
    )
    assert (code, out) == (1, "")
    assert "timed out after 0.5 s with 0 of 1 events" in err


def test_subscribe_rejected_by_auth_is_a_clear_error(simulator: Simulator) -> None:
    code, out, err = run_cli(
        "appsync",
        "subscribe",
        "--url",
        simulator.url,
        "--auth-in",
        "query",
        "--auth",
        "api-key",
        "--api-key",
        API_KEY,
        "-q",
        "subscription { onPost { body } }",
        "--timeout",
        "10",
    )
    assert (code, out) == (2, "")
    assert "subscription rejected" in err
    assert "Not Authorized" in err


def test_iam_and_api_key_queries(simulator: Simulator) -> None:
    query = ["-q", 'query { echo(text: "signed") }', "--json"]
    code, out, err = run_cli("appsync", "query", "--url", simulator.url, "--auth", "iam", *query)
    assert code == 0, err
    assert json.loads(out) == {"data": {"echo": "signed"}}
    code, out, err = run_cli(
        "appsync",
        "query",
        "--url",
        simulator.url,
        "--auth",
        "api-key",
        "--api-key",
        API_KEY,
        *query,
    )
    assert code == 0, err
    assert json.loads(out) == {"data": {"echo": "signed"}}


def test_subscribe_with_a_rejected_connection_is_exit_2(simulator: Simulator) -> None:
    code, out, err = run_cli(
        "appsync",
        "subscribe",
        "--url",
        simulator.url,
        "--auth-in",
        "query",
        "--auth",
        "api-key",
        "--api-key",
        "da2-wrong",
        "-q",
        "subscription { onPost { body } }",
        "--timeout",
        "10",
    )
    assert (code, out) == (2, "")
    assert err.startswith("quirks: error: AppSync closed the connection before acknowledging it")


def test_missing_appsync_extra_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "quirks.appsync", None)
    code, out, err = run_cli(
        "appsync", "query", "--url", "http://127.0.0.1:9/graphql", "-q", "{ x }"
    )
    assert (code, out) == (2, "")
    assert "pip install 'serverless-quirks[appsync]'" in err


def test_logout_forgets_only_that_users_tokens(cognito_user: CognitoUser, cache_home: Path) -> None:
    args = cognito_args(cognito_user)
    assert run_cli("appsync", "login", *args, "--password", cognito_user.password)[0] == 0
    other = create_user("bob")
    other_args = cognito_args(other)
    assert run_cli("appsync", "login", *other_args, "--password", other.password)[0] == 0
    code, out, err = run_cli("appsync", "logout", *args, "--json")
    assert code == 0, err
    assert json.loads(out) == {"username": "alice", "removed": True}
    cache = TokenCache()
    assert cache.get(cognito_user.login) is None
    assert cache.get(other.login) is not None
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    code, out, _ = run_cli("appsync", "logout", *args, "--json")
    assert json.loads(out)["removed"] is False
