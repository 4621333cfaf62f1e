"""Cognito User Pool tokens: sign-in (USER_PASSWORD_AUTH or SRP), refresh, and the 0600 token cache.

Tokens are secrets: nothing here logs or prints them. The cache lives at
``$XDG_CACHE_HOME/serverless-quirks/appsync-tokens.json`` (default ``~/.cache/...``), is written
atomically with mode 0600, and holds one entry per (pool, app client, user). The tool's own
``serverless-quirks`` directory is kept at 0700; the parent of a cache file the user chose
(``--token-cache``) is theirs, so it is never changed, only warned about when others can write to it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from quirks import aws, jsonsafe
from quirks.durable import write_file_durably
from quirks.errors import AwsError, FormatError, UserError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

__all__ = [
    "CognitoLogin",
    "CognitoSession",
    "SignInFlow",
    "TokenCache",
    "TokenKind",
    "Tokens",
    "default_cache_path",
    "jwt_claims",
]

TokenKind = Literal["id", "access"]
SignInFlow = Literal["password", "srp"]
log = logging.getLogger("quirks.appsync")
# Refresh this long before a token expires, so that a request or a socket never carries a token
# that expires in flight.
DEFAULT_REFRESH_MARGIN = 300.0


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, *unverified* (only to read ``exp``; the server verifies signatures)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise FormatError("token", "not a JWT (expected three dot-separated parts)")
    body = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(body))
    except ValueError:
        raise FormatError("token", "JWT payload is not base64url JSON") from None
    if not isinstance(claims, dict):
        raise FormatError("token", "JWT payload is not a JSON object")
    return claims


@dataclass(frozen=True)
class Tokens:
    """The tokens of one signed-in user; ``expires_at`` is the earliest ``exp`` (epoch seconds)."""

    id_token: str
    access_token: str
    refresh_token: str | None
    expires_at: float

    @classmethod
    def from_result(cls, result: Any, refresh_token: str | None = None) -> Tokens:
        """Build from a Cognito ``AuthenticationResult`` (a refresh keeps the old refresh token)."""
        id_token, access_token = result["IdToken"], result["AccessToken"]
        expires = min(
            float(jwt_claims(id_token).get("exp", 0)), float(jwt_claims(access_token).get("exp", 0))
        )
        return cls(
            id_token=id_token,
            access_token=access_token,
            refresh_token=result.get("RefreshToken") or refresh_token,
            expires_at=expires,
        )

    def token(self, kind: TokenKind) -> str:
        return self.id_token if kind == "id" else self.access_token

    def expires_within(self, seconds: float, now: float) -> bool:
        return self.expires_at - now <= seconds


@dataclass(frozen=True)
class CognitoLogin:
    """Who signs in where. ``client_secret`` only for app clients that have one."""

    user_pool_id: str
    client_id: str
    username: str
    client_secret: str | None = None

    @property
    def cache_key(self) -> str:
        return f"{self.user_pool_id}/{self.client_id}/{self.username}"

    @property
    def region(self) -> str | None:
        region, sep, _ = self.user_pool_id.partition("_")
        return region if sep else None

    def secret_hash(self) -> str | None:
        if not self.client_secret:
            return None
        digest = hmac.new(
            self.client_secret.encode(), (self.username + self.client_id).encode(), hashlib.sha256
        ).digest()
        return base64.b64encode(digest).decode()


def default_cache_path(environ: dict[str, str] | None = None) -> Path:
    """Where tokens are cached: ``$XDG_CACHE_HOME`` (default ``~/.cache``)/serverless-quirks/."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "serverless-quirks" / "appsync-tokens.json"


