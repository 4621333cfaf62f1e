"""``quirks recover`` against moto: what users see (archives, queue contents, summary, exit codes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from quirks import aws
from quirks.streams import read_archive, wire
from quirks.testing import run_cli, sns_notification
from tests.functional.recovery.conftest import Stream
from tests.functional.recovery.helpers import (
    ground_truth,
    pointer,
    read_gz_lines,
    seq,
)
from tests.support.cli import run_parsed


def send(queue_url: str, *bodies: Any) -> None:
    sqs = aws.client("sqs")
    for body in bodies:
        sqs.send_message(
            QueueUrl=queue_url, MessageBody=body if isinstance(body, str) else json.dumps(body)
        )


def queue_bodies(queue_url: str) -> list[str]:
    sqs = aws.client("sqs")
    found: list[str] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60
        ).get("Messages", [])
        if not batch:
            return found
        found.extend(m["Body"] for m in batch)


def test_merges_overlapping_adjacent_and_out_of_order_pointers_into_directory(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    raw = stream.raw
    # Sent out of order: an SNS-wrapped pointer, an overlapping one, an adjacent one, a separate one.
    send(
        queue_url,
        pointer(stream.arn, stream.shard_id, raw[15:20]),  # adjacent to 5..14
        sns_notification(pointer(stream.arn, stream.shard_id, raw[0:10])),
        pointer(stream.arn, stream.shard_id, raw[30:35]),  # separate range
        pointer(stream.arn, stream.shard_id, raw[5:15]),  # overlaps 0..9
    )
    code, summary, err = run_parsed(
        "recover", "--queue", queue_url, "--to", str(tmp_path), "--json"
    )
    assert code == 0, err
    assert summary["pointers"] == 4
    assert summary["ranges"] == 2
    assert summary["records_recovered"] == 25
    assert summary["records_lost"] == 0
    assert summary["lost_ranges"] == []
    assert summary["count_mismatches"] == []  # each pointer's range holds its batchSize records
    assert summary["messages_deleted"] == 4
    assert summary["api_calls"]["GetShardIterator"] == 2  # one walk per merged range
    assert summary["api_calls"]["GetRecords"] == 2
    assert 290 < summary["oldest_pointer_age_seconds"] < 400
    assert len(summary["archives"]) == 2
    first, second = (Path(p) for p in summary["archives"])
    assert read_archive(first) == ground_truth(raw, stream.arn, int(seq(raw[0])), int(seq(raw[19])))
    assert read_archive(second) == ground_truth(
        raw, stream.arn, int(seq(raw[30])), int(seq(raw[34]))
    )
    assert queue_bodies(queue_url) == []
    manifest = json.loads(Path(summary["manifest"]).read_text())
    assert [r["recovered"] for r in manifest["ranges"]] == [20, 5]
    assert len(manifest["source_messages"]) == 4


def test_recovers_to_s3_with_identical_records_and_idempotent_rerun(
    stream: Stream, queue_url: str, bucket: str
) -> None:
    raw = stream.raw
    send(queue_url, pointer(stream.arn, stream.shard_id, raw[3:27]))
    code, summary, err = run_parsed(
        "recover",
        "--queue",
        queue_url,
        "--to",
        f"s3://{bucket}/recovered",
        "--keep",
        "--json",
    )
    assert code == 0, err
    assert summary["messages_deleted"] == 0
    [uri] = summary["archives"]
    key = uri.removeprefix(f"s3://{bucket}/")
    assert key.startswith("recovered/dynamodb/123456789012/us-east-1/orders/")
    s3 = aws.client("s3")
    first_bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert read_gz_lines(first_bytes) == ground_truth(
        raw, stream.arn, int(seq(raw[3])), int(seq(raw[26]))
    )

    # --keep left the message: the re-run finds its records archived, writes nothing, deletes it.
    code, again, err = run_parsed(
        "recover", "--queue", queue_url, "--to", f"s3://{bucket}/recovered", "--json"
    )
    assert code == 0, err
    assert again["archives"] == []
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == first_bytes
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="recovered/dynamodb/")["Contents"]
    assert [o["Key"] for o in listed] == [key]
    assert again["messages_deleted"] == 1
    assert queue_bodies(queue_url) == []


def test_s3_write_failure_leaves_the_message_in_the_queue(stream: Stream, queue_url: str) -> None:
    body = pointer(stream.arn, stream.shard_id, stream.raw[0:5])
    send(queue_url, body)
    code, summary, err = run_parsed(
        "recover", "--queue", queue_url, "--to", "s3://no-such-bucket/x", "--json"
    )
    assert code == 1
    # The library's logger.exception is one line on stderr, with no traceback without --debug.
    assert "quirks: error: archive write failed for" in err
    assert "NoSuchBucket" in err
    assert "Traceback" not in err
    assert summary["messages_deleted"] == 0
    assert summary["archives"] == []
    assert "NoSuchBucket" in summary["incomplete_ranges"][0]["error"]
    assert [json.loads(b) for b in queue_bodies(queue_url)] == [body]


def test_deleted_stream_is_reported_lost_and_exits_3(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    send(queue_url, pointer(stream.arn, stream.shard_id, stream.raw[10:20]))
    aws.client("dynamodb").delete_table(TableName=stream.table.name)
    code, summary, err = run_parsed(
        "recover", "--queue", queue_url, "--to", str(tmp_path), "--json"
    )
    assert code == 3, err
    assert summary["records_lost"] == 10
    [lost] = summary["lost_ranges"]
    assert lost["reason"] == "stream-not-found"
    assert (lost["shard_id"], lost["start"], lost["end"], lost["expected"]) == (
        stream.shard_id,
        seq(stream.raw[10]),
        seq(stream.raw[19]),
        10,
    )
    # The loss is recorded in the manifest, so the pointer is settled and deleted.
    manifest = json.loads(Path(summary["manifest"]).read_text())
    assert manifest["lost_ranges"] == summary["lost_ranges"]
    assert summary["messages_deleted"] == 1
    assert queue_bodies(queue_url) == []


def test_garbage_messages_are_reported_not_fatal(stream: Stream, tmp_path: Path) -> None:
    good = pointer(stream.arn, stream.shard_id, stream.raw[0:4])
    async_record = {
        "requestContext": {"condition": "RetriesExhausted"},
        "responseContext": {},
        "requestPayload": {},
    }
    messages = tmp_path / "messages.jsonl"
    messages.write_text(
        "\n".join(
            [
                json.dumps(good),
                "this is not json",
                json.dumps({"hello": 1}),
                json.dumps(async_record),
            ]
        )
        + "\n"
    )
    code, summary, err = run_parsed(
        "recover", "--file", str(messages), "--to", str(tmp_path / "out"), "--json"
    )
    assert code == 1, err
    assert summary["records_recovered"] == 4
    assert [m["message"] for m in summary["invalid_messages"]] == [
        f"{messages}#1",
        f"{messages}#2",
    ]
    assert summary["unsupported_messages"][0]["kind"] == "async-invocation"
    assert summary["messages_deleted"] == 0  # files are never modified


def test_dry_run_reads_and_reports_but_writes_and_deletes_nothing(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    send(queue_url, pointer(stream.arn, stream.shard_id, stream.raw[0:8]))
    out = tmp_path / "out"
    code, summary, err = run_parsed(
        "recover", "--queue", queue_url, "--to", str(out), "--dry-run", "--json"
    )
    assert code == 0, err
    assert summary["records_recovered"] == 8
    assert summary["archives"] == []
    assert summary["manifest"] is None
    assert summary["messages_deleted"] == 0
    assert not out.exists()
    assert len(queue_bodies(queue_url)) == 1


def test_s3_on_failure_objects_are_archived_without_reading_the_stream(
    stream: Stream, bucket: str, tmp_path: Path
) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="failures")
    raw = stream.raw
    bodies = [
        pointer(stream.arn, stream.shard_id, raw[0:6], payload=True),
        pointer(stream.arn, stream.shard_id, raw[4:9], payload=True),
    ]
    for index, body in enumerate(bodies):
        s3.put_object(
            Bucket="failures",
            Key=f"aws/lambda/esm-uuid/{stream.shard_id}/2026/11/26/2026-11-26T14.00.0{index}-x",
            Body=json.dumps(body).encode(),
        )
    code, summary, err = run_parsed(
        "recover", "--s3", "s3://failures/aws/lambda/", "--to", str(tmp_path), "--json"
    )
    assert code == 0, err
    assert summary["api_calls"]["GetShardIterator"] == 0
    assert summary["api_calls"]["GetRecords"] == 0
    assert summary["ranges"] == 1
    [archive] = summary["archives"]
    assert read_archive(archive) == ground_truth(
        raw, stream.arn, int(seq(raw[0])), int(seq(raw[8]))
    )
    assert summary["messages_deleted"] == 2
    assert "Contents" not in s3.list_objects_v2(Bucket="failures")


def test_pointer_close_to_its_deadline_is_warned_about(stream: Stream, tmp_path: Path) -> None:
    arrival = datetime.now(UTC) - timedelta(hours=23)
    messages = tmp_path / "m.json"
    messages.write_text(
        json.dumps([pointer(stream.arn, stream.shard_id, stream.raw[0:2], arrival=arrival)])
    )
    code, summary, err = run_parsed(
        "recover", "--file", str(messages), "--to", str(tmp_path), "--json"
    )
    assert code == 0
    assert "WARNING: 1 pointer(s) expire within 2 h" in err
    [near] = summary["near_deadline"]
    assert 3000 < near["seconds_left"] <= 3600
    assert summary["oldest_pointer_age_seconds"] >= 23 * 3600


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["recover", "--to", "x"], "pass exactly one source"),
        (["recover", "--queue", "https://q/1/a", "--file", "f", "--to", "x"], "--queue and --file"),
        (["recover", "--file", "m.json"], "no archive location"),
        (["recover", "--file", "missing.json", "--to", "x"], "does not exist"),
        (["recover", "--s3", "s3://b/p", "--to", "s3://b/p/out"], "inside --s3"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.json").write_text("[]")
    code, _, err = run_cli(*argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_human_output_shows_ranges_and_totals(stream: Stream, tmp_path: Path) -> None:
    messages = tmp_path / "m.jsonl"
    messages.write_text(
        json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:3])) + "\nnope\n"
    )
    code, out, _ = run_cli("recover", "--file", str(messages), "--to", str(tmp_path / "out"))
    assert code == 1
    assert stream.shard_id in out
    assert "invalid message" in out
    assert "1 pointers, 1 ranges, 3 records recovered, 0 lost, 0 messages deleted" in out
    assert "manifest:" in out


def test_streams_are_read_in_their_own_region_whatever_the_default(
    stream: Stream, tmp_path: Path
) -> None:
    # Reading through another region's endpoint would say "not found" and look like a loss.
    messages = tmp_path / "m.json"
    messages.write_text(json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:3])))
    code, summary, err = run_parsed(
        "--region",
        "eu-west-1",
        "recover",
        "--file",
        str(messages),
        "--to",
        str(tmp_path),
        "--json",
    )
    assert code == 0, err
    assert summary["records_recovered"] == 3


def test_human_output_shows_lost_ranges(stream: Stream, tmp_path: Path) -> None:
    messages = tmp_path / "m.json"
    messages.write_text(json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:3])))
    aws.client("dynamodb").delete_table(TableName=stream.table.name)
    code, out, _ = run_cli("recover", "--file", str(messages), "--to", str(tmp_path / "out"))
    assert code == 3
    assert f"LOST {seq(stream.raw[0])}..{seq(stream.raw[2])}: 3 records, stream-not-found" in out
    assert "3 lost" in out


def _async_failure(records: list[dict[str, Any]]) -> dict[str, Any]:
    """What a fan-out's Lambda target sends its OnFailure destination: the stream event, in full."""
    return dict(
        wire.async_record(
            function_arn="arn:aws:lambda:us-east-1:123456789012:function:target",
            request_id="8f5f5a2e-xmpl-4c1e-9d0e-5e2b7f0c1a11",
            condition="RetriesExhausted",
            attempts=2,
            request_payload=wire.stream_event(records),
            function_error="Unhandled",
            response_payload={"errorType": "ValueError", "errorMessage": "no"},
            responded=True,
            now=datetime.now(UTC).timestamp(),
        )
    )


