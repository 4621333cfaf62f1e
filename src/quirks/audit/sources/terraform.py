"""Terraform resources -> inventory, shared by the plan/state JSON and the ``.tf`` sources (pure).

Both sources hand over :class:`TfResource` values in one form: literal values where Terraform knows
them, and ``"${<address>.<attribute>}"`` where a value is a reference to another resource (module
prefixes included, so addresses are absolute). A value that is neither (an expression the source
could not evaluate) is treated as unknown, and no rule reports on what is unknown.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from quirks.arns import arn_tail
from quirks.audit.model import (
    Alarm,
    BucketNotification,
    CognitoDomain,
    DnsRecord,
    EventTarget,
    Function,
    Inventory,
    InvokeConfig,
    LogGroup,
    LogSubscription,
    Mapping,
    Permission,
    Pipe,
    Queue,
    Resource,
    Subscription,
    Table,
    Topic,
    excluded_log_groups,
)
from quirks.audit.sources.values import (
    TfResource,
    block,
    evaluate,
    integer,
    parse_suppressions,
    ref,
    strings,
    text,
    unknown,
    unknowns,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["annotate", "inventory_from_resources", "mapping_name"]


_Common = dict[str, Any]
"""The fields every resource has (key, file, line, suppressions); a converter may add ``unknown``."""


def _name(r: TfResource, *keys: str) -> str:
    for key in keys:
        if found := text(r.values.get(key)):
            return found
    return r.address


def _convert(r: TfResource) -> Resource | None:
    common: _Common = {
        "key": r.address,
        "file": r.file,
        "line": r.line,
        "suppressions": parse_suppressions(r.comments),
    }
    converted = _convert_values(r, common)
    if converted is not None and r.expansion:
        # Rules count it as at least one instance, and say the rest is unknown.
        converted = replace(converted, unknown=(*converted.unknown, "instances"))
    return converted


def _convert_values(r: TfResource, common: _Common) -> Resource | None:
    convert = _CONVERTERS.get(r.type)
    return convert(r, common) if convert is not None else None


def _function(r: TfResource, common: _Common) -> Resource:
    v = r.values
    common["unknown"] = unknowns(v, name="function_name", timeout="timeout", handler="handler") + (
        () if text(v.get("function_name")) else ("name",)
    )
    return Function(
        name=_name(r, "function_name"),
        arn=text(v.get("arn")),
        handler=text(v.get("handler")),
        timeout=integer(v.get("timeout")),
        environment=strings(block(v, "environment").get("variables")),
        dead_letter_target=ref(block(v, "dead_letter_config").get("target_arn")),
        log_group=text(block(v, "logging_config").get("log_group")),
        **common,
    )


def _mapping(r: TfResource, common: _Common) -> Resource:
    v = r.values
    types = v.get("function_response_types") or ()
    on_failure = block(v, "destination_config", "on_failure").get("destination_arn")
    common["unknown"] = unknowns(
        v,
        max_retries="maximum_retry_attempts",
        max_record_age="maximum_record_age_in_seconds",
        bisect="bisect_batch_on_function_error",
        response_types="function_response_types",
        enabled="enabled",
    ) + (("on_failure",) if unknown(on_failure) and ref(on_failure) is None else ())
    return Mapping(
        name=r.address,
        function=ref(v.get("function_name")) or "",
        source=ref(v.get("event_source_arn")) or "",
        on_failure=ref(on_failure),
        max_retries=integer(v.get("maximum_retry_attempts")),
        max_record_age=integer(v.get("maximum_record_age_in_seconds")),
        bisect=v.get("bisect_batch_on_function_error") is True,
        response_types=tuple(str(t) for t in types) if isinstance(types, list) else (),
        enabled=v.get("enabled") is not False,
        **common,
    )


def _invoke_config(r: TfResource, common: _Common) -> Resource:
    destinations = block(r.values, "destination_config")
    return InvokeConfig(
        name=r.address,
        function=ref(r.values.get("function_name")) or "",
        on_success=ref(block(destinations, "on_success").get("destination")),
        on_failure=ref(block(destinations, "on_failure").get("destination")),
        **common,
    )


def _permission(r: TfResource, common: _Common) -> Resource:
    v = r.values
    return Permission(
        name=r.address,
        function=ref(v.get("function_name")) or "",
        principal=text(v.get("principal")) or "unknown",
        source_arn=ref(v.get("source_arn")),
        **common,
    )


def _table(r: TfResource, common: _Common) -> Resource:
    v = r.values
    return Table(
        name=_name(r, "name"),
        stream_arn=text(v.get("stream_arn")),
        stream_enabled=v.get("stream_enabled") is True,
        global_table=bool(v.get("replica")),
        **common,
    )


def _queue(r: TfResource, common: _Common) -> Resource:
    v = r.values
    return Queue(
        name=_name(r, "name"),
        arn=text(v.get("arn")),
        url=text(v.get("url")),
        redrive=bool(v.get("redrive_policy")),
        **common,
    )


def _topic(r: TfResource, common: _Common) -> Resource:
    return Topic(name=_name(r, "name"), arn=text(r.values.get("arn")), **common)


def _subscription(r: TfResource, common: _Common) -> Resource:
    v = r.values
    return Subscription(
        name=r.address,
        topic=ref(v.get("topic_arn")) or "",
        protocol=text(v.get("protocol")) or "",
        endpoint=ref(v.get("endpoint")) or "",
        **common,
    )


def _pipe(r: TfResource, common: _Common) -> Resource:
    v = r.values
    return Pipe(
        name=_name(r, "name"),
        source=ref(v.get("source")) or "",
        target=ref(v.get("target")),
        enabled=text(v.get("desired_state")) != "STOPPED",
        **common,
    )


def _event_target(r: TfResource, common: _Common) -> Resource:
    return EventTarget(name=r.address, target=ref(r.values.get("arn")) or "", **common)


def _bucket_notification(r: TfResource, common: _Common) -> Resource:
    functions = r.values.get("lambda_function") or []
    return BucketNotification(
        name=r.address,
        functions=tuple(
            target
            for f in functions
            if isinstance(f, dict) and (target := ref(f.get("lambda_function_arn")))
        ),
        **common,
    )


def _alarm(r: TfResource, common: _Common) -> Resource:
    v = r.values
    dimensions = v.get("dimensions")
    dimensions = dimensions if isinstance(dimensions, dict) else {}
    common["unknown"] = ("dimensions",) if any(ref(d) is None for d in dimensions.values()) else ()
    return Alarm(
        name=_name(r, "alarm_name"),
        namespace=text(v.get("namespace")),
        metric=text(v.get("metric_name")),
        dimensions={str(k): target for k, d in dimensions.items() if (target := ref(d))},
        **common,
    )


def _log_group(r: TfResource, common: _Common) -> Resource:
    return LogGroup(name=_name(r, "name"), **common)


def _log_subscription(r: TfResource, common: _Common) -> Resource:
    v = r.values
    common["unknown"] = () if ref(v.get("log_group_name")) else ("log_group",)
    return LogSubscription(
        name=_name(r, "name"),
        log_group=ref(v.get("log_group_name")) or r.address + ".log_group_name",
        destination=ref(v.get("destination_arn")) or "",
        **common,
    )


def _cognito_domain(r: TfResource, common: _Common) -> Resource:
    v = r.values
    return CognitoDomain(
        name=_name(r, "domain"),
        domain=text(v.get("domain")) or "",
        # A prefix domain is one label; a custom domain has dots (and a certificate).
        custom=bool(v.get("certificate_arn")) or "." in (text(v.get("domain")) or ""),
        **common,
    )


def _dns_record(r: TfResource, common: _Common) -> Resource:
    v = r.values
    return DnsRecord(
        name=r.address,
        record_name=text(v.get("name")) or "",
        record_type=text(v.get("type")) or "",
        zone=ref(v.get("zone_id")),
        **common,
    )


_FUNCTION_REFERENCE = re.compile(
    r"(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*aws_lambda_function\.[A-Za-z0-9_-]+"
)


def _account_policy(r: TfResource, common: _Common) -> Resource | None:
    """An account-level subscription policy; ``LogGroupName NOT IN [...]`` is all it can exclude."""
    v = r.values
    if text(v.get("policy_type")) != "SUBSCRIPTION_FILTER_POLICY":
        return None
    document = v.get("policy_document")
    destination = ""
    if isinstance(document, str) and not unknown(document):
        try:
            destination = str(json.loads(document).get("DestinationArn", ""))
        except ValueError:
            destination = ""
    elif isinstance(document, str) and (found := _FUNCTION_REFERENCE.search(document)):
        destination = found.group(0)  # jsonencode({DestinationArn = aws_lambda_function.x.arn})
    excluded = excluded_log_groups(text(v.get("selection_criteria")))
    return LogSubscription(
        name=_name(r, "policy_name"),
        log_group=None,
        destination=destination,
        excluded=excluded,
        **common,
    )


_CONVERTERS: dict[str, Callable[[TfResource, _Common], Resource | None]] = {
    "aws_lambda_function": _function,
    "aws_lambda_event_source_mapping": _mapping,
    "aws_lambda_function_event_invoke_config": _invoke_config,
    "aws_lambda_permission": _permission,
    "aws_dynamodb_table": _table,
    "aws_sqs_queue": _queue,
    "aws_sns_topic": _topic,
    "aws_sns_topic_subscription": _subscription,
    "aws_pipes_pipe": _pipe,
    "aws_cloudwatch_event_target": _event_target,
    "aws_s3_bucket_notification": _bucket_notification,
    "aws_cloudwatch_metric_alarm": _alarm,
    "aws_cloudwatch_log_group": _log_group,
    "aws_cloudwatch_log_subscription_filter": _log_subscription,
    "aws_cloudwatch_log_account_policy": _account_policy,
    "aws_cognito_user_pool_domain": _cognito_domain,
    "aws_route53_record": _dns_record,
}
"""The resource types the rules read, each with the function that converts it; others are skipped."""


def inventory_from_resources(source: str, resources: list[TfResource]) -> Inventory:
    """The inventory of a Terraform configuration's resources."""
    resources = evaluate(resources)
    inventory = Inventory(source=source)
    zones: list[str] = []
    redriven: set[str] = set()
    for r in resources:
        if r.type == "aws_route53_zone" and (name := text(r.values.get("name"))):
            zones.append(name)
        if r.type == "aws_sqs_queue_redrive_policy" and (queue := ref(r.values.get("queue_url"))):
            redriven.add(queue)
        converted = _convert(r)
        if converted is not None:
            inventory.add(converted)
    inventory.zones = tuple(zones)
    _finish(inventory, redriven)
    return inventory


