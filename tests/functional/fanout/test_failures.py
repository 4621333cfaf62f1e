"""Failure semantics: partial failures retried, divert keeps full records, block resumes exactly."""

from __future__ import annotations

import gzip
import importlib
import io
import json
import sys
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.stub import Stubber

from quirks import aws
from quirks.errors import ConfigurationError
from quirks.fanout import handler as fanout_handler
from quirks.fanout.checkpoint import CheckpointStore
from quirks.fanout.config import parse_config
from quirks.fanout.dispatcher import Dispatcher
from quirks.fanout.factory import build_dispatcher
from quirks.fanout.targets import EntryFailure, send_call
from quirks.lifecycle import PerContainer
from quirks.streams.archive import iter_archive
from quirks.testing import lambda_context
from tests.functional.fanout.conftest import RecordingSend, Sinks, make_record, receive_all

THROTTLED = EntryFailure("ThrottlingException: slow down", retryable=True)


def records_of(events: list[Any]) -> list[dict[str, Any]]:
    return [record for event in events for record in event["Records"]]


def archive_lines(queue: str) -> list[dict[str, Any]]:
    return [json.loads(line) for m in receive_all(queue) for line in m["Body"].split("\n") if line]


def one_target(sinks: Sinks, kind: str, fmt: str = "record", **on_failure: Any) -> Any:
    destination = {
        "sqs": sinks.queue,
        "sns": sinks.topic,
        "eventbridge": sinks.bus,
        "kinesis": sinks.stream,
        "lambda": sinks.function,
    }[kind]
    return {
        "id": kind,
        "type": kind,
        "destination": destination,
        "format": fmt,
        "on_failure": {"mode": "divert", "destination": sinks.failures, **on_failure},
    }


def received(sinks: Sinks, kind: str) -> list[Any]:
    return {
        "sqs": lambda: sinks.sqs_bodies(sinks.queue),
        "sns": sinks.sns_bodies,
        "eventbridge": lambda: [e["detail"] for e in sinks.eventbridge_events()],
        "kinesis": sinks.kinesis_bodies,
    }[kind]()


@pytest.mark.parametrize("kind", ["sqs", "sns", "eventbridge", "kinesis"])
def test_partial_failures_are_retried_entry_by_entry(sinks: Sinks, kind: str) -> None:
    records = [make_record(i) for i in range(1, 8)]
    attempts: list[int] = []

    def fail_some_once(target: Any, messages: Any) -> dict[int, EntryFailure]:
        attempts.append(len(messages))
        return {1: THROTTLED, 4: THROTTLED} if len(attempts) == 1 else {}

    sleeps: list[float] = []
    send = RecordingSend(fail=fail_some_once)
    config = parse_config({"targets": [one_target(sinks, kind)]})
    dispatcher = Dispatcher(config, send=send, sleep=sleeps.append, jitter=lambda: 0.5)
    result = dispatcher.dispatch(records)
    dispatcher.close()

    # The retry carried only the two failed entries, after a jittered backoff.
    assert attempts == [7, 2]
    assert sleeps == [0.025]
    body_order = received(sinks, kind)
    assert sorted(body_order, key=lambda r: r["dynamodb"]["SequenceNumber"]) == records
    assert len(body_order) == len(records)  # exactly once
    (report,) = result.reports
    assert (report.delivered, report.retries, report.failed) == (7, 2, 0)


@dataclass
class StubCase:
    kind: str
    method: str
    response: dict[str, Any]


