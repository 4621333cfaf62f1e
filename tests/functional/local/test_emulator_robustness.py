"""The emulator under the user's control-plane calls: mapping updates and deletes mid-flight.

Each window is opened deterministically, by a hook on the emulator or by its clock, never by timing.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from quirks import aws
from quirks.local.cloud import LocalCloud
from tests.functional.local.test_event_source_mappings import (
    consumer,
    put_keys,
    stream_mapping,
)
from tests.functional.local.test_lambda_emulator import queue
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
