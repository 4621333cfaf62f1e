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
from typing import TYPE_CHECKING, Any

import typer
from rich.syntax import Syntax

from quirks.cli.appsync_options import (
    ApiKeyOption,
    AuthIn,
    AuthInOption,
    AuthMode,
    AuthOption,
    CaBundleOption,
    CacheOption,
    ClientIdOption,
    ClientSecretOption,
    CountOption,
    Flow,
    FlowOption,
    JsonLinesOption,
    PasswordOption,
    PoolOption,
    PrintTokenOption,
    QueryOption,
    RealtimeUrlOption,
    TimeoutOption,
    TokenChoice,
    TokenOption,
    UrlOption,
    UsernameOption,
    VariablesOption,
    parse_variables,
    read_text,
)
from quirks.cli.context import state
from quirks.cli.output import JsonOption, emit, to_jsonable
from quirks.errors import UserError
from quirks.timestamps import iso_seconds

if TYPE_CHECKING:
    from pathlib import Path

    from quirks.appsync import AppSyncClient, CognitoSession
    from quirks.appsync.factory import ClientOptions, OperationKind, SessionOptions

app = typer.Typer(
    help="Query, mutate and subscribe to AppSync APIs (Cognito User Pools, API key or IAM auth).",
    no_args_is_help=True,
)


def _require_extra() -> None:
    # The library needs the appsync extra (gql, websockets, pycognito); the rest of the CLI does not.
    try:
        import quirks.appsync  # noqa: F401
    except ImportError as exc:
        raise UserError(
            f"quirks appsync needs the appsync extra ({exc.name} is missing)",
            "pip install 'serverless-quirks[appsync]'",
        ) from None


def _session_options(
    pool: str | None,
    client_id: str | None,
    username: str | None,
    password: str | None,
    client_secret: str | None,
    flow: Flow,
    cache_path: Path | None,
) -> SessionOptions:
    _require_extra()
    from quirks.appsync.factory import SessionOptions

    return SessionOptions(
        pool, client_id, username, password, client_secret, flow.value, cache_path
    )


def _session(ctx: typer.Context, options: SessionOptions) -> CognitoSession:
    from quirks.appsync.factory import build_session

    return build_session(options, clients=state(ctx).clients)


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
    print_token: PrintTokenOption = False,
    as_json: JsonOption = False,
) -> None:
    """Sign in to a Cognito user pool and cache the tokens (mode 0600) for the other commands."""
    if password is None:
        if not sys.stdin.isatty():
            raise UserError("no password given", "pass --password or set QUIRKS_COGNITO_PASSWORD")
        password = typer.prompt("Password", hide_input=True, err=True)
    options = _session_options(
        user_pool_id, client_id, username, password, client_secret, flow, token_cache
    )
    session = _session(ctx, options)
    tokens = session.sign_in(password)
    data: dict[str, Any] = {
        "username": session.login.username,
        "user_pool_id": session.login.user_pool_id,
        "client_id": session.login.client_id,
        "flow": flow.value,
        "expires_at": iso_seconds(tokens.expires_at),
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
    options = _session_options(
        user_pool_id, client_id, username, None, None, Flow.password, token_cache
    )
    session = _session(ctx, options)
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
    kind: OperationKind,
    query: str,
    variables: str | None,
    options: ClientOptions,
    as_json: bool,
) -> None:
    from quirks.appsync import GraphQLErrors, HttpError
    from quirks.appsync.factory import build_client, operation_kind

    document = read_text(query, "the query")
    operation = operation_kind(document)
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
    values = parse_variables(variables)
    client = build_client(options, clients=state(ctx).clients)
    try:
        data = client.execute_sync(document, values)
    except GraphQLErrors as exc:
        result = {"data": exc.data, "errors": exc.errors}
        state(ctx).err.print(f"[red]GraphQL errors:[/red] {exc}", markup=True, highlight=False)
        emit(result, as_json=as_json, render=_render_json(result), console=state(ctx).out)
        raise typer.Exit(1) from None
    except HttpError as exc:
        raise UserError(
            f"AppSync request failed: {exc}", exc.fix or "check --url and the credentials"
        ) from None
    result = {"data": data}
    emit(result, as_json=as_json, render=_render_json(result), console=state(ctx).out)


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
    kind: OperationKind = "mutation" if ctx.info_name == "mutate" else "query"
    session = _session_options(
        user_pool_id, client_id, username, password, client_secret, flow, token_cache
    )
    from quirks.appsync.factory import ClientOptions

    options = ClientOptions(
        url,
        auth=auth.value,
        token=token.value,
        api_key=api_key,
        ca_bundle=ca_bundle,
        session=session,
    )
    _run_operation(ctx, kind, query, variables, options, as_json)


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
    count: CountOption = None,
    timeout: TimeoutOption = None,
    auth: AuthOption = AuthMode.cognito,
    token: TokenOption = TokenChoice.id,
    auth_in: AuthInOption = AuthIn.header,
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
    as_json: JsonLinesOption = True,
) -> None:
    """Subscribe and print each event's data as one JSON object per line (JSON Lines on stdout).

    Reconnects and re-subscribes by itself when the socket drops or the token expires.
    """
    session = _session_options(
        user_pool_id, client_id, username, password, client_secret, flow, token_cache
    )
    from quirks.appsync.factory import ClientOptions, build_client, operation_kind

    document = read_text(query, "the query")
    if operation_kind(document) != "subscription":
        raise UserError(
            "the document is not a subscription", "use `quirks appsync query` or `mutate`"
        )
    values = parse_variables(variables)
    options = ClientOptions(
        url,
        realtime_url=realtime_url,
        auth=auth.value,
        token=token.value,
        auth_in=auth_in.value,
        api_key=api_key,
        ca_bundle=ca_bundle,
        session=session,
    )
    client = build_client(options, clients=state(ctx).clients)
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
    from quirks.appsync import SubscriptionError

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
        except SubscriptionError as exc:
            raise UserError(
                str(exc), "check --auth/--token and the schema's auth directives"
            ) from None
    return received
