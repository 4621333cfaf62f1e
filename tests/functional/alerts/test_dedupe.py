"""Noise control: grouping in a delivery, suppression windows across deliveries, follow-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from quirks import aws
from quirks.alerts.classify import classify_batch
from quirks.alerts.decode import LogBatch, LogEvent
from quirks.alerts.dedupe import Alert, DynamoStore, MemoryStore, SuppressionStore, group
from quirks.alerts.notifier import Notifier
from tests.functional.alerts.events import error_events, noise_events

if TYPE_CHECKING:
    from quirks.alerts.render import Origin

WINDOW_MS = 600_000
TABLE = "quirks-alerts-dedupe"


@dataclass
class RecordingSink:
    name: str = "recording"
    alerts: list[Alert] = field(default_factory=list)

    def send(self, alert: Alert, origin: Origin) -> None:
        self.alerts.append(alert)

    def send_digest(self, alerts: list[Alert], origin: Origin) -> None:
        self.alerts.extend(alerts)


def _batch(events: list[LogEvent]) -> LogBatch:
    return LogBatch(
        "123456789012",
        "/aws/lambda/orders-api",
        "2024/05/02/[$LATEST]abc",
        ("quirks-errors",),
        "DATA_MESSAGE",
        tuple(events),
    )


def _dynamo_table() -> None:
    client = aws.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "fingerprint", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "fingerprint", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> SuppressionStore:
    if request.param == "memory":
        return MemoryStore(WINDOW_MS)
    request.getfixturevalue("aws_env")
    _dynamo_table()
    return DynamoStore(TABLE, WINDOW_MS)


def test_identical_fingerprints_in_one_delivery_become_one_alert_with_a_count() -> None:
    alerts = group(classify_batch(_batch(error_events(10_000))))
    assert len(alerts) == 5
    assert [a.count for a in alerts] == [2000] * 5
    assert {a.record.error_type for a in alerts} == {
        "KeyError",
        "Sandbox.Timedout",
        "ERROR",
        "Error",
        "Runtime.ExitError",
    }


def test_ten_thousand_errors_five_fingerprints_give_five_alerts_then_follow_ups(
    store: SuppressionStore,
) -> None:
    sink = RecordingSink()
    now = [1_000_000]
    notifier = Notifier([sink], store, region="us-east-1", clock=lambda: now[0])
    for delivery in range(10):  # 10 deliveries of 1,000 events within one window
        outcome = notifier.process(_batch(error_events(1000, start=delivery * 1000)))
        assert outcome.errors == 1000
        now[0] += 1000
    assert len(sink.alerts) == 5
    assert all(a.count == 200 and not a.follow_up for a in sink.alerts)

    now[0] += WINDOW_MS  # the windows close; the next delivery (no errors) sends the follow-ups
    outcome = notifier.process(_batch(noise_events(30)))
    assert (outcome.errors, outcome.follow_ups) == (0, 5)
    follow_ups = sink.alerts[5:]
    assert len(follow_ups) == 5
    assert all(a.follow_up and a.count == 1800 for a in follow_ups)
    assert {a.fingerprint for a in follow_ups} == {a.fingerprint for a in sink.alerts[:5]}
    assert sum(a.count for a in sink.alerts) == 10_000

    notifier.process(_batch(noise_events(3)))  # follow-ups are sent once
    assert len(sink.alerts) == 10


def test_next_occurrence_after_a_closed_window_carries_n_more_since(
    store: SuppressionStore,
) -> None:
    sink = RecordingSink()
    now = [5_000_000]
    notifier = Notifier([sink], store, region="us-east-1", clock=lambda: now[0])
    notifier.process(_batch(error_events(1)))
    now[0] += 10
    notifier.process(_batch(error_events(3, kinds=1, start=5)))  # same fingerprint (kind 0)
    now[0] += WINDOW_MS
    notifier.process(_batch(error_events(1, kinds=1, start=10)))
    assert [a.count for a in sink.alerts] == [1, 1]
    assert sink.alerts[1].previously_suppressed == 3
    assert sink.alerts[1].suppressed_since == 5_000_000
    now[0] += 2 * WINDOW_MS
    notifier.process(_batch(noise_events(1)))
    assert len(sink.alerts) == 2  # the suppressed ones were already reported: no follow-up


def test_two_containers_sharing_the_table_send_each_alert_once(aws_env: aws.ClientFactory) -> None:
    _dynamo_table()
    sinks = [RecordingSink(), RecordingSink()]
    notifiers = [
        Notifier([s], DynamoStore(TABLE, WINDOW_MS), region="us-east-1", clock=lambda: 7_000_000)
        for s in sinks
    ]
    for notifier in notifiers:
        notifier.process(_batch(error_events(50)))
    assert sum(len(s.alerts) for s in sinks) == 5
    later = [
        Notifier(
            [s],
            DynamoStore(TABLE, WINDOW_MS),
            region="us-east-1",
            clock=lambda: 7_000_000 + WINDOW_MS,
        )
        for s in sinks
    ]
    for notifier in later:
        notifier.process(_batch(noise_events(1)))
    follow_ups = [a for s in sinks for a in s.alerts if a.follow_up]
    assert sorted(a.count for a in follow_ups) == [10] * 5


def test_store_failure_sends_rather_than_loses(aws_env: aws.ClientFactory) -> None:
    sink = RecordingSink()
    notifier = Notifier([sink], DynamoStore("no-such-table", WINDOW_MS), region="us-east-1")
    outcome = notifier.process(_batch(error_events(10)))
    assert outcome.sent == 5
    assert len(sink.alerts) == 5


def test_memory_store_forgets_closed_windows_with_nothing_to_report() -> None:
    store = MemoryStore(WINDOW_MS)
    notifier = Notifier([RecordingSink()], store, region="us-east-1", clock=lambda: 0)
    notifier.process(_batch(error_events(5)))
    assert len(store._windows) == 5
    assert store.due_follow_ups(WINDOW_MS) == []
    assert store._windows == {}
