"""ARNs, S3 URIs, SQS queue URLs and Lambda log group names: parse and build once, everywhere.

Pure functions; nothing here calls AWS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from quirks.errors import UserError

__all__ = [
    "Arn",
    "S3Uri",
    "arn_tail",
    "function_name",
    "function_name_from_group",
    "lambda_function_arn",
    "lambda_log_group",
    "queue_arn_from_url",
    "queue_url_from_arn",
]


@dataclass(frozen=True, slots=True)
class Arn:
    """``arn:<partition>:<service>:<region>:<account>:<resource>`` split into its parts."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn:
        """Parse an ARN; raises :class:`UserError` naming the value when it is not one."""
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
            raise UserError(f"{text!r} is not an ARN", "pass arn:<partition>:<service>:...")
        return cls(parts[1], parts[2], parts[3], parts[4], parts[5])

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_name(self) -> str:
        """The last path element of the resource (``function:name:qualifier`` gives ``name``)."""
        if self.service == "lambda" and self.resource.startswith("function:"):
            return self.resource.split(":")[1]
        return re.split(r"[:/]", self.resource)[-1]


def arn_tail(text: str) -> str:
    """The part of an ARN after its last ``:``: a queue's or topic's name, a subscription's id.

    Unlike :attr:`Arn.resource_name` it accepts what may not be a whole ARN (a Terraform address,
    SNS's ``PendingConfirmation``) and returns such text unchanged when it has no ``:``.
    """
    return text.rsplit(":", 1)[-1]


def lambda_function_arn(region: str, account: str, name: str, partition: str = "aws") -> str:
    """The unqualified ARN of function ``name``: ``arn:aws:lambda:<region>:<account>:function:<name>``."""
    return str(Arn(partition, "lambda", region, account, f"function:{name}"))


def lambda_log_group(function: str) -> str:
    """The log group Lambda writes a function's logs to by default, ``/aws/lambda/<name>``.

    A function with ``LoggingConfig.LogGroup`` set writes there instead; callers that know the
    function's configuration use that value and fall back to this one
    (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html).
    ``function`` may be a name or an ARN.
    """
    return f"/aws/lambda/{function_name(function)}"


def function_name_from_group(log_group: str) -> str:
    """The inverse of :func:`lambda_log_group`: ``/aws/lambda/<name>`` gives ``<name>``; any other
    group (a custom ``LoggingConfig.LogGroup``) gives its last path element."""
    if log_group.startswith("/aws/lambda/"):
        return log_group[len("/aws/lambda/") :]
    return log_group.rstrip("/").rsplit("/", 1)[-1] or log_group


def function_name(name_or_arn: str) -> str:
    """A Lambda function's name from its name, partial ARN or full (qualified) ARN."""
    if name_or_arn.startswith("arn:"):
        return Arn.parse(name_or_arn).resource_name
    if ":function:" in name_or_arn:  # partial ARN: 123456789012:function:name
        return name_or_arn.split(":function:", 1)[1].split(":")[0]
    return name_or_arn.split(":")[0]


@dataclass(frozen=True, slots=True)
class S3Uri:
    """An ``s3://bucket/prefix`` location; ``key`` may be empty (the bucket root)."""

    bucket: str
    key: str = ""

    @classmethod
    def parse(cls, text: str) -> S3Uri:
        """Parse ``s3://bucket[/key]``; raises :class:`UserError` for anything else."""
        parsed = urlsplit(text)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise UserError(f"{text!r} is not an S3 URI", "write it as s3://bucket/prefix")
        return cls(parsed.netloc, parsed.path.lstrip("/"))

    @staticmethod
    def is_s3(text: str) -> bool:
        """True when ``text`` looks like an S3 URI."""
        return text.startswith("s3://")

    def join(self, *parts: str) -> S3Uri:
        """A location below this one (``/`` inserted as needed)."""
        segments = [self.key.rstrip("/")] if self.key else []
        segments += [p.strip("/") for p in parts if p.strip("/")]
        return S3Uri(self.bucket, "/".join(segments))

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def queue_arn_from_url(url: str, partition: str = "aws") -> str:
    """``https://sqs.<region>.amazonaws.com/<account>/<name>`` (or an emulator's URL) to its ARN.

    The region comes from the host when it names one, as AWS hosts do (``sqs.<region>.`` or the
    legacy ``<region>.queue.``); emulator URLs must carry it the same way or have it passed in the
    ARN by the caller instead.
    """
    parsed = urlsplit(url)
    path = [p for p in parsed.path.split("/") if p]
    if parsed.scheme not in ("http", "https") or len(path) != 2:
        raise UserError(
            f"{url!r} is not an SQS queue URL", "pass https://sqs.<region>.../<account>/<name>"
        )
    account, name = path
    host = parsed.hostname or ""
    match = re.match(r"^(?:sqs\.([a-z0-9-]+)\.|([a-z0-9-]+)\.queue\.)", host)
    region = (match.group(1) or match.group(2)) if match else ""
    return f"arn:{partition}:sqs:{region}:{account}:{name}"


def queue_url_from_arn(arn: str, endpoint: str | None = None) -> str:
    """The queue URL of an SQS ARN, on AWS or on ``endpoint`` when one is configured."""
    parsed = Arn.parse(arn)
    if parsed.service != "sqs":
        raise UserError(
            f"{arn!r} is not an SQS queue ARN", "pass arn:aws:sqs:<region>:<account>:<name>"
        )
    base = endpoint.rstrip("/") if endpoint else f"https://sqs.{parsed.region}.amazonaws.com"
    return f"{base}/{parsed.account}/{parsed.resource}"
