"""The ISO-8601 millisecond timestamp AWS writes (``2026-12-01T07:36:00.123Z``), in one place.

Standard library only: the local Lambda's worker process imports it next to the user's handler.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso_millis"]


def iso_millis(epoch: float) -> str:
    """``epoch`` seconds as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (milliseconds truncated, as AWS does)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
