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
from typing import Any

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

__all__ = ["annotate", "inventory_from_resources", "mapping_name"]


def _name(r: TfResource, *keys: str) -> str:
    for key in keys:
        if found := text(r.values.get(key)):
            return found
    return r.address


def _convert(r: TfResource) -> Resource | None:
    common: dict[str, Any] = {
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


def _convert_values(r: TfResource, common: dict[str, Any]) -> Resource | None:
    v = r.values
    if r.type == "aws_lambda_function":
        common["unknown"] = unknowns(
            v, name="function_name", timeout="timeout", handler="handler"
        ) + (() if text(v.get("function_name")) else ("name",))
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
    if r.type == "aws_lambda_event_source_mapping":
        types = v.get("function_response_types") or ()
        common["unknown"] = unknowns(
            v,
            max_retries="maximum_retry_attempts",
            max_record_age="maximum_record_age_in_seconds",
            bisect="bisect_batch_on_function_error",
            response_types="function_response_types",
            enabled="enabled",
        ) + (
            ("on_failure",)
            if unknown(block(v, "destination_config", "on_failure").get("destination_arn"))
            and ref(block(v, "destination_config", "on_failure").get("destination_arn")) is None
            else ()
        )
        return Mapping(
            name=r.address,
            function=ref(v.get("function_name")) or "",
            source=ref(v.get("event_source_arn")) or "",
            on_failure=ref(block(v, "destination_config", "on_failure").get("destination_arn")),
            max_retries=integer(v.get("maximum_retry_attempts")),
            max_record_age=integer(v.get("maximum_record_age_in_seconds")),
            bisect=v.get("bisect_batch_on_function_error") is True,
            response_types=tuple(str(t) for t in types) if isinstance(types, list) else (),
            enabled=v.get("enabled") is not False,
            **common,
        )
    if r.type == "aws_lambda_function_event_invoke_config":
        destinations = block(v, "destination_config")
        return InvokeConfig(
            name=r.address,
            function=ref(v.get("function_name")) or "",
            on_success=ref(block(destinations, "on_success").get("destination")),
            on_failure=ref(block(destinations, "on_failure").get("destination")),
            **common,
        )
    if r.type == "aws_lambda_permission":
        return Permission(
            name=r.address,
            function=ref(v.get("function_name")) or "",
            principal=text(v.get("principal")) or "unknown",
            source_arn=ref(v.get("source_arn")),
            **common,
        )
    if r.type == "aws_dynamodb_table":
        return Table(
            name=_name(r, "name"),
            stream_arn=text(v.get("stream_arn")),
            stream_enabled=v.get("stream_enabled") is True,
            global_table=bool(v.get("replica")),
            **common,
        )
    if r.type == "aws_sqs_queue":
        return Queue(
            name=_name(r, "name"),
            arn=text(v.get("arn")),
            url=text(v.get("url")),
            redrive=bool(v.get("redrive_policy")),
            **common,
        )
    if r.type == "aws_sns_topic":
        return Topic(name=_name(r, "name"), arn=text(v.get("arn")), **common)
    if r.type == "aws_sns_topic_subscription":
        return Subscription(
            name=r.address,
            topic=ref(v.get("topic_arn")) or "",
            protocol=text(v.get("protocol")) or "",
            endpoint=ref(v.get("endpoint")) or "",
            **common,
        )
    if r.type == "aws_pipes_pipe":
        return Pipe(
            name=_name(r, "name"),
            source=ref(v.get("source")) or "",
            target=ref(v.get("target")),
            enabled=text(v.get("desired_state")) != "STOPPED",
            **common,
        )
    if r.type == "aws_cloudwatch_event_target":
        return EventTarget(name=r.address, target=ref(v.get("arn")) or "", **common)
    if r.type == "aws_s3_bucket_notification":
        functions = v.get("lambda_function") or []
        return BucketNotification(
            name=r.address,
            functions=tuple(
                target
                for f in functions
                if isinstance(f, dict) and (target := ref(f.get("lambda_function_arn")))
            ),
            **common,
        )
    if r.type == "aws_cloudwatch_metric_alarm":
        dimensions = v.get("dimensions")
        dimensions = dimensions if isinstance(dimensions, dict) else {}
        common["unknown"] = (
            ("dimensions",) if any(ref(d) is None for d in dimensions.values()) else ()
        )
        return Alarm(
            name=_name(r, "alarm_name"),
            namespace=text(v.get("namespace")),
            metric=text(v.get("metric_name")),
            dimensions={str(k): target for k, d in dimensions.items() if (target := ref(d))},
            **common,
        )
    if r.type == "aws_cloudwatch_log_group":
        return LogGroup(name=_name(r, "name"), **common)
    if r.type == "aws_cloudwatch_log_subscription_filter":
        common["unknown"] = () if ref(v.get("log_group_name")) else ("log_group",)
        return LogSubscription(
            name=_name(r, "name"),
            log_group=ref(v.get("log_group_name")) or r.address + ".log_group_name",
            destination=ref(v.get("destination_arn")) or "",
            **common,
        )
    if r.type == "aws_cloudwatch_log_account_policy":
        return _account_policy(r, common)
    if r.type == "aws_cognito_user_pool_domain":
        return CognitoDomain(
            name=_name(r, "domain"),
            domain=text(v.get("domain")) or "",
            # A prefix domain is one label; a custom domain has dots (and a certificate).
            custom=bool(v.get("certificate_arn")) or "." in (text(v.get("domain")) or ""),
            **common,
        )
    if r.type == "aws_route53_record":
        return DnsRecord(
            name=r.address,
            record_name=text(v.get("name")) or "",
            record_type=text(v.get("type")) or "",
            zone=ref(v.get("zone_id")),
            **common,
        )
    return None


_FUNCTION_REFERENCE = re.compile(
    r"(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*aws_lambda_function\.[A-Za-z0-9_-]+"
)


def _account_policy(r: TfResource, common: dict[str, Any]) -> Resource | None:
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
    source_name = source.name if source else mapping.source.rsplit(":", 1)[-1]
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
