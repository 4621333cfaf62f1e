"""The composition root of recovery: one place wires store, reader, service and replayer.

Both ``quirks recover`` and the SQS-triggered handler build through here, so a run from a terminal
and a run in Lambda are made of the same objects. :class:`Recovery` holds what lives as long as the
process (clients, the archive store, the replay target, the options); :meth:`Recovery.service`
makes the per-run part (a reader with fresh call counters and the run's deadline, and the
service around it). Nothing here does I/O.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quirks import aws
from quirks.errors import ConfigurationError, UserError
from quirks.recovery.reader import RangeReader, ReaderSettings
from quirks.recovery.replay import LambdaReplayer, QueueReplayer, Replayer
from quirks.recovery.report import DEFAULT_WARN_BEFORE
from quirks.recovery.service import RecoveryService
from quirks.storage import open_store

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import timedelta

    from quirks.recovery.report import RangeOutcome
    from quirks.storage import ObjectStore

__all__ = [
    "ARCHIVE_ENV",
    "REPLAY_FUNCTION_ENV",
    "Recovery",
    "build_recovery",
    "build_recovery_from_env",
    "build_replayer",
]

ARCHIVE_ENV = "QUIRKS_ARCHIVE"
REPLAY_FUNCTION_ENV = "QUIRKS_REPLAY_FUNCTION"


@dataclass(frozen=True)
class Recovery:
    """The wired, long-lived parts of recovery; :meth:`service` makes one run's service."""

    clients: aws.ClientFactory
    store: ObjectStore | None
    replayer: Replayer | None = None
    dry_run: bool = False
    keep: bool = False
    warn_before: timedelta = DEFAULT_WARN_BEFORE
    reader_settings: ReaderSettings | None = None

    def service(
        self,
        *,
        should_stop: Callable[[], bool] | None = None,
        on_range: Callable[[RangeOutcome], None] | None = None,
    ) -> RecoveryService:
        """A service for one run, with a reader of its own (call counts start at zero)."""
        reader = RangeReader(self.reader_settings, clients=self.clients, should_stop=should_stop)
        return RecoveryService(
            self.store,
            reader,
            dry_run=self.dry_run,
            keep=self.keep,
            warn_before=self.warn_before,
            on_range=on_range,
        )


def build_replayer(
    function: str | None = None,
    queue: str | None = None,
    *,
    asynchronous: bool = False,
    flag: str = "--replay-to-function",
    clients: aws.ClientFactory | None = None,
) -> Replayer | None:
    """The replay target: a function or a queue, at most one (``flag`` names the option)."""
    if function and queue:
        raise UserError(
            "pass one replay target, not both", f"use {flag} NAME or the queue option alone"
        )
    if function:
        return LambdaReplayer(function, asynchronous=asynchronous, clients=clients)
    if queue:
        return QueueReplayer(queue, clients=clients)
    return None


def build_recovery(
    archive: str | None,
    *,
    dry_run: bool = False,
    keep: bool = False,
    warn_before: timedelta = DEFAULT_WARN_BEFORE,
    replay_function: str | None = None,
    replay_queue: str | None = None,
    reader_settings: ReaderSettings | None = None,
    clients: aws.ClientFactory | None = None,
) -> Recovery:
    """Recovery archiving to ``archive`` (a directory or ``s3://bucket/prefix``).

    ``archive`` may be ``None`` only with ``dry_run``, which writes nothing.
    """
    if archive is None and not dry_run:
        raise UserError("no archive location", "pass --to DIR|s3://bucket/prefix, or --dry-run")
    clients = clients or aws.current()
    store = open_store(archive, clients=clients) if archive and not dry_run else None
    return Recovery(
        clients=clients,
        store=store,
        replayer=build_replayer(replay_function, replay_queue, clients=clients),
        dry_run=dry_run,
        keep=keep,
        warn_before=warn_before,
        reader_settings=reader_settings,
    )


def build_recovery_from_env(
    environ: Mapping[str, str] | None = None, *, clients: aws.ClientFactory | None = None
) -> Recovery:
    """Recovery as the handler runs it, configured by ``QUIRKS_ARCHIVE`` and
    ``QUIRKS_REPLAY_FUNCTION`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    location = environ.get(ARCHIVE_ENV)
    if not location:
        raise ConfigurationError(
            f"{ARCHIVE_ENV} is not set", "set it to a directory or s3://bucket/prefix"
        )
    return build_recovery(
        location, replay_function=environ.get(REPLAY_FUNCTION_ENV) or None, clients=clients
    )
