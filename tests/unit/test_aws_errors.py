"""botocore errors leave every factory-built client as ``AwsError``, still catchable as before."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from quirks import aws
from quirks.errors import AwsError, QuirksError


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return aws.ClientFactory(aws.AwsSettings(region="eu-west-1")).client("sqs")


def test_modeled_error_is_both_the_botocore_class_and_aws_error(sqs: object) -> None:
    client = sqs
    with Stubber(client) as stub:  # type: ignore[arg-type]
        stub.add_client_error(
            "get_queue_url", "QueueDoesNotExist", "no such queue", http_status_code=400
        )
        with pytest.raises(client.exceptions.QueueDoesNotExist) as caught:  # type: ignore[attr-defined]
            client.get_queue_url(QueueName="missing")  # type: ignore[attr-defined]
    error = caught.value
    assert isinstance(error, AwsError)
    assert isinstance(error, QuirksError)
    assert isinstance(error, ClientError)
    assert (error.code, error.operation, error.message, error.status) == (
        "QueueDoesNotExist",
        "GetQueueUrl",
        "no such queue",
        400,
    )
    assert not error.throttling


@pytest.mark.parametrize(
    ("code", "throttling"),
    [("ThrottlingException", True), ("RequestThrottled", True), ("AccessDenied", False)],
)
def test_unmodeled_errors_are_mapped_and_classified(
    sqs: object, code: str, throttling: bool
) -> None:
    client = sqs
    with Stubber(client) as stub:  # type: ignore[arg-type]
        stub.add_client_error("get_queue_url", code, http_status_code=400)
        with pytest.raises(AwsError) as caught:
            client.get_queue_url(QueueName="q")  # type: ignore[attr-defined]
    assert caught.value.code == code
    assert caught.value.throttling is throttling
    assert isinstance(caught.value, ClientError)


def test_the_derived_class_is_made_once() -> None:
    from quirks.aws_errors import mapped_class

    assert mapped_class(ClientError) is mapped_class(ClientError)
    assert issubclass(mapped_class(ClientError), AwsError)


def test_retry_attempts_count_what_botocore_retried_before_answering() -> None:
    from quirks.aws_errors import mapped_class

    response: Any = {
        "Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"},
        "ResponseMetadata": {"HTTPStatusCode": 400, "RetryAttempts": 4},
    }
    error = mapped_class(ClientError)(response, "GetRecords")
    assert isinstance(error, AwsError)
    assert (error.retry_attempts, error.throttling, error.status) == (4, True, 400)
    bare = mapped_class(ClientError)({"Error": {"Code": "X"}}, "GetRecords")  # type: ignore[arg-type]
    assert isinstance(bare, AwsError)
    assert (bare.retry_attempts, bare.status, bare.message) == (0, None, "")


def test_brief_and_describe_are_the_two_one_line_forms() -> None:
    from quirks.aws_errors import mapped_class

    response: Any = {"Error": {"Code": "AccessDeniedException", "Message": "no ssm:GetParameter"}}
    error = mapped_class(ClientError)(response, "GetParameter")
    assert isinstance(error, AwsError)
    assert error.brief() == "AccessDeniedException: no ssm:GetParameter"
    assert error.describe() == "GetParameter failed: AccessDeniedException: no ssm:GetParameter"
