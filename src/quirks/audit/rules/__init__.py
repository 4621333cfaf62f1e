"""The audit's rules: one module per rule, each a :class:`~quirks.audit.core.Rule` named ``RULE``.

Adding a rule is one file here, one line in :data:`RULES`, and one row in ``docs/audit.md``.
"""

from __future__ import annotations

from quirks.audit.rules import (
    qrk001_stream_readers,
    qrk002_stream_failures_nowhere,
    qrk003_shard_blocking,
    qrk004_pointer_only_destination,
    qrk005_dead_async_config,
    qrk006_errors_reach_nobody,
    qrk007_no_iterator_age_alarm,
    qrk008_no_queue_depth_alarm,
    qrk009_no_batch_item_failures,
    qrk010_source_queue_no_redrive,
    qrk011_log_filter_slots_full,
    qrk012_cognito_parent_a_record,
    qrk013_toolkit_timeout,
)

__all__ = ["RULES"]

RULES = (
    qrk001_stream_readers.RULE,
    qrk002_stream_failures_nowhere.RULE,
    qrk003_shard_blocking.RULE,
    qrk004_pointer_only_destination.RULE,
    qrk005_dead_async_config.RULE,
    qrk006_errors_reach_nobody.RULE,
    qrk007_no_iterator_age_alarm.RULE,
    qrk008_no_queue_depth_alarm.RULE,
    qrk009_no_batch_item_failures.RULE,
    qrk010_source_queue_no_redrive.RULE,
    qrk011_log_filter_slots_full.RULE,
    qrk012_cognito_parent_a_record.RULE,
    qrk013_toolkit_timeout.RULE,
)
