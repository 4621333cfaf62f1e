"""Replaying recovered records to a queue (moto) and to a function (payloads recorded at the client)."""

from __future__ import annotations

import io
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from quirks import aws
from quirks.limits import LAMBDA_SYNC_PAYLOAD_BYTES
from quirks.recovery.replay import LambdaReplayer
from quirks.streams import read_archive, wire
from quirks.streams.codec import record_from_get_records, record_to_lambda
from quirks.streams.failures import UNKNOWN_SHARD
from quirks.testing import drain_queue, run_cli
from tests.functional.recovery.conftest import Stream
from tests.functional.recovery.helpers import ground_truth, pointer, seq
from tests.support.cli import run_parsed
from tests.support.clients import OverriddenClients


def test_recover_then_replay_to_queue_delivers_every_record_in_order(
    stream: Stream, tmp_path: Path
) -> None:
    sqs = aws.client("sqs")
    target = sqs.create_queue(QueueName="replay-target")["QueueUrl"]
    messages = tmp_path / "m.json"
    raw = stream.raw
    messages.write_text(json.dumps([pointer(stream.arn, stream.shard_id, raw[2:25])]))
    code, summary, err = run_parsed(
        "recover",
        "--file",
        str(messages),
        "--to",
        str(tmp_path / "out"),
        "--replay-to-queue",
        target,
        "--json",
    )
    assert code == 0, err
    assert summary["replay"]["records_sent"] == 23
    assert summary["replay"]["calls"] == 3
    received = sorted(
        [json.loads(m["Body"]) for m in drain_queue(target, delete=True)],
        key=lambda r: int(r["dynamodb"]["SequenceNumber"]),
    )
    assert received == ground_truth(raw, stream.arn, int(seq(raw[2])), int(seq(raw[24])))


class RecordingLambda:
    def __init__(self, real: Any, fail_on: int | None = None) -> None:
        self.real = real
        self.payloads: list[dict[str, Any]] = []
        self.fail_on = fail_on

    def invoke(self, **kwargs: Any) -> Any:
        self.payloads.append(
            {
                "type": kwargs["InvocationType"],
                "size": len(kwargs["Payload"]),
                "event": json.loads(kwargs["Payload"]),
            }
        )
        if self.fail_on == len(self.payloads):
            return {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": io.BytesIO(b'{"errorMessage": "boom"}'),
            }
        return self.real.invoke(**kwargs)


@pytest.fixture
def function(
    aws_env: aws.ClientFactory, moto_endpoint: str, moto_lambda_without_docker: None
) -> str:
    # moto echoes the payload by default; a 6 MB echo exceeds its response limit. Queue results.
    results = urllib.request.Request(
        f"{moto_endpoint}/moto-api/static/lambda-simple/response",
        method="POST",
        data=json.dumps({"results": ["null"] * 10, "region": "us-east-1"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(results, timeout=10).close()
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"},
            }
        ],
    }
    role = (
        aws.current()
        .client("iam")
        .create_role(RoleName="consumer", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    )
    aws.client("lambda").create_function(
        FunctionName="consumer",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
    )
    return "consumer"


def big_records(count: int, size: int) -> list[dict[str, Any]]:
    return [
        {
            "eventID": str(i),
            "eventName": "INSERT",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "Keys": {"pk": {"S": str(i)}},
                "NewImage": {"blob": {"S": "x" * size}},
                "SequenceNumber": str(10**21 + i),
                "SizeBytes": size,
                "StreamViewType": "NEW_IMAGE",
            },
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x",
        }
        for i in range(count)
    ]


def test_replay_to_function_chunks_under_the_sync_limit(function: str) -> None:
    recorder = RecordingLambda(aws.client("lambda"))
    records = big_records(30, 390_000)  # ~11.7 MB in all: needs at least two invokes
    result = LambdaReplayer(
        function, clients=OverriddenClients(aws.current(), {"lambda": recorder})
    ).replay(records)
    assert result.failed == []
    assert result.records_sent == 30
    assert len(recorder.payloads) == 2
    assert all(p["size"] <= LAMBDA_SYNC_PAYLOAD_BYTES for p in recorder.payloads)
    assert all(p["type"] == "RequestResponse" for p in recorder.payloads)
    assert [r for p in recorder.payloads for r in p["event"]["Records"]] == records


def test_function_error_stops_replay_and_is_reported(function: str) -> None:
    recorder = RecordingLambda(aws.client("lambda"), fail_on=1)
    result = LambdaReplayer(
        function, clients=OverriddenClients(aws.current(), {"lambda": recorder})
    ).replay(big_records(30, 390_000))
    [failure] = result.failed
    assert "Unhandled" in failure["error"]
    assert "boom" in failure["error"]
    assert failure["not_sent_after"] == 30 - failure["records"]
    assert len(recorder.payloads) == 1  # later chunks are not sent out of order
    assert result.records_sent == 0


