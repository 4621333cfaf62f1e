"""quirks.testing's CLI runner shows what a shell shows; its local cloud starts with a stack and is
gone afterwards; drain_queue waits for what arrives and deletes only when asked."""

from __future__ import annotations

import io
import json
import socket
import sys
from pathlib import Path

import pytest

from quirks import __version__
from quirks.testing import drain_queue, local_cloud, run_cli
from tests.support.events import load_event

STACK = Path(__file__).resolve().parents[1] / "local" / "stacks" / "shop.toml"


def test_run_cli_returns_the_exit_code_and_both_streams() -> None:
    assert run_cli("--version").exit_code == 0
    assert run_cli("--version").stdout == f"quirks {__version__}\n"
    result = run_cli("fanout", "check", "does-not-exist.json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("quirks: error: ")
    assert result.stderr.count("\n") == 1  # one line, no traceback


def test_run_cli_parses_json_and_says_why_when_it_cannot() -> None:
    assert run_cli("config", "--json").json["region"] == "us-east-1"
    with pytest.raises(ValueError, match=r"not one JSON document .* exit code 2, stderr: quirks"):
        _ = run_cli("fanout", "check", "does-not-exist.json").json


def test_run_cli_reads_the_given_stdin_text_or_stream_and_restores_the_callers() -> None:
    before = sys.stdin
    pointer = json.dumps(load_event("ddb-on-failure-sqs.json"))
    piped = run_cli("streams", "parse-failure", "-", "--json", stdin=pointer)
    assert piped.exit_code == 0, piped.stderr
    streamed = run_cli("streams", "parse-failure", "-", "--json", stdin=io.StringIO(pointer))
    for result in (piped, streamed):
        (message,) = result.json["messages"]
        assert (message["end"], message["batch_size"]) == ("800000000003126276362", 1)
    assert run_cli("streams", "parse-failure", "-", stdin="not json").exit_code == 1  # rejected
    assert sys.stdin is before


def test_local_cloud_provisions_the_stack_and_stops(tmp_path: Path) -> None:
    with local_cloud(STACK, time_factor=0.001) as cloud:
        assert set(cloud.resources) >= {"table:orders", "queue:seen", "function:billing"}
        assert cloud.environment["AWS_ENDPOINT_URL"] == cloud.endpoint
        sqs = cloud.clients.client("sqs")
        url = cloud.resources["queue:seen"]
        for body in ("a", "b", "c"):
            sqs.send_message(QueueUrl=url, MessageBody=body)
        got = drain_queue(url, 3, clients=cloud.clients, timeout=10)
        assert sorted(m["Body"] for m in got) == ["a", "b", "c"]
        sqs.send_message(QueueUrl=url, MessageBody="d")
        (taken,) = drain_queue(url, clients=cloud.clients, delete=True)
        assert taken["Body"] == "d"
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "3"  # d was deleted
        host, port = cloud.endpoint.removeprefix("http://").split(":")
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection((host, int(port)), timeout=2),
    ):
        pass
