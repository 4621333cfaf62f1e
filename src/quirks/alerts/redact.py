"""Redaction of secrets and personal data before anything leaves the notifier (pure).

The defaults (:data:`DEFAULT_PATTERNS`) remove AWS access key ids and secret access keys, JWTs,
Slack webhook URLs and tokens, the values of ``password=``/``secret=``-style pairs, PEM private key
blocks, bearer tokens and e-mail addresses. More regular expressions can be added (the handler reads
them from ``QUIRKS_ALERTS_REDACT``, a JSON array of patterns); a pattern with a group named
``redact`` replaces only that group (the key of a ``key=value`` pair stays readable).

Every default runs in time linear in the text: a match can only start where a run of the
characters it consumes starts (a negative lookbehind, or a literal prefix), and repetitions are
bounded, so a 256 KB error line costs milliseconds. The old e-mail pattern restarted at every
character of a long run and took more than a minute on such a line.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from quirks.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from quirks.alerts.classify import ErrorRecord

__all__ = ["DEFAULT_PATTERNS", "REDACTED", "Redactor"]

REDACTED = "[redacted]"
_B64 = "A-Za-z0-9/+"
DEFAULT_PATTERNS: tuple[str, ...] = (
    # PEM private keys, with or without their END line, newlines raw or escaped as \n.
    r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s\\:,]*"
    r"(?:-----END [A-Z ]{0,40}PRIVATE KEY-----)?",
    # Slack incoming webhooks and workflow triggers.
    r"https://hooks\.slack(?:-gov)?\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{1,512}",
    # Slack tokens (bot, user, app-level, refresh, configuration).
    r"(?<![A-Za-z0-9-])(?:xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]{10,512}",
    # Authorization: Bearer <token> (before JWTs: the whole credential goes, scheme included).
    r"(?i)(?<![a-z])bearer\s{1,16}[A-Za-z0-9\-._~+/]{1,8192}=*",
    # JSON Web Tokens: header.payload.signature, base64url, the first two start with '{"'.
    r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{1,8192}\.eyJ[A-Za-z0-9_-]{1,8192}\.[A-Za-z0-9_-]{0,8192}",
    # AWS access key ids (long-term AKIA, temporary ASIA, and the other documented prefixes).
    r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}(?![A-Z0-9])",
    # AWS secret access keys: 40 base64 characters with upper case, lower case and a digit (so a
    # 40-digit hex hash is kept), not inside a longer run.
    rf"(?<![{_B64}])(?=[{_B64}]{{0,39}}[A-Z])(?=[{_B64}]{{0,39}}[a-z])(?=[{_B64}]{{0,39}}[0-9])"
    rf"[{_B64}]{{40}}(?![{_B64}=])",
    # password=..., "secret": "...", api_key: ... — the value only.
    r"(?i)(?<![a-z0-9_])(?:password|passwd|pwd|secret|client_secret|secret_key|api_key|apikey"
    r"|access_token|refresh_token|token)[\"']?\s{0,8}[=:]\s{0,8}"
    r"(?P<redact>\"[^\"]{0,1024}\"?|'[^']{0,1024}'?|[^\s&,;\"']{1,1024})",
    # e-mail addresses (RFC 5321 lengths: local part 64, domain 255).
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}"
    r"\.[A-Za-z]{2,63}",
)


class Redactor:
    """Replaces every match of its patterns with ``[redacted]``."""

    def __init__(self, patterns: Iterable[str] = DEFAULT_PATTERNS) -> None:
        compiled = []
        for pattern in patterns:
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                raise ConfigurationError(
                    f"redaction pattern {pattern!r} is not a valid regular expression: {exc}",
                    "fix the pattern in QUIRKS_ALERTS_REDACT",
                ) from None
        self.patterns = tuple(compiled)

    def text(self, value: str) -> str:
        """``value`` with every match replaced (only the ``redact`` group, where there is one)."""
        for pattern in self.patterns:
            if "redact" in pattern.groupindex:
                value = pattern.sub(_redact_group, value)
            else:
                value = pattern.sub(REDACTED, value)
        return value

    def record(self, record: ErrorRecord) -> ErrorRecord:
        """A copy of ``record`` whose free-text fields are redacted."""
        return dataclasses.replace(
            record,
            # The error type is log text too ("[ERROR] jane@example.com: ..." parses as one).
            error_type=self.text(record.error_type),
            message=self.text(record.message),
            stack=tuple(self.text(line) for line in record.stack),
            top_frame=self.text(record.top_frame) if record.top_frame else None,
        )


def _redact_group(match: re.Match[str]) -> str:
    whole, start = match.group(0), match.start()
    return whole[: match.start("redact") - start] + REDACTED + whole[match.end("redact") - start :]
