"""The live account -> inventory, through boto3 clients from :mod:`quirks.aws` (read-only).

Each service is read on its own: when one cannot be read (no permission, an emulator without the
API), the inventory gets a note saying so and the audit goes on with the rest.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import (
    BotoCoreError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from quirks import aws
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
    Subscription,
    Table,
    Topic,
    excluded_log_groups,
)
from quirks.audit.sources.terraform import mapping_name
from quirks.cognito.names import decode_route53_name, normalize, parent_of
from quirks.errors import AwsError, UserError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_lambda import LambdaClient

    from quirks.audit.model import Part

__all__ = ["inventory_from_account"]


def inventory_from_account(*, clients: aws.ClientFactory | None = None) -> Inventory:
    """Everything the audit's rules read, from the configured account and region."""
    clients = clients or aws.current()
    inventory = Inventory(source=f"account ({clients.region()})")
    readers: list[tuple[Part, str, Callable[[aws.ClientFactory, Inventory], None]]] = [
        ("functions", "Lambda functions", _functions),
        ("invoke-configs", "Lambda event invoke configs", _invoke_configs),
        ("policies", "Lambda resource policies", _policies),
        ("mappings", "Lambda event source mappings", _mappings),
        ("tables", "DynamoDB tables", _tables),
        ("queues", "SQS queues", _queues),
        ("topics", "SNS topics and subscriptions", _topics),
        ("pipes", "EventBridge Pipes", _pipes),
        ("rules", "EventBridge rules and targets", _rules),
        ("buckets", "S3 bucket notifications", _buckets),
        ("alarms", "CloudWatch alarms", _alarms),
        ("logs", "CloudWatch Logs subscriptions", _logs),
        ("account-policy", "CloudWatch Logs account-level subscription policy", _account_policy),
        ("cognito", "Cognito user pool domains and their Route53 zones", _cognito),
    ]
    for part, what, read in readers:
        try:
            read(clients, inventory)
        except (NoCredentialsError, PartialCredentialsError, NoRegionError):
            raise  # nothing can be read: the CLI says how to fix it
        except AwsError as exc:  # denied, or an emulator without the API
            _unread(inventory, part, what, exc.code or type(exc).__name__)
        except BotoCoreError as exc:  # the endpoint cannot be reached
            _unread(inventory, part, what, type(exc).__name__)
    if len(inventory.notes) == len(readers):
        # A clean report of an account nobody could read would pass CI on nothing.
        raise UserError(
            f"could not read the account: {inventory.notes[0]}",
            "check the credentials, region and endpoint (quirks config --check)",
        )
    inventory.resources = [
        r if not isinstance(r, Mapping) else _named(inventory, r) for r in inventory.resources
    ]
    return inventory


def _unread(inventory: Inventory, part: Part, what: str, reason: str) -> None:
    inventory.unread.add(part)
    inventory.notes.append(f"{what} could not be read ({reason})")


def _named(inventory: Inventory, mapping: Mapping) -> Mapping:
    from dataclasses import replace

    return replace(mapping, name=mapping_name(inventory, mapping))


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


def _functions(clients: aws.ClientFactory, inventory: Inventory) -> None:
    lam = clients.client("lambda")
    for fn in _pages(lam, "list_functions", "Functions"):
        arn, name = fn["FunctionArn"], fn["FunctionName"]
        inventory.add(
            Function(
                key=arn,
                name=name,
                arn=arn,
                handler=fn.get("Handler"),
                timeout=fn.get("Timeout"),
                environment=dict((fn.get("Environment") or {}).get("Variables") or {}),
                dead_letter_target=(fn.get("DeadLetterConfig") or {}).get("TargetArn"),
                log_group=(fn.get("LoggingConfig") or {}).get("LogGroup"),
            )
        )


def _invoke_configs(clients: aws.ClientFactory, inventory: Inventory) -> None:
    lam = clients.client("lambda")
    for function in inventory.of(Function):
        for config in _pages(
            lam,
            "list_function_event_invoke_configs",
            "FunctionEventInvokeConfigs",
            FunctionName=function.name,
        ):
            destinations = config.get("DestinationConfig") or {}
            inventory.add(
                InvokeConfig(
                    key=f"{config.get('FunctionArn', function.key)}#event-invoke-config",
                    name=function.name,
                    function=function.key,
                    on_success=(destinations.get("OnSuccess") or {}).get("Destination"),
                    on_failure=(destinations.get("OnFailure") or {}).get("Destination"),
                )
            )