class TokenCache:
    """A JSON file of :class:`Tokens` per login, readable and writable only by its owner.

    Without ``path`` the cache lives in the tool's own directory (:func:`default_cache_path`), which
    is created, or tightened, to 0700. A ``path`` the user gives may sit anywhere (``/tmp``, their
    home): its directory is created 0700 if missing but an existing one is left as it is — the file
    itself is 0600 either way — with one warning if group or others can write to it (they could
    replace the file).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_path()
        # Only the directory the tool names itself is ours to chmod.
        self._owns_directory = path is None or self.path == default_cache_path()
        self._warned = False
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = jsonsafe.loads(self.path.read_bytes(), str(self.path))
        except FileNotFoundError:
            return {}
        except ValueError:
            return {}  # a damaged cache only costs a sign-in
        return data if isinstance(data, dict) else {}

    def get(self, login: CognitoLogin) -> Tokens | None:
        entry = self._read().get(login.cache_key)
        if not isinstance(entry, dict):
            return None
        try:
            return Tokens(**entry)
        except TypeError:
            return None

    def put(self, login: CognitoLogin, tokens: Tokens) -> None:
        with self._lock:
            data = self._read()
            data[login.cache_key] = asdict(tokens)
            self._write(data)

    def forget(self, login: CognitoLogin) -> bool:
        with self._lock:
            data = self._read()
            found = data.pop(login.cache_key, None) is not None
            if found:
                self._write(data)
            return found

    def _write(self, data: dict[str, Any]) -> None:
        directory = self.path.parent
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = directory.stat().st_mode
        if self._owns_directory:
            # mkdir leaves an existing directory as it is: tighten ours if others can list or enter
            # it, before a token lands in it.
            if mode & 0o077:
                os.chmod(directory, 0o700)
        elif mode & 0o022 and not self._warned:
            self._warned = True
            log.warning(
                "the token cache directory %s is writable by group or others (left as it is); "
                "choose a private directory for --token-cache",
                directory,
            )
        # write_file_durably writes through mkstemp, which creates the file with mode 0600.
        write_file_durably(self.path, json.dumps(data, indent=1).encode())
        os.chmod(self.path, 0o600)


class CognitoSession:
    """Fresh tokens for one login: from memory, the cache, a refresh, or a sign-in.

    ``password`` is only needed when no refresh token is cached (or it was revoked). ``clock`` is
    injectable so tests can move time forward. Thread-safe.
    """

    def __init__(
        self,
        login: CognitoLogin,
        *,
        password: str | None = None,
        flow: SignInFlow = "password",
        cache: TokenCache | None = None,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
        clients: aws.ClientFactory | None = None,
    ) -> None:
        self.login = login
        self._clients = clients or aws.current()
        self.flow = flow
        self.cache = cache
        self.refresh_margin = refresh_margin
        self.clock = clock
        self._password = password
        self._tokens: Tokens | None = None
        self._lock = threading.Lock()

    def tokens(self, *, force_refresh: bool = False) -> Tokens:
        """Tokens valid for at least ``refresh_margin`` more seconds (or freshly refreshed)."""
        with self._lock:
            current = self._tokens or (self.cache.get(self.login) if self.cache else None)
            if (
                current is not None
                and not force_refresh
                and not current.expires_within(self.refresh_margin, self.clock())
            ):
                self._tokens = current
                return current
            fresh = self._refresh(current) if current and current.refresh_token else None
            if fresh is None:
                if self._password is None:
                    raise UserError(
                        f"no valid Cognito session for {self.login.username}",
                        "run `quirks appsync login` (or pass --password)",
                    )
                fresh = self._sign_in(self._password)
            self._store(fresh)
            return fresh

    def sign_in(self, password: str) -> Tokens:
        """Sign in now (ignoring cached tokens) and cache the result."""
        with self._lock:
            tokens = self._sign_in(password)
            self._store(tokens)
            return tokens

    def _store(self, tokens: Tokens) -> None:
        self._tokens = tokens
        if self.cache:
            self.cache.put(self.login, tokens)

    def _client(self) -> CognitoIdentityProviderClient:
        return self._clients.client("cognito-idp", self.login.region)

    def _sign_in(self, password: str) -> Tokens:
        if self.flow == "srp":
            return self._srp(password)
        params = {"USERNAME": self.login.username, "PASSWORD": password}
        secret = self.login.secret_hash()
        if secret:
            params["SECRET_HASH"] = secret
        try:
            response = self._client().initiate_auth(
                AuthFlow="USER_PASSWORD_AUTH", ClientId=self.login.client_id, AuthParameters=params
            )
        except AwsError as exc:
            raise _auth_error(exc, self.login) from exc
        return _result(response, self.login)

    def _srp(self, password: str) -> Tokens:
        from pycognito.aws_srp import AWSSRP  # type: ignore[import-untyped]

        srp = AWSSRP(
            username=self.login.username,
            password=password,
            pool_id=self.login.user_pool_id,
            client_id=self.login.client_id,
            client=self._client(),
            client_secret=self.login.client_secret,
        )
        try:
            response = srp.authenticate_user()
        except AwsError as exc:  # pycognito calls our client: its errors are mapped too
            raise _auth_error(exc, self.login) from exc
        return _result(response, self.login)

    def _refresh(self, current: Tokens) -> Tokens | None:
        params = {"REFRESH_TOKEN": current.refresh_token or ""}
        secret = self.login.secret_hash()
        if secret:
            params["SECRET_HASH"] = secret
        try:
            response = self._client().initiate_auth(
                AuthFlow="REFRESH_TOKEN_AUTH", ClientId=self.login.client_id, AuthParameters=params
            )
        except AwsError as exc:
            if exc.code == "NotAuthorizedException":
                return None  # revoked or expired refresh token: sign in again
            raise
        result = response.get("AuthenticationResult")
        return Tokens.from_result(result, current.refresh_token) if result else None


def _result(response: Any, login: CognitoLogin) -> Tokens:
    result = response.get("AuthenticationResult")
    if not result:
        challenge = response.get("ChallengeName", "an unknown challenge")
        raise UserError(
            f"Cognito asks {login.username} to answer {challenge} before signing in",
            "complete it once in the Hosted UI or with `aws cognito-idp admin-set-user-password "
            "--permanent`",
        )
    return Tokens.from_result(result)


def _auth_error(exc: AwsError, login: CognitoLogin) -> Exception:
    code = exc.code
    if code in ("NotAuthorizedException", "UserNotFoundException"):
        return UserError(
            f"Cognito refused the sign-in of {login.username}: {code}",
            "check the username, password and app client id",
        )
    if code == "InvalidParameterException":
        return UserError(
            f"Cognito rejected the sign-in request: {exc}",
            "enable the auth flow (ALLOW_USER_PASSWORD_AUTH or ALLOW_USER_SRP_AUTH) on the app "
            "client, or use the other --flow",
        )
    return exc
