"""Terraform resources -> inventory, shared by the plan/state JSON and the ``.tf`` sources (pure).

Both sources hand over :class:`TfResource` values in one form: literal values where Terraform knows
them, and ``"${<address>.<attribute>}"`` where a value is a reference to another resource (module
prefixes included, so addresses are absolute). A value that is neither (an expression the source
could not evaluate) is treated as unknown, and no rule reports on what is unknown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
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
    Suppression,
    Table,
    Topic,
    excluded_log_groups,
)

__all__ = ["TfResource", "annotate", "evaluate", "inventory_from_resources", "parse_suppressions"]

_REFERENCE = re.compile(r"^\$\{([^{}]+)\}$")
_INTERPOLATION = re.compile(r"\$\{([^{}]+)\}")
_ADDRESS = re.compile(
    r"^((?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*)((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?)(?:\.(.+))?$"
)
_SUPPRESSION = re.compile(r"quirks:ignore[= ]+(QRK\d{3}|[a-z0-9-]+)\b[:\s]*(.*)")


@dataclass(frozen=True)
class TfResource:
    """One resource (instance) of a plan, a state or a ``.tf`` file."""

    address: str
    type: str
    values: dict[str, Any]
    file: str | None = None
    line: int | None = None
    comments: tuple[str, ...] = ()


def parse_suppressions(comments: tuple[str, ...]) -> tuple[Suppression, ...]:
    """``# quirks:ignore QRK005 invoked by our own code with InvocationType=Event`` -> rule, reason.

    A suppression without a reason is not one: the reason is what a reviewer reads.
    """
    found = []
    for comment in comments:
        match = _SUPPRESSION.search(comment)
        if match and match.group(2).strip():
            found.append(Suppression(match.group(1), match.group(2).strip()))
    return tuple(found)


def split_reference(text: str) -> tuple[str, str | None] | None:
    """``module.m.aws_sqs_queue.q.arn`` -> (``module.m.aws_sqs_queue.q``, ``arn``)."""
    match = _ADDRESS.match(text)
    if not match or match.group(2).startswith(("var.", "local.", "each.", "count.", "path.")):
        return None
    return match.group(1) + match.group(2), match.group(3)


def evaluate(resources: list[TfResource]) -> list[TfResource]:
    """Substitute references to attributes whose value is a known literal (two passes suffice
    for a name built from another resource's name)."""
    by_address = {r.address: r for r in resources}

    def attribute(expression: str) -> Any:
        parts = split_reference(expression)
        if parts is None or parts[1] is None:
            return None
        target = by_address.get(parts[0])
        value = target.values.get(parts[1]) if target else None
        return (
            value if isinstance(value, str | int | float | bool) and not _unknown(value) else None
        )

    def substitute(value: Any) -> Any:
        if isinstance(value, str) and "${" in value:
            whole = _REFERENCE.match(value)
            if whole:
                found = attribute(whole.group(1))
                return value if found is None else found
            return _INTERPOLATION.sub(
                lambda m: (
                    str(found) if (found := attribute(m.group(1))) is not None else m.group(0)
                ),
                value,
            )
        if isinstance(value, dict):
            return {k: substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [substitute(v) for v in value]
        return value

    for _ in range(2):
        resources = [replace(r, values=substitute(r.values)) for r in resources]
        by_address = {r.address: r for r in resources}
    return resources


def _unknown(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def _ref(value: Any) -> str | None:
    """A reference's target address, or a literal; None when unknown or unset."""
    if not isinstance(value, str) or not value:
        return None
    whole = _REFERENCE.match(value)
    if whole:
        parts = split_reference(whole.group(1))
        return parts[0] if parts else None
    return None if "${" in value else value


def _unknowns(values: dict[str, Any], **fields: str) -> tuple[str, ...]:
    """The model fields whose Terraform attribute is an expression nobody could evaluate."""
    return tuple(name for name, attribute in fields.items() if _unknown(values.get(attribute)))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value and not _unknown(value) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def _block(values: dict[str, Any], *path: str) -> dict[str, Any]:
    current: Any = values
    for name in path:
        item = current.get(name) if isinstance(current, dict) else None
        if isinstance(item, list):
            item = item[0] if item else None
        current = item if isinstance(item, dict) else {}
    return current if isinstance(current, dict) else {}


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def _name(r: TfResource, *keys: str) -> str:
    for key in keys:
        if text := _text(r.values.get(key)):
            return text
    return r.address


def _convert(r: TfResource) -> Resource | None:
    v = r.values
    common: dict[str, Any] = {
        "key": r.address,
        "file": r.file,
        "line": r.line,
        "suppressions": parse_suppressions(r.comments),
    }
    if r.type == "aws_lambda_function":
        common["unknown"] = _unknowns(
            v, name="function_name", timeout="timeout", handler="handler"
        ) + (() if _text(v.get("function_name")) else ("name",))
        return Function(
            name=_name(r, "function_name"),
            arn=_text(v.get("arn")),
            handler=_text(v.get("handler")),
            timeout=_int(v.get("timeout")),
            environment=_strings(_block(v, "environment").get("variables")),
            dead_letter_target=_ref(_block(v, "dead_letter_config").get("target_arn")),
            log_group=_text(_block(v, "logging_config").get("log_group")),
            **common,
        )
    if r.type == "aws_lambda_event_source_mapping":
        types = v.get("function_response_types") or ()
        common["unknown"] = _unknowns(
            v,
            max_retries="maximum_retry_attempts",
            max_record_age="maximum_record_age_in_seconds",
            bisect="bisect_batch_on_function_error",
            response_types="function_response_types",
        ) + (
            ("on_failure",)
            if _unknown(_block(v, "destination_config", "on_failure").get("destination_arn"))
            and _ref(_block(v, "destination_config", "on_failure").get("destination_arn")) is None
            else ()
        )
        return Mapping(
            name=r.address,
            function=_ref(v.get("function_name")) or "",
            source=_ref(v.get("event_source_arn")) or "",
            on_failure=_ref(_block(v, "destination_config", "on_failure").get("destination_arn")),
            max_retries=_int(v.get("maximum_retry_attempts")),
            max_record_age=_int(v.get("maximum_record_age_in_seconds")),
            bisect=v.get("bisect_batch_on_function_error") is True,
            response_types=tuple(str(t) for t in types) if isinstance(types, list) else (),
            **common,
        )
    if r.type == "aws_lambda_function_event_invoke_config":
        destinations = _block(v, "destination_config")
        return InvokeConfig(
            name=r.address,
            function=_ref(v.get("function_name")) or "",
            on_success=_ref(_block(destinations, "on_success").get("destination")),
            on_failure=_ref(_block(destinations, "on_failure").get("destination")),
            **common,
        )
    if r.type == "aws_lambda_permission":
        return Permission(
            name=r.address,
            function=_ref(v.get("function_name")) or "",
            principal=_text(v.get("principal")) or "unknown",
            source_arn=_ref(v.get("source_arn")),
            **common,
        )
    if r.type == "aws_dynamodb_table":
        return Table(
            name=_name(r, "name"),
            stream_arn=_text(v.get("stream_arn")),
            stream_enabled=v.get("stream_enabled") is True,
            global_table=bool(v.get("replica")),
            **common,
        )
    if r.type == "aws_sqs_queue":
        return Queue(
            name=_name(r, "name"),
            arn=_text(v.get("arn")),
            url=_text(v.get("url")),
            redrive=bool(v.get("redrive_policy")),
            **common,
        )
    if r.type == "aws_sns_topic":
        return Topic(name=_name(r, "name"), arn=_text(v.get("arn")), **common)
    if r.type == "aws_sns_topic_subscription":
        return Subscription(
            name=r.address,
            topic=_ref(v.get("topic_arn")) or "",
            protocol=_text(v.get("protocol")) or "",
            endpoint=_ref(v.get("endpoint")) or "",
            **common,
        )
    if r.type == "aws_pipes_pipe":
        return Pipe(
            name=_name(r, "name"),
            source=_ref(v.get("source")) or "",
            target=_ref(v.get("target")),
            **common,
        )
    if r.type == "aws_cloudwatch_event_target":
        return EventTarget(name=r.address, target=_ref(v.get("arn")) or "", **common)
    if r.type == "aws_s3_bucket_notification":
        functions = v.get("lambda_function") or []
        return BucketNotification(
            name=r.address,
            functions=tuple(
                ref
                for f in functions
                if isinstance(f, dict) and (ref := _ref(f.get("lambda_function_arn")))
            ),
            **common,
        )
    if r.type == "aws_cloudwatch_metric_alarm":
        dimensions = v.get("dimensions")
        dimensions = dimensions if isinstance(dimensions, dict) else {}
        return Alarm(
            name=_name(r, "alarm_name"),
            namespace=_text(v.get("namespace")),
            metric=_text(v.get("metric_name")),
            dimensions={str(k): ref for k, d in dimensions.items() if (ref := _ref(d))},
            **common,
        )
    if r.type == "aws_cloudwatch_log_group":
        return LogGroup(name=_name(r, "name"), **common)
    if r.type == "aws_cloudwatch_log_subscription_filter":
        common["unknown"] = () if _ref(v.get("log_group_name")) else ("log_group",)
        return LogSubscription(
            name=_name(r, "name"),
            log_group=_ref(v.get("log_group_name")) or r.address + ".log_group_name",
            destination=_ref(v.get("destination_arn")) or "",
            **common,
        )
    if r.type == "aws_cloudwatch_log_account_policy":
        return _account_policy(r, common)
    if r.type == "aws_cognito_user_pool_domain":
        return CognitoDomain(
            name=_name(r, "domain"),
            domain=_text(v.get("domain")) or "",
            custom=bool(v.get("certificate_arn")),
            **common,
        )
    if r.type == "aws_route53_record":
        return DnsRecord(
            name=r.address,
            record_name=_text(v.get("name")) or "",
            record_type=_text(v.get("type")) or "",
            zone=_ref(v.get("zone_id")),
            **common,
        )
    return None


_FUNCTION_REFERENCE = re.compile(
    r"(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*aws_lambda_function\.[A-Za-z0-9_-]+"
)


def _account_policy(r: TfResource, common: dict[str, Any]) -> Resource | None:
    """An account-level subscription policy; ``LogGroupName NOT IN [...]`` is all it can exclude."""
    v = r.values
    if _text(v.get("policy_type")) != "SUBSCRIPTION_FILTER_POLICY":
        return None
    document = v.get("policy_document")
    destination = ""
    if isinstance(document, str) and not _unknown(document):
        try:
            destination = str(json.loads(document).get("DestinationArn", ""))
        except ValueError:
            destination = ""
    elif isinstance(document, str) and (found := _FUNCTION_REFERENCE.search(document)):
        destination = found.group(0)  # jsonencode({DestinationArn = aws_lambda_function.x.arn})
    excluded = excluded_log_groups(_text(v.get("selection_criteria")))
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
        if r.type == "aws_route53_zone" and (name := _text(r.values.get("name"))):
            zones.append(name)
        if r.type == "aws_sqs_queue_redrive_policy" and (queue := _ref(r.values.get("queue_url"))):
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
            inventory.find(Queue, ref) == resource for ref in redriven
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
