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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from quirks.alerts.patterns import DEFAULT_PATTERN
from quirks.errors import UserError
from quirks.local.stack_schema import SECTIONS, validate

if TYPE_CHECKING:
    from mypy_boto3_lambda.type_defs import DestinationConfigTypeDef
    from mypy_boto3_sqs.literals import QueueAttributeNameType

    from quirks import aws

__all__ = ["SHIM_HANDLER", "Stack", "handler_package", "load_stack", "provision"]

ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Stack:
    """A parsed, validated stack file."""

    region: str = "us-east-1"
    paths: tuple[str, ...] = ()
    tables: tuple[dict[str, Any], ...] = ()
    queues: tuple[dict[str, Any], ...] = ()
    topics: tuple[dict[str, Any], ...] = ()
    buckets: tuple[dict[str, Any], ...] = ()
    functions: tuple[dict[str, Any], ...] = ()
    event_source_mappings: tuple[dict[str, Any], ...] = ()
    event_invoke_configs: tuple[dict[str, Any], ...] = ()
    log_subscriptions: tuple[dict[str, Any], ...] = ()
    base_dir: Path = field(default_factory=Path.cwd)


def load_stack(path: str | Path) -> Stack:
    """Read and validate a TOML stack file before anything is created (:mod:`.stack_schema`).

    Errors name the section, entry and field, and suggest the name meant for an unknown one.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"stack file {file} does not exist", "pass --stack with an existing file"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"stack file {file} is not valid TOML: {exc}", "fix the syntax") from None
    validate(data, file.parent)
    sections = {section: tuple(data.get(section, [])) for section in SECTIONS}
    return Stack(
        region=str(data.get("region", "us-east-1")),
        paths=tuple(str((file.parent / p).resolve()) for p in data.get("paths", [])),
        base_dir=file.parent.resolve(),
        **sections,
    )


def _arn(reference: str, region: str, stream_arns: dict[str, str]) -> str:
    """Resolve ``kind:name`` references; ARNs pass through (:func:`validate` checked them all)."""
    if reference.startswith("arn:"):
        return reference
    kind, _, name = reference.partition(":")
    if kind == "table":
        return stream_arns[name]
    if kind == "bucket":
        return f"arn:aws:s3:::{name}"
    if kind == "function":
        return f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
    services = {"queue": "sqs", "topic": "sns"}
    return f"arn:aws:{services[kind]}:{region}:{ACCOUNT}:{name}"


def _attribute(value: str | int | bool) -> str:
    """SQS attribute values are strings; booleans are written ``true``/``false``."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _environment(function: dict[str, Any]) -> dict[str, str]:
    variables = {k: str(v) for k, v in function.get("environment", {}).items()}
    if "fanout" in function:  # a fan-out configuration, inline, for quirks.fanout.handler
        variables["QUIRKS_FANOUT_CONFIG"] = json.dumps(function["fanout"])
    return variables


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
    """Create every resource of ``stack``; returns the ARNs (or URLs) by reference."""
    created: dict[str, str] = {}
    streams: dict[str, str] = {}
    dynamodb = clients.client("dynamodb")
    for table in stack.tables:
        keys = [{"AttributeName": table.get("hash_key", "pk"), "KeyType": "HASH"}]
        attributes = [{"AttributeName": table.get("hash_key", "pk"), "AttributeType": "S"}]
        if table.get("range_key"):
            keys.append({"AttributeName": table["range_key"], "KeyType": "RANGE"})
            attributes.append({"AttributeName": table["range_key"], "AttributeType": "S"})
        params: dict[str, Any] = {
            "TableName": table["name"],
            "KeySchema": keys,
            "AttributeDefinitions": attributes,
            "BillingMode": "PAY_PER_REQUEST",
        }
        if table.get("stream"):
            params["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": table["stream"],
            }
        description = dynamodb.create_table(**params)["TableDescription"]
        created[f"table:{table['name']}"] = description["TableArn"]
        if description.get("LatestStreamArn"):
            streams[table["name"]] = description["LatestStreamArn"]
    sqs = clients.client("sqs")
    for queue in stack.queues:
        queue_attributes: dict[str, str] = {
            k: _attribute(v) for k, v in queue.get("attributes", {}).items()
        }
        if queue.get("redrive"):
            redrive = queue["redrive"]
            target = _arn(redrive["target"], stack.region, streams)
            queue_attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": target,
                    "maxReceiveCount": str(redrive.get("max_receive_count", 3)),
                }
            )
        created[f"queue:{queue['name']}"] = sqs.create_queue(
            QueueName=queue["name"],
            Attributes=cast("dict[QueueAttributeNameType, str]", queue_attributes),
        )["QueueUrl"]
    for topic in stack.topics:
        created[f"topic:{topic['name']}"] = clients.client("sns").create_topic(Name=topic["name"])[
            "TopicArn"
        ]
        for subscription in topic.get("subscriptions", []):
            clients.client("sns").subscribe(
                TopicArn=created[f"topic:{topic['name']}"],
                Protocol=subscription.get("protocol", "sqs"),
                Endpoint=_arn(subscription["endpoint"], stack.region, streams),
            )
    for bucket in stack.buckets:
        bucket_params: dict[str, Any] = {"Bucket": bucket["name"]}
        if stack.region != "us-east-1":  # S3 refuses a LocationConstraint of us-east-1
            bucket_params["CreateBucketConfiguration"] = {"LocationConstraint": stack.region}
        clients.client("s3").create_bucket(**bucket_params)
        created[f"bucket:{bucket['name']}"] = f"arn:aws:s3:::{bucket['name']}"
    lam = clients.client("lambda")
    for function in stack.functions:
        params = {
            "FunctionName": function["name"],
            "Runtime": "python3.11",
            "Role": f"arn:aws:iam::{ACCOUNT}:role/{function['name']}",
            "Handler": SHIM_HANDLER,
            "Code": {"ZipFile": handler_package(function["handler"], stack.paths)},
            "Timeout": int(function.get("timeout", 3)),
            "MemorySize": int(function.get("memory", 128)),
            "Environment": {"Variables": _environment(function)},
            "LoggingConfig": {"LogFormat": function.get("log_format", "Text")},
        }
        if function.get("dead_letter"):
            params["DeadLetterConfig"] = {
                "TargetArn": _arn(function["dead_letter"], stack.region, streams)
            }
        created[f"function:{function['name']}"] = lam.create_function(**params)["FunctionArn"]
    for config in stack.event_invoke_configs:
        destinations = {}
        for key, api_key in (("on_success", "OnSuccess"), ("on_failure", "OnFailure")):
            if config.get(key):
                destinations[api_key] = {"Destination": _arn(config[key], stack.region, streams)}
        lam.put_function_event_invoke_config(
            FunctionName=config["function"],
            MaximumRetryAttempts=int(config.get("maximum_retry_attempts", 2)),
            MaximumEventAgeInSeconds=int(config.get("maximum_event_age", 21600)),
            DestinationConfig=cast("DestinationConfigTypeDef", destinations),
        )
    for i, mapping in enumerate(stack.event_source_mappings):
        params = {
            "FunctionName": mapping["function"],
            "EventSourceArn": _arn(mapping["source"], stack.region, streams),
        }
        optional = {
            "batch_size": "BatchSize",
            "batching_window": "MaximumBatchingWindowInSeconds",
            "starting_position": "StartingPosition",
            "bisect": "BisectBatchOnFunctionError",
            "maximum_retry_attempts": "MaximumRetryAttempts",
            "maximum_record_age": "MaximumRecordAgeInSeconds",
        }
        params.update({api: mapping[key] for key, api in optional.items() if key in mapping})
        if mapping.get("report_batch_item_failures"):
            params["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
        if mapping.get("on_failure"):
            params["DestinationConfig"] = {
                "OnFailure": {"Destination": _arn(mapping["on_failure"], stack.region, streams)}
            }
        if mapping.get("filters"):
            params["FilterCriteria"] = {
                "Filters": [
                    {"Pattern": f if isinstance(f, str) else json.dumps(f)}
                    for f in mapping["filters"]
                ]
            }
        created[f"event_source_mapping:{i}"] = lam.create_event_source_mapping(**params)["UUID"]
    logs = clients.client("logs")
    for subscription in stack.log_subscriptions:
        group = subscription.get("log_group") or f"/aws/lambda/{subscription['function']}"
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_group(logGroupName=group)
        logs.put_subscription_filter(
            logGroupName=group,
            filterName=subscription.get("name", "quirks-errors"),
            filterPattern=subscription.get("filter_pattern", DEFAULT_PATTERN),
            destinationArn=_arn(subscription["destination"], stack.region, streams),
        )
        created[f"log_subscription:{group}"] = subscription.get("name", "quirks-errors")
    return created
