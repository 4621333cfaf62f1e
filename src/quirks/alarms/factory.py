"""Composition root for alarms: the one place the CLI and the scheduled handler get their objects.

:func:`build_service` wires an :class:`~quirks.alarms.service.AlarmService` to a client factory;
:func:`build_scheduled_sync` adds what the handler reads from its environment. The config held in
SSM is read through Powertools' parameters utility, cached for :data:`CONFIG_MAX_AGE` seconds, so
an hourly schedule reads it about once per run and a changed parameter is seen on the next run.
No I/O happens here until :meth:`ScheduledSync.config` is called.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quirks import aws, jsonsafe
from quirks.alarms.config import parse_config
from quirks.alarms.service import AlarmService
from quirks.errors import ConfigurationError, FormatError
from quirks.parameters import Parameters

if TYPE_CHECKING:
    from collections.abc import Mapping

    from quirks.alarms.config import AlarmConfig

__all__ = ["CONFIG_MAX_AGE", "ScheduledSync", "build_scheduled_sync", "build_service"]

CONFIG_MAX_AGE = 300  # seconds an SSM-held config is reused before it is read again


def build_service(*, clients: aws.ClientFactory | None = None) -> AlarmService:
    """The alarm service on ``clients`` (default: the process-wide factory)."""
    return AlarmService(clients=clients or aws.current())


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").lower() == "true"


@dataclass(frozen=True)
class ScheduledSync:
    """The scheduled handler's wiring: its service and the settings from its environment."""

    service: AlarmService
    config_text: str | None
    config_parameter: str | None
    topic_arn: str | None
    prune: bool
    allow_removing_actions: bool
    parameters: Parameters

    def config(self) -> AlarmConfig:
        """The :class:`AlarmConfig` from ``QUIRKS_ALARMS_CONFIG`` or the SSM parameter it names."""
        text = self.config_text
        if text is None and self.config_parameter:
            text = self.parameters.ssm(
                self.config_parameter,
                what="the alarms config",
                fix="check QUIRKS_ALARMS_CONFIG_PARAMETER and the role's ssm:GetParameter grant",
                max_age=CONFIG_MAX_AGE,
            )
        try:
            data = jsonsafe.loads(text, "the alarms config") if text else {}
        except FormatError as exc:
            raise ConfigurationError(
                str(exc).replace("is not JSON", "is not valid JSON"),
                "fix QUIRKS_ALARMS_CONFIG or the SSM parameter it names",
            ) from exc
        config = parse_config(data)
        topic = self.topic_arn
        return config.with_topic(topic, "QUIRKS_ALARMS_TOPIC_ARN") if topic else config


def build_scheduled_sync(
    environ: Mapping[str, str] | None = None, *, clients: aws.ClientFactory | None = None
) -> ScheduledSync:
    """The handler's wiring from ``environ`` (default: the process environment); no I/O."""
    environ = os.environ if environ is None else environ
    clients = clients or aws.current()
    return ScheduledSync(
        service=build_service(clients=clients),
        config_text=environ.get("QUIRKS_ALARMS_CONFIG"),
        config_parameter=environ.get("QUIRKS_ALARMS_CONFIG_PARAMETER") or None,
        topic_arn=environ.get("QUIRKS_ALARMS_TOPIC_ARN") or None,
        prune=_flag(environ, "QUIRKS_ALARMS_PRUNE"),
        allow_removing_actions=_flag(environ, "QUIRKS_ALARMS_ALLOW_REMOVING_ACTIONS"),
        parameters=Parameters(clients),
    )
