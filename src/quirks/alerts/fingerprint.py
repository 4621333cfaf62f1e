"""Fingerprints: the same error in the same place gives the same key, whatever ids it mentions.

A fingerprint hashes the function name, the error type, the message with variable parts normalized
away (UUIDs, ISO timestamps, hex strings, numbers, quoted ids) and the top frame. Pure.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quirks.alerts.classify import ErrorRecord

__all__ = ["fingerprint", "normalize"]

# Order matters: the wider shapes first, so that a UUID is not read as hex runs and numbers.
_NORMALIZERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
        "<uuid>",
    ),
    (
        re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"),
        "<ts>",
    ),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<hex>"),
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"), "<hex>"),
    (
        re.compile(r"\b[A-Za-z]*\d[A-Za-z0-9]*[-_][A-Za-z0-9_-]*\b|\b[A-Za-z0-9]+[-_]\d[\w-]*\b"),
        "<id>",
    ),
    (re.compile(r"\d+(?:\.\d+)?"), "<n>"),
    (re.compile(r"\s+"), " "),
)


def normalize(text: str) -> str:
    """``text`` with ids, timestamps, hex and numbers replaced by placeholders."""
    for pattern, placeholder in _NORMALIZERS:
        text = pattern.sub(placeholder, text)
    return text.strip()


def fingerprint(record: ErrorRecord) -> str:
    """A 16-hex-digit key for (function, error type, normalized message, normalized top frame)."""
    parts = (
        record.function_name,
        record.error_type,
        normalize(record.message)[:500],
        normalize(record.top_frame or ""),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