def _policies(clients: aws.ClientFactory, inventory: Inventory) -> None:
    lam = clients.client("lambda")
    for function in inventory.of(Function):
        _permissions(lam, function.key, inventory)


def _permissions(lam: LambdaClient, arn: str, inventory: Inventory) -> None:
    try:
        policy = json.loads(lam.get_policy(FunctionName=arn)["Policy"])
    except AwsError as exc:
        if exc.code == "ResourceNotFoundException":
            return  # no resource policy
        raise
    for i, statement in enumerate(policy.get("Statement", [])):
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            principal = principal.get("Service") or principal.get("AWS")
        if isinstance(principal, list):
            principal = principal[0] if principal else None
        condition = statement.get("Condition") or {}
        source = (condition.get("ArnLike") or condition.get("ArnEquals") or {}).get("AWS:SourceArn")
        inventory.add(
            Permission(
                key=f"{arn}#{statement.get('Sid', i)}",
                name=str(statement.get("Sid", i)),
                function=arn,
                principal=str(principal or "unknown"),
                source_arn=source,
            )
        )


def _mappings(clients: aws.ClientFactory, inventory: Inventory) -> None:
    lam = clients.client("lambda")
    for m in _pages(lam, "list_event_source_mappings", "EventSourceMappings"):
        on_failure = ((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        inventory.add(
            Mapping(
                key=m["UUID"],
                name=m["UUID"],
                function=m.get("FunctionArn", ""),
                source=m.get("EventSourceArn", ""),
                on_failure=on_failure or None,
                max_retries=m.get("MaximumRetryAttempts"),
                max_record_age=m.get("MaximumRecordAgeInSeconds"),
                bisect=bool(m.get("BisectBatchOnFunctionError")),
                response_types=tuple(m.get("FunctionResponseTypes") or ()),
                # A mapping being disabled polls no more; one being enabled (or created) will.
                enabled=m.get("State") not in ("Disabled", "Disabling"),
            )
        )


def _tables(clients: aws.ClientFactory, inventory: Inventory) -> None:
    ddb = clients.client("dynamodb")
    for name in _pages(ddb, "list_tables", "TableNames"):
        table = ddb.describe_table(TableName=name)["Table"]
        enabled = bool(table.get("StreamSpecification", {}).get("StreamEnabled"))
        inventory.add(
            Table(
                key=table["TableArn"],
                name=name,
                stream_arn=table.get("LatestStreamArn") if enabled else None,
                stream_enabled=enabled,
                global_table=bool(table.get("Replicas")),
            )
        )


def _queues(clients: aws.ClientFactory, inventory: Inventory) -> None:
    sqs = clients.client("sqs")
    for url in _pages(sqs, "list_queues", "QueueUrls"):
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"]
        )["Attributes"]
        arn = attributes["QueueArn"]
        inventory.add(
            Queue(
                key=arn,
                name=arn_tail(arn),
                arn=arn,
                url=url,
                redrive=bool(attributes.get("RedrivePolicy")),
            )
        )


def _topics(clients: aws.ClientFactory, inventory: Inventory) -> None:
    sns = clients.client("sns")
    for topic in _pages(sns, "list_topics", "Topics"):
        arn = topic["TopicArn"]
        inventory.add(Topic(key=arn, name=arn_tail(arn), arn=arn))
    for sub in _pages(sns, "list_subscriptions", "Subscriptions"):
        inventory.add(
            Subscription(
                key=sub["SubscriptionArn"],
                name=arn_tail(sub["SubscriptionArn"]),
                topic=sub["TopicArn"],
                protocol=sub.get("Protocol", ""),
                endpoint=sub.get("Endpoint", ""),
            )
        )


def _pipes(clients: aws.ClientFactory, inventory: Inventory) -> None:
    pipes = clients.client("pipes")
    for pipe in _pages(pipes, "list_pipes", "Pipes"):
        inventory.add(
            Pipe(
                key=pipe["Arn"],
                name=pipe["Name"],
                source=pipe.get("Source", ""),
                target=pipe.get("Target"),
                enabled="STOPPED" not in (pipe.get("DesiredState"), pipe.get("CurrentState")),
            )
        )


def _rules(clients: aws.ClientFactory, inventory: Inventory) -> None:
    events = clients.client("events")
    for rule in _pages(events, "list_rules", "Rules"):
        for target in _pages(events, "list_targets_by_rule", "Targets", Rule=rule["Name"]):
            inventory.add(
                EventTarget(
                    key=f"{rule['Arn']}#{target['Id']}",
                    name=f"{rule['Name']}/{target['Id']}",
                    target=target["Arn"],
                )
            )


def _buckets(clients: aws.ClientFactory, inventory: Inventory) -> None:
    s3 = clients.client("s3")
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        config = s3.get_bucket_notification_configuration(Bucket=name)
        functions = tuple(
            c["LambdaFunctionArn"] for c in config.get("LambdaFunctionConfigurations", [])
        )
        if functions:
            inventory.add(
                BucketNotification(key=f"arn:aws:s3:::{name}", name=name, functions=functions)
            )


def _alarms(clients: aws.ClientFactory, inventory: Inventory) -> None:
    cloudwatch = clients.client("cloudwatch")
    for alarm in _pages(cloudwatch, "describe_alarms", "MetricAlarms"):
        inventory.add(
            Alarm(
                key=alarm["AlarmArn"],
                name=alarm["AlarmName"],
                namespace=alarm.get("Namespace"),
                metric=alarm.get("MetricName"),
                dimensions={d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
            )
        )


def _logs(clients: aws.ClientFactory, inventory: Inventory) -> None:
    logs = clients.client("logs")
    for group in _pages(logs, "describe_log_groups", "logGroups"):
        name = group["logGroupName"]
        inventory.add(LogGroup(key=group.get("arn", name), name=name))
        for sub in _pages(
            logs, "describe_subscription_filters", "subscriptionFilters", logGroupName=name
        ):
            inventory.add(
                LogSubscription(
                    key=f"{name}#{sub['filterName']}",
                    name=sub["filterName"],
                    log_group=name,
                    destination=sub.get("destinationArn", ""),
                )
            )


def _account_policy(clients: aws.ClientFactory, inventory: Inventory) -> None:
    logs = clients.client("logs")
    response = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY")
    for policy in response.get("accountPolicies", []):
        document = json.loads(policy.get("policyDocument") or "{}")
        inventory.add(
            LogSubscription(
                key=f"account-policy#{policy.get('policyName')}",
                name=str(policy.get("policyName")),
                log_group=None,
                destination=str(document.get("DestinationArn", "")),
                excluded=excluded_log_groups(policy.get("selectionCriteria")),
            )
        )


def _cognito(clients: aws.ClientFactory, inventory: Inventory) -> None:
    idp = clients.client("cognito-idp")
    parents: set[str] = set()
    for pool in _pages(idp, "list_user_pools", "UserPools", PaginationConfig={"PageSize": 60}):
        described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        for domain in filter(None, (described.get("CustomDomain"), described.get("Domain"))):
            detail = idp.describe_user_pool_domain(Domain=domain).get("DomainDescription") or {}
            # A prefix domain is one label (letters, digits, hyphens); a custom domain has dots.
            custom = bool(detail.get("CustomDomainConfig")) or "." in domain
            inventory.add(
                CognitoDomain(
                    key=f"{pool['Id']}#{domain}", name=domain, domain=domain, custom=custom
                )
            )
            if custom and (parent := parent_of(domain)):
                parents.add(parent)
    if parents:
        _zones(clients, inventory, parents)


def _zones(clients: aws.ClientFactory, inventory: Inventory, parents: set[str]) -> None:
    """Only the zones a custom domain's parent lives in: their A records are what matters."""
    route53 = clients.client("route53")
    zones: list[str] = []
    for zone in _pages(route53, "list_hosted_zones", "HostedZones"):
        name = decode_route53_name(zone["Name"])
        if not any(p == name or p.endswith("." + name) for p in parents):
            continue
        zones.append(name)
        for record in _pages(
            route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone["Id"]
        ):
            inventory.add(
                DnsRecord(
                    key=f"{zone['Id']}#{record['Name']}#{record['Type']}",
                    name=normalize(decode_route53_name(record["Name"])),
                    record_name=decode_route53_name(record["Name"]),
                    record_type=record["Type"],
                    zone=zone["Id"],
                )
            )
    inventory.zones = tuple(zones)
