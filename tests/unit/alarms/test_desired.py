"""The desired alarm set: which alarms, their names, descriptions and thresholds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quirks.alarms.config import AlarmConfig, parse_config
from quirks.alarms.desired import (
    MAX_DESCRIPTION,
    MAX_NAME,
    alarm_name,
    desired_alarms,
    failure_queues,
    findings,
)
from quirks.alarms.model import MANAGED_NOTE, AlarmSpec, AsyncTarget, Inventory, StreamConsumer
from quirks.limits import DEFAULT_ACCOUNT as ACCOUNT

TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:ops"


def fn_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def queue(name: str, account: str = ACCOUNT, region: str = "us-east-1") -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def consumer(function: str, table: str = "orders", on_failure: str | None = None) -> StreamConsumer:
    return StreamConsumer(
        function_name=function,
        function_arn=fn_arn(function),
        source_arn=f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table}/stream/2026",
        source="dynamodb",
        mapping_uuid=f"uuid-{function}-{table}",
        on_failure=on_failure,
    )


def inventory(*consumers: StreamConsumer, targets: tuple[AsyncTarget, ...] = ()) -> Inventory:
    return Inventory(
        region="us-east-1", account=ACCOUNT, consumers=consumers, async_targets=targets
    )


def by_name(inv: Inventory, config: AlarmConfig | None = None) -> dict[str, AlarmSpec]:
    return {spec.name: spec for spec in desired_alarms(inv, config or AlarmConfig(topic_arn=TOPIC))}


def test_a_consumer_reading_two_streams_gets_one_pair_of_iterator_age_alarms() -> None:
    inv = inventory(
        consumer("projector", "orders", queue("failures")),
        consumer("projector", "carts", queue("failures")),
    )
    specs = desired_alarms(inv, AlarmConfig(topic_arn=TOPIC))
    assert [s.name for s in specs] == [
        "quirks-destination-delivery-failures-projector",
        "quirks-failure-queue-depth-failures",
        "quirks-iterator-age-critical-projector",
        "quirks-iterator-age-warning-projector",
    ]
    warning = specs[3]
    assert warning.dimensions == (("FunctionName", "projector"),)
    assert (warning.statistic, warning.period, warning.threshold) == ("Maximum", 60, 300_000)
    assert warning.treat_missing_data == "notBreaching"
    assert warning.alarm_actions == warning.ok_actions == (TOPIC,)
    assert "table/orders" in warning.description
    assert "table/carts" in warning.description
    assert warning.description.endswith(MANAGED_NOTE)
    queue_alarm = specs[1]
    assert "projector" in queue_alarm.description
    assert "lost within 24 h unless recovered" in queue_alarm.description


def test_async_target_with_dlq_and_destination() -> None:
    target = AsyncTarget(
        function_name="mailer",
        function_arn=fn_arn("mailer"),
        on_failure=f"arn:aws:sns:us-east-1:{ACCOUNT}:mailer-failures",
        dead_letter=queue("mailer-dlq"),
        maximum_event_age_seconds=3600,
    )
    specs = by_name(inventory(targets=(target,)))
    assert set(specs) == {
        "quirks-async-event-age-mailer",
        "quirks-dead-letter-errors-mailer",
        "quirks-destination-delivery-failures-mailer",
        "quirks-failure-queue-depth-mailer-dlq",
    }
    dlq_alarm = specs["quirks-failure-queue-depth-mailer-dlq"]
    assert "asynchronous events of mailer" in dlq_alarm.description
    assert "24 h" not in dlq_alarm.description
    age = specs["quirks-async-event-age-mailer"]
    assert age.threshold == 600_000
    assert "1h (its MaximumEventAgeInSeconds)" in age.description


def test_a_plain_async_target_gets_only_the_event_age_alarm() -> None:
    target = AsyncTarget(function_name="hook", function_arn=fn_arn("hook"))
    assert set(by_name(inventory(targets=(target,)))) == {"quirks-async-event-age-hook"}


def test_consumer_that_is_also_an_async_target_has_one_delivery_failure_alarm() -> None:
    target = AsyncTarget("both", fn_arn("both"), on_success=queue("done"))
    specs = by_name(inventory(consumer("both", on_failure=queue("failed")), targets=(target,)))
    delivery = specs["quirks-destination-delivery-failures-both"]
    assert queue("done") in delivery.description
    assert queue("failed") in delivery.description
    # A success destination is not a failure queue.
    assert "quirks-failure-queue-depth-done" not in specs


def test_queues_elsewhere_are_findings_not_alarms() -> None:
    inv = inventory(
        consumer("a", on_failure=queue("other-account", account="999999999999")),
        consumer("b", on_failure=queue("other-region", region="eu-west-1")),
        consumer("c", on_failure=f"arn:aws:sns:us-east-1:{ACCOUNT}:topic"),
        consumer("d"),
    )
    assert failure_queues(inv) == ()
    notes = findings(inv)
    assert sum("another account or region" in n for n in notes) == 2
    assert sum("without an on-failure destination" in n and n.startswith("d ") for n in notes) == 1
    assert "quirks-destination-delivery-failures-c" in by_name(inv)


def test_overrides_and_skips() -> None:
    config = parse_config(
        {
            "topic": TOPIC,
            "functions": {"slow": {"iterator_age_warning": "30m"}, "gone": {"skip": True}},
            "queues": {"failures": {"skip": True}},
        }
    )
    specs = by_name(
        inventory(consumer("slow", on_failure=queue("failures")), consumer("gone", "t2")), config
    )
    assert set(specs) == {
        "quirks-iterator-age-warning-slow",
        "quirks-iterator-age-critical-slow",
        "quirks-destination-delivery-failures-slow",
    }
    assert specs["quirks-iterator-age-warning-slow"].threshold == 1_800_000
    assert "30m" in specs["quirks-iterator-age-warning-slow"].description


def test_no_topic_means_no_actions() -> None:
    specs = desired_alarms(inventory(consumer("f")), AlarmConfig())
    assert all(s.alarm_actions == () and s.ok_actions == () for s in specs)


names = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=300)


@given(names, names)
def test_names_are_bounded_stable_and_unique(a: str, b: str) -> None:
    first = alarm_name("iterator-age-warning", a)
    assert len(first) <= MAX_NAME
    assert first == alarm_name("iterator-age-warning", a)
    assert first.startswith("quirks-iterator-age-warning-")
    if a != b:
        assert first != alarm_name("iterator-age-warning", b)


@given(
    st.lists(
        st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=64),
        min_size=1,
        max_size=8,
        unique=True,
    )
)
def test_descriptions_fit_cloudwatch_and_output_is_deterministic(functions: list[str]) -> None:
    inv = inventory(
        *(
            consumer(f, f"table-{i}-" + "x" * 200, queue(f"{f}-failures"))
            for i, f in enumerate(functions)
        ),
        *(consumer(functions[0], f"more-{i}-" + "y" * 200) for i in range(6)),
    )
    specs = desired_alarms(inv, AlarmConfig(topic_arn=TOPIC))
    assert all(len(s.description) <= MAX_DESCRIPTION for s in specs)
    assert all(s.description.endswith(MANAGED_NOTE) for s in specs)
    reordered = Inventory(region=inv.region, account=inv.account, consumers=inv.consumers[::-1])
    assert desired_alarms(reordered, AlarmConfig(topic_arn=TOPIC)) == specs
    assert len({s.name for s in specs}) == len(specs)


def test_kinesis_consumers_are_told_about_their_retention_period() -> None:
    kinesis = StreamConsumer(
        function_name="clicks",
        function_arn=fn_arn("clicks"),
        source_arn=f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/clicks",
        source="kinesis",
        mapping_uuid="k",
        on_failure=queue("clicks-failures"),
    )
    specs = by_name(inventory(kinesis, consumer("orders")))
    clicks = specs["quirks-iterator-age-critical-clicks"].description
    assert "the stream's retention period (24 h by default)" in clicks
    assert "24 h" in specs["quirks-iterator-age-critical-orders"].description
    assert "retention period" not in specs["quirks-iterator-age-critical-orders"].description
    depth = specs["quirks-failure-queue-depth-clicks-failures"].description
    assert "lost within the stream's retention period" in depth
