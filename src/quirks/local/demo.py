"""``quirks demo``: the DynamoDB Streams quirks and their fixes, end to end, on the local cloud.

Two phases on one machine, each with its own ``orders`` table and the same four consumers
(billing, search, notifications, analytics — analytics rejects orders whose amount is a multiple of 7):

* **direct**: four event source mappings read the stream, each with an SQS on-failure destination.
  The third and fourth readers of the shard are throttled and fall behind (IteratorAge rises);
  analytics's rejected records end as *pointers* on its failure queue, and the recovery handler
  (``quirks.recovery.handler``) turns them into archived records in S3.
* **fan-out**: one mapping feeds the fan-out handler (``quirks.fanout.handler``), which invokes the
  four consumers; IteratorAge stays low; analytics's failed invocations go to its OnFailure
  destination as async invocation records carrying the full stream event, and the same recovery
  handler archives those records in S3, ready for ``quirks recover replay``.

Throughout, every consumer's log group is subscribed to the alerts handler
(``quirks.alerts.handler``), which posts to a local Slack-compatible webhook.

Every count in the report comes from side effects: the consumers' ledger entries and the recovery
archives in S3.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from quirks.local.chart import line_chart_svg
from quirks.local.cloud import LocalCloud
from quirks.local.demo_consumers import is_rejected
from quirks.local.demo_world import (
    CONSUMERS,
    REJECTING,
    DemoWorld,
    provision_direct,
    provision_fanout,
)
from quirks.local.readers import shard_key
from quirks.local.webhook_sink import WebhookSink

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "CONSUMERS",
    "ConsumerCounts",
    "DemoReport",
    "PhaseReport",
    "provision_direct",
    "run_demo",
]

log = logging.getLogger(__name__)

DEFAULT_TIME_FACTOR = 0.01


@dataclass
class ConsumerCounts:
    """What one consumer did with the records of one phase (from side effects)."""

    processed: int = 0
    failed: int = 0
    recovered: int = 0
    lost: int = 0
    # The highest IteratorAge of the reader that fed this consumer (its own mapping when it reads
    # the stream directly, the fan-out reader otherwise): readers 3 and 4 fall behind.
    iterator_age_max_ms: float = 0.0


@dataclass
class PhaseReport:
    name: str
    readers_per_shard: int
    throttled_polls: int
    iterator_age_max_ms: float
    consumers: dict[str, ConsumerCounts]
    iterator_age_series: dict[str, list[tuple[float, float]]] = field(
        default_factory=dict, repr=False
    )


@dataclass
class DemoReport:
    records_written: int
    phases: list[PhaseReport]
    alerts: dict[str, int]
    lost_total: int
    duration_seconds: float

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for phase in data["phases"]:
            phase.pop("iterator_age_series", None)
        return data


def _orders(count: int) -> list[tuple[str, int]]:
    return [(f"order-{i:05d}", 3 * i + 1) for i in range(count)]


def _counts(
    expected: set[str],
    processed: set[str],
    rejected: set[str],
    recovered: set[str],
) -> ConsumerCounts:
    failed = rejected - processed
    accounted = processed | (failed & recovered)
    return ConsumerCounts(
        processed=len(processed & expected),
        failed=len(failed & expected),
        recovered=len(failed & recovered),
        lost=len(expected - accounted),
    )


def _wait(done: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.5)
    return done()


def _series(
    cloud: LocalCloud, functions: dict[str, str], started: float
) -> dict[str, list[tuple[float, float]]]:
    series: dict[str, list[tuple[float, float]]] = {label: [] for label in functions.values()}
    for when, function, metric, value in list(cloud.telemetry.samples):
        if metric == "IteratorAge" and function in functions and when >= started:
            series[functions[function]].append((when - started, value))
    return series


def consumer_lag_ms(series: dict[str, list[tuple[float, float]]], consumer: str) -> float:
    """The highest IteratorAge (ms) of the reader that fed ``consumer``.

    Its own mapping's series when it has one (direct: 0 when that reader reported nothing, never
    another consumer's), else the one shared reader's (fan-out: no series bears its name).
    """
    points = series[consumer] if consumer in series else next(iter(series.values()), [])
    return round(max((v for _, v in points), default=0.0), 1)


def _direct_phase(demo: DemoWorld, orders: list[tuple[str, int]], timeout: float) -> PhaseReport:
    stream = provision_direct(demo)
    demo.say("direct: 4 event source mappings read one shard; writing orders")
    return _observe(
        demo,
        phase="direct",
        label="direct",
        stream=stream,
        orders=orders,
        timeout=timeout,
        archived=lambda consumer: demo.archived("direct", consumer),
        series_functions={f"direct-{c}": c for c in CONSUMERS},
    )


def _observe(
    demo: DemoWorld,
    *,
    phase: str,
    label: str,
    stream: str,
    orders: list[tuple[str, int]],
    timeout: float,
    archived: Callable[[str], set[str]],
    series_functions: dict[str, str],
) -> PhaseReport:
    """Write the orders, wait until every one is settled, and count what the consumers did.

    ``archived(consumer)`` gives the orders found in that consumer's recovery archives: in both
    phases a rejected order counts as recovered only once it is archived (replayable).
    """
    cloud = demo.cloud
    started = cloud.clock.time()  # telemetry samples are on the emulator clock
    readers = _ReaderGauge(cloud, stream, _shards(demo, stream))
    demo.write(f"orders-{phase}", orders)
    expected = {key for key, _ in orders}
    poison = {key for key, amount in orders if is_rejected(amount)}

    def settled() -> bool:
        readers.sample()
        ledger = demo.ledger(phase)
        for consumer in CONSUMERS:
            done = ledger.get((consumer, "processed"), set()) | ledger.get(
                (consumer, "rejected"), set()
            )
            if not expected <= done:
                return False
        return poison <= archived(REJECTING)

    demo.say(f"{label}: waiting for consumers and recovery")
    _wait(settled, timeout)
    cloud.lambda_service.wait_idle(timeout=10)
    ledger = demo.ledger(phase)
    consumers = {}
    for consumer in CONSUMERS:
        consumers[consumer] = _counts(
            expected,
            ledger.get((consumer, "processed"), set()),
            ledger.get((consumer, "rejected"), set()),
            archived(consumer),
        )
    pollers = [p for p in cloud.pollers.values() if p.mapping.event_source_arn == stream]
    series = _series(cloud, series_functions, started)
    for consumer, counts in consumers.items():
        counts.iterator_age_max_ms = consumer_lag_ms(series, consumer)
    return PhaseReport(
        name=label,
        readers_per_shard=readers.peak,
        throttled_polls=sum(getattr(p, "throttled", 0) for p in pollers),
        iterator_age_max_ms=round(max((v for s in series.values() for _, v in s), default=0.0), 1),
        consumers=consumers,
        iterator_age_series=series,
    )


class _ReaderGauge:
    """The most readers seen on any shard of a stream (pollers attach from their own threads)."""

    def __init__(self, cloud: LocalCloud, stream: str, shards: list[str]) -> None:
        self.cloud, self.keys, self.peak = cloud, [shard_key(stream, s) for s in shards], 0
        self.sample()

    def sample(self) -> None:
        self.peak = max([self.peak, *(self.cloud.limiter.readers(key) for key in self.keys)])


def _shards(demo: DemoWorld, stream: str) -> list[str]:
    description = demo.clients.client("dynamodbstreams").describe_stream(StreamArn=stream)
    return [shard["ShardId"] for shard in description["StreamDescription"]["Shards"]]


def _fanout_phase(demo: DemoWorld, orders: list[tuple[str, int]], timeout: float) -> PhaseReport:
    stream = provision_fanout(demo)
    demo.say(
        "fan-out: 1 event source mapping, 4 consumers behind the fan-out handler; writing orders"
    )
    return _observe(
        demo,
        phase="fanout",
        label="fan-out",
        stream=stream,
        orders=orders,
        timeout=timeout,
        archived=lambda consumer: demo.archived("fanout", consumer),
        series_functions={"demo-fanout": "fan-out (all consumers)"},
    )


def run_demo(
    records: int = 200,
    *,
    time_factor: float = DEFAULT_TIME_FACTOR,
    phase_timeout: float = 180.0,  # recovery competes with four readers for its reads: slow, not lost
    say: Callable[[str], None] = lambda _message: None,
) -> DemoReport:
    """Run both phases on a fresh local cloud and report what every consumer did."""
    started = time.monotonic()
    orders = _orders(records)
    sink = WebhookSink().start()
    cloud = LocalCloud(port=0, time_factor=time_factor)
    try:
        cloud.start()
        say(f"local cloud on {cloud.url}; Slack-compatible webhook on {sink.url}")
        demo = DemoWorld(cloud, sink, say)
        demo.setup_shared()
        phases = [
            _direct_phase(demo, orders, phase_timeout),
            _fanout_phase(demo, orders, phase_timeout),
        ]
        cloud.telemetry.flush()
        cloud.lambda_service.wait_idle(timeout=10)
        _wait(lambda: bool(sink.received()), 5.0)
        messages = sink.received()
        distinct = {str(m.get("text", "")).split("\n")[0] for m in messages}
    finally:
        # Never let a failed stop hide why we are stopping (Ctrl-C, a failed phase): log it.
        for stop in (cloud.stop, sink.stop):
            try:
                stop()
            except Exception:
                log.exception("stopping the demo's local cloud failed")
    lost = sum(c.lost for phase in phases for c in phase.consumers.values())
    return DemoReport(
        records_written=records * len(phases),
        phases=phases,
        alerts={"delivered": len(messages), "distinct": len(distinct)},
        lost_total=lost,
        duration_seconds=round(time.monotonic() - started, 1),
    )


def write_report(report: DemoReport, directory: str) -> list[str]:
    """Write ``report.json`` and ``iterator-age.svg`` (both phases on one scale); returns the paths."""
    from pathlib import Path

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    json_path, chart_path = target / "report.json", target / "iterator-age.svg"
    json_path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    series = {
        f"{phase.name}: {name}": points
        for phase in report.phases
        for name, points in phase.iterator_age_series.items()
    }
    readers = ", ".join(f"{p.name} {p.readers_per_shard}" for p in report.phases)
    chart_path.write_text(
        line_chart_svg(
            f"IteratorAge per consumer (readers per shard: {readers})",
            series,
            x_label="seconds since the phase started",
        )
    )
    return [str(json_path), str(chart_path)]
