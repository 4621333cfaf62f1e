"""DynamoDB Streams reads on the local cloud meet AWS's limits: the reader limit on the shard, for
every caller, and the 24-hour trim horizon, on the emulator's clock (driven here, never slept)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from quirks.local.cloud import LocalCloud
from quirks.local.readers import shard_key
from quirks.streams.failures import StreamBatchFailure, parse_sqs_message
from quirks.testing import drain_queue, run_cli
from tests.functional.local.test_event_source_mappings import (
    consumer,
    put_keys,
    seen_keys,
    stream_mapping,
)
from tests.functional.local.test_lambda_emulator import queue
from tests.support.dynamo import create_stream_table


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.05)  # polling a condition with a deadline


def raw_streams(cloud: LocalCloud) -> Any:
    """A client that does not retry, so every refusal is seen."""
    return boto3.client(
        "dynamodbstreams",
        endpoint_url=cloud.url,
        region_name=cloud.region,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def error_code(call: Callable[[], Any]) -> str | None:
    try:
        call()
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return None


def test_any_reader_of_an_oversubscribed_shard_gets_limit_exceeded(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    for name in ("c1", "c2", "c3"):
        consumer(name, seen_url)
        stream_mapping(name, table.stream_arn)
    shard = shard_key(table.stream_arn, table.shard_ids()[0])
    wait_for(lambda: cloud.limiter.readers(shard) >= 3)
    streams = raw_streams(cloud)
    iterator = streams.get_shard_iterator(
        StreamArn=table.stream_arn, ShardId=table.shard_ids()[0], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    codes = []
    for _ in range(20):  # an ad-hoc reader (a script, quirks recover) takes a slot too
        try:
            iterator = streams.get_records(ShardIterator=iterator)["NextShardIterator"]
            codes.append("ok")
        except ClientError as exc:
            codes.append(exc.response["Error"]["Code"])
    assert "LimitExceededException" in codes
    # The mappings share the refusals: no reader is a fixed winner.
    wait_for(lambda: all(p.throttled > 0 for p in cloud.pollers.values()))
    names = {name for _, _, name, _ in cloud.telemetry.samples}
    assert "Throttles" not in names, "reader contention is not an invocation throttle"


def test_two_readers_are_never_refused(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("c1", seen_url)
    stream_mapping("c1", table.stream_arn)
    shard = shard_key(table.stream_arn, table.shard_ids()[0])
    wait_for(lambda: cloud.limiter.readers(shard) >= 1)
    streams = raw_streams(cloud)
    iterator = streams.get_shard_iterator(
        StreamArn=table.stream_arn, ShardId=table.shard_ids()[0], ShardIteratorType="LATEST"
    )["ShardIterator"]
    for _ in range(20):
        iterator = streams.get_records(ShardIterator=iterator)["NextShardIterator"]
    assert cloud.limiter.throttled_reads(shard) == 0


def test_records_are_trimmed_24_hours_after_they_were_written(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    put_keys(table, ["old0", "old1"])
    streams = raw_streams(cloud)
    shard_id = table.shard_ids()[0]
    first = table.read_all()[0]["dynamodb"]["SequenceNumber"]
    old_iterator = streams.get_shard_iterator(
        StreamArn=table.stream_arn,
        ShardId=shard_id,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=first,
    )["ShardIterator"]
    cloud.clock.advance(23 * 3600)
    assert len(streams.get_records(ShardIterator=old_iterator)["Records"]) == 2
    cloud.clock.advance(2 * 3600)
    put_keys(table, ["new0"])

    def at(sequence_number: str) -> Any:
        return streams.get_shard_iterator(
            StreamArn=table.stream_arn,
            ShardId=shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=sequence_number,
        )

    assert error_code(lambda: at(first)) == "TrimmedDataAccessException"
    horizon = streams.get_shard_iterator(
        StreamArn=table.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=horizon)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["new0"]
    stale = streams.get_shard_iterator(
        StreamArn=table.stream_arn, ShardId=shard_id, ShardIteratorType="LATEST"
    )["ShardIterator"]
    assert streams.get_records(ShardIterator=stale)["Records"] == []


def test_an_iterator_left_behind_the_trim_horizon_is_refused(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    put_keys(table, ["k0"])
    streams = raw_streams(cloud)
    iterator = streams.get_shard_iterator(
        StreamArn=table.stream_arn, ShardId=table.shard_ids()[0], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    cloud.clock.advance(24 * 3600 + 1)
    code = error_code(lambda: streams.get_records(ShardIterator=iterator))
    assert code == "TrimmedDataAccessException"


def test_creation_times_are_whole_seconds(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    put_keys(table, ["k0"])
    (record,) = table.read_all()
    created = record["dynamodb"]["ApproximateCreationDateTime"]
    stamp = created.timestamp() if hasattr(created, "timestamp") else float(created)
    assert stamp == int(stamp)


def test_bisect_with_partial_responses_retries_the_rest_as_one_batch(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    failures_url, failures_arn = queue("failures")
    put_keys(table, [f"q{i}" for i in range(6)])
    consumer("partial", seen_url, POISON="q2", MODE="report")
    stream_mapping(
        "partial",
        table.stream_arn,
        BatchSize=6,
        BisectBatchOnFunctionError=True,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    (message,) = drain_queue(failures_url, 1, timeout=15)
    pointer = parse_sqs_message(message)
    assert isinstance(pointer, StreamBatchFailure)
    assert pointer.batch.batch_size == 4, "bisected at the returned sequence number: q2..q5"
    seen = [json.loads(m["Body"]) for m in drain_queue(seen_url, 8, timeout=15)]
    assert sorted(s["batch"] for s in seen if s["key"] == "q3") == [4, 6]
    ages = [s for s in cloud.telemetry.samples if s[1] == "partial" and s[2] == "IteratorAge"]
    invocations = [
        s for s in cloud.telemetry.samples if s[1] == "partial" and s[2] == "Invocations"
    ]
    assert len(ages) == len(invocations) == 2, "IteratorAge is reported for every invocation"


def test_iterator_age_is_in_emulated_time(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    put_keys(table, ["k0"])
    started = time.monotonic()
    cloud.clock.advance(600)  # ten emulated minutes pass before the mapping reads the record
    consumer("aged", seen_url)
    stream_mapping("aged", table.stream_arn)
    assert seen_keys(seen_url, 1) == ["k0"]
    (age,) = [v for _, f, n, v in cloud.telemetry.samples if f == "aged" and n == "IteratorAge"]
    real_ms = (time.monotonic() - started) * 1000
    assert 600_000 <= age <= 600_000 + real_ms / cloud.time_factor


def test_a_poller_that_fails_resumes_after_its_checkpoint(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("steady", seen_url)
    put_keys(table, ["a0", "a1"])
    mapping = stream_mapping("steady", table.stream_arn, BatchSize=2)
    assert sorted(seen_keys(seen_url, 2)) == ["a0", "a1"]
    poller = cloud.pollers[mapping["UUID"]]
    original = poller._process
    failed = []

    def fail_once(shard_id: str, records: list[dict[str, Any]]) -> None:
        if not failed:
            failed.append(True)
            raise RuntimeError("injected poller fault")
        original(shard_id, records)

    monkeypatch.setattr(poller, "_process", fail_once)
    put_keys(table, ["b0"])
    wait_for(lambda: bool(failed))
    put_keys(table, ["b1"])
    # A restart from TRIM_HORIZON would deliver a0 and a1 again, before b0 and b1.
    keys = seen_keys(seen_url, 2)
    assert sorted(keys) == ["b0", "b1"], "nothing before the checkpoint is delivered again"


def test_recovering_a_pointer_after_the_trim_reports_the_records_lost(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    failures_url, failures_arn = queue("failures")
    put_keys(table, ["bad"])
    consumer("strict", seen_url, POISON="bad")
    stream_mapping(
        "strict",
        table.stream_arn,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    (message,) = drain_queue(failures_url, 1, timeout=15)
    pointers = tmp_path / "pointers.jsonl"
    pointers.write_text(message["Body"] + "\n")
    cloud.clock.advance(25 * 3600)
    result = run_cli("recover", "--file", str(pointers), "--to", str(tmp_path / "out"), "--json")
    summary = result.json
    assert result.exit_code != 0
    assert (summary["records_recovered"], summary["records_lost"]) == (0, 1)
    assert [lost["reason"] for lost in summary["lost_ranges"]] == ["trimmed"]


def test_stream_labels_have_milliseconds(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    label = table.stream_arn.rsplit("/", 1)[-1]
    assert len(label.rsplit(".", 1)[-1]) == 3, label


def test_a_mapping_behind_the_trim_horizon_goes_on_from_it(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("lagging", seen_url)
    put_keys(table, ["a0"])
    mapping = stream_mapping("lagging", table.stream_arn, BatchSize=1)
    assert seen_keys(seen_url, 1) == ["a0"]
    poller = cloud.pollers[mapping["UUID"]]
    original = poller._process
    faults = []

    def stuck_on_a1(shard_id: str, records: list[dict[str, Any]]) -> None:
        if any(r["dynamodb"]["Keys"]["pk"]["S"] == "a1" for r in records):
            faults.append(True)
            raise RuntimeError("injected: the mapping cannot get past a1")
        original(shard_id, records)

    monkeypatch.setattr(poller, "_process", stuck_on_a1)
    put_keys(table, ["a1"])
    wait_for(lambda: bool(faults))
    cloud.clock.advance(25 * 3600)  # a1 is trimmed while the mapping is stuck on it
    put_keys(table, ["b0"])
    assert seen_keys(seen_url, 1) == ["b0"], "the mapping resumes at the trim horizon"


def test_the_refusal_names_the_configured_reader_limit(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cloud.limiter, "readers_per_shard", 1)
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("c1", seen_url)
    stream_mapping("c1", table.stream_arn)
    shard = shard_key(table.stream_arn, table.shard_ids()[0])
    wait_for(lambda: cloud.limiter.readers(shard) >= 1)
    streams = raw_streams(cloud)
    iterator = streams.get_shard_iterator(
        StreamArn=table.stream_arn, ShardId=table.shard_ids()[0], ShardIteratorType="LATEST"
    )["ShardIterator"]
    messages = []
    for _ in range(40):  # two readers over a limit of one: about half the reads are refused
        try:
            iterator = streams.get_records(ShardIterator=iterator)["NextShardIterator"]
        except ClientError as exc:
            messages.append(exc.response["Error"]["Message"])
    assert messages
    assert all("more than 1 processes" in m for m in messages), messages[0]
