"""The local cloud's front door: only its user's SDKs get in, never a web page.

The local cloud accepts any credentials (it is a development tool), and it runs the code it is given
as the user. Without a guard, any web page the user visits can make the browser send it a request:

* a "simple" cross-origin request (``POST`` with ``Content-Type: text/plain``, no custom headers) is
  sent without a CORS preflight — the page cannot read the answer, but the request runs; enough to
  create and invoke a function;
* DNS rebinding: a page whose host name is re-pointed at 127.0.0.1 sends same-origin requests with a
  foreign ``Host`` header, and can then read the answers too;
* moto echoes any ``Origin`` back in ``Access-Control-Allow-Origin``, which lets such a page read
  what it asked for.

:class:`LoopbackGuard` wraps the whole WSGI application, so every endpoint (the Lambda emulator,
log subscriptions, moto's services and its ``/moto-api``) is covered in one place. A request is
served only when:

1. its ``Host`` is a loopback name (``localhost``, ``*.localhost``, ``127.0.0.0/8``, ``[::1]``) or
   the address the cloud is bound to — a rebinding page's ``Host`` is its own domain;
2. it carries an ``Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…``
   header, as every AWS SDK, the AWS CLI and the Terraform AWS provider send — a page can only add
   that header after a preflight. The few operations AWS serves unsigned (Cognito's
   ``InitiateAuth``, ``SignUp``…) are JSON-protocol calls that SDKs send with an ``X-Amz-Target``
   header instead, which a page equally cannot send without a preflight; and
3. it is not a CORS preflight and has no foreign ``Origin``.

Signatures are not verified (any credentials work, as before); the header only proves the request
came from a program, not from a page. Responses never carry ``Access-Control-Allow-*`` headers.
Refusals are answered before the wrapped application sees the request, with ``403`` and a JSON body
naming the reason.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["LoopbackGuard", "refusal"]

_SIGV4 = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=[^,\s]+,\s*SignedHeaders=[^,\s]+,\s*Signature=[0-9a-fA-F]+\s*$"
)
_HOST = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[^:\[\]]+))(?::(?P<port>\d{1,5}))?$")
_CORS_PREFIX = "access-control-"


def _is_loopback_name(name: str, bound: str) -> bool:
    name = name.rstrip(".").lower()
    if name == bound.lower() or name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_allowed(host: str, bound: str) -> bool:
    match = _HOST.match(host.strip())
    if match is None:
        return False
    name = match.group("v6") or match.group("name") or ""
    return _is_loopback_name(name, bound)


def _origin_allowed(origin: str, bound: str) -> bool:
    # "null" is what sandboxed frames and file:// pages send: never the user's SDK.
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme not in ("http", "https"):
        return False
    return _host_allowed(rest.split("/", 1)[0], bound)


def refusal(environ: dict[str, Any], bound: str) -> str | None:
    """Why this request must not be served (``None`` when it may be)."""
    host = environ.get("HTTP_HOST") or ""
    if not _host_allowed(host, bound):
        return f"Host {host!r} is not a loopback name: the local cloud serves only this machine"
    if environ.get("REQUEST_METHOD") == "OPTIONS":
        return "CORS preflights are refused: the local cloud serves no web page"
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and not _origin_allowed(origin, bound):
        return f"Origin {origin!r} is foreign: the local cloud serves no web page"
    signed = _SIGV4.match(environ.get("HTTP_AUTHORIZATION") or "") is not None
    if not signed and not environ.get("HTTP_X_AMZ_TARGET"):
        return (
            "missing AWS SigV4 Authorization header: use an AWS SDK, the AWS CLI or Terraform "
            "(any credentials work)"
        )
    return None


class LoopbackGuard:
    """WSGI middleware: refuse what a web page could send, then strip CORS allowances."""

    def __init__(self, app: Callable[..., Iterable[bytes]], bound_host: str) -> None:
        self._app = app
        self._bound = bound_host

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        reason = refusal(environ, self._bound)
        if reason is not None:
            body = json.dumps({"__type": "AccessDeniedException", "message": reason}).encode()
            start_response(
                "403 Forbidden",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(body))),
                ],
            )
            return [body]

        def strip_cors(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith(_CORS_PREFIX)]
            return start_response(status, kept, exc_info)

        return self._app(environ, strip_cors)
