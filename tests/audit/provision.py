"""Provision a corpus stack's plan into a (local) cloud through the AWS APIs, as Terraform would.

It reads the same plan JSON the plan-source tests audit, so the account audit sees the same stack.
Only the resource types of the corpus are known; references (``${aws_x.y.attr}``) are resolved to
what the created resources returned.
"""

from __future__ import annotations

import json
import re
from typing import Any

from quirks import aws
from quirks.audit.sources.plan import resources_from_show_json
from quirks.limits import DEFAULT_ACCOUNT as ACCOUNT
from quirks.local.stack import handler_package

_REF = re.compile(r"\$\{([^{}]+)\}")
_FIRST = (
    "aws_dynamodb_table",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_s3_bucket",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_event_rule",
    "aws_cognito_user_pool",
    "aws_route53_zone",
    "aws_lambda_function",  # after the queues and topics its DLQ names
)


class Provisioner:
    """Creates the plan's resources; ``attrs`` holds what each returned, by address."""

    def __init__(self, factory: aws.ClientFactory) -> None:
        self.c = factory.client
        self.region = factory.region()
        self.attrs: dict[str, dict[str, Any]] = {}

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            whole = re.fullmatch(r"\$\{([^{}]+)\}", value)
            if whole:
                if (
                    whole.group(1) in self.attrs
                ):  # aws_x.y[count.index]: the plan names no attribute
                    return self.attrs[whole.group(1)]["arn"]
                address, _, attribute = whole.group(1).rpartition(".")
                return self.attrs[address][attribute]
            return value
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def apply(self, plan: dict[str, Any]) -> None:
        resources = resources_from_show_json(plan)
        self._raw = {r.address: r.values for r in resources}
        ordered = sorted(
            resources, key=lambda r: _FIRST.index(r.type) if r.type in _FIRST else len(_FIRST)
        )
        for resource in ordered:
            values = (
                {**resource.values, "name": resource.values["name"]}
                if resource.type == "aws_sqs_queue"
                else self.value(resource.values)
            )
            getattr(self, resource.type)(resource.address, values)

    # -- first: things others refer to ------------------------------------------------------
    def aws_dynamodb_table(self, address: str, v: dict[str, Any]) -> None:
        ddb = self.c("dynamodb")
        table = ddb.create_table(
            TableName=v["name"],
            KeySchema=[{"AttributeName": v["hash_key"], "KeyType": "HASH"}],
            AttributeDefinitions=[
                {"AttributeName": a["name"], "AttributeType": a["type"]} for a in v["attribute"]
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": v["stream_view_type"]},
        )["TableDescription"]
        for replica in v.get("replica") or []:
            ddb.update_table(
                TableName=v["name"],
                ReplicaUpdates=[{"Create": {"RegionName": replica["region_name"]}}],
            )
        self.attrs[address] = {
            "arn": table["TableArn"],
            "name": v["name"],
            "stream_arn": table["LatestStreamArn"],
        }

    def aws_sqs_queue(self, address: str, v: dict[str, Any]) -> None:
        sqs = self.c("sqs")
        url = sqs.create_queue(QueueName=v["name"])["QueueUrl"]
        arn = f"arn:aws:sqs:{self.region}:{ACCOUNT}:{v['name']}"
        self.attrs[address] = {"arn": arn, "name": v["name"], "url": url, "id": url}
        if v.get("redrive_policy"):
            # The plan knows only what jsonencode() refers to: the dead-letter queue's ARN,
            # which may not exist yet.
            def redrive() -> None:
                target = self.value(v["redrive_policy"])
                policy = {"deadLetterTargetArn": target, "maxReceiveCount": 5}
                sqs.set_queue_attributes(
                    QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(policy)}
                )

            self._later.append(redrive)

    _later: list[Any]

    def aws_sns_topic(self, address: str, v: dict[str, Any]) -> None:
        arn = self.c("sns").create_topic(Name=v["name"])["TopicArn"]
        self.attrs[address] = {"arn": arn, "name": v["name"], "id": arn}

    def aws_s3_bucket(self, address: str, v: dict[str, Any]) -> None:
        self.c("s3").create_bucket(Bucket=v["bucket"])
        self.attrs[address] = {
            "arn": f"arn:aws:s3:::{v['bucket']}",
            "id": v["bucket"],
            "bucket": v["bucket"],
        }

    def aws_lambda_function(self, address: str, v: dict[str, Any]) -> None:
        extra: dict[str, Any] = {}
        if v.get("environment"):
            extra["Environment"] = {"Variables": v["environment"][0]["variables"]}
        if v.get("dead_letter_config"):
            extra["DeadLetterConfig"] = {"TargetArn": v["dead_letter_config"][0]["target_arn"]}
        fn = self.c("lambda").create_function(
            FunctionName=v["function_name"],
            Runtime=v["runtime"],
            Role=v["role"],
            Handler=v["handler"],
            Code={"ZipFile": handler_package("json.dumps")},
            Timeout=v.get("timeout") or 3,
            **extra,
        )
        self.attrs[address] = {"arn": fn["FunctionArn"], "function_name": v["function_name"]}

    def aws_cloudwatch_log_group(self, address: str, v: dict[str, Any]) -> None:
        self.c("logs").create_log_group(logGroupName=v["name"])
        self.attrs[address] = {"name": v["name"]}

    def aws_cloudwatch_event_rule(self, address: str, v: dict[str, Any]) -> None:
        arn = self.c("events").put_rule(
            Name=v["name"], ScheduleExpression=v["schedule_expression"]
        )["RuleArn"]
        self.attrs[address] = {"arn": arn, "name": v["name"]}

    def aws_cognito_user_pool(self, address: str, v: dict[str, Any]) -> None:
        pool = self.c("cognito-idp").create_user_pool(PoolName=v["name"])["UserPool"]
        self.attrs[address] = {"id": pool["Id"], "arn": pool["Arn"]}

    def aws_route53_zone(self, address: str, v: dict[str, Any]) -> None:
        zone = self.c("route53").create_hosted_zone(Name=v["name"], CallerReference=address)[
            "HostedZone"
        ]
        self.attrs[address] = {"zone_id": zone["Id"].rsplit("/", 1)[-1], "name": v["name"]}

    # -- then: what refers to them ------------------------------------------------------------
    def aws_lambda_event_source_mapping(self, address: str, v: dict[str, Any]) -> None:
        params: dict[str, Any] = {
            "FunctionName": v["function_name"],
            "EventSourceArn": v["event_source_arn"],
        }
        for key, name in (
            ("starting_position", "StartingPosition"),
            ("batch_size", "BatchSize"),
            ("maximum_retry_attempts", "MaximumRetryAttempts"),
            ("maximum_record_age_in_seconds", "MaximumRecordAgeInSeconds"),
            ("bisect_batch_on_function_error", "BisectBatchOnFunctionError"),
            ("function_response_types", "FunctionResponseTypes"),
            ("enabled", "Enabled"),
        ):
            if v.get(key) is not None:
                params[name] = v[key]
        if v.get("destination_config"):
            params["DestinationConfig"] = {
                "OnFailure": {
                    "Destination": v["destination_config"][0]["on_failure"][0]["destination_arn"]
                }
            }
        self.c("lambda").create_event_source_mapping(**params)

    def aws_pipes_pipe(self, address: str, v: dict[str, Any]) -> None:
        self.c("pipes").create_pipe(
            Name=v["name"],
            RoleArn=v["role_arn"],
            Source=v["source"],
            Target=v["target"],
            SourceParameters={"DynamoDBStreamParameters": {"StartingPosition": "LATEST"}},
            **({"DesiredState": v["desired_state"]} if v.get("desired_state") else {}),
        )

    def aws_lambda_function_event_invoke_config(self, address: str, v: dict[str, Any]) -> None:
        on_failure = v["destination_config"][0]["on_failure"][0]["destination"]
        self.c("lambda").put_function_event_invoke_config(
            FunctionName=v["function_name"],
            DestinationConfig={"OnFailure": {"Destination": on_failure}},
        )

    def aws_lambda_permission(self, address: str, v: dict[str, Any]) -> None:
        self.c("lambda").add_permission(
            FunctionName=v["function_name"],
            StatementId=address.rsplit(".", 1)[-1],
            Action=v["action"],
            Principal=v["principal"],
            SourceArn=v["source_arn"],
        )

    def aws_sns_topic_subscription(self, address: str, v: dict[str, Any]) -> None:
        self.c("sns").subscribe(
            TopicArn=v["topic_arn"], Protocol=v["protocol"], Endpoint=v["endpoint"]
        )

    def aws_s3_bucket_notification(self, address: str, v: dict[str, Any]) -> None:
        self.c("s3").put_bucket_notification_configuration(
            Bucket=v["bucket"],
            NotificationConfiguration={
                "LambdaFunctionConfigurations": [
                    {"LambdaFunctionArn": f["lambda_function_arn"], "Events": f["events"]}
                    for f in v["lambda_function"]
                ]
            },
        )

    def aws_cloudwatch_event_target(self, address: str, v: dict[str, Any]) -> None:
        self.c("events").put_targets(
            Rule=v["rule"], Targets=[{"Id": address.rsplit(".", 1)[-1], "Arn": v["arn"]}]
        )

    def aws_cloudwatch_metric_alarm(self, address: str, v: dict[str, Any]) -> None:
        self.c("cloudwatch").put_metric_alarm(
            AlarmName=v["alarm_name"],
            Namespace=v["namespace"],
            MetricName=v["metric_name"],
            Dimensions=[{"Name": k, "Value": str(d)} for k, d in v["dimensions"].items()],
            Statistic=v["statistic"],
            Period=v["period"],
            EvaluationPeriods=v["evaluation_periods"],
            Threshold=v["threshold"],
            ComparisonOperator=v["comparison_operator"],
        )

    def aws_cloudwatch_log_subscription_filter(self, address: str, v: dict[str, Any]) -> None:
        logs = self.c("logs")
        if not logs.describe_log_groups(logGroupNamePrefix=v["log_group_name"])["logGroups"]:
            logs.create_log_group(logGroupName=v["log_group_name"])
        params = {"roleArn": v["role_arn"]} if v.get("role_arn") else {}
        if ":kinesis:" in v["destination_arn"]:  # CloudWatch Logs checks that the stream exists
            kinesis, name = self.c("kinesis"), v["destination_arn"].rsplit("/", 1)[-1]
            if name not in kinesis.list_streams()["StreamNames"]:
                kinesis.create_stream(StreamName=name, ShardCount=1)
        logs.put_subscription_filter(
            logGroupName=v["log_group_name"],
            filterName=v["name"],
            filterPattern=v["filter_pattern"],
            destinationArn=v["destination_arn"],
            **params,
        )

    def aws_cloudwatch_log_account_policy(self, address: str, v: dict[str, Any]) -> None:
        # The plan knows only what jsonencode() refers to: the destination function's ARN.
        document = json.dumps({"DestinationArn": v["policy_document"], "FilterPattern": "ERROR"})
        self.c("logs").put_account_policy(
            policyName=v["policy_name"],
            policyType=v["policy_type"],
            policyDocument=document,
            selectionCriteria=v["selection_criteria"],
            scope="ALL",
        )

    def aws_cognito_user_pool_domain(self, address: str, v: dict[str, Any]) -> None:
        params = (
            {"CustomDomainConfig": {"CertificateArn": v["certificate_arn"]}}
            if v.get("certificate_arn")
            else {}
        )
        self.c("cognito-idp").create_user_pool_domain(
            Domain=v["domain"], UserPoolId=v["user_pool_id"], **params
        )

    def aws_route53_record(self, address: str, v: dict[str, Any]) -> None:
        self.c("route53").change_resource_record_sets(
            HostedZoneId=v["zone_id"],
            ChangeBatch={
                "Changes": [
                    {
                        "Action": "CREATE",
                        "ResourceRecordSet": {
                            "Name": v["name"],
                            "Type": v["type"],
                            "TTL": v["ttl"],
                            "ResourceRecords": [{"Value": r} for r in v["records"]],
                        },
                    }
                ]
            },
        )


def provision(factory: aws.ClientFactory, plan: dict[str, Any]) -> None:
    """Create every resource of ``plan`` (a corpus stack's) through ``factory``'s clients."""
    provisioner = Provisioner(factory)
    provisioner._later = []
    provisioner.apply(plan)
    for step in provisioner._later:
        step()
