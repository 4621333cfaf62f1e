"""``quirks audit --account`` over the demo's direct phase, as ``quirks demo`` provisions it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quirks import aws
from quirks.audit.service import audit, read_inventory
from quirks.local.cloud import LocalCloud
from quirks.local.demo import CONSUMERS, provision_direct
from quirks.local.demo_world import DemoWorld
from quirks.local.webhook_sink import WebhookSink


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoWorld]:
    sink = WebhookSink().start()
    try:
        with LocalCloud(time_factor=0.001) as cloud:
            for name, value in cloud.environment().items():
                monkeypatch.setenv(name, value)
            aws.configure(aws.AwsSettings(endpoint_url=cloud.url, region=cloud.region))
            world = DemoWorld(cloud, sink, lambda _message: None)
            world.setup_shared()
            provision_direct(world)
            yield world
    finally:
        aws.configure(aws.AwsSettings())
        sink.stop()


def _by_rule(rule: str) -> set[str]:
    return {f.name for f in audit(read_inventory(account=True)).active() if f.rule == rule}


def test_direct_phase_reader_limit_pointer_queues_and_dead_destinations(demo: DemoWorld) -> None:
    queues = {f"direct-{c}-failures" for c in CONSUMERS}
    report = audit(read_inventory(account=True))
    readers = [f for f in report.findings if f.rule == "QRK001"]
    assert [(f.name, f.severity) for f in readers] == [("orders-direct", "error")]
    assert "4 readers" in readers[0].message
    # the recovery functions read the stream too, whenever pointers arrive
    assert "while it recovers pointers, direct-analytics-recovery" in readers[0].message
    # The DLQ scanners demand of every function is dead configuration on the stream consumers.
    assert _by_rule("QRK005") == {f"direct-{c}" for c in CONSUMERS}
    dead = next(f for f in report.findings if f.rule == "QRK005")
    assert "event source mapping" in dead.message
    # As the demo builds it, the recovery handler consumes every failure queue: no pointer is lost.
    assert not [f for f in report.findings if f.rule == "QRK004"]

    # Without the recovery functions' mappings the queues hold pointers nobody turns into records.
    lam = demo.lam
    for mapping in lam.list_event_source_mappings()["EventSourceMappings"]:
        if mapping["FunctionArn"].endswith("-recovery"):
            lam.delete_event_source_mapping(UUID=mapping["UUID"])
    assert _by_rule("QRK004") == queues