STUB_CASES = [
    StubCase(
        "sqs",
        "send_message_batch",
        {
            "Successful": [{"Id": "0", "MessageId": "m0", "MD5OfMessageBody": "x"}],
            "Failed": [{"Id": "1", "SenderFault": False, "Code": "ServiceUnavailable"}],
        },
    ),
    StubCase(
        "sns",
        "publish_batch",
        {
            "Successful": [{"Id": "0", "MessageId": "m0"}],
            "Failed": [{"Id": "1", "SenderFault": False, "Code": "Throttled"}],
        },
    ),
    StubCase(
        "events",
        "put_events",
        {
            "FailedEntryCount": 1,
            "Entries": [
                {"EventId": "e0"},
                {"ErrorCode": "ThrottlingException", "ErrorMessage": "x"},
            ],
        },
    ),
    StubCase(
        "kinesis",
        "put_records",
        {
            "FailedRecordCount": 1,
            "Records": [
                {"SequenceNumber": "1", "ShardId": "s"},
                {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "x"},
            ],
        },
    ),
]


@pytest.mark.parametrize("case", STUB_CASES, ids=[c.kind for c in STUB_CASES])
def test_per_entry_failures_of_each_batch_api_are_read(case: StubCase) -> None:
    # moto never answers with partial failures: botocore's Stubber gives the documented shapes.
    kind = {"events": "eventbridge"}.get(case.kind, case.kind)
    destination = {
        "sqs": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
        "sns": "arn:aws:sns:us-east-1:123456789012:t",
        "eventbridge": "default",
        "kinesis": "s",
    }[kind]
    target = parse_config(
        {
            "targets": [
                {
                    "id": "t",
                    "type": kind,
                    "destination": destination,
                    "on_failure": {"destination": "s3://b/p"},
                }
            ]
        }
    ).targets[0]
    from quirks.fanout.targets import Outgoing

    client = aws.client(case.kind)  # type: ignore[call-overload]
    with Stubber(client) as stubber:
        stubber.add_response(case.method, case.response)
        failures = send_call(target, [Outgoing(b"{}", "k", "d"), Outgoing(b"{}", "k", "e")])
    assert list(failures) == [1], failures
    assert failures[1].retryable


def test_sender_faults_and_missing_destinations_are_not_retried(sinks: Sinks) -> None:
    config = parse_config(
        {
            "targets": [
                {
                    "id": "gone",
                    "type": "sqs",
                    "destination": sinks.queue + "-missing",
                    "format": "record",
                    "on_failure": {"destination": sinks.failures},
                }
            ]
        }
    )
    sleeps: list[float] = []
    dispatcher = Dispatcher(config, sleep=sleeps.append)
    records = [make_record(1), make_record(2)]
    result = dispatcher.dispatch(records)
    dispatcher.close()
    assert sleeps == []  # a queue that does not exist is not retried
    assert archive_lines(sinks.failures) == records
    assert result.batch_response() == {"batchItemFailures": []}


def always_fail(target_id: str) -> Any:
    def fail(target: Any, messages: Any) -> dict[int, EntryFailure]:
        if target.id == target_id:
            return dict.fromkeys(range(len(messages)), THROTTLED)
        return {}

    return fail


