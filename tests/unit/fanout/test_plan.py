"""The fan-out plan: one decision per target, shared by the dispatcher and ``quirks fanout simulate``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quirks.cli.fanout import simulate_target
from quirks.fanout.config import parse_config
from quirks.fanout.dispatcher import Dispatcher
from quirks.fanout.plan import oversize_reason, plan_target
from quirks.fanout.targets import EntryFailure, Outgoing
from quirks.streams.encoding import encode_records
from tests.unit.fanout.test_chunking import record

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/failures"


def config(claim_check: bool = False, **target: Any) -> Any:
    raw: dict[str, Any] = {
        "targets": [{"id": "t", "type": "sqs", "destination": "q", **target}],
        "failure_destination": QUEUE,
    }
    if claim_check:
        raw["claim_check"] = {"s3": "s3://checks/prefix"}
    return parse_config(raw)


def test_records_are_selected_by_filter_and_skipped_by_checkpoint() -> None:
    target = config(filter={"dynamodb": {"Keys": {"pk": {"S": ["k1"]}}}}).targets[0]
    records = [record(i) for i in range(15)]  # keys k0..k6 in turn
    sequences = [10**20 + i for i in range(15)]
    plan = plan_target(
        target,
        records,
        encode_records(records),
        claim_check=False,
        sequences=sequences,
        skip_through=sequences[7],
    )
    assert plan.skipped == 8
    assert plan.selected == (8,)  # k1 beyond the checkpoint; 1 was already delivered
    assert [m.indexes for m in plan.messages] == [(8,)]
    assert plan.refused == ()


def test_an_oversize_record_fails_up_front_without_claim_check_and_travels_with_one() -> None:
    records = [record(0), record(1, 1_100_000), record(2)]
    encoded = encode_records(records)
    without = plan_target(config().targets[0], records, encoded, claim_check=False)
    assert [r.index for r in without.refused] == [1]
    assert without.refused[0].reason == oversize_reason(config().targets[0], len(encoded[1]))
    assert "over the sqs limit of 1048576 bytes and no claim_check" in without.refused[0].reason
    assert without.claim_checks == ()
    assert without.sendable == 2  # the records before and after the big one
    with_check = plan_target(config(True).targets[0], records, encoded, claim_check=True)
    assert with_check.refused == ()
    assert with_check.claim_checks == (1,)
    assert with_check.sendable == 3
    assert with_check.largest_message_bytes == without.largest_message_bytes


def test_simulate_renders_the_plan_the_dispatcher_executes() -> None:
    # An SNS topic configured for 1 KiB messages: the 2 KB record is oversize there, and is diverted.
    cfg = config(type="sns", max_message_bytes=1024, format="record")
    records = [record(0), record(1, 2_000), *(record(i) for i in range(2, 30))]
    encoded = encode_records(records)
    sent: list[int] = []

    def send(target: Any, messages: Sequence[Outgoing]) -> dict[int, EntryFailure]:
        if target.id == "t":
            sent.append(len(messages))
        return {}

    dispatcher = Dispatcher(cfg, send=send, sleep=lambda s: None)
    try:
        result = dispatcher.dispatch(records)
    finally:
        dispatcher.close()
    simulated = simulate_target(cfg, cfg.targets[0], records, encoded)
    (report,) = result.reports
    assert simulated["selected"] == report.selected == 30
    assert simulated["messages"] == report.messages == sum(sent)
    assert simulated["calls"] == report.calls == len(sent)
    # The same refusal, in the same words, up front and in the dispatcher's report.
    [would_fail] = simulated["would_fail"]
    assert would_fail["SequenceNumber"] == records[1]["dynamodb"]["SequenceNumber"]
    assert report.reasons == [would_fail["reason"]]
    assert report.diverted == 1
