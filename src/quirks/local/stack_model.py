"""The typed model of a stack file: one frozen dataclass per resource kind, one :class:`Stack` of them.

Pure. :func:`quirks.local.stack.load_stack` builds it once from a schema-checked TOML document
(:mod:`.stack_schema`), and code builds it directly (``quirks demo`` does); either way
:func:`quirks.local.stack.provision` creates what it describes. Field names are the stack file's,
defaults are the ones the AWS APIs apply when a field is left out.

References (``queue:<name>``, ``table:<name>`` for a table's stream, ``topic:``, ``bucket:``,
``function:``, or an ARN) are kept as written and resolved while provisioning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from quirks.alerts.patterns import DEFAULT_PATTERN
from quirks.arns import lambda_log_group
from quirks.errors import ConfigurationError
from quirks.limits import FILTER_NAME

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "BucketSpec",
    "FunctionSpec",
    "InvokeConfigSpec",
    "LogSubscriptionSpec",
    "MappingSpec",
    "QueueSpec",
    "RedriveSpec",
    "Stack",
    "SubscriptionSpec",
    "TableSpec",
    "TopicSpec",
]

StreamView = Literal["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
StartingPosition = Literal["TRIM_HORIZON", "LATEST"]
LogFormat = Literal["Text", "JSON"]
Protocol = Literal["sqs", "lambda"]


@dataclass(frozen=True)
class TableSpec:
    """A DynamoDB table (on-demand, string keys), with a stream when ``stream`` names a view."""

    name: str
    hash_key: str = "pk"
    range_key: str | None = None
    stream: StreamView | None = None


@dataclass(frozen=True)
class RedriveSpec:
    """A queue's redrive policy: where messages go after ``max_receive_count`` receives."""

    target: str
    max_receive_count: int = 3


@dataclass(frozen=True)
class QueueSpec:
    """An SQS queue; ``attributes`` are CreateQueue's (booleans are written ``true``/``false``)."""

    name: str
    attributes: Mapping[str, str | int | bool] = field(default_factory=dict)
    redrive: RedriveSpec | None = None


@dataclass(frozen=True)
class SubscriptionSpec:
    """An SNS subscription of a topic to a queue or a function."""

    endpoint: str
    protocol: Protocol = "sqs"


@dataclass(frozen=True)
class TopicSpec:
    """An SNS topic and its subscriptions."""

    name: str
    subscriptions: tuple[SubscriptionSpec, ...] = ()


@dataclass(frozen=True)
class BucketSpec:
    """An S3 bucket, created in the stack's region."""

    name: str


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function whose code is ``handler``, an import path (``module.function``).

    ``fanout`` is an inline fan-out configuration for ``quirks.fanout.handler``: it becomes the
    function's ``QUIRKS_FANOUT_CONFIG``.
    """

    name: str
    handler: str
    environment: Mapping[str, str] = field(default_factory=dict)
    timeout: int = 3
    memory: int = 128
    log_format: LogFormat = "Text"
    dead_letter: str | None = None
    fanout: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class InvokeConfigSpec:
    """A function's asynchronous invocation settings and destinations."""

    function: str
    maximum_retry_attempts: int = 2
    maximum_event_age: int = 21600
    on_success: str | None = None
    on_failure: str | None = None


@dataclass(frozen=True)
class MappingSpec:
    """An event source mapping from a stream or a queue; ``None`` leaves a setting to Lambda.

    ``filters`` are event filter patterns, each an inline table or its JSON text.
    """

    function: str
    source: str
    batch_size: int | None = None
    batching_window: int | None = None
    starting_position: StartingPosition | None = None
    bisect: bool | None = None
    maximum_retry_attempts: int | None = None
    maximum_record_age: int | None = None
    report_batch_item_failures: bool = False
    on_failure: str | None = None
    filters: tuple[str | Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class LogSubscriptionSpec:
    """A subscription filter on ``log_group`` (by default the log group of ``function``)."""

    destination: str
    function: str | None = None
    log_group: str | None = None
    name: str = FILTER_NAME
    filter_pattern: str = DEFAULT_PATTERN

    @property
    def group(self) -> str:
        """The log group to subscribe: ``log_group``, else the function's default log group."""
        if self.log_group:
            return self.log_group
        if self.function:
            return lambda_log_group(self.function)
        raise ConfigurationError(
            "a log subscription names neither a function nor a log group",
            "give 'function' or 'log_group'",
        )


@dataclass(frozen=True)
class Stack:
    """A parsed, validated stack: every resource it declares, by kind, in the file's order."""

    region: str = "us-east-1"
    paths: tuple[str, ...] = ()
    tables: tuple[TableSpec, ...] = ()
    queues: tuple[QueueSpec, ...] = ()
    topics: tuple[TopicSpec, ...] = ()
    buckets: tuple[BucketSpec, ...] = ()
    functions: tuple[FunctionSpec, ...] = ()
    event_source_mappings: tuple[MappingSpec, ...] = ()
    event_invoke_configs: tuple[InvokeConfigSpec, ...] = ()
    log_subscriptions: tuple[LogSubscriptionSpec, ...] = ()
    base_dir: Path = field(default_factory=Path.cwd)
