"""Keep the alarms in sync on a schedule: ``quirks.alarms.handler.lambda_handler``.

Run it from an EventBridge schedule (hourly is plenty) so that a mapping or function deployed
tomorrow gets its alarms without anyone running ``quirks alarms apply``. Settings, from the
environment:

* ``QUIRKS_ALARMS_TOPIC_ARN``: the SNS topic for alarm and OK actions;
* ``QUIRKS_ALARMS_CONFIG``: the config file's JSON as text, or ``QUIRKS_ALARMS_CONFIG_PARAMETER``:
  the name of an SSM parameter holding it (for configs above the 4 KB environment limit);
* ``QUIRKS_ALARMS_PRUNE``: ``true`` to delete orphaned alarms (tagged as ours) as well.

A run that could not write every alarm, or met a name conflict, logs the details at ERROR and
raises :class:`AlarmSyncError`, so the invocation counts in the function's ``Errors`` metric.

It returns ``{"region": ..., **ApplyResult.summary()}``: the region, then the names of the alarms
``created``, ``updated``, ``deleted``, ``unchanged`` and ``orphaned_kept`` (lists), ``conflicts``
(a list) and ``failed`` (name to error text).

Lifecycle (as every handler of the toolkit): nothing is built at import; the first invocation
builds the wiring from the environment (:func:`quirks.alarms.factory.build_scheduled_sync`) under a
lock and the container keeps it; :func:`reset` forgets it (tests, a changed environment).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from quirks.alarms.factory import build_scheduled_sync
from quirks.errors import ConfigurationError, QuirksError
from quirks.lifecycle import PerContainer
from quirks.timeouts import TimeoutCheck

if TYPE_CHECKING:
    from collections.abc import Mapping

    from quirks.alarms.config import AlarmConfig
    from quirks.alarms.factory import ScheduledSync

__all__ = ["AlarmSyncError", "config_from_env", "lambda_handler", "reset"]

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "quirks-alarms"))
_check_timeout = TimeoutCheck("alarms")

_sync: PerContainer[ScheduledSync] = PerContainer(lambda: build_scheduled_sync())


class AlarmSyncError(QuirksError):
    """Some alarms could not be created, updated or deleted (details in the log)."""


def config_from_env(environ: Mapping[str, str]) -> AlarmConfig:
    """The :class:`AlarmConfig` described by the handler's environment variables."""
    return build_scheduled_sync(environ).config()


def reset() -> None:
    """Forget the container's wiring (tests; a changed environment)."""
    _sync.reset()
    _check_timeout.reset()


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Discover, plan and apply; returns the region and what was done (see the module doc)."""
    _check_timeout(context, logger)
    sync = _sync.get()
    config = sync.config()
    planned = sync.service.plan(config)
    for finding in planned.plan.findings:
        logger.warning(finding)
    removed = planned.plan.actions_removed()
    if removed and config.topic_arn is None and not sync.allow_removing_actions:
        # A lost QUIRKS_ALARMS_TOPIC_ARN would otherwise silence every alarm, hourly and quietly.
        # A new topic is a deliberate change of the deployment: its alarms move to it.
        logger.error("alarms would lose their actions; nothing changed", extra={"alarms": removed})
        raise ConfigurationError(
            f"applying would remove the actions of {len(removed)} alarms; nothing was changed",
            "set QUIRKS_ALARMS_TOPIC_ARN to the topic they notify, or "
            "QUIRKS_ALARMS_ALLOW_REMOVING_ACTIONS=true",
        )
    outcome = sync.service.apply(planned, prune=sync.prune)
    summary: dict[str, Any] = {"region": planned.inventory.region, **outcome.summary()}
    if not outcome.ok:
        logger.error("alarms not in sync", extra={"alarms": summary})
        raise AlarmSyncError(
            f"{len(outcome.failed)} alarms failed and {len(outcome.conflicts)} names conflict "
            "with alarms not managed by serverless-quirks (see the ERROR log line)"
        )
    logger.info("alarms in sync", extra={"alarms": summary})
    return summary
