"""Dispatcher invariants under random failures, with an in-memory sender and checkpoint store.

Lambda's retry loop is simulated: while the handler reports ``batchItemFailures``, the batch is
re-delivered from the reported sequence number. Whatever fails, and however often, every record a
target's filter selects ends up delivered to it or in its failure destination, and a target that
never fails receives each record exactly once, in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from quirks.fanout.config import parse_config
from quirks.fanout.dispatcher import Dispatcher
from quirks.fanout.targets import EntryFailure, Outgoing

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x"
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/failures"


class MemoryCheckpoints:
    """The CheckpointStore contract in memory: forward-only writes keyed by (target, position)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, int], int] = {}

    def read(self, targets: Iterable[str], stream_arn: str, resume: int) -> dict[str, int]:
        return {
            t: self.items[(t, stream_arn, resume)]
            for t in targets
            if (t, stream_arn, resume) in self.items
        }

    def advance_all(self, stream_arn: str, resume: int, delivered: Mapping[str, int]) -> None:
        for target, sequence in delivered.items():
            key = (target, stream_arn, resume)
            if self.items.get(key, -1) < sequence:
                self.items[key] = sequence


def record(seq: int, kind: str) -> dict[str, Any]:
    return {
        "eventID": f"e{seq}",
        "eventName": kind,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "Keys": {"pk": {"S": f"k{seq % 3}"}},
            "SequenceNumber": str(10**20 + seq),
            "SizeBytes": 10,
            "StreamViewType": "KEYS_ONLY",
        },
        "eventSourceARN": ARN,
    }


class FlakySender:
    """Fails entries per a random plan for a number of sends, then heals; records what arrived."""

    def __init__(self, plan: list[bool], permanent: set[int]) -> None:
        self.plan = plan
        self.sends = 0
        self.permanent = permanent
        self.received: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, target: Any, messages: Sequence[Outgoing]) -> dict[int, EntryFailure]:
        failures: dict[int, EntryFailure] = {}
        for position, message in enumerate(messages):
            if target.id.endswith("-failures"):  # archive lines on the failure queue
                lines = message.body.decode().split("\n")
                self.received.setdefault(target.id, []).extend(json.loads(x) for x in lines if x)
                continue
            body = json.loads(message.body)
            records = body.get("Records", [body])
            seqs = {int(r["dynamodb"]["SequenceNumber"]) - 10**20 for r in records}
            if target.id != "healthy":
                if seqs & self.permanent:
                    failures[position] = EntryFailure("ValidationException: poison", False)
                    continue
                self.sends += 1
                if self.sends <= len(self.plan) and self.plan[self.sends - 1]:
                    failures[position] = EntryFailure("ThrottlingException", True)
                    continue
            self.received.setdefault(target.id, []).extend(records)
        return failures


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(["INSERT", "MODIFY", "REMOVE"]), min_size=1, max_size=25),
    plan=st.lists(st.booleans(), max_size=40),
    permanent=st.sets(st.integers(min_value=0, max_value=24), max_size=2),
    fmt=st.sampled_from(["lambda-event", "record"]),
)
def test_nothing_is_lost_and_healthy_targets_get_each_record_once(
    kinds: list[str], plan: list[bool], permanent: set[int], fmt: str
) -> None:
    config = parse_config(
        {
            "targets": [
                {
                    "id": "healthy",
                    "type": "sqs",
                    "destination": QUEUE,
                    "format": fmt,
                    "on_failure": {"destination": QUEUE},
                },
                {
                    "id": "blocky",
                    "type": "kinesis",
                    "destination": "s",
                    "format": fmt,
                    "filter": {"eventName": ["INSERT", "MODIFY"]},
                    "max_attempts": 2,
                    "on_failure": {"mode": "block", "destination": QUEUE},
                },
                {
                    "id": "diverty",
                    "type": "sns",
                    "destination": "arn:aws:sns:us-east-1:123456789012:t",
                    "format": fmt,
                    "max_attempts": 2,
                    "on_failure": {"mode": "divert", "destination": QUEUE},
                },
            ],
            "checkpoint_table": "cp",
        }
    )
    records = [record(i, kind) for i, kind in enumerate(kinds)]
    sender = FlakySender(plan, permanent)
    dispatcher = Dispatcher(
        config,
        checkpoints=MemoryCheckpoints(),  # type: ignore[arg-type]
        send=sender,
        sleep=lambda s: None,
    )
    batch = records
    for _ in range(50):  # Lambda's retries
        result = dispatcher.dispatch(batch)
        resume = result.resume_sequence
        if resume is None:
            break
        batch = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) >= int(resume)]
    else:
        raise AssertionError("the batch never completed")
    dispatcher.close()

    got = sender.received
    assert got.get("healthy") == records  # exactly once, in order
    selected = [r for r in records if r["eventName"] != "REMOVE"]
    blocky = got.get("blocky", [])
    diverted_blocky = list(got.get("blocky-failures", []))
    # Every selected record reached the blocking target or, if poison, its failure destination.
    assert {r["eventID"] for r in blocky} | {r["eventID"] for r in diverted_blocky} == {
        r["eventID"] for r in selected
    }
    # Order is kept for the blocking target (first deliveries in stream order) when records travel
    # together; with one message per record, an entry retried after later entries of the same call
    # were accepted arrives after them (docs/fanout.md, ordering), so only the set is checked there.
    first_seen: list[str] = []
    for r in blocky:
        if r["eventID"] not in first_seen:
            first_seen.append(r["eventID"])
    expected = [r["eventID"] for r in selected if r not in diverted_blocky]
    if fmt == "lambda-event":
        assert first_seen == expected
    diverty = got.get("diverty", []) + got.get("diverty-failures", [])
    assert {r["eventID"] for r in diverty} == {r["eventID"] for r in records}
