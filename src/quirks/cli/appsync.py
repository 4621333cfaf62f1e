"""``quirks appsync``: sign in with Cognito, run queries and mutations, stream subscription events.

``subscribe`` is the one command whose stdout is a *stream*: one compact JSON object per event and
line (JSON Lines), so ``--json`` is implied there. Tokens are never printed, except by
``login --print-token``. The ``quirks.appsync`` library (extra ``appsync``) is imported lazily so
the rest of the CLI works without it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.syntax import Syntax

from quirks import jsonsafe
from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit, to_jsonable
from quirks.errors import FormatError, UserError

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.appsync import AppSyncAuth, AppSyncClient, CognitoSession, Endpoints

app = typer.Typer(
    help="Query, mutate and subscribe to AppSync APIs (Cognito User Pools, API key or IAM auth).",
    no_args_is_help=True,
)


class AuthMode(StrEnum):
    cognito = "cognito"
    api_key = "api-key"
    iam = "iam"


class TokenChoice(StrEnum):
    id = "id"
    access = "access"


class Flow(StrEnum):
    password = "password"
    srp = "srp"


class AuthIn(StrEnum):
    header = "header"
    query = "query"


UrlOption = Annotated[
    str,
    typer.Option(
        "--url", envvar="QUIRKS_APPSYNC_URL", help="GraphQL endpoint (AppSync or custom domain)."
    ),
]
RealtimeUrlOption = Annotated[
    str | None,
    typer.Option("--realtime-url", help="Real-time endpoint, when it is not the derived one."),
]
AuthOption = Annotated[AuthMode, typer.Option("--auth", help="Authorization mode.")]
TokenOption = Annotated[
    TokenChoice,
    typer.Option(
        "--token", help="Cognito token to send (Amplify JS always sends the access token)."
    ),
]
PoolOption = Annotated[
    str | None,
    typer.Option(
        "--user-pool-id", envvar="QUIRKS_COGNITO_USER_POOL_ID", help="Cognito user pool id."
    ),
]
ClientIdOption = Annotated[
    str | None,
    typer.Option("--client-id", envvar="QUIRKS_COGNITO_CLIENT_ID", help="Cognito app client id."),
]
ClientSecretOption = Annotated[
    str | None,
    typer.Option(
        "--client-secret",
        envvar="QUIRKS_COGNITO_CLIENT_SECRET",
        help="App client secret, for clients that have one.",
    ),
]
UsernameOption = Annotated[
    str | None,
    typer.Option("--username", envvar="QUIRKS_COGNITO_USERNAME", help="Cognito username."),
]
PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password",
        envvar="QUIRKS_COGNITO_PASSWORD",
        help="Password (prefer the env var, or the prompt of `login`).",
    ),
]
FlowOption = Annotated[
    Flow, typer.Option("--flow", help="Sign-in flow: USER_PASSWORD_AUTH or SRP.")
]
ApiKeyOption = Annotated[
    str | None, typer.Option("--api-key", envvar="QUIRKS_APPSYNC_API_KEY", help="AppSync API key.")
]
QueryOption = Annotated[
    str, typer.Option("--query", "-q", help="GraphQL document, or @FILE to read it from a file.")
]
VariablesOption = Annotated[
    str | None, typer.Option("--variables", "-v", help="Variables as a JSON object, or @FILE.")
]
CacheOption = Annotated[
    Path | None,
    typer.Option(
        "--token-cache",
        envvar="QUIRKS_TOKEN_CACHE",
        help="Token cache file (default: $XDG_CACHE_HOME/serverless-quirks/appsync-tokens.json).",
    ),
]
CaBundleOption = Annotated[
    Path | None,
    typer.Option(
        "--ca-bundle",
        envvar="AWS_CA_BUNDLE",
        metavar="FILE",
        help="PEM file of the CAs to trust for https:// and wss:// instead of the system store "
        "(for a custom domain or proxy signed by a private CA).",
    ),
]


def _lib() -> Any:
    try:
        import quirks.appsync as lib
    except ImportError as exc:
        raise UserError(
            f"quirks appsync needs the appsync extra ({exc.name} is missing)",
            "pip install 'serverless-quirks[appsync]'",
        ) from None
    return lib


def _text(value: str, what: str) -> str:
    if not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(
            f"cannot read {what} from {path}: {exc.strerror}", "check the path"
        ) from None


def _variables(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        parsed = jsonsafe.loads(_text(value, "variables"), "--variables")
    except FormatError as exc:
        raise UserError(str(exc), "pass a JSON object: '{\"id\": 1}'") from None
    if not isinstance(parsed, dict):
        raise UserError("--variables must be a JSON object", "pass e.g. '{\"id\": 1}'")
    return parsed


def _session(
    pool: str | None,
    client_id: str | None,
    username: str | None,
    password: str | None,
    client_secret: str | None,
    flow: Flow,
    cache_path: Path | None,
) -> CognitoSession:
    lib = _lib()
    missing = [
        name
        for name, value in (
            ("--user-pool-id", pool),
            ("--client-id", client_id),
            ("--username", username),
        )
        if not value
    ]
    if missing:
        raise UserError(
            f"Cognito auth needs {', '.join(missing)}",
            "pass them or set QUIRKS_COGNITO_USER_POOL_ID / _CLIENT_ID / _USERNAME",
        )
    login = lib.CognitoLogin(pool, client_id, username, client_secret)
    return lib.CognitoSession(  # type: ignore[no-any-return]
        login, password=password, flow=flow.value, cache=lib.TokenCache(cache_path)
    )


def _auth(
    endpoints: Endpoints,
    mode: AuthMode,
    token: TokenChoice,
    api_key: str | None,
    session: Any,
) -> AppSyncAuth:
    lib = _lib()
    if mode is AuthMode.api_key:
        if not api_key:
            raise UserError(
                "--auth api-key needs an API key", "pass --api-key or set QUIRKS_APPSYNC_API_KEY"
            )
        return lib.ApiKeyAuth(endpoints.host, api_key)  # type: ignore[no-any-return]
    if mode is AuthMode.iam:
        return lib.IamAuth(endpoints.host, endpoints.region)  # type: ignore[no-any-return]
    return lib.CognitoAuth(endpoints.host, session(), token.value)  # type: ignore[no-any-return]


def _client(
    url: str,
    realtime_url: str | None,
    mode: AuthMode,
    token: TokenChoice,
    api_key: str | None,
    auth_in: AuthIn,
    session: Any,
    ca_bundle: Path | None,
) -> AppSyncClient:
    lib = _lib()
    endpoints = lib.resolve_endpoints(url, realtime_url)
    context = lib.ssl_context(ca_bundle)  # checks the bundle before any credentials are fetched
    auth = _auth(endpoints, mode, token, api_key, session)
    return lib.AppSyncClient(  # type: ignore[no-any-return]
        endpoints, auth, auth_in=auth_in.value, ssl=context
    )


@app.command()
def login(
    ctx: typer.Context,
    user_pool_id: PoolOption = None,
    client_id: ClientIdOption = None,
    username: UsernameOption = None,
    password: PasswordOption = None,
    client_secret: ClientSecretOption = None,
    flow: FlowOption = Flow.password,
    token: TokenOption = TokenChoice.id,
    token_cache: CacheOption = None,
    print_token: Annotated[
        bool, typer.Option("--print-token", help="Also print the chosen token (it is a secret).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Sign in to a Cognito user pool and cache the tokens (mode 0600) for the other commands."""
    if password is None:
        if not sys.stdin.isatty():
            raise UserError("no password given", "pass --password or set QUIRKS_COGNITO_PASSWORD")
        password = typer.prompt("Password", hide_input=True, err=True)
    session = _session(
        user_pool_id, client_id, username, password, client_secret, flow, token_cache
    )
    tokens = session.sign_in(password)
    data: dict[str, Any] = {
        "username": session.login.username,
        "user_pool_id": session.login.user_pool_id,
        "client_id": session.login.client_id,
        "flow": flow.value,
        "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(tokens.expires_at)),
        "token_cache": str(session.cache.path) if session.cache else None,
    }
    if print_token:
        data["token"] = tokens.token(token.value)

    def render(console: Any) -> None:
        if print_token:
            console.print(data["token"], markup=False, highlight=False)
        state(ctx).err.print(
            f"Signed in as {data['username']}; tokens cached in {data['token_cache']} "
            f"until {data['expires_at']} (refreshed automatically)."
        )

    emit(data, as_json=as_json, render=render, console=state(ctx).out)


