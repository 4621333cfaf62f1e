"""Deployment packages for the functions tests create through the Lambda API."""

from __future__ import annotations

import io
import zipfile

__all__ = ["ECHO", "zipped"]

ECHO = "def handler(event, context):\n    return event\n"
"""A handler that returns its event: for functions a test needs to exist more than to run."""


def zipped(source: str = ECHO, name: str = "app.py") -> bytes:
    """A deployment package holding one module, ``name``, whose text is ``source``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()
