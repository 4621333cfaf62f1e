"""The command line's one logging setup: library warnings and errors as one line each on stderr.

Library code logs with :mod:`logging` (``logger.exception`` where one item fails and the run goes
on). Without a handler, Python's last-resort handler would print each with its traceback. The CLI
installs one handler on the ``quirks`` logger instead: ``quirks: warning: <message> (<error>)``,
one line per record, and the traceback only with ``--debug``, as for the errors ``main`` prints.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["configure_logging"]


class _OneLine(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.debug = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                text = f"{text} ({type(error).__name__}: {error})"
            line = f"quirks: {record.levelname.lower()}: {' '.join(text.split())}\n"
            # sys.stderr at the time of the record: tests and redirections replace it.
            sys.stderr.write(line)
            if self.debug and record.exc_info:
                sys.stderr.write(logging.Formatter().formatException(record.exc_info) + "\n")
        except Exception:  # logging must never break the command
            self.handleError(record)


_handler = _OneLine()


def configure_logging(*, debug: bool) -> None:
    """Install (once) the one-line handler on the ``quirks`` logger; ``debug`` adds tracebacks."""
    _handler.debug = debug
    logger = logging.getLogger("quirks")
    if _handler not in logger.handlers:
        logger.addHandler(_handler)
