"""Every target type against moto: consumers receive exactly the records their filter selects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent

from quirks import aws
from quirks.fanout.claimcheck import ClaimCheckError, is_claim_check, resolve_claim_check
from quirks.fanout.config import parse_config
from quirks.fanout.dispatcher import Dispatcher
from quirks.limits import LAMBDA_ASYNC_PAYLOAD_BYTES
from tests.functional.fanout.conftest import RecordingSend, Sinks, make_record, receive_all

PAID = {"dynamodb": {"NewImage": {"status": {"S": ["paid"]}}}}


def config_for(sinks: Sinks, fmt: str = "lambda-event", **extra: Any) -> Any:
    divert = {"mode": "divert", "destination": sinks.failures}
    targets = [
        {"id": "billing", "type": "lambda", "destination": sinks.function, "filter": PAID},
        {
            "id": "audit",
            "type": "sqs",
            "destination": sinks.queue,
            "filter": {"eventName": ["INSERT"]},
        },
        {
            "id": "notify",
            "type": "sns",
            "destination": sinks.topic,
            "filter": {"eventName": ["MODIFY"]},
        },
        {"id": "bus", "type": "eventbridge", "destination": sinks.bus, "filter": PAID},
        {"id": "analytics", "type": "kinesis", "destination": sinks.stream},
    ]
    for target in targets:
        target["format"] = fmt
        target["on_failure"] = divert
    return parse_config({"targets": targets, **extra})


def batch() -> list[dict[str, Any]]:
    return [
        make_record(1, status="paid"),
        make_record(2, status="open"),
        make_record(3, status="paid", event="MODIFY"),
        make_record(4, status="open", event="MODIFY"),
        make_record(5, status="paid"),
    ]


def records_of(events: list[Any]) -> list[dict[str, Any]]:
    return [record for event in events for record in event["Records"]]


def test_lambda_event_format_to_every_target_type(sinks: Sinks) -> None:
    records = batch()
    send = RecordingSend()
    dispatcher = Dispatcher(config_for(sinks), send=send)
    result = dispatcher.dispatch(records)
    dispatcher.close()

    assert result.batch_response() == {"batchItemFailures": []}
    paid = [records[0], records[2], records[4]]
    # Lambda: what went through lambda:Invoke (moto never runs code) parses with Powertools and
    # equals the original records, byte for byte once re-encoded.
    invoked = send.payloads("billing")
    assert records_of(invoked) == paid
    for payload in invoked:
        parsed = DynamoDBStreamEvent(payload)
        assert [r.dynamodb.sequence_number for r in parsed.records] == [  # type: ignore[union-attr]
            r["dynamodb"]["SequenceNumber"] for r in payload["Records"]
        ]
    assert records_of(sinks.sqs_bodies(sinks.queue)) == [records[0], records[1], records[4]]
    assert records_of(sinks.sns_bodies()) == [records[2], records[3]]
    events = sinks.eventbridge_events()
    assert {(e["source"], e["detail-type"]) for e in events} == {
        ("quirks.fanout", "DynamoDB Stream Record")
    }
    assert records_of([e["detail"] for e in events]) == paid
    assert records_of(sinks.kinesis_bodies()) == records
    assert sinks.sqs_bodies(sinks.failures) == []
    by_target = {r.target: r for r in result.reports}
    assert by_target["billing"].delivered == 3
    assert by_target["analytics"].selected == 5


def test_record_format_sends_one_message_per_record(sinks: Sinks) -> None:
    records = batch()
    dispatcher = Dispatcher(config_for(sinks, "record"), send=RecordingSend())
    dispatcher.dispatch(records)
    dispatcher.close()
    assert sinks.sqs_bodies(sinks.queue) == [records[0], records[1], records[4]]
    assert sinks.kinesis_bodies() == records
    assert [e["detail"] for e in sinks.eventbridge_events()] == [records[0], records[2], records[4]]


def test_lambda_event_payload_is_byte_compatible(sinks: Sinks) -> None:
    records = batch()
    send = RecordingSend()
    dispatcher = Dispatcher(config_for(sinks), send=send)
    dispatcher.dispatch(records)
    dispatcher.close()
    ((_, body),) = [(t, b) for t, b in send.delivered if t == "analytics"]
    expected = json.dumps({"Records": records}, ensure_ascii=False, separators=(",", ":"))
    assert body == expected.encode("utf-8")


def test_claim_check_for_a_400kb_item_with_both_images(sinks: Sinks) -> None:
    big = make_record(2, event="MODIFY")
    big["dynamodb"]["NewImage"]["pad"] = {"S": "n" * 400_000}
    big["dynamodb"]["OldImage"] = {"pk": {"S": "order-2"}, "pad": {"S": "o" * 400_000}}
    records = [make_record(1, event="MODIFY"), big, make_record(3, event="MODIFY")]
    config = config_for(sinks, claim_check={"s3": f"s3://{sinks.bucket}/claims"})
    dispatcher = Dispatcher(config, send=RecordingSend())
    result = dispatcher.dispatch(records)
    dispatcher.close()

    assert result.batch_response() == {"batchItemFailures": []}
    # SNS (256 KiB) gets the small records as events and the big one as a claim check, in order.
    notify = sinks.sns_bodies()
    assert [is_claim_check(m) for m in notify] == [False, True, False]
    assert notify[0]["Records"] == [records[0]]
    assert resolve_claim_check(notify[1]) == big
    assert notify[1]["quirksClaimCheck"]["uri"].startswith(f"s3://{sinks.bucket}/claims/notify/")
    # Kinesis (1 MiB) takes all three records in one event: no claim check needed.
    assert records_of(sinks.kinesis_bodies()) == records
    assert {r.target: r.claim_checked for r in result.reports}["notify"] == 1
    # An object that no longer matches its claim check is refused, never returned.
    check = notify[1]["quirksClaimCheck"]
    aws.client("s3").put_object(Bucket=check["bucket"], Key=check["key"], Body=b"{}")
    with pytest.raises(ClaimCheckError, match="does not match the claim check's sha256"):
        resolve_claim_check(notify[1])


def test_oversize_record_without_claim_check_fails_only_where_it_must(sinks: Sinks) -> None:
    big = make_record(2, event="MODIFY", size=300_000)
    records = [make_record(1, event="MODIFY"), big, make_record(3, event="MODIFY")]
    dispatcher = Dispatcher(config_for(sinks), send=RecordingSend())
    result = dispatcher.dispatch(records)
    dispatcher.close()

    # SNS cannot take it: the record goes, in full, to the failure queue; the others are delivered.
    assert records_of(sinks.sns_bodies()) == [records[0], records[2]]
    failed_lines = [m["Body"] for m in _receive(sinks.failures)]
    assert [json.loads(line) for body in failed_lines for line in body.splitlines()] == [big]
    notify = {r.target: r for r in result.reports}["notify"]
    assert notify.diverted == 1
    assert "no claim_check is configured" in notify.reasons[0]
    # Every other target got the big record normally.
    assert records_of(sinks.kinesis_bodies()) == records
    assert result.batch_response() == {"batchItemFailures": []}


def _receive(queue: str) -> list[dict[str, Any]]:
    from tests.functional.fanout.conftest import receive_all

    return receive_all(queue)


@pytest.mark.parametrize("kind", ["sqs", "sns", "eventbridge", "kinesis"])
def test_records_near_one_mb_are_chunked_within_limits(sinks: Sinks, kind: str) -> None:
    records = [make_record(i, size=240_000) for i in range(1, 10)]
    config = config_for(sinks)
    target = next(t for t in config.targets if t.type == kind)
    config = parse_config(
        {
            "targets": [
                {
                    "id": target.id,
                    "type": kind,
                    "destination": target.destination,
                    "on_failure": {"destination": sinks.failures},
                }
            ],
            "claim_check": {"s3": f"s3://{sinks.bucket}/claims"},
        }
    )
    send = RecordingSend()
    dispatcher = Dispatcher(config, send=send)
    result = dispatcher.dispatch(records)
    dispatcher.close()
    assert result.batch_response() == {"batchItemFailures": []}
    received = {
        "sqs": lambda: sinks.sqs_bodies(sinks.queue),
        "sns": sinks.sns_bodies,
        "eventbridge": lambda: [e["detail"] for e in sinks.eventbridge_events()],
        "kinesis": sinks.kinesis_bodies,
    }[kind]()
    restored = [
        resolve_claim_check(m) if is_claim_check(m) else r
        for m in received
        for r in m.get("Records", [None])
    ]
    if kind != "kinesis":  # calls to services that keep no order go out concurrently
        restored.sort(key=lambda r: int(r["dynamodb"]["SequenceNumber"]))
    assert restored == records
    assert all(len(body) <= 1_048_576 for _, body in send.delivered)


def test_large_records_to_lambda_split_under_one_mb(sinks: Sinks) -> None:
    records = [make_record(i, size=300_000) for i in range(1, 8)]
    send = RecordingSend()
    config = parse_config(
        {
            "targets": [
                {
                    "id": "billing",
                    "type": "lambda",
                    "destination": sinks.function,
                    "on_failure": {"destination": sinks.failures},
                }
            ]
        }
    )
    dispatcher = Dispatcher(config, send=send)
    dispatcher.dispatch(records)
    dispatcher.close()
    # Async invocations keep no order for the consumer, so the 3 events are sent concurrently.
    events = sorted(
        send.payloads("billing"), key=lambda e: e["Records"][0]["dynamodb"]["SequenceNumber"]
    )
    assert records_of(events) == records
    assert all(len(body) <= LAMBDA_ASYNC_PAYLOAD_BYTES for _, body in send.delivered)
    assert [len(e["Records"]) for e in events] == [3, 3, 1]


def test_s3_access_goes_through_the_factory(sinks: Sinks) -> None:
    # The claim-check bucket is only reachable through the configured endpoint (moto).
    assert (
        aws.client("s3").head_bucket(Bucket=sinks.bucket)["ResponseMetadata"]["HTTPStatusCode"]
        == 200
    )


def test_sqs_targets_and_failure_queues_given_by_arn(sinks: Sinks) -> None:
    """Terraform knows queues by ARN (what IAM names): the queue and the divert queue resolve."""
    sqs = aws.client("sqs")

    def arn_of(url: str) -> str:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return attributes["Attributes"]["QueueArn"]

    config = parse_config(
        {
            "targets": [
                {"id": "audit", "type": "sqs", "destination": arn_of(sinks.queue)},
                {"id": "gone", "type": "sqs", "destination": arn_of(sinks.queue) + "-missing"},
            ],
            "failure_destination": arn_of(sinks.failures),
        }
    )
    records = batch()
    dispatcher = Dispatcher(config)
    result = dispatcher.dispatch(records)
    dispatcher.close()
    assert result.batch_response() == {"batchItemFailures": []}
    assert records_of(sinks.sqs_bodies(sinks.queue)) == records
    diverted = [
        json.loads(line)
        for m in receive_all(sinks.failures)
        for line in m["Body"].split("\n")
        if line
    ]
    assert diverted == records  # the missing queue's records, in full, on the divert queue
