"""One poison message (3 KB of ``[`` nested 1,500 deep) never stops recovery of its neighbours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quirks import aws
from quirks.recovery.handler import lambda_handler
from quirks.testing import lambda_context, run_cli
from tests.functional.recovery.conftest import Stream
from tests.functional.recovery.helpers import pointer
from tests.functional.recovery.test_handler import sqs_event

POISON = "[" * 1500 + "]" * 1500


def test_recover_queue_archives_the_valid_pointer_beside_a_poison_message(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    sqs = aws.client("sqs")
    sqs.send_message(QueueUrl=queue_url, MessageBody=POISON)
    valid = pointer(stream.arn, stream.shard_id, stream.raw[0:5])
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(valid))
    code, out, err = run_cli("recover", "--queue", queue_url, "--to", str(tmp_path), "--json")
    summary: dict[str, Any] = json.loads(out)
    assert code == 1, err  # nothing lost, one message left for a human
    assert summary["records_recovered"] == 5
    assert summary["messages_deleted"] == 1
    [invalid] = summary["invalid_messages"]
    assert "nested deeper than" in json.dumps(invalid)
    left = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in left] == [POISON]


def test_handler_fails_only_the_poison_message(
    stream: Stream, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRKS_ARCHIVE", f"s3://{bucket}/auto")
    event = sqs_event(POISON, pointer(stream.arn, stream.shard_id, stream.raw[0:5]))
    assert lambda_handler(event, lambda_context("quirks-recovery")) == {
        "batchItemFailures": [{"itemIdentifier": "msg-0"}]
    }
    keys = [o["Key"] for o in aws.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    assert [k for k in keys if k.endswith(".jsonl.gz")]


def test_recover_file_reports_the_poison_line_and_recovers_the_rest(
    stream: Stream, tmp_path: Path
) -> None:
    valid = pointer(stream.arn, stream.shard_id, stream.raw[0:5])
    messages = tmp_path / "messages.jsonl"
    messages.write_text(f"{POISON}\n{json.dumps(valid)}\n")
    result = run_cli("recover", "--file", str(messages), "--to", str(tmp_path / "out"), "--json")
    summary = result.json
    assert result.exit_code == 1
    assert summary["records_recovered"] == 5
    assert len(summary["invalid_messages"]) == 1
