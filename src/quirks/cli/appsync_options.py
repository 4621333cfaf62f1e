"""The options and choices of ``quirks appsync``, declared once for its commands (:mod:`.appsync`),
and the readers of the option values that name a file (``@FILE``) or hold JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from quirks import jsonsafe
from quirks.errors import FormatError, UserError

__all__ = [
    "ApiKeyOption",
    "AuthIn",
    "AuthInOption",
    "AuthMode",
    "AuthOption",
    "CaBundleOption",
    "CacheOption",
    "ClientIdOption",
    "ClientSecretOption",
    "CountOption",
    "Flow",
    "FlowOption",
    "JsonLinesOption",
    "PasswordOption",
    "PoolOption",
    "PrintTokenOption",
    "QueryOption",
    "RealtimeUrlOption",
    "TimeoutOption",
    "TokenChoice",
    "TokenOption",
    "UrlOption",
    "UsernameOption",
    "VariablesOption",
    "parse_variables",
    "read_text",
]


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
PrintTokenOption = Annotated[
    bool, typer.Option("--print-token", help="Also print the chosen token (it is a secret).")
]
CountOption = Annotated[
    int | None, typer.Option("--count", "-n", min=1, help="Stop after N events.")
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout", min=0.0, help="Stop after S seconds (exit 1 if --count is not reached)."
    ),
]
AuthInOption = Annotated[
    AuthIn,
    typer.Option(
        "--auth-in", help="Send auth in the header- subprotocol (default) or the URL query."
    ),
]
JsonLinesOption = Annotated[
    bool, typer.Option("--json", help="Implied: every event is printed as one JSON line.")
]


def read_text(value: str, what: str) -> str:
    """An option's value, or the text of FILE when it is ``@FILE`` (as the AWS CLI's ``file://``)."""
    if not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(
            f"cannot read {what} from {path}: {exc.strerror}", "check the path"
        ) from None


def parse_variables(value: str | None) -> dict[str, Any] | None:
    """``--variables``: a JSON object (or ``@FILE`` holding one), or ``None``."""
    if value is None:
        return None
    try:
        parsed = jsonsafe.loads(read_text(value, "variables"), "--variables")
    except FormatError as exc:
        raise UserError(str(exc), "pass a JSON object: '{\"id\": 1}'") from None
    if not isinstance(parsed, dict):
        raise UserError("--variables must be a JSON object", "pass e.g. '{\"id\": 1}'")
    return parsed
