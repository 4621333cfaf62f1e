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
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from quirks import aws, jsonsafe
from quirks.alarms.apply import apply_plan
from quirks.alarms.config import AlarmConfig, parse_config
from quirks.alarms.service import plan_account
from quirks.errors import ConfigurationError, FormatError, QuirksError
from quirks.timeouts import TimeoutCheck

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["AlarmSyncError", "config_from_env", "lambda_handler"]

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "quirks-alarms"))
_check_timeout = TimeoutCheck("alarms")


class AlarmSyncError(QuirksError):
    """Some alarms could not be created, updated or deleted (details in the log)."""


def config_from_env(environ: Mapping[str, str]) -> AlarmConfig:
    """The :class:`AlarmConfig` described by the handler's environment variables."""
    text = environ.get("QUIRKS_ALARMS_CONFIG")
    parameter = environ.get("QUIRKS_ALARMS_CONFIG_PARAMETER")
    if text is None and parameter:
        response = aws.client("ssm").get_parameter(Name=parameter, WithDecryption=True)
        text = response["Parameter"].get("Value", "")
    try:
        data = jsonsafe.loads(text, "the alarms config") if text else {}
    except FormatError as exc:
        raise ConfigurationError(
            str(exc).replace("is not JSON", "is not valid JSON"),
            "fix QUIRKS_ALARMS_CONFIG or the SSM parameter it names",
        ) from exc
    config = parse_config(data)
    topic = environ.get("QUIRKS_ALARMS_TOPIC_ARN")
    return config.with_topic(topic, "QUIRKS_ALARMS_TOPIC_ARN") if topic else config


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Discover, plan and apply; returns what was done (counts and names of changed alarms)."""
    _check_timeout(context, logger)
    environ = os.environ
    config = config_from_env(environ)
    prune = environ.get("QUIRKS_ALARMS_PRUNE", "").lower() == "true"
    planned = plan_account(config)
    for finding in planned.plan.findings:
        logger.warning(finding)
    removed = planned.plan.actions_removed()
    allowed = environ.get("QUIRKS_ALARMS_ALLOW_REMOVING_ACTIONS", "").lower() == "true"
    if removed and config.topic_arn is None and not allowed:
        # A lost QUIRKS_ALARMS_TOPIC_ARN would otherwise silence every alarm, hourly and quietly.
        # A new topic is a deliberate change of the deployment: its alarms move to it.
        logger.error("alarms would lose their actions; nothing changed", extra={"alarms": removed})
        raise ConfigurationError(
            f"applying would remove the actions of {len(removed)} alarms; nothing was changed",
            "set QUIRKS_ALARMS_TOPIC_ARN to the topic they notify, or "
            "QUIRKS_ALARMS_ALLOW_REMOVING_ACTIONS=true",
        )
    outcome = apply_plan(planned.plan, prune=prune, region=planned.inventory.region)
    summary: dict[str, Any] = {
        "region": planned.inventory.region,
        "created": outcome.created,
        "updated": outcome.updated,
        "deleted": outcome.deleted,
        "unchanged": len(outcome.unchanged),
        "orphaned_kept": outcome.orphaned_kept,
        "conflicts": outcome.conflicts,
        "failed": outcome.failed,
    }
    if not outcome.ok:
        logger.error("alarms not in sync", extra={"alarms": summary})
        raise AlarmSyncError(
            f"{len(outcome.failed)} alarms failed and {len(outcome.conflicts)} names conflict "
            "with alarms not managed by serverless-quirks (see the ERROR log line)"
        )
    logger.info("alarms in sync", extra={"alarms": summary})
    return summary
