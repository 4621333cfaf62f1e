"""The client factory: settings precedence, caching, retry and user-agent config."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from quirks import __version__, aws
from quirks.errors import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path


def test_region_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    assert aws.ClientFactory().region() == "eu-west-1"
    monkeypatch.delenv("AWS_REGION")
    assert aws.ClientFactory().region() == "eu-west-2"
    assert aws.ClientFactory(aws.AwsSettings(region="ap-south-1")).region() == "ap-south-1"


def test_missing_region_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(ConfigurationError, match="region") as info:
        aws.ClientFactory().region()
    assert info.value.fix is not None
    assert "--region" in info.value.fix


def test_region_and_profile_from_the_config_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile dev]\nregion = sa-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert aws.ClientFactory(aws.AwsSettings(profile="dev")).region() == "sa-east-1"
    monkeypatch.setenv("AWS_PROFILE", "dev")
    assert aws.ClientFactory().region() == "sa-east-1"


def test_unknown_profile_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="nope"):
        aws.ClientFactory(aws.AwsSettings(profile="nope")).session()


@pytest.mark.parametrize(
    ("service", "suffix"),
    [
        ("dynamodb", "DYNAMODB"),
        ("dynamodbstreams", "DYNAMODB_STREAMS"),
        ("cognito-idp", "COGNITO_IDENTITY_PROVIDER"),
        ("events", "EVENTBRIDGE"),
        ("logs", "CLOUDWATCH_LOGS"),
        ("lambda", "LAMBDA"),
        ("secretsmanager", "SECRETS_MANAGER"),
    ],
)
def test_service_endpoint_variables_follow_the_sdk_naming(service: str, suffix: str) -> None:
    assert aws.ClientFactory().service_env_suffix(service) == suffix


def test_endpoint_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    factory = aws.ClientFactory()
    assert factory.endpoint_for("sqs") is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:2")
    assert factory.endpoint_for("sqs") == "http://127.0.0.1:1"
    assert factory.endpoint_for("lambda") == "http://127.0.0.1:2"
    explicit = aws.ClientFactory(
        aws.AwsSettings(endpoint_url="http://127.0.0.1:3", endpoints={"s3": "http://127.0.0.1:4"})
    )
    assert explicit.endpoint_for("lambda") == "http://127.0.0.1:3"
    assert explicit.endpoint_for("s3") == "http://127.0.0.1:4"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert factory.endpoint_for("lambda") is None


def test_clients_are_cached_per_service_region_and_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factory = aws.ClientFactory()
    first = factory.client("sqs")
    assert factory.client("sqs") is first
    assert factory.client("sqs", region="eu-west-1") is not first
    assert factory.client("sns") is not first
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:5")
    moved = factory.client("sqs")
    assert moved is not first
    assert moved.meta.endpoint_url == "http://127.0.0.1:5"
    factory.clear()
    assert factory.client("sqs") is not moved
    assert factory.resource("dynamodb") is factory.resource("dynamodb")


def test_every_client_has_our_retry_mode_and_user_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    factory = aws.ClientFactory(aws.AwsSettings(max_attempts=7))
    config = factory.client("dynamodbstreams").meta.config
    # total_max_attempts counts the first call; botocore's max_attempts would count only retries.
    assert config.retries == {"mode": "standard", "total_max_attempts": 7}
    assert f"serverless-quirks/{__version__}" in (config.user_agent_extra or "")


def test_account_id_routing_is_disabled_only_for_overridden_endpoints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factory = aws.ClientFactory()
    assert factory.client("dynamodb").meta.config.account_id_endpoint_mode == "preferred"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:6")
    assert factory.client("dynamodb").meta.config.account_id_endpoint_mode == "disabled"


def test_max_attempts_must_be_positive() -> None:
    with pytest.raises(ConfigurationError):
        aws.AwsSettings(max_attempts=0)


def test_configure_replaces_the_process_wide_factory() -> None:
    aws.configure(region="eu-north-1")
    assert aws.current().region() == "eu-north-1"
    aws.configure(max_attempts=3)
    assert aws.current().settings.region == "eu-north-1"
    assert aws.current().settings.max_attempts == 3


def test_the_error_code_is_read_from_the_mapped_error_not_sniffed() -> None:
    # aws.error_code is gone: clients raise AwsError, whose code tests/unit/test_aws_errors.py checks.
    from quirks.aws_errors import mapped_class
    from quirks.errors import AwsError

    assert not hasattr(aws, "error_code")
    exc = mapped_class(ClientError)(
        {"Error": {"Code": "TrimmedDataAccessException", "Message": "x"}}, "GetRecords"
    )
    assert isinstance(exc, AwsError)
    assert exc.code == "TrimmedDataAccessException"


def test_explicit_credentials_override_the_environment() -> None:
    factory = aws.ClientFactory(aws.AwsSettings(credentials=("AKIDLOCAL", "secret", None)))
    credentials = factory.session().get_credentials()
    assert credentials is not None
    assert credentials.access_key == "AKIDLOCAL"
    assert credentials.token is None


def test_queue_facts_are_remembered_per_factory_and_forgotten_on_clear() -> None:
    factory = aws.ClientFactory(aws.AwsSettings(region="eu-west-1"))
    other = aws.ClientFactory(aws.AwsSettings(region="eu-west-1"))
    computed: list[str] = []

    def compute() -> int:
        computed.append("x")
        return len(computed)

    key = ("max-bytes", "http://127.0.0.1:1", "arn:aws:sqs:eu-west-1:123456789012:q")
    assert [factory.remembered(key, compute) for _ in range(3)] == [1, 1, 1]
    assert other.remembered(key, compute) == 2  # another factory (another endpoint set) asks again
    factory.clear()
    assert factory.remembered(key, compute) == 3

    def failing() -> int:
        raise RuntimeError("no sqs:GetQueueAttributes")

    fresh = ("url", "http://127.0.0.1:1", "arn:aws:sqs:eu-west-1:123456789012:r")
    with pytest.raises(RuntimeError):
        factory.remembered(fresh, failing)
    assert factory.remembered(fresh, compute) == 4  # a failure is not remembered
