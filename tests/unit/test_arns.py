"""ARN, S3 URI and queue URL parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.arns import (
    Arn,
    S3Uri,
    arn_tail,
    function_name,
    queue_arn_from_url,
    queue_url_from_arn,
)
from quirks.errors import UserError


def test_arn_parts_and_round_trip() -> None:
    text = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"
    arn = Arn.parse(text)
    assert (arn.service, arn.region, arn.account) == ("dynamodb", "us-east-1", "123456789012")
    assert arn.resource == "table/t/stream/2026-01-01T00:00:00.000"
    assert str(arn) == text


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("my-fn", "my-fn"),
        ("my-fn:prod", "my-fn"),
        ("123456789012:function:my-fn", "my-fn"),
        ("arn:aws:lambda:us-east-1:123456789012:function:my-fn", "my-fn"),
        ("arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST", "my-fn"),
    ],
)
def test_function_name(value: str, name: str) -> None:
    assert function_name(value) == name


@pytest.mark.parametrize("bad", ["", "arn:aws", "nope:aws:s3:::b", "arn::s3:::b"])
def test_bad_arns_are_user_errors(bad: str) -> None:
    with pytest.raises(UserError):
        Arn.parse(bad)


def test_s3_uris() -> None:
    assert S3Uri.parse("s3://bucket") == S3Uri("bucket", "")
    uri = S3Uri.parse("s3://bucket/some/prefix/")
    assert uri.key == "some/prefix/"
    assert str(uri.join("a", "/b.jsonl.gz")) == "s3://bucket/some/prefix/a/b.jsonl.gz"
    assert str(S3Uri("bucket").join("x")) == "s3://bucket/x"
    assert S3Uri.is_s3("s3://b/k")
    assert not S3Uri.is_s3("/tmp/x")
    for bad in ("bucket/key", "s3:///key", "https://bucket.s3.amazonaws.com/k"):
        with pytest.raises(UserError):
            S3Uri.parse(bad)


@given(
    st.from_regex(r"[a-z0-9][a-z0-9.-]{2,20}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9/_.-]{0,30}", fullmatch=True),
)
def test_s3_uri_round_trip(bucket: str, key: str) -> None:
    uri = S3Uri.parse(f"s3://{bucket}/{key}")
    assert uri == S3Uri(bucket, key.lstrip("/"))


def test_queue_url_and_arn() -> None:
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/failures"
    arn = "arn:aws:sqs:eu-west-1:123456789012:failures"
    assert queue_arn_from_url(url) == arn
    assert queue_url_from_arn(arn) == url
    assert queue_arn_from_url("https://eu-west-1.queue.amazonaws.com/123456789012/failures") == arn
    assert (
        queue_url_from_arn(arn, "http://127.0.0.1:5000/")
        == "http://127.0.0.1:5000/123456789012/failures"
    )
    with pytest.raises(UserError):
        queue_arn_from_url("https://sqs.eu-west-1.amazonaws.com/failures")
    with pytest.raises(UserError):
        queue_url_from_arn("arn:aws:sns:eu-west-1:123456789012:topic")


@pytest.mark.parametrize(
    ("text", "tail"),
    [
        ("arn:aws:sqs:us-east-1:123456789012:orders-dlq", "orders-dlq"),
        ("arn:aws:sns:us-east-1:123456789012:alerts:3f1c2a9e-uuid", "3f1c2a9e-uuid"),
        ("PendingConfirmation", "PendingConfirmation"),
        ("aws_sqs_queue.failures", "aws_sqs_queue.failures"),
    ],
)
def test_arn_tail_takes_what_follows_the_last_colon(text: str, tail: str) -> None:
    assert arn_tail(text) == tail


def test_lambda_function_arn_parses_back_to_its_name() -> None:
    from quirks.arns import lambda_function_arn

    arn = lambda_function_arn("eu-west-1", "123456789012", "billing")
    assert arn == "arn:aws:lambda:eu-west-1:123456789012:function:billing"
    assert function_name(arn) == "billing"
