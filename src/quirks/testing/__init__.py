"""Helpers for testing your own consumers of DynamoDB streams, failure destinations and logs.

Import what a test needs from here; nothing in this package imports pytest (the fixtures live in
:mod:`quirks.testing.pytest_plugin`, enabled with ``pytest_plugins =
["quirks.testing.pytest_plugin"]``). ``docs/testing.md`` shows each helper in a test to copy:

* events, built by the same code the local cloud delivers with (:mod:`quirks.testing.events`):
  :func:`stream_record`, :func:`stream_event`, :func:`on_failure_pointer`,
  :func:`s3_failure_object`, :func:`sns_notification`, :func:`async_invocation_record`,
  :func:`awslogs_event`;
* :func:`lambda_context` — the ``context`` a handler is invoked with (:mod:`quirks.testing.context`);
* :func:`run_cli` — the ``quirks`` command in-process, with its exit code, stdout, stderr and
  ``--json`` document (:mod:`quirks.testing.cli`);
* :func:`local_cloud` and :func:`drain_queue` — the local cloud with a stack, and the messages a
  consumer sent (:mod:`quirks.testing.cloud`).
"""

from quirks.testing.cli import CliResult, run_cli
from quirks.testing.cloud import RunningCloud, drain_queue, local_cloud
from quirks.testing.context import LambdaContext, lambda_context
from quirks.testing.events import (
    DEFAULT_FUNCTION_ARN,
    DEFAULT_SHARD_ID,
    DEFAULT_STREAM_ARN,
    async_invocation_record,
    awslogs_event,
    on_failure_pointer,
    s3_failure_object,
    sns_notification,
    stream_event,
    stream_record,
    to_item,
)

__all__ = [
    "DEFAULT_FUNCTION_ARN",
    "DEFAULT_SHARD_ID",
    "DEFAULT_STREAM_ARN",
    "CliResult",
    "LambdaContext",
    "RunningCloud",
    "async_invocation_record",
    "awslogs_event",
    "drain_queue",
    "lambda_context",
    "local_cloud",
    "on_failure_pointer",
    "run_cli",
    "s3_failure_object",
    "sns_notification",
    "stream_event",
    "stream_record",
    "to_item",
]
