"""The one place that builds boto3 clients and resources.

Everything in serverless-quirks that talks to AWS (real or emulated) asks this module for a client.
Settings come, in this order, from:

1. explicit values (``quirks --region/--profile/--endpoint-url``, or :func:`configure`);
2. the standard environment: ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, ``AWS_PROFILE``,
   ``AWS_ENDPOINT_URL_<SERVICE>`` then ``AWS_ENDPOINT_URL`` (``<SERVICE>`` is the service id with
   spaces as underscores, upper-cased: ``DYNAMODB_STREAMS``, ``COGNITO_IDENTITY_PROVIDER``), unless
   ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true``;
3. the profile in ``~/.aws/config`` (including ``endpoint_url`` settings, which botocore applies
   itself; set ``account_id_endpoint_mode = disabled`` there too when they point at an emulator).

Clients are cached per (service, region, endpoint) and are safe to share between threads (boto3
clients are; sessions are not, so client creation is serialized). Every client uses the ``standard``
retry mode, carries ``serverless-quirks/<version>`` in its user agent, and disables account-id based
endpoint routing whenever its endpoint is overridden: botocore >= 1.44.4 otherwise sends DynamoDB
(Streams) calls to ``<account>.ddb...`` routes that emulators do not serve (a known gap of moto).

The settings, their sources and the endpoint check live in :mod:`quirks.aws_settings` and are
re-exported here (``aws.AwsSettings``, ``aws.ENVIRONMENT_ERRORS``).

Example::

    from quirks import aws

    streams = aws.client("dynamodbstreams")
    streams.describe_stream(StreamArn=arn)
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
from botocore.config import Config
from botocore.exceptions import ProfileNotFound

from quirks import __version__
from quirks.arns import Arn
from quirks.aws_errors import add_error_mapping
from quirks.aws_settings import (
    DEFAULT_MAX_ATTEMPTS,
    ENVIRONMENT_ERRORS,
    AwsSettings,
    SettingsSources,
    check_endpoint,
)
from quirks.errors import ConfigurationError
from quirks.limits import SQS_DEFAULT_MESSAGE_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from mypy_boto3_acm import ACMClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_kinesis import KinesisClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_route53 import Route53Client
    from mypy_boto3_s3 import S3Client, S3ServiceResource
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_sts import STSClient

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "ENVIRONMENT_ERRORS",
    "USER_AGENT",
    "AwsSettings",
    "ClientFactory",
    "client",
    "configure",
    "current",
    "queue_max_message_bytes",
    "queue_url",
    "resource",
]

USER_AGENT = f"serverless-quirks/{__version__}"


class ClientFactory(SettingsSources):
    """Builds and caches boto3 clients for one set of :class:`AwsSettings`.

    ``environ`` defaults to ``os.environ`` and is read when a client is first built, so tests can
    change the environment and call :meth:`clear`.
    """

    def __init__(
        self, settings: AwsSettings | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self.settings = settings or AwsSettings()
        self._environ = environ
        self._lock = threading.Lock()
        self._session: boto3.Session | None = None
        self._cache: dict[tuple[str, str, str, str | None], Any] = {}
        # Facts looked up once per queue (its URL, its MaximumMessageSize), per endpoint.
        self._facts: dict[tuple[str, str, str], Any] = {}

    def session(self) -> boto3.Session:
        """The boto3 session for the configured profile (created once)."""
        with self._lock:
            return self._session_locked()

    def _session_locked(self) -> boto3.Session:
        if self._session is None:
            profile = self.profile_and_source()[0]
            try:
                keys = self.settings.credentials
                self._session = boto3.Session(
                    profile_name=None if keys else profile,
                    aws_access_key_id=keys[0] if keys else None,
                    aws_secret_access_key=keys[1] if keys else None,
                    aws_session_token=keys[2] if keys else None,
                )
                # botocore's ClientError becomes quirks.errors.AwsError for every client we build.
                self._session.events.register("creating-client-class", add_error_mapping)
            except ProfileNotFound as exc:
                raise ConfigurationError(
                    f"AWS profile {profile!r} not found",
                    "check --profile / AWS_PROFILE against ~/.aws/config",
                ) from exc
        return self._session

    def region(self) -> str:
        """The region clients use by default; raises :class:`ConfigurationError` if none is set."""
        region, _ = self.region_and_source()
        if not region:
            raise ConfigurationError(
                "no AWS region is configured",
                "pass --region, or set AWS_REGION (or a region in your AWS profile)",
            )
        return region

    def config_for(self, endpoint: str | None) -> Config:
        """The botocore config shared by every client, given its endpoint override."""
        return Config(
            retries={"mode": "standard", "total_max_attempts": self.settings.max_attempts},
            user_agent_extra=USER_AGENT,
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            # Account-id endpoint routing only exists on AWS; an overridden endpoint never has it.
            account_id_endpoint_mode="disabled" if endpoint else None,
        )

    def _key(self, service: str, region: str | None) -> tuple[str, str, str | None]:
        return (service, region or self.region(), self.endpoint_for(service))

    def _cached(self, kind: Literal["client", "resource"], service: str, region: str | None) -> Any:
        service_, region_name, endpoint = self._key(service, region)
        key = (kind, service_, region_name, endpoint)
        with self._lock:
            if key not in self._cache:
                if endpoint is not None:
                    check_endpoint(endpoint, self.endpoint_and_source(service_)[1])
                build = getattr(self._session_locked(), kind)
                self._cache[key] = build(
                    service,
                    region_name=region_name,
                    endpoint_url=endpoint,
                    config=self.config_for(endpoint),
                )
            return self._cache[key]

    # fmt: off
    @overload
    def client(self, service: Literal["acm"], region: str | None = None) -> ACMClient: ...
    @overload
    def client(self, service: Literal["cloudwatch"], region: str | None = None) -> CloudWatchClient: ...
    @overload
    def client(self, service: Literal["cognito-idp"], region: str | None = None) -> CognitoIdentityProviderClient: ...
    @overload
    def client(self, service: Literal["dynamodb"], region: str | None = None) -> DynamoDBClient: ...
    @overload
    def client(self, service: Literal["dynamodbstreams"], region: str | None = None) -> DynamoDBStreamsClient: ...
    @overload
    def client(self, service: Literal["events"], region: str | None = None) -> EventBridgeClient: ...
    @overload
    def client(self, service: Literal["kinesis"], region: str | None = None) -> KinesisClient: ...
    @overload
    def client(self, service: Literal["lambda"], region: str | None = None) -> LambdaClient: ...
    @overload
    def client(self, service: Literal["logs"], region: str | None = None) -> CloudWatchLogsClient: ...
    @overload
    def client(self, service: Literal["route53"], region: str | None = None) -> Route53Client: ...
    @overload
    def client(self, service: Literal["s3"], region: str | None = None) -> S3Client: ...
    @overload
    def client(self, service: Literal["secretsmanager"], region: str | None = None) -> SecretsManagerClient: ...
    @overload
    def client(self, service: Literal["sns"], region: str | None = None) -> SNSClient: ...
    @overload
    def client(self, service: Literal["sqs"], region: str | None = None) -> SQSClient: ...
    @overload
    def client(self, service: Literal["ssm"], region: str | None = None) -> SSMClient: ...
    @overload
    def client(self, service: Literal["sts"], region: str | None = None) -> STSClient: ...
    @overload
    def client(self, service: str, region: str | None = None) -> Any: ...
    # fmt: on
    def client(self, service: str, region: str | None = None) -> Any:
        """A cached low-level client, typed by service name (``clients.client("sqs")``)."""
        return self._cached("client", service, region)

    def resource(self, service: str, region: str | None = None) -> Any:
        """A cached resource; prefer the module-level :func:`resource` for typing."""
        return self._cached("resource", service, region)

    def clear(self) -> None:
        """Forget cached clients and the session (after the environment changed)."""
        with self._lock:
            self._cache.clear()
            self._facts.clear()
            self._session = None

    def remembered(self, key: tuple[str, str, str], compute: Callable[[], Any]) -> Any:
        """``compute()`` once per ``key`` for this factory (until :meth:`clear`); a failure is
        not remembered."""
        with self._lock:
            if key in self._facts:
                return self._facts[key]
        value = compute()
        with self._lock:
            self._facts[key] = value
        return value


_factory = ClientFactory()


def configure(settings: AwsSettings | None = None, **changes: Any) -> ClientFactory:
    """Replace the process-wide factory; ``changes`` update the current settings field by field.

    ``configure(region="eu-west-1")`` keeps the other settings; ``configure(AwsSettings())`` resets.
    """
    global _factory
    base = settings if settings is not None else _factory.settings
    _factory = ClientFactory(replace(base, **changes) if changes else base)
    return _factory


def current() -> ClientFactory:
    """The process-wide factory used by :func:`client` and :func:`resource`."""
    return _factory


ServiceName = Literal[
    "acm",
    "cloudwatch",
    "cognito-idp",
    "dynamodb",
    "dynamodbstreams",
    "events",
    "kinesis",
    "lambda",
    "logs",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
]


# fmt: off
@overload
def client(service: Literal["acm"], region: str | None = None) -> ACMClient: ...
@overload
def client(service: Literal["cloudwatch"], region: str | None = None) -> CloudWatchClient: ...
@overload
def client(service: Literal["cognito-idp"], region: str | None = None) -> CognitoIdentityProviderClient: ...
@overload
def client(service: Literal["dynamodb"], region: str | None = None) -> DynamoDBClient: ...
@overload
def client(service: Literal["dynamodbstreams"], region: str | None = None) -> DynamoDBStreamsClient: ...
@overload
def client(service: Literal["events"], region: str | None = None) -> EventBridgeClient: ...
@overload
def client(service: Literal["kinesis"], region: str | None = None) -> KinesisClient: ...
@overload
def client(service: Literal["lambda"], region: str | None = None) -> LambdaClient: ...
@overload
def client(service: Literal["logs"], region: str | None = None) -> CloudWatchLogsClient: ...
@overload
def client(service: Literal["route53"], region: str | None = None) -> Route53Client: ...
@overload
def client(service: Literal["s3"], region: str | None = None) -> S3Client: ...
@overload
def client(service: Literal["secretsmanager"], region: str | None = None) -> SecretsManagerClient: ...
@overload
def client(service: Literal["sns"], region: str | None = None) -> SNSClient: ...
@overload
def client(service: Literal["sqs"], region: str | None = None) -> SQSClient: ...
@overload
def client(service: Literal["ssm"], region: str | None = None) -> SSMClient: ...
@overload
def client(service: Literal["sts"], region: str | None = None) -> STSClient: ...
# fmt: on
def client(service: ServiceName, region: str | None = None) -> Any:
    """A cached boto3 client for ``service`` from the process-wide factory."""
    return _factory.client(service, region)


# fmt: off
@overload
def resource(service: Literal["dynamodb"], region: str | None = None) -> DynamoDBServiceResource: ...
@overload
def resource(service: Literal["s3"], region: str | None = None) -> S3ServiceResource: ...
# fmt: on
def resource(service: Literal["dynamodb", "s3"], region: str | None = None) -> Any:
    """A cached boto3 resource for ``service`` from the process-wide factory."""
    return _factory.resource(service, region)


def _queue_client(destination: str, factory: ClientFactory | None) -> Any:
    """The SQS client for a queue: in the ARN's region, else the configured one."""
    region = Arn.parse(destination).region if destination.startswith("arn:") else None
    return (factory or current()).client("sqs", region=region or None)