@app.command()
def logout(
    ctx: typer.Context,
    user_pool_id: PoolOption = None,
    client_id: ClientIdOption = None,
    username: UsernameOption = None,
    token_cache: CacheOption = None,
    as_json: JsonOption = False,
) -> None:
    """Remove a user's cached tokens (they stay valid at Cognito until they expire)."""
    session = _session(user_pool_id, client_id, username, None, None, Flow.password, token_cache)
    assert session.cache is not None
    removed = session.cache.forget(session.login)
    data = {"username": session.login.username, "removed": removed}

    def render(console: Any) -> None:
        what = "removed" if removed else "there were no cached tokens"
        state(ctx).err.print(
            f"{data['username']}: {what} ({session.cache.path if session.cache else ''})"
        )

    emit(data, as_json=as_json, render=render, console=state(ctx).out)


def _run_operation(
    ctx: typer.Context,
    kind: str,
    query: str,
    variables: str | None,
    make_client: Callable[[], AppSyncClient],
    as_json: bool,
) -> None:
    lib = _lib()
    document = _text(query, "the query")
    operation = _operation_kind(lib, document)
    if operation != kind:
        other = (
            "mutate"
            if operation == "mutation"
            else "subscribe"
            if operation == "subscription"
            else "query"
        )
        raise UserError(
            f"the document is a {operation}, not a {kind}", f"use `quirks appsync {other}`"
        )
    values = _variables(variables)
    client = make_client()
    try:
        data = client.execute_sync(document, values)
    except lib.GraphQLErrors as exc:
        result = {"data": exc.data, "errors": exc.errors}
        state(ctx).err.print(f"[red]GraphQL errors:[/red] {exc}", markup=True, highlight=False)
        emit(result, as_json=as_json, render=_render_json(result), console=state(ctx).out)
        raise typer.Exit(1) from None
    except lib.HttpError as exc:
        raise UserError(
            f"AppSync request failed: {exc}", exc.fix or "check --url and the credentials"
        ) from None
    result = {"data": data}
    emit(result, as_json=as_json, render=_render_json(result), console=state(ctx).out)


