"""Chaos: poison messages (1,500 nested ``[``, truncated JSON, binary, 200 KB of garbage) beside
valid pointers, through ``quirks recover --queue`` and through the recovery handler's SQS batch.

Nothing valid may be lost: every valid pointer's records are archived, the poison is reported and
left for a human (in the queue; in the handler's ``batchItemFailures``, hence its DLQ).

Run: ``python -m tests.chaos.poison`` (``CHAOS_RECORDS``, default 10,000: records behind the valid
pointers).
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import shutil
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from quirks import aws
from quirks.testing import lambda_context
from tests.chaos.common import Summary, fresh_moto, records_from_env, scoped_environ
from tests.chaos.recovery import REGION, _archived, _write
from tests.functional.recovery.helpers import pointer
from tests.support.dynamo import create_stream_table

POISON = {
    "nested": "[" * 1500 + "]" * 1500,
    "nested-object": '{"a":' * 1500 + "1" + "}" * 1500,
    "truncated": '{"DDBStreamBatchInfo": {"shardId": "x", "startSeq',
    "garbage": "x" * 200_000,
    "wrong-types": json.dumps({"DDBStreamBatchInfo": {"shardId": 7, "batchSize": "ten"}}),
    "control": "\x00\x01\x02\u202e",
}


def _sqs_event(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"msg-{i}",
                "receiptHandle": f"handle-{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1764165600000"},
                "messageAttributes": {},
                "md5OfBody": "x",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:on-failure",
                "awsRegion": REGION,
            }
            for i, body in enumerate(bodies)
        ]
    }


def run(records: int) -> Summary:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    started = time.monotonic()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    fresh_moto()
    host, port = server.get_host_and_port()
    with scoped_environ(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID="chaos",
        AWS_SECRET_ACCESS_KEY="chaos",
        QUIRKS_ARCHIVE="s3://chaos-poison-archive/auto",
    ):
        aws.configure(aws.AwsSettings(endpoint_url=f"http://{host}:{port}", region=REGION))
        violations: list[str] = []
        from quirks.testing import run_cli

        with redirect_stdout(io.StringIO()):  # its Logger binds stdout when first imported
            from quirks.recovery.handler import lambda_handler

        try:
            table = create_stream_table("chaos-poison")
            _write(table, records)
            raw = table.read_all()
            shard = table.shard_ids()[0]
            half = len(raw) // 2
            cli_part, handler_part = raw[:half], raw[half:]
            valid_cli = [
                pointer(table.stream_arn, shard, cli_part[i : i + 40])
                for i in range(0, len(cli_part), 40)
            ]
            sqs = aws.client("sqs")
            url = sqs.create_queue(QueueName="chaos-poison")["QueueUrl"]
            bodies = [json.dumps(p) for p in valid_cli]
            for index, body in enumerate(POISON.values()):
                bodies.insert(index * 3 % (len(bodies) + 1), body)
            for body in bodies:
                sqs.send_message(QueueUrl=url, MessageBody=body)
            out_dir = Path(tempfile.mkdtemp(prefix="chaos-poison-"))
            code, out, err = run_cli("recover", "--queue", url, "--to", str(out_dir), "--json")
            sys.stderr.write(err)  # what the command said, as a shell would show it
            try:
                summary = json.loads(out)
            except ValueError:
                summary = {"invalid_messages": []}
            if code != 1:
                violations.append(f"recover exited {code}, expected 1 (poison left for a human)")
            if len(summary["invalid_messages"]) != len(POISON):
                violations.append(f"{len(summary['invalid_messages'])} invalid messages reported")
            left = sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            if sum(int(v) for v in left.values()) != len(POISON):
                violations.append(f"queue holds {left}, expected the {len(POISON)} poison messages")
            # The handler: one SQS batch of valid pointers and poison; only the poison may fail.
            aws.client("s3").create_bucket(Bucket="chaos-poison-archive")
            valid_handler = [
                json.dumps(pointer(table.stream_arn, shard, handler_part[i : i + 40]))
                for i in range(0, len(handler_part), 40)
            ]
            archived_by_handler: dict[str, int] = {}
            poison = list(POISON.values())
            for first in range(0, len(valid_handler), 8):
                batch = valid_handler[first : first + 8] + poison[:2]
                poison = poison[2:] + poison[:2]
                try:
                    with redirect_stdout(io.StringIO()):
                        response = lambda_handler(
                            _sqs_event(batch), lambda_context("quirks-recovery", request_id="chaos")
                        )
                except Exception as exc:  # the whole batch failed: every message back to the queue
                    violations.append(
                        f"handler raised {type(exc).__name__}: the whole batch failed"
                    )
                    continue
                failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
                expected_failed = {f"msg-{i}" for i in range(len(batch) - 2, len(batch))}
                if failed != expected_failed:
                    violations.append(
                        f"handler failed {sorted(failed)}, expected {sorted(expected_failed)}"
                    )
            s3 = aws.client("s3")
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="chaos-poison-archive"):
                for obj in page.get("Contents", []):
                    if obj["Key"].endswith(".jsonl.gz"):
                        data = s3.get_object(Bucket="chaos-poison-archive", Key=obj["Key"])[
                            "Body"
                        ].read()
                        for line in gzip.decompress(data).splitlines():
                            sequence = json.loads(line)["dynamodb"]["SequenceNumber"]
                            archived_by_handler[sequence] = archived_by_handler.get(sequence, 0) + 1
            archived = _archived(out_dir)
            shutil.rmtree(out_dir, ignore_errors=True)
        finally:
            aws.configure(aws.AwsSettings())
            server.stop()
    expected_cli = {str(r["dynamodb"]["SequenceNumber"]) for r in cli_part}
    expected_handler = {str(r["dynamodb"]["SequenceNumber"]) for r in handler_part}
    lost = len(expected_cli - set(archived)) + len(expected_handler - set(archived_by_handler))
    return Summary(
        scenario="poison",
        written=len(raw),
        lost=lost,
        duplicated=sum(n - 1 for n in archived.values())
        + sum(n - 1 for n in archived_by_handler.values()),
        diverted=0,
        seconds=time.monotonic() - started,
        detail={
            "poison_messages": len(POISON),
            "valid_pointers": len(valid_cli) + len(valid_handler),
            "violations": violations,
        },
    )


def main() -> int:
    summary = run(records_from_env(10_000))
    print(summary.line())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
