"""The recovery handler fuzzed: garbage of every kind beside a valid pointer in one SQS batch. The
handler never raises, only garbage is returned as failed, and the valid pointer is archived."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quirks import aws
from quirks.recovery.handler import lambda_handler
from quirks.testing import lambda_context, sns_notification
from tests.functional.recovery.conftest import Stream
from tests.functional.recovery.helpers import pointer
from tests.functional.recovery.test_handler import sqs_event

garbage = st.one_of(
    st.text(max_size=200),
    st.integers(min_value=0, max_value=3000).map(lambda d: "[" * d + "]" * d),
    st.integers(min_value=0, max_value=3000).map(lambda d: '{"a":' * d + "1" + "}" * d),
    st.just('{"DDBStreamBatchInfo": {"shardId": 1}}'),
    st.just('{"Type": "Notification", "Message": "[[[["}'),
    st.just(json.dumps({"Type": "Notification", "Message": "[" * 2000})),
    st.just('{"requestPayload": ' + "[" * 1200 + "]" * 1200 + "}"),
    st.binary(max_size=50).map(lambda b: b.decode("latin-1")),
)


def test_only_garbage_fails_and_the_valid_pointer_is_archived(
    stream: Stream, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRKS_ARCHIVE", f"s3://{bucket}/auto")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Fuzz")
    valid = pointer(stream.arn, stream.shard_id, stream.raw[0:5])
    s3 = aws.client("s3")

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(garbage, min_size=1, max_size=4), st.booleans(), st.integers(0, 4))
    def check(bad: list[str], wrapped: bool, where: int) -> None:
        for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=obj["Key"])
        good: Any = sns_notification(valid) if wrapped else valid
        bodies: list[Any] = [*bad[:where], good, *bad[where:]]
        response = lambda_handler(sqs_event(*bodies), lambda_context("quirks-recovery"))
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        good_id = f"msg-{min(where, len(bad))}"
        assert good_id not in failed
        assert len(failed) == len(bad)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert any(k.endswith(".jsonl.gz") for k in keys)

    check()