def test_divert_puts_full_records_on_the_failure_queue_and_the_handler_succeeds(
    sinks: Sinks, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = parse_config(
        {"targets": [one_target(sinks, "sqs", "lambda-event"), one_target(sinks, "kinesis")]}
    )
    send = RecordingSend(fail=always_fail("sqs"))
    dispatcher = Dispatcher(config, send=send, sleep=lambda s: None)
    monkeypatch.setattr(fanout_handler, "_dispatcher", PerContainer.holding(dispatcher))
    for log_handler in fanout_handler.logger.handlers:  # bound to stdout at import, before capsys
        monkeypatch.setattr(log_handler, "stream", sys.stdout)
    records = [make_record(i) for i in range(1, 6)]
    response = fanout_handler.lambda_handler(
        {"Records": records}, lambda_context("fanout", remaining_ms=60_000)
    )  # type: ignore[arg-type]
    dispatcher.close()

    assert response == {"batchItemFailures": []}
    assert archive_lines(sinks.failures) == records  # full records, never pointers
    assert sinks.sqs_bodies(sinks.queue) == []
    assert sinks.kinesis_bodies() == records
    # 4 attempts (max_attempts) for the failing target, one call for the healthy one.
    assert [t for t, _ in send.calls].count("sqs") == 4
    out = capsys.readouterr().out
    metrics = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    by_target = {m["target"]: m for m in metrics}
    assert by_target["sqs"]["Diverted"] == [5.0] or by_target["sqs"]["Diverted"] == 5.0
    assert by_target["kinesis"]["Delivered"] in (5.0, [5.0])
    logs = [json.loads(line) for line in out.splitlines() if '"level"' in line]
    diverted_log = next(entry for entry in logs if entry.get("target") == "sqs")
    assert diverted_log["level"] == "ERROR"
    assert diverted_log["correlation_id"] == f"{10**20 + 1}-{10**20 + 5}"


def test_divert_to_s3_writes_an_archive(sinks: Sinks) -> None:
    config = parse_config(
        {"targets": [one_target(sinks, "sqs", destination=f"s3://{sinks.bucket}/failed")]}
    )
    dispatcher = Dispatcher(
        config, send=RecordingSend(fail=always_fail("sqs")), sleep=lambda s: None
    )
    records = [make_record(i) for i in range(1, 4)]
    result = dispatcher.dispatch(records)
    dispatcher.close()
    (report,) = result.reports
    assert report.diverted_to is not None
    assert report.diverted_to.startswith(f"s3://{sinks.bucket}/failed/sqs/")
    key = report.diverted_to.split(f"s3://{sinks.bucket}/", 1)[1]
    data = aws.client("s3").get_object(Bucket=sinks.bucket, Key=key)["Body"].read()
    assert list(iter_archive(io.BytesIO(data))) == records
    assert gzip.decompress(data).count(b"\n") == 3


def test_when_diverting_fails_the_batch_is_held(sinks: Sinks) -> None:
    target = one_target(sinks, "sqs", destination=sinks.failures + "-missing")
    config = parse_config({"targets": [target]})
    dispatcher = Dispatcher(
        config, send=RecordingSend(fail=always_fail("sqs")), sleep=lambda s: None
    )
    records = [make_record(i) for i in range(1, 4)]
    result = dispatcher.dispatch(records)
    dispatcher.close()
    assert result.batch_response() == {
        "batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]
    }
    assert any("divert failed" in reason for reason in result.reports[0].reasons)


def create_checkpoint_table(name: str = "fanout-checkpoints") -> CheckpointStore:
    aws.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "target", "KeyType": "HASH"},
            {"AttributeName": "position", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "target", "AttributeType": "S"},
            {"AttributeName": "position", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return CheckpointStore(name)


def test_block_mode_reports_the_lowest_undelivered_and_the_retry_has_no_duplicates(
    sinks: Sinks,
) -> None:
    store = create_checkpoint_table()
    config = parse_config(
        {
            "targets": [
                one_target(sinks, "sqs"),
                one_target(sinks, "kinesis"),
                {**one_target(sinks, "sns"), "on_failure": {"mode": "block"}},
            ],
            "checkpoint_table": "fanout-checkpoints",
        }
    )
    records = [make_record(i) for i in range(1, 9)]
    broken = {"on": True}

    def sns_fails_from_record_4(target: Any, messages: Any) -> dict[int, EntryFailure]:
        if target.id != "sns" or not broken["on"]:
            return {}
        return {
            i: THROTTLED
            for i, m in enumerate(messages)
            if json.loads(m.body)["dynamodb"]["SequenceNumber"]
            >= records[3]["dynamodb"]["SequenceNumber"]
        }

    send = RecordingSend(fail=sns_fails_from_record_4)
    dispatcher = Dispatcher(config, send=send, checkpoints=store, sleep=lambda s: None)
    first = dispatcher.dispatch(records)
    resume = records[3]["dynamodb"]["SequenceNumber"]
    assert first.batch_response() == {"batchItemFailures": [{"itemIdentifier": resume}]}
    sns_report = next(r for r in first.reports if r.target == "sns")
    assert len(sns_report.held) == 5

    # Lambda retries from the reported record; the stream has grown meanwhile.
    broken["on"] = False
    more = [make_record(i) for i in range(9, 11)]
    retry = records[3:] + more
    second = dispatcher.dispatch(retry)
    dispatcher.close()
    assert second.batch_response() == {"batchItemFailures": []}
    everything = records + more
    # Healthy targets: every record exactly once, in order.
    assert sinks.sqs_bodies(sinks.queue) == everything
    assert sinks.kinesis_bodies() == everything
    # The blocked target: records 1-3 in the first attempt, then 4-10 on the retry, in order.
    assert sinks.sns_bodies() == everything
    skipped = {r.target: r.skipped for r in second.reports}
    assert skipped == {"sqs": 5, "kinesis": 5, "sns": 0}


def test_checkpoints_only_move_forward(aws_env: aws.ClientFactory) -> None:
    store = create_checkpoint_table()
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x"
    assert store.advance("a", arn, 100, 10**21 + 5)
    assert not store.advance("a", arn, 100, 10**21 + 4)
    assert store.advance("a", arn, 100, 10**21 + 9)
    assert store.read(["a", "b"], arn, 100) == {"a": 10**21 + 9}


def test_bad_config_fails_the_cold_start_with_target_and_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = {
        "targets": [
            {
                "id": "billing",
                "type": "lambda",
                "destination": "fn",
                "on_failure": {"mode": "divert"},
            }
        ]
    }
    monkeypatch.setenv("QUIRKS_FANOUT_CONFIG", json.dumps(bad))
    importlib.reload(fanout_handler)  # no I/O and no configuration at import
    try:
        with pytest.raises(
            ConfigurationError, match=r"targets\[billing\]\.on_failure\.destination"
        ):
            fanout_handler.lambda_handler(
                {"Records": [make_record(1)]}, lambda_context("fanout", remaining_ms=60_000)
            )  # type: ignore[arg-type]
    finally:
        fanout_handler.reset()


def test_the_handler_reads_ssm_on_its_first_invocation_not_at_import(
    aws_env: aws.ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIRKS_FANOUT_CONFIG_SSM", "/fanout/config")
    calls: list[str] = []
    aws_env.session().events.register(
        "before-call.ssm", lambda model, **_: calls.append(model.name)
    )
    importlib.reload(fanout_handler)
    assert calls == []  # importing read nothing (the parameter does not even exist yet)
    document = {
        "targets": [
            {
                "id": "a",
                "type": "sqs",
                "destination": "https://sqs/q",
                "on_failure": {"destination": "s3://b/p"},
            }
        ]
    }
    aws.client("ssm").put_parameter(
        Name="/fanout/config", Value=json.dumps(document), Type="SecureString"
    )
    calls.clear()
    try:
        assert fanout_handler.lambda_handler(
            {"Records": []}, lambda_context("fanout", remaining_ms=60_000)
        ) == {  # type: ignore[arg-type]
            "batchItemFailures": []
        }
        fanout_handler.lambda_handler(
            {"Records": []}, lambda_context("fanout", remaining_ms=60_000)
        )  # type: ignore[arg-type]
        assert calls == ["GetParameter"]  # once, on the first invocation; reused when warm
        built = fanout_handler._dispatcher.current
        assert built is not None
        assert [t.id for t in built.config.targets] == ["a"]
    finally:
        fanout_handler.reset()
    assert fanout_handler._dispatcher.current is None


def test_config_from_ssm(aws_env: aws.ClientFactory) -> None:
    document = {
        "targets": [
            {
                "id": "a",
                "type": "sqs",
                "destination": "https://sqs.us-east-1.amazonaws.com/1/q",
                "on_failure": {"destination": "s3://b/p"},
            }
        ]
    }
    aws.client("ssm").put_parameter(
        Name="/fanout/config", Value=json.dumps(document), Type="SecureString"
    )
    dispatcher = build_dispatcher({"QUIRKS_FANOUT_CONFIG_SSM": "/fanout/config"}, clients=aws_env)
    assert [t.id for t in dispatcher.config.targets] == ["a"]
    dispatcher.close()
    with pytest.raises(
        ConfigurationError,
        match="cannot read the fan-out config from SSM parameter '/fanout/missing': ",
    ):
        build_dispatcher({"QUIRKS_FANOUT_CONFIG_SSM": "/fanout/missing"}, clients=aws_env)


def test_a_poison_record_in_an_event_fails_alone(sinks: Sinks) -> None:
    records = [make_record(i) for i in range(1, 6)]
    poison = records[2]["dynamodb"]["SequenceNumber"]

    def reject_poison(target: Any, messages: Any) -> dict[int, EntryFailure]:
        return {
            i: EntryFailure("ValidationException: bad record", retryable=False)
            for i, m in enumerate(messages)
            if target.id == "kinesis" and poison in m.body.decode()
        }

    config = parse_config(
        {
            "targets": [
                {
                    **one_target(sinks, "kinesis", "lambda-event"),
                    "on_failure": {"mode": "block", "destination": sinks.failures},
                },
                one_target(sinks, "sqs", "lambda-event"),
            ],
            "checkpoint_table": "unused",
        }
    )
    send = RecordingSend(fail=reject_poison)
    dispatcher = Dispatcher(config, send=send, sleep=lambda s: None)
    result = dispatcher.dispatch(records)
    dispatcher.close()
    assert result.batch_response() == {"batchItemFailures": []}
    # The event was rejected, then its records were sent one by one: only the poison one failed.
    kinesis = [r for e in sinks.kinesis_bodies() for r in e["Records"]]
    assert kinesis == [r for r in records if r["dynamodb"]["SequenceNumber"] != poison]
    assert archive_lines(sinks.failures) == [records[2]]
    # The other target never saw a problem.
    assert [r for e in sinks.sqs_bodies(sinks.queue) for r in e["Records"]] == records


@pytest.mark.parametrize("where", ["sqs", "s3"])
def test_an_unreadable_record_is_kept_raw_with_its_reason_and_its_neighbours_delivered(
    sinks: Sinks, where: str
) -> None:
    destination = sinks.failures if where == "sqs" else f"s3://{sinks.bucket}/failures"
    config = parse_config(
        {"targets": [one_target(sinks, "sqs")], "failure_destination": destination}
    )
    bad = {"dynamodb": {"SequenceNumber": "12a", "Keys": {"pk": {"S": "x"}}}}
    dispatcher = Dispatcher(config, sleep=lambda s: None)
    try:
        result = dispatcher.dispatch([make_record(1), bad, make_record(2)])  # type: ignore[list-item]
    finally:
        dispatcher.close()
    assert result.batch_response() == {"batchItemFailures": []}
    assert [r["eventID"] for r in received(sinks, "sqs")] == [f"{1:032x}", f"{2:032x}"]
    if where == "sqs":
        [kept] = [m["quirksUnreadableRecord"] for m in sinks.sqs_bodies(sinks.failures)]
    else:
        s3 = aws.client("s3")
        [key] = [o["Key"] for o in s3.list_objects_v2(Bucket=sinks.bucket)["Contents"]]
        assert key.startswith("failures/unreadable/")
        body = s3.get_object(Bucket=sinks.bucket, Key=key)["Body"].read()
        kept = json.loads(body)["quirksUnreadableRecord"]
    assert kept["record"] == bad
    assert kept["index"] == 1
    assert kept["reason"].startswith("Records[1].dynamodb.SequenceNumber")


def test_the_injected_client_factory_carries_every_call(
    sinks: Sinks, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = create_checkpoint_table()
    missing = sinks.queue.rsplit("/", 1)[0] + "/no-such-queue"
    config = parse_config(
        {
            "targets": [
                one_target(sinks, "sqs"),
                one_target(sinks, "kinesis", mode="block"),
                {"id": "gone", "type": "sqs", "destination": missing},
            ],
            "failure_destination": sinks.failures,
            "checkpoint_table": "fanout-checkpoints",
        }
    )
    injected = aws.ClientFactory(aws.AwsSettings(endpoint_url=moto_endpoint, max_attempts=1))
    records = [make_record(i) for i in range(1, 4)]
    with monkeypatch.context() as patched:
        # Nothing listens on port 9: a call through the process-wide factory would fail.
        patched.delenv("AWS_ENDPOINT_URL")
        aws.configure(aws.AwsSettings(endpoint_url="http://127.0.0.1:9", max_attempts=1))
        dispatcher = Dispatcher(
            config,
            checkpoints=CheckpointStore(store.table, clients=injected),
            clients=injected,
            sleep=lambda s: None,
        )
        try:
            result = dispatcher.dispatch(records)
        finally:
            dispatcher.close()
    aws.configure(aws.AwsSettings(max_attempts=2))
    reports = {r.target: r for r in result.reports}
    assert (reports["sqs"].delivered, reports["kinesis"].delivered) == (3, 3)
    gone = reports["gone"]
    assert (gone.delivered, gone.diverted, gone.held) == (0, 3, [])
    assert "NonExistentQueue" in gone.reasons[0] or "QueueDoesNotExist" in gone.reasons[0]
    # A permanent error (read from AwsError.code) is never retried: one call for the event, then
    # one per record to find the poison one.
    assert (gone.retries, gone.calls) == (0, 1 + 3)
    diverted = b"".join(m["Body"].encode() for m in receive_all(sinks.failures))
    assert [json.loads(line) for line in diverted.splitlines()] == records
    assert result.batch_response() == {"batchItemFailures": []}


def test_claim_checks_and_the_s3_divert_go_through_the_injected_factory(
    sinks: Sinks, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quirks.fanout.claimcheck import is_claim_check, resolve_claim_check

    missing = sinks.queue.rsplit("/", 1)[0] + "/no-such-queue"
    config = parse_config(
        {
            "targets": [
                {"id": "notify", "type": "sns", "destination": sinks.topic},
                {"id": "gone", "type": "sqs", "destination": missing},
            ],
            "failure_destination": f"s3://{sinks.bucket}/diverted",
            "claim_check": {"s3": f"s3://{sinks.bucket}/claims"},
        }
    )
    big = make_record(2, size=300_000)  # over SNS's 256 KiB: only a claim check can carry it
    records = [make_record(1), big]
    injected = aws.ClientFactory(aws.AwsSettings(endpoint_url=moto_endpoint, max_attempts=1))
    with monkeypatch.context() as patched:
        # Nothing listens on port 9: a call through the process-wide factory would fail.
        patched.delenv("AWS_ENDPOINT_URL")
        aws.configure(aws.AwsSettings(endpoint_url="http://127.0.0.1:9", max_attempts=1))
        dispatcher = Dispatcher(config, clients=injected, sleep=lambda s: None)
        try:
            result = dispatcher.dispatch(records)
        finally:
            dispatcher.close()
    aws.configure(aws.AwsSettings(max_attempts=2))
    checks = [m for m in sinks.sns_bodies() if is_claim_check(m)]
    resolved = [resolve_claim_check(m, clients=injected) for m in checks]
    reports = {r.target: r for r in result.reports}
    assert (reports["notify"].delivered, reports["notify"].claim_checked) == (2, 1)
    assert resolved == [big]
    assert (reports["gone"].diverted, reports["gone"].held) == (2, [])
    assert reports["gone"].diverted_to is not None
    assert reports["gone"].diverted_to.startswith(f"s3://{sinks.bucket}/diverted/")
    keys = aws.client("s3").list_objects_v2(Bucket=sinks.bucket, Prefix="diverted/")["Contents"]
    (archive,) = [k["Key"] for k in keys]
    body = aws.client("s3").get_object(Bucket=sinks.bucket, Key=archive)["Body"].read()
    assert list(iter_archive(io.BytesIO(body))) == records
    assert result.batch_response() == {"batchItemFailures": []}
