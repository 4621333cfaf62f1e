"""The SQS-triggered Lambda handler: partial batch responses, archives, metrics and logs."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from quirks import aws
from quirks.errors import ConfigurationError
from quirks.recovery.handler import lambda_handler, logger
from quirks.testing import lambda_context, sns_notification
from tests.functional.recovery.conftest import Stream
from tests.functional.recovery.helpers import (
    ground_truth,
    pointer,
    read_gz_lines,
    seq,
)


def sqs_event(*bodies: Any) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"msg-{i}",
                "receiptHandle": f"handle-{i}",
                "body": body if isinstance(body, str) else json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1764165600000"},
                "messageAttributes": {},
                "md5OfBody": "x",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:on-failure",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def metrics_from(stdout: str) -> dict[str, Any]:
    for line in stdout.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            return json.loads(line)
    raise AssertionError(f"no EMF metrics in {stdout!r}")


def test_batch_is_recovered_and_only_garbage_is_returned_as_failed(
    stream: Stream, bucket: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUIRKS_ARCHIVE", f"s3://{bucket}/auto")
    raw = stream.raw
    event = sqs_event(
        pointer(stream.arn, stream.shard_id, raw[5:15]),
        "garbage",
        sns_notification(pointer(stream.arn, stream.shard_id, raw[0:8])),
    )
    response = lambda_handler(event, lambda_context("quirks-recovery"))
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    keys = [o["Key"] for o in aws.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    [archive] = [k for k in keys if k.endswith(".jsonl.gz")]
    body = aws.client("s3").get_object(Bucket=bucket, Key=archive)["Body"].read()
    assert read_gz_lines(body) == ground_truth(raw, stream.arn, int(seq(raw[0])), int(seq(raw[14])))
    assert any(k.startswith("auto/manifests/") for k in keys)
    emf = metrics_from(capsys.readouterr().out)
    assert emf["RecordsRecovered"] == [15.0]
    assert emf["RecordsLost"] == [0.0]
    assert emf["InvalidMessages"] == [1.0]
    assert 0 < emf["PointerAge"][0] < 3600
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ServerlessQuirks"


def test_archive_write_failure_returns_every_pointer_for_retry(
    stream: Stream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRKS_ARCHIVE", "s3://no-such-bucket/x")
    event = sqs_event(
        pointer(stream.arn, stream.shard_id, stream.raw[0:3]),
        pointer(stream.arn, stream.shard_id, stream.raw[30:33]),
    )
    response = lambda_handler(event, lambda_context("quirks-recovery"))
    assert response == {
        "batchItemFailures": [{"itemIdentifier": "msg-0"}, {"itemIdentifier": "msg-1"}]
    }


def test_lost_records_settle_the_message_and_are_logged_and_counted(
    stream: Stream, bucket: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUIRKS_ARCHIVE", f"s3://{bucket}")
    event = sqs_event(pointer(stream.arn, stream.shard_id, stream.raw[0:4]))
    aws.client("dynamodb").delete_table(TableName=stream.table.name)
    logs = io.StringIO()
    previous = logger.registered_handler.setStream(logs)  # Powertools bound stdout at import
    try:
        assert lambda_handler(event, lambda_context("quirks-recovery")) == {"batchItemFailures": []}
    finally:
        logger.registered_handler.setStream(previous)
    assert metrics_from(capsys.readouterr().out)["RecordsLost"] == [4.0]
    lines = logs.getvalue().splitlines()
    errors = [json.loads(line) for line in lines if '"level":"ERROR"' in line]
    assert errors[0]["message"] == "stream records lost"
    assert errors[0]["lost_range"]["reason"] == "stream-not-found"


def test_near_timeout_stops_reading_and_keeps_the_message(
    stream: Stream, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRKS_ARCHIVE", f"s3://{bucket}")
    event = sqs_event(pointer(stream.arn, stream.shard_id, stream.raw[0:4]))
    response = lambda_handler(event, lambda_context("quirks-recovery", remaining_ms=5_000))
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    listing = aws.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])
    assert [o["Key"] for o in listing if o["Key"].endswith(".jsonl.gz")] == []


def test_missing_archive_location_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUIRKS_ARCHIVE", raising=False)
    with (
        pytest.raises(ConfigurationError, match="QUIRKS_ARCHIVE"),
        pytest.warns(UserWarning, match="No application metrics"),
    ):
        lambda_handler(sqs_event(), lambda_context("quirks-recovery"))


def test_handler_does_not_import_the_cli_stack() -> None:
    code = "import sys, quirks.recovery.handler; print(sorted({'typer', 'rich', 'moto'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_failed_replay_is_logged_but_the_archived_messages_are_settled(
    stream: Stream, bucket: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUIRKS_ARCHIVE", f"s3://{bucket}")
    monkeypatch.setenv("QUIRKS_REPLAY_FUNCTION", "no-such-function")
    logs = io.StringIO()
    previous = logger.registered_handler.setStream(logs)
    try:
        response = lambda_handler(
            sqs_event(pointer(stream.arn, stream.shard_id, stream.raw[0:2])),
            lambda_context("quirks-recovery"),
        )
    finally:
        logger.registered_handler.setStream(previous)
    assert response == {"batchItemFailures": []}
    failures = [
        json.loads(line) for line in logs.getvalue().splitlines() if '"replay failed"' in line
    ]
    assert failures[0]["level"] == "ERROR"
    assert "ResourceNotFoundException" in failures[0]["replay"]["failed"][0]["error"]
    assert metrics_from(capsys.readouterr().out)["RecordsRecovered"] == [2.0]


def test_wiring_is_built_on_the_first_invocation_then_kept_until_reset(
    stream: Stream, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quirks.recovery import handler

    built: list[str] = []
    real = handler.build_recovery_from_env

    def counting() -> Any:
        built.append(os.environ["QUIRKS_ARCHIVE"])
        return real()

    monkeypatch.setattr(handler, "build_recovery_from_env", counting)
    monkeypatch.setenv("QUIRKS_ARCHIVE", f"s3://{bucket}/first")
    assert built == []  # nothing is built before an invocation
    for part in (stream.raw[0:2], stream.raw[2:4]):
        assert lambda_handler(
            sqs_event(pointer(stream.arn, stream.shard_id, part)), lambda_context("quirks-recovery")
        ) == {"batchItemFailures": []}
    assert built == [f"s3://{bucket}/first"]
    monkeypatch.setenv("QUIRKS_ARCHIVE", f"s3://{bucket}/second")
    handler.reset()
    lambda_handler(
        sqs_event(pointer(stream.arn, stream.shard_id, stream.raw[4:6])),
        lambda_context("quirks-recovery"),
    )
    assert built == [f"s3://{bucket}/first", f"s3://{bucket}/second"]
    keys = [o["Key"] for o in aws.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    assert sum(k.startswith("first/") and k.endswith(".jsonl.gz") for k in keys) == 2
    assert sum(k.startswith("second/") and k.endswith(".jsonl.gz") for k in keys) == 1


def test_handler_import_does_no_aws_io() -> None:
    # No endpoint, no region, no credentials: importing must still work (the build is lazy).
    code = (
        "import os\n"
        "for k in [k for k in os.environ if k.startswith('AWS_')]: del os.environ[k]\n"
        "os.environ['AWS_EC2_METADATA_DISABLED'] = 'true'\n"
        "import sys\n"
        "import quirks.recovery.handler as h\n"
        "print(h._recovery.current, 'aws_lambda_powertools.utilities.batch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    # Nothing built, and no BatchProcessor: the service already knows which messages settled.
    assert result.stdout.strip() == "None False"
