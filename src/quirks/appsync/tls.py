"""TLS for AppSync's ``https://`` and ``wss://`` endpoints, and connection failures as user errors.

Both transports verify the server's certificate and host name. By default they trust the system's
certificate store (what ``ssl.create_default_context()`` loads: OpenSSL's default paths, which
``SSL_CERT_FILE``/``SSL_CERT_DIR`` override). A CA bundle (``--ca-bundle`` or ``AWS_CA_BUNDLE``,
as in the AWS CLI: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html)
*replaces* that store, for custom domains or proxies whose certificates a private CA signs.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from quirks.errors import UserError

__all__ = ["CA_BUNDLE_FIX", "connection_error", "ssl_context"]

CA_BUNDLE_FIX = (
    "if a private CA signed the server's certificate, pass --ca-bundle FILE (or set "
    "AWS_CA_BUNDLE); otherwise check the host name in --url"
)


def ssl_context(ca_bundle: str | Path | None = None) -> ssl.SSLContext:
    """A verifying client context: the system trust store, or only the CAs in ``ca_bundle``.

    Raises :class:`UserError` when the bundle cannot be read or holds no PEM certificate.
    """
    if ca_bundle is None:
        return ssl.create_default_context()
    path = Path(ca_bundle)
    try:
        return ssl.create_default_context(cafile=str(path))
    except FileNotFoundError:
        raise UserError(
            f"CA bundle {path} does not exist", "pass the path of a PEM file of CA certificates"
        ) from None
    except (ssl.SSLError, OSError) as exc:
        raise UserError(
            f"CA bundle {path} is not a PEM file of CA certificates: {exc}",
            "pass a PEM file (-----BEGIN CERTIFICATE-----)",
        ) from None


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def connection_error(url: str, exc: BaseException) -> UserError:
    """The one-line :class:`UserError` for a failure to connect to ``url`` (TLS or network)."""
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            # aiohttp's subclass keeps the ssl module's error in ``certificate_error``.
            inner = getattr(cause, "certificate_error", cause)
            reason = getattr(inner, "verify_message", None) or str(inner)
            return UserError(f"TLS certificate of {url} not trusted: {reason}", CA_BUNDLE_FIX)
        if isinstance(cause, ssl.SSLError):
            return UserError(f"TLS handshake with {url} failed: {cause}", CA_BUNDLE_FIX)
    cause = _chain(exc)[-1]
    detail = str(cause) or type(cause).__name__
    return UserError(f"cannot reach {url}: {detail}", "check --url and your network")