def test_replay_command_reads_archives_from_disk_and_s3(
    stream: Stream, tmp_path: Path, function: str
) -> None:
    messages = tmp_path / "m.json"
    raw = stream.raw
    messages.write_text(
        json.dumps(
            [
                pointer(stream.arn, stream.shard_id, raw[0:5]),
                pointer(stream.arn, stream.shard_id, raw[10:12]),
            ]
        )
    )
    code, summary, err = run_parsed(
        "recover", "--file", str(messages), "--to", str(tmp_path / "a"), "--json"
    )
    assert code == 0, err
    first, second = summary["archives"]
    aws.client("s3").create_bucket(Bucket="arch")
    aws.client("s3").put_object(
        Bucket="arch", Key="k/second.jsonl.gz", Body=Path(second).read_bytes()
    )
    target = aws.client("sqs").create_queue(QueueName="t")["QueueUrl"]
    code, result, err = run_parsed(
        "recover",
        "replay",
        first,
        "s3://arch/k/second.jsonl.gz",
        "--to-queue",
        target,
        "--json",
    )
    assert code == 0, err
    assert result["records_sent"] == 7
    assert sorted(
        [json.loads(m["Body"]) for m in drain_queue(target, delete=True)],
        key=lambda r: int(r["dynamodb"]["SequenceNumber"]),
    ) == (read_archive(first) + read_archive(second))
    code, result, err = run_parsed("recover", "replay", first, "--to-function", function, "--json")
    assert code == 0, err
    assert (result["records_sent"], result["calls"], result["target"]) == (5, 1, "lambda:consumer")


def test_replay_usage_errors(tmp_path: Path) -> None:
    missing = run_cli(
        "recover", "replay", str(tmp_path / "nope.jsonl.gz"), "--to-queue", "https://q/1/x"
    )
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr
    untargeted = run_cli("recover", "replay", "x.jsonl.gz")
    assert untargeted.exit_code == 2
    assert "no replay target" in untargeted.stderr


def test_a_failed_replay_prints_a_readable_line(stream: Stream, tmp_path: Path) -> None:
    messages = tmp_path / "m.json"
    messages.write_text(json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:2])))
    code, summary, err = run_parsed(
        "recover", "--file", str(messages), "--to", str(tmp_path / "a"), "--json"
    )
    assert code == 0, err
    [archive] = summary["archives"]
    code, out, err = run_cli("recover", "replay", archive, "--to-function", "nope")
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("failed:")]
    assert line.startswith(f"failed: 2 record(s) (sequence {seq(stream.raw[0])}..")
    assert "ResourceNotFoundException" in line
    assert "{'" not in line  # no Python dict repr


def test_replay_reads_an_s3_prefix_holding_an_async_record_archive_and_a_directory(
    stream: Stream, tmp_path: Path
) -> None:
    """What the demo's fan-out diverts (async records, archived as ``shard-unknown``) replays."""
    raw = stream.raw
    event = wire.stream_event(
        [record_to_lambda(record_from_get_records(r, stream.arn, "us-east-1")) for r in raw[3:6]]
    )
    async_failure = wire.async_record(
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:fanout-analytics",
        request_id="1d2c5e9a-0000-4000-8000-000000000001",
        condition="RetriesExhausted",
        attempts=2,
        request_payload=event,
        function_error="Unhandled",
        response_payload={"errorType": "ValueError", "errorMessage": "rejected"},
        responded=True,
        now=1_700_000_000.0,
    )
    messages = tmp_path / "m.json"
    messages.write_text(json.dumps([async_failure]))
    code, summary, err = run_parsed(
        "recover", "--file", str(messages), "--to", str(tmp_path / "async"), "--json"
    )
    assert code == 0, err
    (from_async,) = summary["archives"]
    relative = Path(from_async).relative_to(tmp_path / "async")
    assert UNKNOWN_SHARD in relative.parts
    aws.client("s3").create_bucket(Bucket="arch")
    aws.client("s3").put_object(
        Bucket="arch",
        Key=f"fanout/analytics/{relative.as_posix()}",
        Body=Path(from_async).read_bytes(),
    )
    messages.write_text(json.dumps([pointer(stream.arn, stream.shard_id, raw[10:12])]))
    code, summary, err = run_parsed(
        "recover", "--file", str(messages), "--to", str(tmp_path / "dir"), "--json"
    )
    assert code == 0, err
    target = aws.client("sqs").create_queue(QueueName="t")["QueueUrl"]
    code, result, err = run_parsed(
        "recover",
        "replay",
        "s3://arch/fanout/",
        str(tmp_path / "dir"),
        "--to-queue",
        target,
        "--json",
    )
    assert code == 0, err
    assert result["records_sent"] == 5
    sent = sorted(
        [json.loads(m["Body"]) for m in drain_queue(target, delete=True)],
        key=lambda r: int(r["dynamodb"]["SequenceNumber"]),
    )
    assert [seq(r) for r in sent] == [seq(r) for r in raw[3:6] + raw[10:12]]
