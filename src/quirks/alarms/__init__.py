"""Alarms for stream consumers and asynchronous targets: know before the 24-hour clock runs out.

* :mod:`~quirks.alarms.discover` — find stream event source mappings, async targets, failure queues;
* :mod:`~quirks.alarms.config` — thresholds, per-function overrides, the JSON config file;
* :mod:`~quirks.alarms.desired` — the alarm set, with stable names and actionable descriptions (pure);
* :mod:`~quirks.alarms.plan` — desired vs existing: create, update, unchanged, orphaned (pure);
* :mod:`~quirks.alarms.apply` — read existing alarms and carry out a plan, touching only ours;
* :mod:`~quirks.alarms.service` — all of the above in one call.
"""

from quirks.alarms.apply import ApplyResult, apply_plan, read_existing
from quirks.alarms.config import AlarmConfig, Thresholds, parse_config, parse_duration_ms
from quirks.alarms.desired import alarm_name, desired_alarms, failure_queues, findings
from quirks.alarms.discover import discover
from quirks.alarms.model import (
    MANAGED_BY_TAG,
    MANAGED_BY_VALUE,
    AlarmSpec,
    AsyncTarget,
    ExistingAlarm,
    FailureQueue,
    Inventory,
    StreamConsumer,
)
from quirks.alarms.plan import AlarmPlan, plan_alarms
from quirks.alarms.service import AccountPlan

__all__ = [
    "MANAGED_BY_TAG",
    "MANAGED_BY_VALUE",
    "AccountPlan",
    "AlarmConfig",
    "AlarmPlan",
    "AlarmSpec",
    "ApplyResult",
    "AsyncTarget",
    "ExistingAlarm",
    "FailureQueue",
    "Inventory",
    "StreamConsumer",
    "Thresholds",
    "alarm_name",
    "apply_plan",
    "desired_alarms",
    "discover",
    "failure_queues",
    "findings",
    "parse_config",
    "parse_duration_ms",
    "plan_alarms",
    "read_existing",
]
