"""The ISO-8601 UTC timestamps AWS writes, in one place.

``iso_millis`` gives ``2026-12-01T07:36:00.123Z`` (log events, pointers, platform records);
``iso_seconds`` gives ``2026-12-01T07:36:00Z`` (the JSON log format, pointer arrival times).

Standard library only: the local Lambda's worker process imports it next to the user's handler.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso_millis", "iso_seconds"]


def iso_millis(epoch: float) -> str:
    """``epoch`` seconds as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (milliseconds truncated, as AWS does)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_seconds(epoch: float) -> str:
    """``epoch`` seconds as ``YYYY-MM-DDTHH:MM:SSZ`` (fractions truncated)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
