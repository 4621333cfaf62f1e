"""What should exist: discovered resources + thresholds -> the alarm set, with stable names.

Pure: no AWS calls. The same inventory and config always give the same alarms in the same order,
with the same names and descriptions, so that ``plan`` after ``apply`` shows nothing to do.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from quirks.alarms.model import (
    MANAGED_NOTE,
    NAME_PREFIX,
    AlarmSpec,
    AsyncTarget,
    FailureQueue,
    Inventory,
)
from quirks.arns import Arn

if TYPE_CHECKING:
    from quirks.alarms.config import AlarmConfig

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_NAME",
    "alarm_name",
    "desired_alarms",
    "failure_queues",
    "findings",
    "format_ms",
]

MAX_NAME = 255
MAX_DESCRIPTION = 1024


def _retention(sources: set[str] | frozenset[str] | tuple[str, ...]) -> str:
    """How long the streams behind ``sources`` keep a record, in words."""
    if "kinesis" not in sources:
        return "24 h"  # DynamoDB Streams: fixed
    if "dynamodb" not in sources:
        return "the stream's retention period (24 h by default)"
    return "24 h (a Kinesis stream: its retention period)"


def alarm_name(kind: str, resource: str) -> str:
    """``quirks-<kind>-<resource>``; shortened with a hash of the full name past 255 characters."""
    name = f"{NAME_PREFIX}{kind}-{resource}"
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return f"{name[: MAX_NAME - len(digest) - 1]}-{digest}"


def format_ms(ms: int) -> str:
    """A compact human duration: ``300000`` -> ``5m``, ``5400000`` -> ``1h30m``, ``1500`` -> ``1.5s``."""
    if ms % 1000:
        fraction = f"{ms % 1000:03d}".rstrip("0")
        return f"{ms // 1000}.{fraction}s" if ms >= 1000 else f"{ms}ms"
    seconds = ms // 1000
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def _listing(items: tuple[str, ...] | list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _description(text: str) -> str:
    full = f"{text} {MANAGED_NOTE}"
    if len(full) <= MAX_DESCRIPTION:
        return full
    return f"{text[: MAX_DESCRIPTION - len(MANAGED_NOTE) - 4]}... {MANAGED_NOTE}"


@dataclass
class _Function:
    name: str
    streams: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    stream_destinations: list[str] = field(default_factory=list)
    target: AsyncTarget | None = None


def _functions(inventory: Inventory) -> dict[str, _Function]:
    functions: dict[str, _Function] = {}
    for consumer in sorted(inventory.consumers, key=lambda c: (c.function_name, c.source_arn)):
        entry = functions.setdefault(consumer.function_name, _Function(consumer.function_name))
        if consumer.source_arn not in entry.streams:
            entry.streams.append(consumer.source_arn)
        entry.sources.add(consumer.source)
        if consumer.on_failure and consumer.on_failure not in entry.stream_destinations:
            entry.stream_destinations.append(consumer.on_failure)
    for target in inventory.async_targets:
        functions.setdefault(target.function_name, _Function(target.function_name)).target = target
    return dict(sorted(functions.items()))


def _is_local(arn: Arn, inventory: Inventory) -> bool:
    same_account = inventory.account is None or arn.account == inventory.account
    return same_account and arn.region == inventory.region


def failure_queues(inventory: Inventory) -> tuple[FailureQueue, ...]:
    """SQS queues in this account and region that receive failed batches or events."""
    stream: dict[str, list[str]] = defaultdict(list)
    sources: dict[str, set[str]] = defaultdict(set)
    async_: dict[str, list[str]] = defaultdict(list)
    for consumer in inventory.consumers:
        if consumer.on_failure:
            stream[consumer.on_failure].append(consumer.function_name)
            sources[consumer.on_failure].add(consumer.source)
    for target in inventory.async_targets:
        for destination in (target.on_failure, target.dead_letter):
            if destination:
                async_[destination].append(target.function_name)
    queues = []
    for arn_text in sorted({*stream, *async_}):
        arn = _sqs_arn(arn_text)
        if arn is None or not _is_local(arn, inventory):
            continue
        queues.append(
            FailureQueue(
                name=arn.resource,
                arn=arn_text,
                stream_functions=tuple(sorted(set(stream.get(arn_text, [])))),
                stream_sources=tuple(sorted(sources.get(arn_text, set()))),
                async_functions=tuple(sorted(set(async_.get(arn_text, [])))),
            )
        )
    return tuple(queues)


def _sqs_arn(text: str) -> Arn | None:
    if not text.startswith("arn:"):
        return None
    arn = Arn.parse(text)
    return arn if arn.service == "sqs" else None


def findings(inventory: Inventory) -> tuple[str, ...]:
    """Risks seen in the inventory that no alarm can cover, for humans to fix."""
    notes = list(inventory.notes)
    for consumer in sorted(inventory.consumers, key=lambda c: (c.function_name, c.source_arn)):
        if not consumer.on_failure:
            notes.append(
                f"{consumer.function_name} reads {consumer.source_arn} without an on-failure "
                "destination: batches that exhaust their retries are skipped with no trace "
                "(set DestinationConfig.OnFailure on the event source mapping)"
            )
    for arn_text in sorted(
        {c.on_failure for c in inventory.consumers if c.on_failure}
        | {t.on_failure for t in inventory.async_targets if t.on_failure}
        | {t.dead_letter for t in inventory.async_targets if t.dead_letter}
    ):
        arn = _sqs_arn(arn_text)
        if arn is not None and not _is_local(arn, inventory):
            notes.append(
                f"failure queue {arn_text} is in another account or region: its depth alarm "
                "must be created there"
            )
    return tuple(notes)


def desired_alarms(inventory: Inventory, config: AlarmConfig) -> tuple[AlarmSpec, ...]:
    """Every alarm that should exist for ``inventory``, sorted by name."""
    actions = (config.topic_arn,) if config.topic_arn else ()
    specs: list[AlarmSpec] = []
    for function in _functions(inventory).values():
        specs.extend(_function_alarms(function, config, actions))
    for queue in failure_queues(inventory):
        depth, skipped = config.for_queue(queue.name)
        if not skipped:
            specs.append(_queue_alarm(queue, depth, actions))
    return tuple(sorted(specs, key=lambda spec: spec.name))


def _lambda_alarm(
    kind: str,
    function: str,
    metric: str,
    *,
    text: str,
    statistic: str,
    threshold: float,
    periods: int,
    actions: tuple[str, ...],
) -> AlarmSpec:
    return AlarmSpec(
        name=alarm_name(kind, function),
        kind=kind,
        resource=function,
        description=_description(text),
        namespace="AWS/Lambda",
        metric=metric,
        dimensions=(("FunctionName", function),),
        statistic=statistic,
        period=60,
        evaluation_periods=periods,
        datapoints_to_alarm=periods,
        threshold=float(threshold),
        comparison="GreaterThanThreshold",
        alarm_actions=actions,
        ok_actions=actions,
    )


def _function_alarms(
    function: _Function, config: AlarmConfig, actions: tuple[str, ...]
) -> list[AlarmSpec]:
    thresholds, skip = config.for_function(function.name)
    name = function.name
    specs: list[AlarmSpec] = []
    if function.streams:
        streams = _listing(function.streams)
        retention = _retention(function.sources)
        warning = format_ms(thresholds.iterator_age_warning_ms)
        critical = format_ms(thresholds.iterator_age_critical_ms)
        specs.append(
            _lambda_alarm(
                "iterator-age-warning",
                name,
                "IteratorAge",
                text=(
                    f"Stream consumer {name} is falling behind: for 5 minutes in a row the newest "
                    f"record it was handed was older than {warning} (IteratorAge Maximum). Records "
                    f"expire after {retention}. Look at the "
                    "function's Errors, Throttles and Duration; fix or skip a failing batch, or "
                    f"raise ParallelizationFactor or BatchSize. Streams: {streams}."
                ),
                statistic="Maximum",
                threshold=thresholds.iterator_age_warning_ms,
                periods=5,
                actions=actions,
            )
        )
        specs.append(
            _lambda_alarm(
                "iterator-age-critical",
                name,
                "IteratorAge",
                text=(
                    f"Stream consumer {name} is more than {critical} behind (IteratorAge "
                    f"Maximum). Records are lost for good once older than {retention}: "
                    "act now. Find the failing or slow batch in the function's logs, fix or "
                    "deploy a skip, raise concurrency; archive what is at risk with quirks "
                    f"recover. Streams: {streams}."
                ),
                statistic="Maximum",
                threshold=thresholds.iterator_age_critical_ms,
                periods=1,
                actions=actions,
            )
        )
    destinations = list(function.stream_destinations)
    target = function.target
    if target is not None:
        destinations += [d for d in (target.on_failure, target.on_success) if d]
    if destinations:
        specs.append(
            _lambda_alarm(
                "destination-delivery-failures",
                name,
                "DestinationDeliveryFailures",
                text=(
                    f"Lambda could not deliver a failed batch or event of {name} to its "
                    f"destination ({_listing(sorted(set(destinations)))}): that failure record is "
                    "lost, and for streams the batch was skipped without a pointer. Check that the "
                    "destination exists and that the function's role may write to it "
                    "(sqs:SendMessage, sns:Publish, s3:PutObject, KMS key access)."
                ),
                statistic="Sum",
                threshold=0,
                periods=1,
                actions=actions,
            )
        )
    if target is not None:
        specs.extend(_async_alarms(target, thresholds.async_event_age_ms, actions))
    return [spec for spec in specs if spec.kind not in skip]


def _async_alarms(target: AsyncTarget, age_ms: int, actions: tuple[str, ...]) -> list[AlarmSpec]:
    name = target.function_name
    max_age = target.maximum_event_age_seconds
    limit = f"{format_ms(max_age * 1000)} (its MaximumEventAgeInSeconds)" if max_age else "6 h"
    fallback = target.on_failure or target.dead_letter
    fate = f"sent to {fallback}" if fallback else "dropped"
    specs = [
        _lambda_alarm(
            "async-event-age",
            name,
            "AsyncEventAge",
            text=(
                f"Asynchronous events for {name} have waited more than {format_ms(age_ms)} for 5 "
                f"minutes in a row (AsyncEventAge Maximum): invocations keep failing or are "
                f"throttled. Events older than {limit} are {fate}. Look at the function's Errors "
                "and Throttles; raise its reserved concurrency or fix the failing code."
            ),
            statistic="Maximum",
            threshold=age_ms,
            periods=5,
            actions=actions,
        )
    ]
    if target.dead_letter:
        specs.append(
            _lambda_alarm(
                "dead-letter-errors",
                name,
                "DeadLetterErrors",
                text=(
                    f"Lambda could not send failed events of {name} to its dead-letter queue "
                    f"{target.dead_letter}: those events are lost. Check that the queue or topic "
                    "exists, and that the function's role has sqs:SendMessage or sns:Publish "
                    "(and access to its KMS key)."
                ),
                statistic="Sum",
                threshold=0,
                periods=1,
                actions=actions,
            )
        )
    return specs


def _queue_alarm(queue: FailureQueue, depth: int, actions: tuple[str, ...]) -> AlarmSpec:
    if queue.stream_functions:
        retention = _retention(queue.stream_sources)
        text = (
            f"Failed stream batches of {_listing(queue.stream_functions)} are waiting in "
            f"{queue.name}. Each message only points at records that the stream deletes after "
            f"{retention}: records will be lost within {retention} unless recovered. Recover them now with "
            "quirks recover --queue <this queue's URL>, which archives the records before it "
            "deletes the messages."
        )
    else:
        text = (
            f"Failed asynchronous events of {_listing(queue.async_functions)} are waiting in "
            f"{queue.name}. Read them (quirks streams parse-failure), fix the cause, and redrive "
            "them before the queue's message retention period ends."
        )
    return AlarmSpec(
        name=alarm_name("failure-queue-depth", queue.name),
        kind="failure-queue-depth",
        resource=queue.name,
        description=_description(text),
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dimensions=(("QueueName", queue.name),),
        statistic="Maximum",
        period=60,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=float(depth),
        comparison="GreaterThanThreshold",
        alarm_actions=actions,
        ok_actions=actions,
    )
