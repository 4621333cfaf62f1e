"""The emulator under the user's control-plane calls: mapping updates and deletes mid-flight.

Each window is opened deterministically, by a hook on the emulator or by its clock, never by timing.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from typing import Any

import pytest

from quirks import aws
from quirks.local.cloud import LocalCloud
from quirks.testing import drain_queue
from tests.functional.local.test_event_source_mappings import (
    consumer,
    put_keys,
    stream_mapping,
)
from tests.functional.local.test_lambda_emulator import make, queue
from tests.support.dynamo import create_stream_table


def keys_until(url: str, last: str, timeout: float = 15.0) -> list[str]:
    """Every key the consumer reported, up to and including ``last``."""
    sqs = aws.client("sqs")
    keys: list[str] = []
    deadline = time.monotonic() + timeout
    while last not in keys and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        keys += [json.loads(m["Body"])["key"] for m in got]
    return keys


@pytest.mark.parametrize(
    "change",
    [
        pytest.param([{"BatchSize": 3}], id="batch-size"),
        pytest.param([{"Enabled": False}, {"Enabled": True}], id="disable-enable"),
    ],
)
def test_a_mapping_update_resumes_after_what_was_processed(
    cloud: LocalCloud, change: list[dict[str, Any]]
) -> None:
    table = create_stream_table("orders")
    seen_url, _ = queue("seen")
    consumer("steady", seen_url)
    put_keys(table, ["a0", "a1"])
    mapping = stream_mapping("steady", table.stream_arn, BatchSize=2)
    assert sorted(keys_until(seen_url, "a1")) == ["a0", "a1"]
    for settings in change:
        aws.client("lambda").update_event_source_mapping(UUID=mapping["UUID"], **settings)
    put_keys(table, ["b0"])
    assert keys_until(seen_url, "b0") == ["b0"], "records before the update were re-delivered"


def _in_async_worker() -> bool:
    return threading.current_thread().name.startswith("lambda-async")


@pytest.mark.parametrize("lands_after", ["get", "runtime"])
def test_a_delete_landing_inside_an_attempt_sends_the_event_to_its_destination(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, lands_after: str
) -> None:
    """The user's DeleteFunction lands right after the async worker looked the function up."""
    url, arn = queue("async-failures")
    make("doomed", "fail")
    lam = aws.client("lambda")
    lam.put_function_event_invoke_config(
        FunctionName="doomed",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    registry = cloud.lambda_service.registry
    original = getattr(registry, lands_after)
    fired = threading.Event()

    def then_delete(name: str) -> Any:
        found = original(name)
        if _in_async_worker() and not fired.is_set():
            fired.set()
            registry.delete(name)
        return found

    monkeypatch.setattr(registry, lands_after, then_delete)
    lam.invoke(FunctionName="doomed", InvocationType="Event", Payload=b'{"id": 1}')
    (message,) = drain_queue(url, 1)
    assert fired.is_set()
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert record["requestPayload"] == {"id": 1}


@pytest.mark.parametrize("target", ["destination", "dead-letter queue"])
def test_a_delete_between_retries_sends_the_last_failure_to_the_failure_target(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    url, arn = queue("async-failures")
    if target == "destination":
        make("doomed", "fail")
        config: dict[str, Any] = {"DestinationConfig": {"OnFailure": {"Destination": arn}}}
    else:
        make("doomed", "fail", DeadLetterConfig={"TargetArn": arn})
        config = {}
    lam = aws.client("lambda")
    lam.put_function_event_invoke_config(FunctionName="doomed", MaximumRetryAttempts=1, **config)
    registry = cloud.lambda_service.registry
    original = registry.runtime
    lookups = []

    def delete_before_the_retry(name: str) -> Any:
        if _in_async_worker():
            lookups.append(name)
            if len(lookups) == 2:
                registry.delete(name)
        return original(name)

    monkeypatch.setattr(registry, "runtime", delete_before_the_retry)
    lam.invoke(FunctionName="doomed", InvocationType="Event", Payload=b'{"id": 2}')
    (message,) = drain_queue(url, 1)
    assert len(lookups) >= 2
    if target == "destination":
        record = json.loads(message["Body"])
        assert record["requestContext"]["condition"] == "RetriesExhausted"
        assert record["requestContext"]["approximateInvokeCount"] == 1
        assert record["responsePayload"]["errorType"] == "ValueError"
    else:
        assert json.loads(message["Body"]) == {"id": 2}
        error = message["MessageAttributes"]["ErrorMessage"]["StringValue"]
        assert error == "bad order 2"


def test_logs_metrics_and_async_event_age_are_on_the_emulator_clock(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One clock: a test moves it instead of sleeping, and every timestamp and age follows."""
    make("clocked", "fail", LoggingConfig={"LogFormat": "JSON"})
    lam = aws.client("lambda")
    lam.put_function_event_invoke_config(FunctionName="clocked", MaximumRetryAttempts=0)
    skew = 600.0  # real seconds the emulator's clock is moved ahead of the wall clock
    cloud.clock.advance(skew / cloud.time_factor)
    registry = cloud.lambda_service.registry
    original = registry.runtime
    queued_for = 120.0  # AWS seconds the event waits in the queue, in emulated time only

    def wait_in_the_queue(name: str) -> Any:
        if _in_async_worker():
            cloud.clock.advance(queued_for)
        return original(name)

    monkeypatch.setattr(registry, "runtime", wait_in_the_queue)
    lam.invoke(FunctionName="clocked", InvocationType="Event", Payload=b'{"id": 3}')
    assert cloud.lambda_service.wait_idle()
    cloud.telemetry.flush()
    ahead = time.time() + skew / 2  # any timestamp on the wall clock is before this
    samples = [s for s in list(cloud.telemetry.samples) if s[1] == "clocked"]
    ages = [value for _, _, metric, value in samples if metric == "AsyncEventAge"]
    assert len(ages) == 1
    assert ages[0] >= queued_for * 1000
    assert min(when for when, *_ in samples) > ahead, "metric timestamps on the wall clock"
    events = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/clocked")["events"]
    assert events
    assert min(e["timestamp"] for e in events) > ahead * 1000, "log events on the wall clock"
    records = [json.loads(e["message"]) for e in events if e["message"].startswith("{")]
    times = [r.get("time") or r.get("timestamp") for r in records]
    assert times
    assert all(datetime.fromisoformat(t).timestamp() > ahead - 1 for t in times), times
