"""The range reader against an in-memory stream with random paging, expiries and throttling."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from quirks import aws
from quirks.recovery.ranges import Pointer, plan_ranges
from quirks.recovery.reader import RangeReader, ReaderSettings
from quirks.streams import parse_failure_message
from tests.support.clients import OverriddenClients, aws_error
from tests.support.events import load_event

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"
SHARD = "shardId-00000001573689847184-864758bb"


def raw_record(sequence: int) -> dict[str, Any]:
    return {
        "eventID": f"e{sequence}",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "Keys": {"pk": {"S": str(sequence)}},
            "SequenceNumber": str(sequence),
            "SizeBytes": 10,
            "StreamViewType": "KEYS_ONLY",
        },
    }


def error(code: str) -> Exception:
    return aws_error(code, "op")


class MemoryStream:
    """GetShardIterator/GetRecords over a list of sequence numbers; faults by call number."""

    def __init__(
        self, sequences: list[int], page: int, faults: dict[int, str], closed: bool
    ) -> None:
        self.sequences = sequences
        self.page = page
        self.faults = faults
        self.closed = closed
        self.calls = 0

    def _fault(self) -> None:
        self.calls += 1
        if self.calls in self.faults:
            raise error(self.faults[self.calls])

    def get_shard_iterator(self, **kwargs: Any) -> dict[str, Any]:
        kind = kwargs["ShardIteratorType"]
        if kind == "TRIM_HORIZON":
            position = 0
        else:
            sequence = int(kwargs["SequenceNumber"])
            after = kind == "AFTER_SEQUENCE_NUMBER"
            position = next(
                (
                    i
                    for i, s in enumerate(self.sequences)
                    if s > sequence or (s == sequence and not after)
                ),
                len(self.sequences),
            )
        return {"ShardIterator": str(position)}

    def get_records(self, **kwargs: Any) -> dict[str, Any]:
        self._fault()
        position = int(kwargs["ShardIterator"])
        limit = min(self.page, kwargs["Limit"])
        chunk = self.sequences[position : position + limit]
        page: dict[str, Any] = {"Records": [raw_record(s) for s in chunk]}
        end = position + len(chunk)
        if not (self.closed and end >= len(self.sequences)):
            page["NextShardIterator"] = str(end)
        return page


def pointer(start: int, end: int, size: int, index: int) -> Pointer:
    body = load_event("ddb-on-failure-sqs.json")
    body["DDBStreamBatchInfo"].update(
        streamArn=ARN,
        shardId=SHARD,
        startSequenceNumber=str(start),
        endSequenceNumber=str(end),
        batchSize=size,
    )
    failure = parse_failure_message(body)
    return Pointer(f"m{index}", failure)  # type: ignore[arg-type]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[int], list[Pointer], int, dict[int, str], bool]:
    gaps = draw(st.lists(st.integers(1, 3), min_size=1, max_size=60))
    sequences, current = [], 10**20
    for gap in gaps:
        current += gap
        sequences.append(current)
    pointers = []
    for index in range(draw(st.integers(1, 6))):
        lo = draw(st.integers(0, len(sequences) - 1))
        hi = draw(st.integers(lo, len(sequences) - 1))
        pointers.append(pointer(sequences[lo], sequences[hi], hi - lo + 1, index))
    faults = draw(
        st.dictionaries(
            st.integers(1, 30),
            st.sampled_from(
                ["ExpiredIteratorException", "LimitExceededException", "ThrottlingException"]
            ),
            max_size=6,
        )
    )
    return sequences, pointers, draw(st.integers(1, 7)), faults, draw(st.booleans())


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_reads_exactly_the_records_of_each_range(
    scenario: tuple[list[int], list[Pointer], int, dict[int, str], bool],
) -> None:
    sequences, pointers, page, faults, closed = scenario
    stream = MemoryStream(sequences, page, faults, closed)
    reader = RangeReader(
        ReaderSettings(max_backoff_attempts=10),
        clients=OverriddenClients(aws.current(), {"dynamodbstreams": stream}),
        sleep=lambda _: None,
    )
    for planned in plan_ranges(pointers):
        read = reader.read(planned)
        assert read.incomplete is None
        assert read.gaps == []
        expected = [s for s in sequences if s in planned.range]
        assert [r.sequence for r in read.records] == expected
        assert all(r.event_source_arn == ARN for r in read.records)
    expired = sum(1 for code in faults.values() if code == "ExpiredIteratorException")
    assert reader.api_calls["GetShardIterator"] <= len(plan_ranges(pointers)) + expired


class Retried(MemoryStream):
    """Answers like a client whose botocore already retried each call ``retries`` times."""

    def __init__(self, sequences: list[int], retries: int, faults: dict[int, str]) -> None:
        super().__init__(sequences, page=100, faults=faults, closed=True)
        self.retries = retries

    def get_shard_iterator(self, **kwargs: Any) -> dict[str, Any]:
        answer = super().get_shard_iterator(**kwargs)
        return {**answer, "ResponseMetadata": {"RetryAttempts": self.retries}}

    def get_records(self, **kwargs: Any) -> dict[str, Any]:
        answer = super().get_records(**kwargs)
        return {**answer, "ResponseMetadata": {"RetryAttempts": self.retries}}


def test_api_calls_count_the_requests_botocore_retried() -> None:
    sequences = [10**20 + i for i in range(5)]
    reader = RangeReader(
        clients=OverriddenClients(aws.current(), {"dynamodbstreams": Retried(sequences, 2, {})})
    )
    [planned] = plan_ranges([pointer(sequences[0], sequences[-1], 5, 0)])
    assert [r.sequence for r in reader.read(planned).records] == sequences
    assert reader.api_calls["GetShardIterator"] == 3
    assert reader.api_calls["GetRecords"] == 3


def test_every_code_botocore_calls_throttling_is_backed_off() -> None:
    # Codes the reader's former own list lacked; botocore's standard retry mode throttles them.
    faults = {1: "TooManyRequestsException", 2: "RequestThrottledException", 3: "SlowDown"}
    sequences = [10**20 + i for i in range(3)]
    sleeps: list[float] = []
    reader = RangeReader(
        clients=OverriddenClients(
            aws.current(), {"dynamodbstreams": Retried(sequences, 0, faults)}
        ),
        sleep=sleeps.append,
    )
    [planned] = plan_ranges([pointer(sequences[0], sequences[-1], 3, 0)])
    read = reader.read(planned)
    assert read.incomplete is None
    assert [r.sequence for r in read.records] == sequences
    assert len(sleeps) == 3
    assert reader.api_calls["GetRecords"] == 4


def test_an_error_that_is_not_throttling_leaves_the_range_incomplete() -> None:
    sequences = [10**20 + i for i in range(3)]
    sleeps: list[float] = []
    stream = Retried(sequences, 0, {1: "AccessDeniedException"})
    reader = RangeReader(
        clients=OverriddenClients(aws.current(), {"dynamodbstreams": stream}), sleep=sleeps.append
    )
    [planned] = plan_ranges([pointer(sequences[0], sequences[-1], 3, 0)])
    read = reader.read(planned)
    assert read.incomplete is not None
    assert read.incomplete.startswith("AccessDeniedException: ")
    assert read.records == []
    assert sleeps == []
