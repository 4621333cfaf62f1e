"""Recovery benchmark: merged range reads vs. one iterator walk per pointer, against moto server.

10,000 stream records behind 100 overlapping pointers (each 150 records long, starting every 100
records, so neighbours share 50). Both approaches read the same pointers from the same stream and
write archives to a temporary directory; API calls are counted at the client, wall time is measured
in the same run. Run:

    .venv/bin/python benchmarks/bench_recovery.py [--records 10000] [--pointers 100] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from moto.server import ThreadedMotoServer

from quirks import aws
from quirks.recovery.reader import RangeReader
from quirks.recovery.service import RecoveryService
from quirks.recovery.sources import FileSource
from quirks.storage import DirectoryStore
from quirks.streams import encode_archive, record_from_get_records
from quirks.streams.failures import parse_failure_message


class Counting:
    """Counts calls per operation on a boto3 client."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.real, name)

        def call(**kwargs: Any) -> Any:
            self.calls[name] += 1
            return method(**kwargs)

        return call


def setup(records: int) -> tuple[str, str, list[str]]:
    dynamodb = aws.client("dynamodb")
    arn = dynamodb.create_table(
        TableName="bench",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    for first in range(0, records, 25):
        dynamodb.batch_write_item(
            RequestItems={
                "bench": [
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": {"S": f"k{i:06d}"},
                                "n": {"N": str(i)},
                                "payload": {"S": "x" * 200},
                            }
                        }
                    }
                    for i in range(first, min(first + 25, records))
                ]
            }
        )
    streams = aws.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator: str | None = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    sequences: list[str] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        if not page["Records"]:
            break
        sequences.extend(r["dynamodb"]["SequenceNumber"] for r in page["Records"])
        iterator = page.get("NextShardIterator")
    assert len(sequences) == records, len(sequences)
    return arn, shard, sequences


def pointers(arn: str, shard: str, sequences: list[str], count: int) -> list[dict[str, Any]]:
    stride = len(sequences) // count
    length = stride + stride // 2
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    bodies = []
    for i in range(count):
        lo, hi = i * stride, min(i * stride + length, len(sequences)) - 1
        bodies.append(
            {
                "requestContext": {"requestId": str(i), "condition": "RetryAttemptsExhausted"},
                "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
                "version": "1.0",
                "timestamp": stamp,
                "DDBStreamBatchInfo": {
                    "shardId": shard,
                    "streamArn": arn,
                    "startSequenceNumber": sequences[lo],
                    "endSequenceNumber": sequences[hi],
                    "approximateArrivalOfFirstRecord": stamp,
                    "approximateArrivalOfLastRecord": stamp,
                    "batchSize": hi - lo + 1,
                },
            }
        )
    return bodies


def merged(bodies: list[dict[str, Any]], out: str) -> tuple[Counter[str], int]:
    source = FileSource("bench", "\n".join(json.dumps(b) for b in bodies))
    reader = RangeReader()  # counts its own requests (moto never makes botocore retry)
    service = RecoveryService(DirectoryStore(out), reader, keep=True)
    report = service.run(source, source.receive())
    assert report.exit_code == 0, report.summary()
    calls = Counter(
        get_shard_iterator=reader.api_calls["GetShardIterator"],
        get_records=reader.api_calls["GetRecords"],
    )
    return calls, report.records_recovered


def naive(bodies: list[dict[str, Any]], out: str) -> tuple[Counter[str], int]:
    """One iterator walk per pointer, no merging: what a simple script does."""
    client = Counting(aws.client("dynamodbstreams"))
    store = DirectoryStore(out)
    total = 0
    for index, body in enumerate(bodies):
        batch = parse_failure_message(body).batch  # type: ignore[union-attr]
        rng = batch.range
        iterator = client.get_shard_iterator(
            StreamArn=batch.stream_arn,
            ShardId=batch.shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=batch.start_sequence_number,
        )["ShardIterator"]
        found = []
        done = False
        while iterator and not done:
            page = client.get_records(ShardIterator=iterator, Limit=1000)
            for raw in page["Records"]:
                record = record_from_get_records(raw, batch.stream_arn)
                if record.sequence > rng.end:
                    done = True
                    break
                found.append(record)
            iterator = page.get("NextShardIterator") if page["Records"] else None
        store.put(f"naive/{index:04d}.jsonl.gz", encode_archive(found))
        total += len(found)
    return client.calls, total


def start_moto() -> ThreadedMotoServer:
    """A moto server on 127.0.0.1 with the environment and client factory pointed at it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_REGION="us-east-1",
    )
    aws.configure(aws.AwsSettings())
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--pointers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    server = start_moto()
    try:
        started = time.perf_counter()
        arn, shard, sequences = setup(args.records)
        print(f"setup: {args.records} records written in {time.perf_counter() - started:.1f}s")
        bodies = pointers(arn, shard, sequences, args.pointers)
        results: dict[str, list[float]] = {"merged": [], "naive": []}
        calls: dict[str, Counter[str]] = {}
        records: dict[str, int] = {}
        for _ in range(args.repeat):
            for name, run in (("merged", merged), ("naive", naive)):
                with tempfile.TemporaryDirectory() as out:
                    t0 = time.perf_counter()
                    calls[name], records[name] = run(bodies, out)
                    results[name].append(time.perf_counter() - t0)
        print(
            f"{'approach':8} {'GetShardIterator':>16} {'GetRecords':>10} {'records read':>12} "
            f"{'median s':>9}"
        )
        for name in ("merged", "naive"):
            print(
                f"{name:8} {calls[name]['get_shard_iterator']:>16} {calls[name]['get_records']:>10} "
                f"{records[name]:>12} {statistics.median(results[name]):>9.2f}"
            )
        m, n = calls["merged"], calls["naive"]
        api_m = m["get_shard_iterator"] + m["get_records"]
        api_n = n["get_shard_iterator"] + n["get_records"]
        print(f"API calls: naive/merged = {api_n}/{api_m} = {api_n / api_m:.1f}x")
        ratio = statistics.median(results["naive"]) / statistics.median(results["merged"])
        print(f"wall time: naive/merged = {ratio:.1f}x (median of {args.repeat})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
