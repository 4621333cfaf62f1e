"""The ``quirks`` command line: one typer sub-app per capability, all sharing one context."""

from quirks.cli.app import app, main

__all__ = ["app", "main"]
