"""A Terraform override file that points the ``hashicorp/aws`` provider at the local cloud.

A user drops the rendered text next to their root module as ``quirks_local_override.tf``: Terraform
merges an override file's ``provider "aws"`` block into the root's own one (argument by argument,
nested ``endpoints`` replacing the original's), so the root's code needs no change. Provider 5.x
already honours ``AWS_ENDPOINT_URL``; the file makes the redirection explicit, survives a shell
where real credentials are exported, and skips the calls that only make sense on AWS (credential
validation, account id lookup, instance metadata).

This module is pure: it renders HCL from an endpoint URL, a region and a list of services.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["FILE_NAME", "SERVICES", "render_override"]

FILE_NAME = "quirks_local_override.tf"

# Every ``endpoints`` argument of hashicorp/aws 5.100.0 (``terraform providers schema -json``) whose
# service moto 5.2 serves (``moto.backends.SERVICE_NAMES``, hyphens dropped; ``lambda`` is answered
# by the project's Lambda emulator). One name per provider service: the provider warns "Invalid Attribute
# Combination" (a future error) when one is set under two of its aliases (``logs``, ``cloudwatchlogs``). moto's ``dynamodbstreams`` has no
# argument of its own: the provider never calls the Streams API.
SERVICES: tuple[str, ...] = (
    *("acm", "acmpca", "amp", "apigateway", "apigatewayv2", "appconfig"),
    *("applicationautoscaling", "appmesh", "appsync", "athena", "autoscaling", "batch"),
    *("bedrock", "bedrockagent", "budgets", "ce", "cleanrooms", "cloudformation"),
    *("cloudfront", "cloudtrail", "cloudwatch", "codebuild", "codecommit", "codedeploy"),
    *("codepipeline", "cognitoidentity", "cognitoidp", "comprehend", "config", "connect"),
    *("databrew", "datapipeline", "datasync", "dax", "directconnect", "dms", "ds", "dsql"),
    *("dynamodb", "ec2", "ecr", "ecs", "efs", "eks", "elasticache", "elasticbeanstalk"),
    *("elb", "elbv2", "emr", "emrcontainers", "emrserverless", "es", "events", "firehose"),
    *("fsx", "glacier", "glue", "greengrass", "guardduty", "iam", "identitystore"),
    *("inspector2", "iot", "ivs", "kafka", "kinesis", "kinesisanalyticsv2", "kinesisvideo"),
    *("kms", "lakeformation", "lambda", "lexv2models", "logs", "macie2", "mediaconnect"),
    *("medialive", "mediapackage", "mediastore", "memorydb", "mq", "neptune"),
    *("networkfirewall", "networkmanager", "opensearch", "opensearchserverless"),
    *("organizations", "osis", "pinpoint", "polly", "quicksight", "ram", "rds", "redshift"),
    *("redshiftdata", "rekognition", "resiliencehub", "resourcegroups"),
    *("resourcegroupstaggingapi", "route53", "route53domains", "route53resolver", "s3"),
    *("s3control", "s3tables", "sagemaker", "scheduler", "sdb", "secretsmanager"),
    *("servicecatalogappregistry", "servicediscovery", "servicequotas", "ses", "sesv2"),
    *("shield", "signer", "sns", "sqs", "ssm", "ssoadmin", "stepfunctions", "sts", "swf"),
    *("synthetics", "timestreaminfluxdb", "timestreamquery", "timestreamwrite", "transcribe"),
    *("transfer", "vpclattice", "wafv2", "workspaces", "workspacesweb", "xray"),
)

_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(:\d+)?/?")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
_NAME = re.compile(r"[a-z][a-z0-9]*")
_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_VALUE = re.compile(r"[A-Za-z0-9._\-/+=]+")  # no quote, backslash or ${ to escape


def _block(url: str, region: str, services: list[str], credentials: tuple[str, str]) -> list[str]:
    width = max(len(name) for name in services)
    return [
        f'  region                      = "{region}"',
        f'  access_key                  = "{credentials[0]}"',
        f'  secret_key                  = "{credentials[1]}"',
        "  skip_credentials_validation = true",
        "  skip_requesting_account_id  = true",
        "  skip_metadata_api_check     = true",
        # virtual-hosted buckets would resolve <bucket>.127.0.0.1, which does not exist
        "  s3_use_path_style           = true",
        "",
        "  endpoints {",
        *(f'    {name:<{width}} = "{url}"' for name in services),
        "  }",
    ]


def render_override(
    url: str,
    region: str,
    services: Iterable[str] = SERVICES,
    *,
    credentials: tuple[str, str] = ("quirks-local", "quirks-local"),
    aliases: Iterable[str] = (),
) -> str:
    """The HCL of an override file: one ``provider "aws"`` block, plus one per alias in ``aliases``.

    Each block sets ``region``, the fake ``credentials`` (access key, secret key), the ``skip_*``
    flags, path-style S3 and ``endpoints`` with every name of ``services`` set to ``url``. Raises
    :class:`ValueError` for a URL, region, service, alias or credential that cannot be written as is.
    """
    url = url.rstrip("/")
    if not _URL.fullmatch(url):
        raise ValueError(f"endpoint URL must be http(s)://host[:port], not {url!r}")
    if not _REGION.fullmatch(region):
        raise ValueError(f"not a region name: {region!r}")
    names = sorted(set(services))
    if not names:
        raise ValueError("at least one service is needed")
    bad = [name for name in names if not _NAME.fullmatch(name)]
    if bad:
        raise ValueError(f"not provider endpoint names: {', '.join(bad)}")
    for value in credentials:
        if not _VALUE.fullmatch(value):
            raise ValueError(f"credential {value!r} has characters HCL would need escaped")
    alias_list = list(dict.fromkeys(aliases))
    bad = [alias for alias in alias_list if not _ALIAS.fullmatch(alias)]
    if bad:
        raise ValueError(f"not provider aliases: {', '.join(bad)}")
    body = _block(url, region, names, credentials)
    lines = [
        f"# Written by `quirks local env --terraform`: points hashicorp/aws at {url}.",
        f"# Keep it next to your root module as {FILE_NAME}; delete it to target AWS again.",
        'provider "aws" {',
        *body,
        "}",
    ]
    for alias in alias_list:
        lines += ["", 'provider "aws" {', f'  alias                       = "{alias}"', *body, "}"]
    return "\n".join(lines) + "\n"
