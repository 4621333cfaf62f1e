"""Facts several rules need, derived from the inventory once (pure): which mappings read a stream,
who invokes a function and how, which functions are the toolkit's own handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from quirks import jsonsafe
from quirks.audit.model import (
    Alarm,
    BucketNotification,
    EventTarget,
    Function,
    Inventory,
    LogGroup,
    LogSubscription,
    Mapping,
    Permission,
    Pipe,
    Queue,
    Subscription,
    Table,
    Topic,
)
from quirks.timeouts import HANDLER_PATHS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from quirks.timeouts import Handler

__all__ = [
    "ASYNC_PRINCIPALS",
    "UNKNOWN_INSTANCES",
    "alarmed",
    "async_invokers",
    "is_stream_mapping",
    "log_subscriptions",
    "recovery_consumers",
    "stream_readers",
    "sync_invokers",
    "toolkit_handler",
    "unalarmed",
]

_Watched = TypeVar("_Watched", Function, Queue)

ASYNC_PRINCIPALS = frozenset(
    f"{service}.amazonaws.com"
    for service in (
        "s3",
        "sns",
        "events",
        "logs",
        "ses",
        "cloudformation",
        "config",
        "iot",
        "codecommit",
        "codepipeline",
    )
)
"""Services that invoke Lambda asynchronously (Lambda developer guide, "Invoking Lambda functions
asynchronously"): a resource-policy statement for one of them is an async invoker."""

SYNC_PRINCIPALS = frozenset(
    f"{service}.amazonaws.com"
    for service in (
        "apigateway",
        "elasticloadbalancing",
        "cognito-idp",
        "appsync",
        "lex",
        "lexv2",
        "states",
        "firehose",
        "edgelambda",
        "batchoperations.s3",
    )
)

_MARKERS: dict[Handler, tuple[str, ...]] = {
    "recovery": ("QUIRKS_ARCHIVE",),
    "fanout": ("QUIRKS_FANOUT_CONFIG", "QUIRKS_FANOUT_CONFIG_SSM"),
    "alerts": (
        "QUIRKS_SLACK_WEBHOOK_URL",
        "QUIRKS_SLACK_WEBHOOK_SECRET",
        "QUIRKS_SLACK_WEBHOOK_SSM",
    ),
    "alarms": ("QUIRKS_ALARMS_CONFIG", "QUIRKS_ALARMS_CONFIG_PARAMETER", "QUIRKS_ALARMS_TOPIC_ARN"),
}


def toolkit_handler(function: Function) -> Handler | None:
    """Which of the toolkit's handlers ``function`` runs: by handler path, else by its settings."""
    for handler, path in HANDLER_PATHS.items():
        if function.handler == path:
            return handler
    for handler, markers in _MARKERS.items():
        if any(marker in function.environment for marker in markers):
            return handler
    return None


def is_stream_mapping(inventory: Inventory, mapping: Mapping) -> bool:
    """A DynamoDB or Kinesis stream source (not SQS, not Kafka)."""
    if inventory.find(Table, mapping.source) is not None:
        return True
    if inventory.find(Queue, mapping.source) is not None:
        return False
    return (":dynamodb:" in mapping.source and "/stream/" in mapping.source) or (
        ":kinesis:" in mapping.source
    )


UNKNOWN_INSTANCES = " (for_each/count not evaluated: at least 1, maybe more)"
"""Ends the description of a reader whose number of instances the source could not evaluate."""


def stream_readers(inventory: Inventory) -> dict[str, tuple[Table | None, list[str]]]:
    """Per DynamoDB stream: its table (if visible) and a description of each reader."""
    streams: dict[str, tuple[Table | None, list[str]]] = {}

    def add(source: str, reader: str) -> None:
        table = inventory.find(Table, source)
        if table is None and not (":dynamodb:" in source and "/stream/" in source):
            return
        key = table.key if table else source
        streams.setdefault(key, (table, []))[1].append(reader)

    def more(resource: Mapping | Pipe) -> str:
        return UNKNOWN_INSTANCES if "instances" in resource.unknown else ""

    for mapping in inventory.of(Mapping):
        if not mapping.enabled:
            continue  # a disabled mapping polls nothing
        function = inventory.find(Function, mapping.function)
        name = function.name if function else mapping.function
        add(mapping.source, f"mapping to {name}{more(mapping)}")
    for pipe in inventory.of(Pipe):
        if not pipe.enabled:
            continue  # a stopped pipe reads nothing
        add(pipe.source, f"pipe {pipe.name}{more(pipe)}")
    return streams


def _fanout_targets(function: Function) -> set[str] | None:
    """Functions the toolkit's fan-out handler invokes (async); None when its config is unreadable."""
    text = function.environment.get("QUIRKS_FANOUT_CONFIG")
    if not text:
        return None
    try:
        config = jsonsafe.loads(text, "QUIRKS_FANOUT_CONFIG")
        return {
            str(t["destination"]) for t in config.get("targets", []) if t.get("type") == "lambda"
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def async_invokers(inventory: Inventory, function: Function) -> list[str]:
    """What can invoke ``function`` asynchronously, as far as the inventory shows.

    An unknown principal (another account, a role, ``*``) or a fan-out function whose targets cannot
    be read counts as a possible async invoker: the audit never calls configuration dead on a guess.
    """
    return [
        *_policy_invokers(inventory, function),
        *_event_invokers(inventory, function),
        *_fanout_invokers(inventory, function),
    ]


def _policy_invokers(inventory: Inventory, function: Function) -> Iterator[str]:
    for permission in inventory.of(Permission):
        if inventory.find(Function, permission.function) != function:
            continue
        if permission.principal in ASYNC_PRINCIPALS:
            yield f"{permission.principal} (resource policy)"
        elif permission.principal not in SYNC_PRINCIPALS:
            yield f"{permission.principal} (resource policy; may invoke asynchronously)"


def _event_invokers(inventory: Inventory, function: Function) -> Iterator[str]:
    """EventBridge targets, SNS subscriptions, S3 notifications and log subscriptions, in order."""

    def invokes(ref: str) -> bool:
        return inventory.find(Function, ref) == function

    for target in inventory.of(EventTarget):
        if invokes(target.target):
            yield f"EventBridge rule target {target.name}"
    for subscription in inventory.of(Subscription):
        if subscription.protocol == "lambda" and invokes(subscription.endpoint):
            yield f"SNS subscription {subscription.name}"
    for notification in inventory.of(BucketNotification):
        if any(invokes(ref) for ref in notification.functions):
            yield f"S3 notification {notification.name}"
    for sub in inventory.of(LogSubscription):
        if invokes(sub.destination):
            yield f"log subscription {sub.name}"


def _fanout_invokers(inventory: Inventory, function: Function) -> Iterator[str]:
    for other in inventory.of(Function):
        if toolkit_handler(other) != "fanout" or other == function:
            continue
        targets = _fanout_targets(other)
        if targets is None:
            yield f"fan-out function {other.name} (targets not readable)"
        elif any(inventory.find(Function, t) == function for t in targets):
            yield f"fan-out function {other.name}"


def sync_invokers(inventory: Inventory, function: Function) -> list[str]:
    """Synchronous invokers seen: event source mappings and API-style principals."""
    seen = [
        f"event source mapping {m.name}"
        for m in inventory.of(Mapping)
        if inventory.find(Function, m.function) == function
    ]
    seen += [
        f"{p.principal} (resource policy)"
        for p in inventory.of(Permission)
        if p.principal in SYNC_PRINCIPALS and inventory.find(Function, p.function) == function
    ]
    return seen


def recovery_consumers(inventory: Inventory, destination: str) -> list[Function]:
    """Toolkit recovery functions fed by ``destination`` (a queue, or a topic through a queue)."""
    found: list[Function] = []
    queue = inventory.find(Queue, destination)
    topic = inventory.find(Topic, destination)
    queues = [queue] if queue else []
    if topic is not None:
        for sub in inventory.of(Subscription):
            if inventory.find(Topic, sub.topic) != topic:
                continue
            if sub.protocol == "sqs" and (q := inventory.find(Queue, sub.endpoint)):
                queues.append(q)
            fn = inventory.find(Function, sub.endpoint) if sub.protocol == "lambda" else None
            if fn and toolkit_handler(fn) == "recovery":
                found.append(fn)
    for mapping in inventory.of(Mapping):
        if any(inventory.find(Queue, mapping.source) == q for q in queues):
            fn = inventory.find(Function, mapping.function)
            if fn and toolkit_handler(fn) == "recovery":
                found.append(fn)
    return found


def log_subscriptions(inventory: Inventory, group_name: str) -> list[LogSubscription]:
    """Subscription filters on the log group ``group_name``, and account policies that cover it."""
    found: list[LogSubscription] = []
    for sub in inventory.of(LogSubscription):
        if sub.log_group is None:
            if group_name not in sub.excluded:
                found.append(sub)
            continue
        group = inventory.find(LogGroup, sub.log_group)
        if (group.name if group else sub.log_group) == group_name:
            found.append(sub)
    return found


def alarmed(inventory: Inventory, metric: str, dimension: str, target: Function | Queue) -> bool:
    """Whether an alarm watches ``metric`` of ``target`` (by its ``dimension``), or the toolkit's
    alarms handler is deployed and keeps such alarms in sync."""
    if any(toolkit_handler(f) == "alarms" for f in inventory.of(Function)):
        return True
    for alarm in inventory.of(Alarm):
        if alarm.metric == metric and "dimensions" in alarm.unknown and "name" in target.unknown:
            return True  # an alarm on a name nobody could evaluate may be this one's
        if alarm.metric != metric or dimension not in alarm.dimensions:
            continue
        value = alarm.dimensions[dimension]
        if inventory.find(type(target), value) == target or value in target.refs():
            return True
    return False


def unalarmed(
    inventory: Inventory, candidates: Iterable[_Watched | None], metric: str, dimension: str
) -> Iterator[_Watched]:
    """Each resource of ``candidates`` once (the first time its key comes), when no alarm watches
    its ``metric`` by ``dimension`` (:func:`alarmed`); ``None`` (not in the inventory) is skipped."""
    seen: set[str] = set()
    for resource in candidates:
        if resource is None or resource.key in seen:
            continue
        seen.add(resource.key)
        if not alarmed(inventory, metric, dimension, resource):
            yield resource
