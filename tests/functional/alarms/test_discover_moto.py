"""Discovery and the apply executor against moto, with faults moto cannot produce injected."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.awsrequest import AWSResponse

from quirks import aws
from quirks.alarms import (
    AlarmConfig,
    apply_plan,
    desired_alarms,
    discover,
    plan_alarms,
    read_existing,
)

if TYPE_CHECKING:
    from tests.functional.alarms.conftest import Account


def test_discovery_finds_stream_consumers_async_targets_and_their_queues(account: Account) -> None:
    failures = account.queue("orders-failures")
    jobs = account.queue("jobs")
    account.function("orders-projector")
    account.function("clicks")
    account.function("worker")
    account.function("mailer")
    account.function("api")
    account.consumer("orders-projector", "orders", on_failure=failures)
    account.kinesis_consumer("clicks", "clicks")
    aws.client("lambda").create_event_source_mapping(EventSourceArn=jobs, FunctionName="worker")
    account.async_config("mailer", on_failure=failures, max_age=600)

    inventory = discover()
    assert (inventory.region, inventory.account) == ("us-east-1", "123456789012")
    consumers = {c.function_name: c for c in inventory.consumers}
    assert set(consumers) == {"orders-projector", "clicks"}  # not the SQS-triggered worker
    assert consumers["orders-projector"].on_failure == failures
    assert consumers["orders-projector"].source == "dynamodb"
    assert consumers["orders-projector"].mapping_uuid == account.mappings["orders-projector"]
    assert consumers["clicks"].source == "kinesis"
    assert consumers["clicks"].on_failure is None
    (target,) = inventory.async_targets
    assert (target.function_name, target.on_failure, target.maximum_event_age_seconds) == (
        "mailer",
        failures,
        600,
    )


def test_progress_is_reported_per_function(shop: Account) -> None:
    calls: list[tuple[int, int]] = []
    discover(on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def failing_puts(denied: set[str]) -> aws.ClientFactory:
    """A factory on moto whose CloudWatch denies ``PutMetricAlarm`` for ``denied`` (moto never does).

    The fault is injected through botocore's own events, so the error leaves the client exactly as
    AWS's would: parsed by botocore and mapped at the client seam.
    """
    clients = aws.ClientFactory(aws.current().settings)
    cloudwatch = clients.client("cloudwatch")

    def mark(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["deny"] = params.get("AlarmName") in denied

    def deny(context: dict[str, Any], **_: Any) -> Any:
        if not context.get("deny"):
            return None
        error = {"Code": "AccessDenied", "Message": "not allowed"}
        metadata = {"HTTPStatusCode": 403}
        return AWSResponse("https://monitoring", 403, {}, None), {
            "Error": error,
            "ResponseMetadata": metadata,
        }

    cloudwatch.meta.events.register("before-parameter-build.cloudwatch.PutMetricAlarm", mark)
    cloudwatch.meta.events.register("before-call.cloudwatch.PutMetricAlarm", deny)
    return clients


def test_one_failing_alarm_does_not_stop_the_others_and_is_reported(shop: Account) -> None:
    desired = desired_alarms(discover(), AlarmConfig())
    denied = desired[0].name
    result = apply_plan(plan_alarms(desired, read_existing()), clients=failing_puts({denied}))
    assert not result.ok
    assert set(result.failed) == {denied}
    assert "AccessDenied" in result.failed[denied]
    assert set(result.created) == {s.name for s in desired} - {denied}
    # The next plan still wants the one that failed, and nothing else.
    again = plan_alarms(desired, read_existing())
    assert [i.spec.name for i in again.create] == [denied]
    assert len(again.unchanged) == len(desired) - 1
