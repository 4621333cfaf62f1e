"""Discovery: what in this account and region needs watching (adapter over the Lambda API).

* every event source mapping on a DynamoDB or Kinesis stream, with its on-failure destination;
* every function with an asynchronous event invoke config (retries, max age, destinations) or a
  dead-letter queue: the targets of fan-out and other asynchronous callers.

Read-only calls: ``lambda:ListEventSourceMappings``, ``lambda:ListFunctions``,
``lambda:ListFunctionEventInvokeConfigs`` and ``sts:GetCallerIdentity``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quirks import aws
from quirks.alarms.model import AsyncTarget, Inventory, StreamConsumer
from quirks.arns import Arn, function_name

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from mypy_boto3_lambda import LambdaClient

__all__ = ["consumer_from_mapping", "discover", "target_from_function"]


def consumer_from_mapping(mapping: Mapping[str, Any]) -> StreamConsumer | None:
    """A :class:`StreamConsumer` from one ``ListEventSourceMappings`` entry; None if not a stream."""
    source_arn = mapping.get("EventSourceArn") or ""
    if not source_arn.startswith("arn:"):
        return None  # Kafka, MQ and other sources without an ARN
    service = Arn.parse(source_arn).service
    if service not in ("dynamodb", "kinesis"):
        return None
    function_arn = mapping.get("FunctionArn") or ""
    on_failure = ((mapping.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
        "Destination"
    )
    return StreamConsumer(
        function_name=function_name(function_arn),
        function_arn=function_arn,
        source_arn=source_arn,
        source="dynamodb" if service == "dynamodb" else "kinesis",
        mapping_uuid=mapping.get("UUID") or "",
        on_failure=on_failure or None,
        state=mapping.get("State"),
    )


def target_from_function(
    function: Mapping[str, Any], invoke_configs: list[Mapping[str, Any]]
) -> AsyncTarget | None:
    """An :class:`AsyncTarget` from a ``ListFunctions`` entry and its event invoke configs.

    None when the function has neither an invoke config nor a dead-letter queue. With configs on
    several qualifiers, the unqualified (or ``$LATEST``) one wins, else the first.
    """
    dead_letter = (function.get("DeadLetterConfig") or {}).get("TargetArn") or None
    if not invoke_configs and not dead_letter:
        return None
    unqualified = function.get("FunctionArn", "")
    config: Mapping[str, Any] = {}
    if invoke_configs:
        config = next(
            (
                c
                for c in invoke_configs
                if c.get("FunctionArn") in (unqualified, f"{unqualified}:$LATEST")
            ),
            invoke_configs[0],
        )
    destinations = config.get("DestinationConfig") or {}
    return AsyncTarget(
        function_name=function["FunctionName"],
        function_arn=unqualified,
        on_failure=(destinations.get("OnFailure") or {}).get("Destination") or None,
        on_success=(destinations.get("OnSuccess") or {}).get("Destination") or None,
        dead_letter=dead_letter,
        maximum_event_age_seconds=config.get("MaximumEventAgeInSeconds"),
        maximum_retry_attempts=config.get("MaximumRetryAttempts"),
    )


def _invoke_configs(client: LambdaClient, name: str) -> list[Mapping[str, Any]]:
    configs: list[Mapping[str, Any]] = []
    paginator = client.get_paginator("list_function_event_invoke_configs")
    for page in paginator.paginate(FunctionName=name):
        configs.extend(page.get("FunctionEventInvokeConfigs") or [])
    return configs


def discover(
    region: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    clients: aws.ClientFactory | None = None,
) -> Inventory:
    """Discover stream consumers and async targets in ``region`` (default: the configured one).

    ``on_progress(done, total)`` is called as functions are inspected (one call per function).
    """
    clients = clients or aws.current()
    region = region or clients.region()
    client = clients.client("lambda", region)
    consumers: list[StreamConsumer] = []
    for page in client.get_paginator("list_event_source_mappings").paginate():
        for mapping in page.get("EventSourceMappings") or []:
            consumer = consumer_from_mapping(mapping)
            if consumer is not None:
                consumers.append(consumer)

    functions: list[Mapping[str, Any]] = []
    for functions_page in client.get_paginator("list_functions").paginate():
        functions.extend(functions_page.get("Functions") or [])
    targets: list[AsyncTarget] = []
    for done, function in enumerate(functions, start=1):
        target = target_from_function(function, _invoke_configs(client, function["FunctionName"]))
        if target is not None:
            targets.append(target)
        if on_progress is not None:
            on_progress(done, len(functions))

    account = clients.client("sts", region).get_caller_identity()["Account"]
    return Inventory(
        region=region,
        account=account,
        consumers=tuple(sorted(consumers, key=lambda c: (c.function_name, c.mapping_uuid))),
        async_targets=tuple(sorted(targets, key=lambda t: t.function_name)),
    )
