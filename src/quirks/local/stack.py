"""Stack files: the resources of a local cloud, declared in TOML and provisioned through the AWS APIs.

Example (``docs/local.md`` documents every field)::

    region = "us-east-1"
    paths = ["."]                      # where handler import paths are found

    [[tables]]
    name = "orders"
    hash_key = "pk"
    stream = "NEW_AND_OLD_IMAGES"

    [[queues]]
    name = "billing-failures"

    [[functions]]
    name = "billing"
    handler = "shop.billing.handler"   # an import path: no zip needed locally
    environment = { TABLE = "orders" }
    timeout = 10

    [[event_source_mappings]]
    function = "billing"
    source = "table:orders"            # or queue:<name>, or an ARN
    starting_position = "TRIM_HORIZON"
    on_failure = "queue:billing-failures"

References ``table:<name>``, ``queue:<name>``, ``topic:<name>``, ``bucket:<name>`` and
``function:<name>`` are resolved to ARNs (a table reference means its stream). Provisioning uses only
public AWS APIs through the client factory, as an IaC tool would; functions get a one-file package whose
module imports the handler from its import path.
"""

from __future__ import annotations

import contextlib
import io
import json
import tomllib
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from quirks.arns import lambda_function_arn
from quirks.errors import ConfigurationError
from quirks.limits import DEFAULT_ACCOUNT
from quirks.local.stack_model import (
    BucketSpec,
    FunctionSpec,
    InvokeConfigSpec,
    LogSubscriptionSpec,
    MappingSpec,
    QueueSpec,
    RedriveSpec,
    Stack,
    SubscriptionSpec,
    TableSpec,
    TopicSpec,
)
from quirks.local.stack_schema import validate

if TYPE_CHECKING:
    from mypy_boto3_lambda.type_defs import (
        CreateEventSourceMappingRequestTypeDef,
        DestinationConfigTypeDef,
    )
    from mypy_boto3_sqs.literals import QueueAttributeNameType

    from quirks import aws

__all__ = [
    "SHIM_HANDLER",
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
    "handler_package",
    "load_stack",
    "provision",
]