def test_async_records_carrying_stream_events_are_archived_then_deleted(
    stream: Stream, queue_url: str, bucket: str
) -> None:
    records = ground_truth(stream.raw, stream.arn, int(seq(stream.raw[2])), int(seq(stream.raw[5])))
    send(queue_url, sns_notification(_async_failure(records)), _async_failure(records[:2]))
    target = f"s3://{bucket}/recovered"
    code, summary, err = run_parsed("recover", "--queue", queue_url, "--to", target, "--json")
    assert code == 0, err
    assert summary["records_recovered"] == 4
    assert summary["unsupported_messages"] == []
    assert summary["messages_deleted"] == 2
    assert queue_bodies(queue_url) == []
    assert summary["api_calls"].get("GetRecords", 0) == 0, "the records came with the messages"
    # Every archive the toolkit wrote reads back, by prefix, in S3.
    code, event, err = run_parsed("streams", "cat", target, "--json")
    assert code == 0, err
    assert event["Records"] == records


def test_streams_cat_reads_a_directory_of_archives(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    send(queue_url, pointer(stream.arn, stream.shard_id, stream.raw[0:3]))
    out = tmp_path / "out"
    code, _, err = run_parsed("recover", "--queue", queue_url, "--to", str(out), "--json")
    assert code == 0, err
    code, event, err = run_parsed("streams", "cat", str(out), "--json")
    assert code == 0, err
    assert event["Records"] == ground_truth(
        stream.raw, stream.arn, int(seq(stream.raw[0])), int(seq(stream.raw[2]))
    )


def test_a_pointer_yielding_fewer_records_than_its_batch_size_is_a_reported_loss(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    raw = stream.raw
    send(queue_url, pointer(stream.arn, stream.shard_id, raw[0:3], batch_size=5))
    code, summary, err = run_parsed(
        "recover", "--queue", queue_url, "--to", str(tmp_path), "--json"
    )
    assert code == 3, err
    assert summary["records_recovered"] == 3
    assert summary["records_lost"] == 2
    [lost] = summary["lost_ranges"]
    assert lost["reason"] == "count-mismatch"
    assert lost["detail"].startswith("the range holds 3 of the 5 records the pointer names")


def test_a_pointer_carrying_no_records_of_its_batch_is_a_reported_loss(
    stream: Stream, tmp_path: Path
) -> None:
    # An S3 on-failure object whose payload holds none of the records its batchSize names.
    body = pointer(stream.arn, stream.shard_id, stream.raw[0:2], payload=True)
    body["payload"] = json.dumps({"Records": []})
    messages = tmp_path / "pointers.json"
    messages.write_text(json.dumps(body))
    code, summary, err = run_parsed(
        "recover", "--file", str(messages), "--to", str(tmp_path / "out"), "--json"
    )
    assert code == 3, err
    assert (summary["records_recovered"], summary["records_lost"]) == (0, 2)
    assert [lost["reason"] for lost in summary["lost_ranges"]] == ["count-mismatch"]


def test_dry_run_says_would_recover_for_humans(stream: Stream, tmp_path: Path) -> None:
    messages = tmp_path / "m.jsonl"
    messages.write_text(json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:3])) + "\n")
    code, out, err = run_cli("recover", "--file", str(messages), "--dry-run")
    assert code == 0, err
    assert "3 records would be recovered" in out
    assert "nothing was written or deleted" in out
    assert "records recovered" not in out


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None},
            "quirks: error: no AWS credentials found (fix:",
        ),
        (
            {"AWS_ENDPOINT_URL": "http://127.0.0.1:1"},
            "quirks: error: Could not connect to the endpoint URL",
        ),
    ],
)
def test_missing_credentials_or_endpoint_is_the_usual_one_line_error_without_traceback(
    monkeypatch: pytest.MonkeyPatch,
    stream: Stream,
    tmp_path: Path,
    env: dict[str, str | None],
    expected: str,
) -> None:
    messages = tmp_path / "m.json"
    messages.write_text(json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:2])))
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    aws.current().clear()
    code, out, err = run_cli("--max-attempts", "1", "recover", "--file", str(messages), "--dry-run")
    assert out == ""
    assert code == 2, err
    assert err.startswith(expected)
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_streams_cat_reads_one_archive_in_s3_and_names_a_missing_one(
    stream: Stream, queue_url: str, bucket: str
) -> None:
    send(queue_url, pointer(stream.arn, stream.shard_id, stream.raw[0:3]))
    code, summary, err = run_parsed(
        "recover", "--queue", queue_url, "--to", f"s3://{bucket}/r", "--json"
    )
    assert code == 0, err
    [archive] = summary["archives"]
    assert archive.startswith(f"s3://{bucket}/r/")
    code, event, err = run_parsed("streams", "cat", archive, "--json")
    assert code == 0, err
    assert event["Records"] == ground_truth(
        stream.raw, stream.arn, int(seq(stream.raw[0])), int(seq(stream.raw[2]))
    )
    missing = f"s3://{bucket}/r/none.jsonl.gz"
    code, _, err = run_parsed("streams", "cat", missing)
    assert code == 2
    assert f"{missing} does not exist" in err
    assert "Traceback" not in err
