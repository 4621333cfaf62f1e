"""Redaction of secrets and personal data before anything leaves the notifier (pure).

Defaults remove e-mail addresses and bearer tokens; more regular expressions can be added (the
handler reads them from ``QUIRKS_ALERTS_REDACT``, a JSON array of patterns).
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
DEFAULT_PATTERNS: tuple[str, ...] = (
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",  # e-mail addresses
    r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*",  # Authorization: Bearer <token>
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
        """``value`` with every match replaced."""
        for pattern in self.patterns:
            value = pattern.sub(REDACTED, value)
        return value

    def record(self, record: ErrorRecord) -> ErrorRecord:
        """A copy of ``record`` whose free-text fields are redacted."""
        return dataclasses.replace(
            record,
            message=self.text(record.message),
            stack=tuple(self.text(line) for line in record.stack),
            top_frame=self.text(record.top_frame) if record.top_frame else None,
        )
