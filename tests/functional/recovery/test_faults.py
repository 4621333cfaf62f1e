"""Errors moto cannot produce, injected around its real stream: trimmed, expired, throttled, missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quirks import aws
from quirks.recovery.reader import RangeReader, ReaderSettings
from quirks.recovery.service import RecoveryService
from quirks.recovery.sources import QueueSource
from quirks.storage import DirectoryStore
from quirks.streams import read_archive
from tests.functional.recovery.conftest import Stream
from tests.functional.recovery.helpers import (
    FaultyStreams,
    client_error,
    ground_truth,
    pointer,
    seq,
)
from tests.support.clients import OverriddenClients

FAST = ReaderSettings(page_limit=4, base_delay=0.01, max_delay=0.02, max_backoff_attempts=3)


def recover(
    stream: Stream, queue_url: str, tmp_path: Path, client: Any, *bodies: dict[str, Any]
) -> tuple[Any, RangeReader, list[float]]:
    sqs = aws.client("sqs")
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))
    sleeps: list[float] = []
    reader = RangeReader(
        FAST,
        clients=OverriddenClients(aws.current(), {"dynamodbstreams": client}),
        sleep=sleeps.append,
    )
    source = QueueSource(queue_url, visibility_timeout=60)
    report = RecoveryService(DirectoryStore(tmp_path), reader).run(source, source.receive())
    return report, reader, sleeps


def remaining(queue_url: str) -> int:
    attrs = aws.client("sqs").get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def test_trimmed_start_reads_the_rest_and_reports_the_trimmed_part_lost(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    raw = stream.raw
    horizon = seq(raw[8])  # records before raw[8] have been trimmed

    def get_shard_iterator(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        if kwargs["ShardIteratorType"] == "AT_SEQUENCE_NUMBER" and int(
            kwargs["SequenceNumber"]
        ) < int(horizon):
            raise client_error("TrimmedDataAccessException", "GetShardIterator")
        if kwargs["ShardIteratorType"] == "TRIM_HORIZON":
            return real(
                **{**kwargs, "ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": horizon}
            )
        return None

    client = FaultyStreams(aws.client("dynamodbstreams"), get_shard_iterator=get_shard_iterator)
    report, _, _ = recover(
        stream, queue_url, tmp_path, client, pointer(stream.arn, stream.shard_id, raw[2:12])
    )
    [lost] = report.lost_ranges
    assert (lost.start, lost.end, lost.reason) == (int(seq(raw[2])), int(horizon) - 1, "trimmed")
    assert lost.expected == 6  # batch of 10, 4 still readable
    assert report.records_lost == 6
    assert report.exit_code == 3
    [outcome] = report.outcomes
    assert read_archive(outcome.archive) == ground_truth(
        raw, stream.arn, int(horizon), int(seq(raw[11]))
    )
    manifest = json.loads(Path(report.manifest).read_text())
    assert manifest["lost_ranges"][0]["reason"] == "trimmed"
    assert report.deleted
    assert remaining(queue_url) == 0


def test_fully_trimmed_range_is_lost_with_its_expected_count(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    raw = stream.raw
    horizon = seq(raw[30])

    def get_shard_iterator(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        if kwargs["ShardIteratorType"] == "AT_SEQUENCE_NUMBER":
            raise client_error("TrimmedDataAccessException", "GetShardIterator")
        return real(
            **{**kwargs, "ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": horizon}
        )

    client = FaultyStreams(aws.client("dynamodbstreams"), get_shard_iterator=get_shard_iterator)
    report, _, _ = recover(
        stream,
        queue_url,
        tmp_path,
        client,
        pointer(stream.arn, stream.shard_id, raw[0:5]),
        pointer(stream.arn, stream.shard_id, raw[5:12]),
    )
    [lost] = report.lost_ranges
    assert (lost.start, lost.end, lost.expected) == (int(seq(raw[0])), int(seq(raw[11])), 12)
    assert report.records_recovered == 0
    assert report.summary()["archives"] == []
    assert len(report.deleted) == 2


def test_expired_iterator_is_reacquired_after_the_last_record_seen(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    def get_records(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        if n in (2, 4):
            raise client_error("ExpiredIteratorException", "GetRecords")
        return None

    real = aws.client("dynamodbstreams")
    client = FaultyStreams(real, get_records=get_records)
    raw = stream.raw
    report, reader, _ = recover(
        stream, queue_url, tmp_path, client, pointer(stream.arn, stream.shard_id, raw[1:15])
    )
    assert report.exit_code == 0
    [outcome] = report.outcomes
    assert [r.sequence_number for r in outcome.records] == [seq(r) for r in raw[1:15]]
    assert read_archive(outcome.archive) == ground_truth(
        raw, stream.arn, int(seq(raw[1])), int(seq(raw[14]))
    )
    renewals = [kw for name, kw in client.calls if name == "get_shard_iterator"][1:]
    assert [kw["ShardIteratorType"] for kw in renewals] == ["AFTER_SEQUENCE_NUMBER"] * 2
    assert renewals[0]["SequenceNumber"] == seq(raw[4])  # 4 records per page
    assert reader.api_calls["GetShardIterator"] == 3


def test_throttling_backs_off_and_then_reads(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    def get_records(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        if n <= 2:
            raise client_error(
                "LimitExceededException",
                "GetRecords",
                "More than 2 processes are reading from the same streams shard",
            )
        return None

    client = FaultyStreams(aws.client("dynamodbstreams"), get_records=get_records)
    report, reader, sleeps = recover(
        stream, queue_url, tmp_path, client, pointer(stream.arn, stream.shard_id, stream.raw[0:3])
    )
    assert report.exit_code == 0
    assert report.records_recovered == 3
    assert len(sleeps) == 2
    assert sleeps[1] > sleeps[0] * 0.9
    assert reader.api_calls["GetRecords"] == 3


def test_throttling_that_never_ends_keeps_the_message(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    def always(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        raise client_error("LimitExceededException", "GetRecords")

    client = FaultyStreams(aws.client("dynamodbstreams"), get_records=always)
    report, _, _ = recover(
        stream, queue_url, tmp_path, client, pointer(stream.arn, stream.shard_id, stream.raw[0:3])
    )
    assert report.exit_code == 1
    assert report.lost_ranges == []
    [outcome] = report.incomplete
    assert "still throttled" in (outcome.error or "")
    assert report.deleted == []
    assert remaining(queue_url) == 1
    assert not list(tmp_path.rglob("*.jsonl.gz"))


def test_missing_shard_is_lost_with_reason(stream: Stream, queue_url: str, tmp_path: Path) -> None:
    def get_shard_iterator(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        raise client_error(
            "ResourceNotFoundException", "GetShardIterator", "Requested resource not found"
        )

    client = FaultyStreams(aws.client("dynamodbstreams"), get_shard_iterator=get_shard_iterator)
    gone = stream.shard_id[:-8] + "deadbeef"
    report, _, _ = recover(
        stream, queue_url, tmp_path, client, pointer(stream.arn, gone, stream.raw[0:3])
    )
    [lost] = report.lost_ranges
    assert (lost.shard_id, lost.reason, lost.expected) == (gone, "shard-not-found", 3)
    assert report.exit_code == 3


def test_archive_write_failure_keeps_only_that_ranges_messages(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    class FailingStore(DirectoryStore):
        def put(self, name: str, data: bytes, content_type: str = "") -> str:
            is_archive = not name.startswith("manifests/")
            if is_archive and int(name.rsplit("/", 1)[1].split("-")[0]) == int(seq(stream.raw[20])):
                raise OSError("disk full")
            return super().put(name, data, content_type)

    raw = stream.raw
    sqs = aws.client("sqs")
    for body in (
        pointer(stream.arn, stream.shard_id, raw[0:5]),
        pointer(stream.arn, stream.shard_id, raw[20:25]),
    ):
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))
    source = QueueSource(queue_url, visibility_timeout=60)
    messages = source.receive()
    report = RecoveryService(FailingStore(tmp_path), RangeReader()).run(source, messages)
    assert report.exit_code == 1
    assert len(report.deleted) == 1
    [kept] = aws.client("sqs").receive_message(QueueUrl=queue_url)["Messages"]
    assert json.loads(kept["Body"])["DDBStreamBatchInfo"]["startSequenceNumber"] == seq(raw[20])


def test_manifest_write_failure_deletes_nothing(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    class NoManifest(DirectoryStore):
        def put(self, name: str, data: bytes, content_type: str = "") -> str:
            if name.startswith("manifests/"):
                raise OSError("read-only")
            return super().put(name, data, content_type)

    aws.client("sqs").send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:2])),
    )
    source = QueueSource(queue_url, visibility_timeout=60)
    report = RecoveryService(NoManifest(tmp_path), RangeReader()).run(source, source.receive())
    assert report.manifest_error
    assert "read-only" in report.manifest_error
    assert report.deleted == []
    assert report.exit_code == 1
    assert remaining(queue_url) == 1


def test_slow_reads_extend_the_visibility_of_in_flight_messages(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    extended: list[list[str]] = []

    class Recording(QueueSource):
        def extend(self, messages: Any) -> None:
            extended.append([m.id for m in messages])
            super().extend(messages)

    aws.client("sqs").send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:12])),
    )
    source = Recording(queue_url, visibility_timeout=60)
    messages = source.receive()
    RecoveryService(DirectoryStore(tmp_path), RangeReader(FAST)).run(source, messages)
    assert len(extended) == 3  # once per page of 4
    assert all(ids == [messages[0].id] for ids in extended)


@pytest.mark.parametrize("status", ["DISABLED"])
def test_disabled_stream_reason(
    stream: Stream, queue_url: str, tmp_path: Path, status: str
) -> None:
    def get_shard_iterator(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        raise client_error("ResourceNotFoundException", "GetShardIterator")

    def describe_stream(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        response = real(**kwargs)
        response["StreamDescription"]["StreamStatus"] = status
        return response

    client = FaultyStreams(
        aws.client("dynamodbstreams"),
        get_shard_iterator=get_shard_iterator,
        describe_stream=describe_stream,
    )
    report, _, _ = recover(
        stream, queue_url, tmp_path, client, pointer(stream.arn, stream.shard_id, stream.raw[0:3])
    )
    assert [lost.reason for lost in report.lost_ranges] == ["stream-disabled"]


def test_stream_deleted_mid_read_keeps_what_was_read_and_loses_the_rest(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    def get_records(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        if n == 2:
            aws.client("dynamodb").delete_table(TableName=stream.table.name)
            raise client_error("ResourceNotFoundException", "GetRecords")
        return None

    raw = stream.raw
    client = FaultyStreams(aws.client("dynamodbstreams"), get_records=get_records)
    report, _, _ = recover(
        stream, queue_url, tmp_path, client, pointer(stream.arn, stream.shard_id, raw[0:10])
    )
    [outcome] = report.outcomes
    assert [r.sequence_number for r in outcome.records] == [seq(r) for r in raw[0:4]]
    assert read_archive(outcome.archive) == ground_truth(
        raw, stream.arn, int(seq(raw[0])), int(seq(raw[3]))
    )
    [lost] = report.lost_ranges
    assert (lost.start, lost.end, lost.expected, lost.reason) == (
        int(seq(raw[3])) + 1,
        int(seq(raw[9])),
        6,
        "stream-not-found",
    )


def test_range_past_the_tip_of_an_open_shard_is_kept_not_declared_complete(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    body = pointer(stream.arn, stream.shard_id, stream.raw[35:40])
    body["DDBStreamBatchInfo"]["endSequenceNumber"] = str(int(seq(stream.raw[39])) + 1000)
    sqs = aws.client("sqs")
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))
    reader = RangeReader(ReaderSettings(max_empty_pages=2), sleep=lambda _: None)
    source = QueueSource(queue_url, visibility_timeout=60)
    report = RecoveryService(DirectoryStore(tmp_path), reader).run(source, source.receive())
    [outcome] = report.incomplete
    assert "empty pages" in (outcome.error or "")
    assert report.exit_code == 1
    assert remaining(queue_url) == 1


def test_closed_shard_ends_the_read_and_flags_the_count(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    def get_records(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        page = real(**kwargs)
        page.pop("NextShardIterator", None)  # a closed shard's last page
        return page

    raw = stream.raw
    body = pointer(stream.arn, stream.shard_id, raw[36:40])
    body["DDBStreamBatchInfo"]["endSequenceNumber"] = str(int(seq(raw[39])) + 50)
    body["DDBStreamBatchInfo"]["batchSize"] = 6
    client = FaultyStreams(aws.client("dynamodbstreams"), get_records=get_records)
    report, reader, _ = recover(stream, queue_url, tmp_path, client, body)
    assert report.exit_code == 3  # two of the six named records are gone: never silent
    assert report.records_recovered == 4
    [mismatch] = report.summary()["count_mismatches"]
    assert (mismatch["batch_size"], mismatch["found"]) == (6, 4)
    [lost] = report.summary()["lost_ranges"]
    assert (lost["reason"], lost["expected"]) == ("count-mismatch", 2)
    assert reader.api_calls["GetRecords"] == 1
    [detail] = report.summary()["pointer_details"]
    assert detail["batch_size"] == 6
    assert 0 < detail["age_seconds"] < 3600
    assert 23 * 3600 < detail["seconds_left"] < 24 * 3600


def test_a_malformed_record_fails_its_range_only(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    bad_start = seq(stream.raw[20])

    def get_records(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        page = real(**kwargs)
        for record in page["Records"]:
            if record["dynamodb"]["SequenceNumber"] == bad_start:
                record["dynamodb"]["Keys"] = "not a map"
        return page

    raw = stream.raw
    client = FaultyStreams(aws.client("dynamodbstreams"), get_records=get_records)
    report, _, _ = recover(
        stream,
        queue_url,
        tmp_path,
        client,
        pointer(stream.arn, stream.shard_id, raw[0:3]),
        pointer(stream.arn, stream.shard_id, raw[20:23]),
    )
    good, bad = report.outcomes
    assert good.settled
    assert good.archive
    assert bad.error
    assert "RecordFormatError" in bad.error
    assert len(report.deleted) == 1
    assert remaining(queue_url) == 1


def test_not_found_in_another_account_is_kept_not_declared_lost(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    other = stream.arn.replace("123456789012", "999999999999")

    def not_visible(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        # What AWS answers for a stream of another account (moto ignores the account).
        raise client_error("ResourceNotFoundException", "GetShardIterator")

    client = FaultyStreams(
        aws.client("dynamodbstreams"), get_shard_iterator=not_visible, describe_stream=not_visible
    )
    report, reader, _ = recover(
        stream, queue_url, tmp_path, client, pointer(other, stream.shard_id, stream.raw[0:3])
    )
    assert report.lost_ranges == []
    [outcome] = report.incomplete
    assert "belongs to account 999999999999" in (outcome.error or "")
    assert reader.api_calls["GetCallerIdentity"] == 1
    assert report.exit_code == 1
    assert remaining(queue_url) == 1


def test_trimmed_range_on_a_quiet_open_shard_is_lost_not_retried_forever(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    # Nothing was written since the range was trimmed: TRIM_HORIZON only yields empty pages.
    newest = seq(stream.raw[-1])

    def get_shard_iterator(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        if kwargs["ShardIteratorType"] == "AT_SEQUENCE_NUMBER":
            raise client_error("TrimmedDataAccessException", "GetShardIterator")
        return real(
            **{**kwargs, "ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": newest}
        )

    sqs = aws.client("sqs")
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:5])),
    )
    client = FaultyStreams(aws.client("dynamodbstreams"), get_shard_iterator=get_shard_iterator)
    reader = RangeReader(
        ReaderSettings(max_empty_pages=2),
        clients=OverriddenClients(aws.current(), {"dynamodbstreams": client}),
        sleep=lambda _: None,
    )
    source = QueueSource(queue_url, visibility_timeout=60)
    report = RecoveryService(DirectoryStore(tmp_path), reader).run(source, source.receive())
    [lost] = report.lost_ranges
    assert (lost.reason, lost.expected) == ("trimmed", 5)
    assert report.exit_code == 3
    assert remaining(queue_url) == 0


def test_delete_failure_is_reported_and_leaves_the_messages(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    class NoDelete(QueueSource):
        def delete(self, messages: Any) -> list[str]:
            raise client_error("AccessDenied", "DeleteMessageBatch")

    aws.client("sqs").send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:2])),
    )
    source = NoDelete(queue_url, visibility_timeout=60)
    report = RecoveryService(DirectoryStore(tmp_path), RangeReader()).run(source, source.receive())
    assert report.summary()["delete_error"].startswith("ClientError")
    assert report.records_recovered == 2
    assert report.exit_code == 1
    assert remaining(queue_url) == 1


def test_backoff_stops_when_the_deadline_is_near(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    def always(kwargs: dict[str, Any], real: Any, n: int) -> Any:
        raise client_error("LimitExceededException", "GetRecords")

    ticks = iter(range(100))
    client = FaultyStreams(aws.client("dynamodbstreams"), get_records=always)
    reader = RangeReader(
        FAST,
        clients=OverriddenClients(aws.current(), {"dynamodbstreams": client}),
        sleep=lambda _: None,
        should_stop=lambda: next(ticks) >= 2,
    )
    aws.client("sqs").send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:3])),
    )
    source = QueueSource(queue_url, visibility_timeout=60)
    report = RecoveryService(DirectoryStore(tmp_path), reader).run(source, source.receive())
    [outcome] = report.incomplete
    assert "deadline is near" in (outcome.error or "")
    assert reader.api_calls["GetRecords"] == 2