def _finish(inventory: Inventory, redriven: set[str]) -> None:
    """Names that need other resources: mappings by function and source, like the account's."""
    finished: list[Resource] = []
    for resource in inventory.resources:
        if isinstance(resource, Mapping):
            resource = replace(resource, name=mapping_name(inventory, resource))
        if isinstance(resource, InvokeConfig):
            function = inventory.find(Function, resource.function)
            resource = replace(resource, name=function.name if function else resource.function)
        if isinstance(resource, Queue) and any(
            inventory.find(Queue, queue) == resource for queue in redriven
        ):
            resource = replace(resource, redrive=True)
        finished.append(resource)
    inventory.resources = finished


def mapping_name(inventory: Inventory, mapping: Mapping) -> str:
    """``<function> <- <source>``: what names a mapping alike in every source."""
    function = inventory.find(Function, mapping.function)
    source = inventory.find(Table, mapping.source) or inventory.find(Queue, mapping.source)
    source_name = source.name if source else arn_tail(mapping.source)
    return f"{function.name if function else mapping.function} <- {source_name}"


def annotate(inventory: Inventory, located: Inventory) -> None:
    """Copy file, line and suppressions from the ``.tf`` reading of the same configuration (a plan
    or state knows neither comments nor lines); resources match by configuration address."""
    from quirks.audit.model import strip_index

    by_address = {strip_index(r.key): r for r in located.resources}
    annotated: list[Resource] = []
    for resource in inventory.resources:
        source = by_address.get(strip_index(resource.key))
        if source is not None:
            resource = replace(
                resource, file=source.file, line=source.line, suppressions=source.suppressions
            )
        annotated.append(resource)
    inventory.resources = annotated