def load_stack(path: str | Path) -> Stack:
    """Read and validate a TOML stack file before anything is created (:mod:`.stack_schema`).

    Errors name the section, entry and field, and suggest the name meant for an unknown one.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"stack file {file} does not exist", "pass --stack with an existing file"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"stack file {file} is not valid TOML: {exc}", "fix the syntax"
        ) from None
    validate(data, file.parent)
    return _typed_stack(data, file.parent)


def _typed_stack(data: dict[str, Any], base_dir: Path) -> Stack:
    """The typed :class:`Stack` of a document :func:`.stack_schema.validate` accepted."""

    def entries(section: str) -> list[dict[str, Any]]:
        return list(data.get(section, []))

    return Stack(
        region=str(data.get("region", "us-east-1")),
        paths=tuple(str((base_dir / p).resolve()) for p in data.get("paths", [])),
        base_dir=base_dir.resolve(),
        tables=tuple(TableSpec(**e) for e in entries("tables")),
        queues=tuple(_queue(e) for e in entries("queues")),
        topics=tuple(_topic(e) for e in entries("topics")),
        buckets=tuple(BucketSpec(**e) for e in entries("buckets")),
        functions=tuple(_function(e) for e in entries("functions")),
        event_source_mappings=tuple(
            MappingSpec(**{**e, "filters": tuple(e.get("filters", ()))})
            for e in entries("event_source_mappings")
        ),
        event_invoke_configs=tuple(InvokeConfigSpec(**e) for e in entries("event_invoke_configs")),
        log_subscriptions=tuple(LogSubscriptionSpec(**e) for e in entries("log_subscriptions")),
    )


def _queue(entry: dict[str, Any]) -> QueueSpec:
    redrive = entry.get("redrive")
    return QueueSpec(**{**entry, "redrive": RedriveSpec(**redrive) if redrive else None})


def _topic(entry: dict[str, Any]) -> TopicSpec:
    subscriptions = tuple(SubscriptionSpec(**s) for s in entry.get("subscriptions", ()))
    return TopicSpec(name=entry["name"], subscriptions=subscriptions)


def _function(entry: dict[str, Any]) -> FunctionSpec:
    environment = {k: str(v) for k, v in entry.get("environment", {}).items()}
    return FunctionSpec(**{**entry, "environment": environment})


SHIM_HANDLER = "quirks_stack_handler.handler"


def handler_package(handler: str, paths: tuple[str, ...] = ()) -> bytes:
    """A one-file deployment package whose ``SHIM_HANDLER`` imports ``handler`` from its import path."""
    module, _, attr = handler.rpartition(".")
    source = (
        "import sys\n"
        f"sys.path[:0] = [p for p in {list(paths)!r} if p not in sys.path]\n"
        f"from {module} import {attr} as handler\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("quirks_stack_handler.py", source)
    return buffer.getvalue()


def provision(stack: Stack, clients: aws.ClientFactory) -> dict[str, str]:
    """Create every resource of ``stack``; returns the ARNs (or URLs) by reference.

    Kinds are created in dependency order (what a resource names exists before it): tables and
    queues, topics, buckets, functions, their invoke configs, mappings, then log subscriptions.
    """
    run = _Provisioning(stack, clients)
    for table in stack.tables:
        run.table(table)
    for queue in stack.queues:
        run.queue(queue)
    for topic in stack.topics:
        run.topic(topic)
    for bucket in stack.buckets:
        run.bucket(bucket)
    for function in stack.functions:
        run.function(function)
    for config in stack.event_invoke_configs:
        run.invoke_config(config)
    for i, mapping in enumerate(stack.event_source_mappings):
        run.mapping(i, mapping)
    for subscription in stack.log_subscriptions:
        run.log_subscription(subscription)
    return run.created


_MAPPING_SETTINGS = {
    "batch_size": "BatchSize",
    "batching_window": "MaximumBatchingWindowInSeconds",
    "starting_position": "StartingPosition",
    "bisect": "BisectBatchOnFunctionError",
    "maximum_retry_attempts": "MaximumRetryAttempts",
    "maximum_record_age": "MaximumRecordAgeInSeconds",
}


class _Provisioning:
    """One run of :func:`provision`: what was created so far, by reference, and the tables' streams."""

    def __init__(self, stack: Stack, clients: aws.ClientFactory) -> None:
        self.stack = stack
        self.clients = clients
        self.created: dict[str, str] = {}
        self.streams: dict[str, str] = {}

    def arn(self, reference: str) -> str:
        """Resolve ``kind:name`` references; ARNs pass through (the schema checked them all)."""
        if reference.startswith("arn:"):
            return reference
        kind, _, name = reference.partition(":")
        region = self.stack.region
        if kind == "table":
            return self.streams[name]
        if kind == "bucket":
            return f"arn:aws:s3:::{name}"
        if kind == "function":
            return lambda_function_arn(region, DEFAULT_ACCOUNT, name)
        services = {"queue": "sqs", "topic": "sns"}
        return f"arn:aws:{services[kind]}:{region}:{DEFAULT_ACCOUNT}:{name}"

    def table(self, table: TableSpec) -> None:
        keys = [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
        if table.range_key:
            keys.append({"AttributeName": table.range_key, "KeyType": "RANGE"})
        params: dict[str, Any] = {
            "TableName": table.name,
            "KeySchema": keys,
            "AttributeDefinitions": [
                {"AttributeName": key["AttributeName"], "AttributeType": "S"} for key in keys
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if table.stream:
            params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream}
        description = self.clients.client("dynamodb").create_table(**params)["TableDescription"]
        self.created[f"table:{table.name}"] = description["TableArn"]
        if description.get("LatestStreamArn"):
            self.streams[table.name] = description["LatestStreamArn"]

    def queue(self, queue: QueueSpec) -> None:
        # SQS attribute values are strings; booleans are written true/false.
        attributes = {
            k: str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in queue.attributes.items()
        }
        if queue.redrive:
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": self.arn(queue.redrive.target),
                    "maxReceiveCount": str(queue.redrive.max_receive_count),
                }
            )
        self.created[f"queue:{queue.name}"] = self.clients.client("sqs").create_queue(
            QueueName=queue.name,
            Attributes=cast("dict[QueueAttributeNameType, str]", attributes),
        )["QueueUrl"]

    def topic(self, topic: TopicSpec) -> None:
        sns = self.clients.client("sns")
        arn = sns.create_topic(Name=topic.name)["TopicArn"]
        self.created[f"topic:{topic.name}"] = arn
        for subscription in topic.subscriptions:
            sns.subscribe(
                TopicArn=arn,
                Protocol=subscription.protocol,
                Endpoint=self.arn(subscription.endpoint),
            )

    def bucket(self, bucket: BucketSpec) -> None:
        params: dict[str, Any] = {"Bucket": bucket.name}
        if self.stack.region != "us-east-1":  # S3 refuses a LocationConstraint of us-east-1
            params["CreateBucketConfiguration"] = {"LocationConstraint": self.stack.region}
        self.clients.client("s3").create_bucket(**params)
        self.created[f"bucket:{bucket.name}"] = f"arn:aws:s3:::{bucket.name}"

    def function(self, function: FunctionSpec) -> None:
        variables = dict(function.environment)
        if function.fanout is not None:  # a fan-out configuration, for quirks.fanout.handler
            variables["QUIRKS_FANOUT_CONFIG"] = json.dumps(function.fanout)
        params: dict[str, Any] = {
            "FunctionName": function.name,
            "Runtime": "python3.11",
            "Role": f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/{function.name}",
            "Handler": SHIM_HANDLER,
            "Code": {"ZipFile": handler_package(function.handler, self.stack.paths)},
            "Timeout": function.timeout,
            "MemorySize": function.memory,
            "Environment": {"Variables": variables},
            "LoggingConfig": {"LogFormat": function.log_format},
        }
        if function.dead_letter:
            params["DeadLetterConfig"] = {"TargetArn": self.arn(function.dead_letter)}
        arn = self.clients.client("lambda").create_function(**params)["FunctionArn"]
        self.created[f"function:{function.name}"] = arn

    def invoke_config(self, config: InvokeConfigSpec) -> None:
        destinations = {
            api: {"Destination": self.arn(reference)}
            for api, reference in (
                ("OnSuccess", config.on_success),
                ("OnFailure", config.on_failure),
            )
            if reference
        }
        self.clients.client("lambda").put_function_event_invoke_config(
            FunctionName=config.function,
            MaximumRetryAttempts=config.maximum_retry_attempts,
            MaximumEventAgeInSeconds=config.maximum_event_age,
            DestinationConfig=cast("DestinationConfigTypeDef", destinations),
        )

    def mapping(self, index: int, mapping: MappingSpec) -> None:
        params: dict[str, Any] = {
            "FunctionName": mapping.function,
            "EventSourceArn": self.arn(mapping.source),
        }
        for name, api in _MAPPING_SETTINGS.items():
            if getattr(mapping, name) is not None:
                params[api] = getattr(mapping, name)
        if mapping.report_batch_item_failures:
            params["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
        if mapping.on_failure:
            params["DestinationConfig"] = {
                "OnFailure": {"Destination": self.arn(mapping.on_failure)}
            }
        if mapping.filters:
            params["FilterCriteria"] = {
                "Filters": [
                    {"Pattern": f if isinstance(f, str) else json.dumps(f)} for f in mapping.filters
                ]
            }
        request = cast("CreateEventSourceMappingRequestTypeDef", params)
        uuid = self.clients.client("lambda").create_event_source_mapping(**request)["UUID"]
        self.created[f"event_source_mapping:{index}"] = uuid

    def log_subscription(self, subscription: LogSubscriptionSpec) -> None:
        logs = self.clients.client("logs")
        group = subscription.group
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_group(logGroupName=group)
        logs.put_subscription_filter(
            logGroupName=group,
            filterName=subscription.name,
            filterPattern=subscription.filter_pattern,
            destinationArn=self.arn(subscription.destination),
        )
        self.created[f"log_subscription:{group}"] = subscription.name