def _operation_kind(lib: Any, document: str) -> str:
    from graphql import OperationDefinitionNode

    request = lib.parse_document(document)
    kinds = {
        d.operation.value
        for d in request.document.definitions
        if isinstance(d, OperationDefinitionNode)
    }
    if len(kinds) != 1:
        raise UserError("the document must contain operations of one kind", "send one operation")
    return str(kinds.pop())


def _render_json(data: Any) -> Any:
    def render(console: Any) -> None:
        console.print(
            Syntax(json.dumps(to_jsonable(data), indent=2), "json", background_color="default")
        )

    return render


def operation(
    ctx: typer.Context,
    query: QueryOption,
    url: UrlOption,
    variables: VariablesOption = None,
    auth: AuthOption = AuthMode.cognito,
    token: TokenOption = TokenChoice.id,
    user_pool_id: PoolOption = None,
    client_id: ClientIdOption = None,
    username: UsernameOption = None,
    password: PasswordOption = None,
    client_secret: ClientSecretOption = None,
    flow: FlowOption = Flow.password,
    api_key: ApiKeyOption = None,
    token_cache: CacheOption = None,
    ca_bundle: CaBundleOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a GraphQL query (``query``) or mutation (``mutate``) over HTTPS.

    Prints {"data": ...}; exits 1 when the response has errors (shown with their paths).
    """
    kind = "mutation" if ctx.info_name == "mutate" else "query"
    session = lambda: _session(  # noqa: E731
        user_pool_id, client_id, username, password, client_secret, flow, token_cache
    )
    client = lambda: _client(  # noqa: E731
        url, None, auth, token, api_key, AuthIn.header, session, ca_bundle
    )
    _run_operation(ctx, kind, query, variables, client, as_json)


app.command(
    "query", help="Run a GraphQL query over HTTPS; exits 1 on GraphQL errors (shown with paths)."
)(operation)
app.command(
    "mutate", help="Run a GraphQL mutation over HTTPS; exits 1 on GraphQL errors (with paths)."
)(operation)


@app.command()
def subscribe(
    ctx: typer.Context,
    query: QueryOption,
    url: UrlOption,
    variables: VariablesOption = None,
    count: Annotated[
        int | None, typer.Option("--count", "-n", min=1, help="Stop after N events.")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", min=0.0, help="Stop after S seconds (exit 1 if --count is not reached)."
        ),
    ] = None,
    auth: AuthOption = AuthMode.cognito,
    token: TokenOption = TokenChoice.id,
    auth_in: Annotated[
        AuthIn,
        typer.Option(
            "--auth-in", help="Send auth in the header- subprotocol (default) or the URL query."
        ),
    ] = AuthIn.header,
    realtime_url: RealtimeUrlOption = None,
    user_pool_id: PoolOption = None,
    client_id: ClientIdOption = None,
    username: UsernameOption = None,
    password: PasswordOption = None,
    client_secret: ClientSecretOption = None,
    flow: FlowOption = Flow.password,
    api_key: ApiKeyOption = None,
    token_cache: CacheOption = None,
    ca_bundle: CaBundleOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Implied: every event is printed as one JSON line.")
    ] = True,
) -> None:
    """Subscribe and print each event's data as one JSON object per line (JSON Lines on stdout).

    Reconnects and re-subscribes by itself when the socket drops or the token expires.
    """
    lib = _lib()
    document = _text(query, "the query")
    if _operation_kind(lib, document) != "subscription":
        raise UserError(
            "the document is not a subscription", "use `quirks appsync query` or `mutate`"
        )
    values = _variables(variables)
    session = lambda: _session(  # noqa: E731
        user_pool_id, client_id, username, password, client_secret, flow, token_cache
    )
    client = _client(url, realtime_url, auth, token, api_key, auth_in, session, ca_bundle)
    err = state(ctx).err
    received = asyncio.run(_stream(client, document, values, count, timeout, err))
    if count is not None and received < count:
        err.print(f"timed out after {timeout:g} s with {received} of {count} events")
        raise typer.Exit(1)


async def _stream(
    client: AppSyncClient,
    document: str,
    variables: dict[str, Any] | None,
    count: int | None,
    timeout: float | None,
    err: Any,
) -> int:
    lib = _lib()
    received = 0
    async with client:
        try:
            async with asyncio.timeout(timeout):
                subscription = await client.subscribe(document, variables)
                err.print(f"subscribed ({subscription.id}); waiting for events", highlight=False)
                async for event in subscription:
                    sys.stdout.write(json.dumps(to_jsonable(event), ensure_ascii=False) + "\n")
                    sys.stdout.flush()
                    received += 1
                    if count is not None and received >= count:
                        break
        except TimeoutError:
            pass
        except lib.SubscriptionError as exc:
            raise UserError(
                str(exc), "check --auth/--token and the schema's auth directives"
            ) from None
    return received
