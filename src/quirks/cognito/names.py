"""DNS names as Cognito, ACM and Route53 see them: normalizing, parents, certificate coverage.

Pure functions; nothing here calls AWS or DNS.
"""

from __future__ import annotations

import re

__all__ = [
    "certificate_covers",
    "decode_route53_name",
    "domain_problem",
    "fqdn",
    "normalize",
    "parent_of",
    "suffixes",
]

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_OCTAL_ESCAPE = re.compile(r"\\(\d{3})")


def normalize(name: str) -> str:
    """Lower case, no surrounding spaces, no trailing dot: ``Auth.Example.com.`` → ``auth.example.com``."""
    return name.strip().rstrip(".").lower()


def decode_route53_name(name: str) -> str:
    r"""A record or zone name as Route53 returns it (``\052.example.com.``), normalized (``*.example.com``)."""
    return normalize(_OCTAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), name))


def fqdn(name: str) -> str:
    """The name with the trailing dot Route53 uses in change batches."""
    return normalize(name) + "."


def parent_of(domain: str) -> str | None:
    """``auth.example.com`` → ``example.com``; a name of one label has no parent."""
    labels = normalize(domain).split(".")
    return ".".join(labels[1:]) if len(labels) > 1 else None


def suffixes(name: str) -> list[str]:
    """The name and each of its ancestors with at least two labels, longest first."""
    labels = normalize(name).split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


MAX_DOMAIN_LENGTH = 63
"""``CreateUserPoolDomain``'s ``Domain`` takes at most 63 characters, custom domains included."""


def domain_problem(domain: str) -> str | None:
    """Why ``domain`` cannot be a Cognito custom domain, or ``None`` when it can.

    It must be a valid host name with a parent that is itself a registrable-looking name, so at least
    three labels (``auth.example.com``): Cognito resolves the parent, which an apex does not have.
    Names such as ``example.co.uk`` (an apex under a two-label public suffix) pass this test but then
    fail the parent A-record check, since a public suffix has no A record.
    """
    name = normalize(domain)
    if not name:
        return "the domain is empty"
    if len(name) > MAX_DOMAIN_LENGTH:
        return f"{name!r} is longer than {MAX_DOMAIN_LENGTH} characters (Cognito's limit)"
    labels = name.split(".")
    bad = [label for label in labels if not _LABEL.match(label)]
    if bad:
        return f"{name!r} has invalid label(s) {', '.join(repr(b) for b in bad)}"
    if len(labels) < 3:
        return f"{name!r} is an apex domain; Cognito needs a subdomain such as auth.{name}"
    return None


def certificate_covers(certificate_name: str, domain: str) -> bool:
    """True when a certificate name (exact or a one-level ``*.`` wildcard) covers ``domain``.

    ``*.example.com`` covers ``auth.example.com`` but neither ``example.com`` nor ``a.b.example.com``.
    """
    cert = normalize(certificate_name)
    name = normalize(domain)
    if cert == name:
        return True
    if cert.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == cert[2:]
    return False