def _remembered(
    kind: str, factory: ClientFactory | None, sqs: Any, destination: str, compute: Callable[[], Any]
) -> Any:
    """``compute()`` once per (kind, endpoint, queue) for the factory; failures are not remembered."""
    key = (kind, str(sqs.meta.endpoint_url), destination)
    return (factory or current()).remembered(key, compute)


def queue_url(destination: str, factory: ClientFactory | None = None) -> str:
    """The URL to send to for ``destination``: itself when it is a queue URL, and for an SQS ARN
    the URL ``GetQueueUrl`` returns (cached per endpoint and ARN).

    Infrastructure code knows queues by ARN (what IAM policies name), the SQS API by URL; asking
    SQS rather than composing the URL keeps it right on any endpoint.
    """
    if not destination.startswith("arn:"):
        return destination
    arn = Arn.parse(destination)
    if arn.service != "sqs":
        raise ConfigurationError(
            f"{destination!r} is not an SQS queue ARN", "pass arn:aws:sqs:<region>:<account>:<name>"
        )
    sqs = _queue_client(destination, factory)

    def lookup() -> str:
        response = sqs.get_queue_url(QueueName=arn.resource, QueueOwnerAWSAccountId=arn.account)
        return str(response["QueueUrl"])

    return str(_remembered("url", factory, sqs, destination, lookup))


def queue_max_message_bytes(destination: str, factory: ClientFactory | None = None) -> int:
    """A queue's ``MaximumMessageSize`` (cached), or :data:`SQS_DEFAULT_MESSAGE_BYTES` when it
    cannot be read (no ``sqs:GetQueueAttributes`` permission, an endpoint that lacks it)."""
    sqs = _queue_client(destination, factory)

    def lookup() -> int:
        url = queue_url(destination, factory)
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])
        return int(attributes["Attributes"]["MaximumMessageSize"])

    try:
        return int(_remembered("max-bytes", factory, sqs, destination, lookup))
    except Exception:  # any failure: the conservative size still delivers
        return SQS_DEFAULT_MESSAGE_BYTES
