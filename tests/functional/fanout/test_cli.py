"""``quirks fanout check`` and ``simulate``: output, exit codes, one-line errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from quirks.testing import run_cli
from tests.support.events import EVENTS, load_event

if TYPE_CHECKING:
    from pathlib import Path

CONFIG = str(EVENTS / "fanout-config.json")
EVENT = str(EVENTS / "dynamodb-stream-event.json")


def test_check_json_explains_targets_filters_and_limits() -> None:
    code, out, err = run_cli("fanout", "check", CONFIG, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["valid"] is True
    assert data["checkpoint_table"] == "fanout-checkpoints"
    targets = {t["id"]: t for t in data["targets"]}
    assert targets["billing"]["limits"] == {
        "message_bytes": 1_048_576,
        "entries_per_call": 1,
        "bytes_per_call": 1_048_576,
    }
    assert targets["audit"]["limits"]["entries_per_call"] == 10
    assert targets["audit"]["on_failure"] == {
        "mode": "block",
        "destination": "s3://fanout-failures/audit",
    }
    assert targets["bus"]["source"] == "orders"
    assert targets["bus"]["detail_type"] == "DynamoDB Stream Record"
    assert targets["billing"]["filter"]["eventName"] == ["INSERT", "MODIFY"]
    assert any("claim_check" in w for w in targets["billing"]["warnings"])


def test_check_table_for_humans() -> None:
    code, out, err = run_cli("fanout", "check", CONFIG)
    assert code == 0
    assert "billing" in out
    assert "valid, 3 targets" in out
    assert "warning: billing: no claim_check" in err


def test_check_bad_config_is_one_line_naming_target_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "targets": [
                    {
                        "id": "billing",
                        "type": "lambda",
                        "destination": "fn",
                        "filter": {"eventName": "INSERT"},
                        "on_failure": {"destination": "s3://b/p"},
                    }
                ]
            }
        )
    )
    code, out, err = run_cli("fanout", "check", str(bad), "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "targets[billing].filter.eventName" in err
    assert "(fix:" in err


def test_simulate_shows_routing_without_sending() -> None:
    # No AWS endpoint is configured in this test: anything sent would fail.
    code, out, err = run_cli("fanout", "simulate", CONFIG, "--event", EVENT, "--json")
    assert code == 0, err
    data = json.loads(out)
    event = load_event("dynamodb-stream-event.json")
    assert data["records"] == len(event["Records"])
    targets = {t["id"]: t for t in data["targets"]}
    sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
    assert targets["billing"]["sequence_numbers"] == [sequences[0]]
    assert (targets["billing"]["messages"], targets["billing"]["calls"]) == (1, 1)
    assert targets["audit"]["sequence_numbers"] == sequences
    assert targets["audit"]["messages"] == len(sequences)
    assert targets["audit"]["calls"] == 1
    assert targets["bus"]["sequence_numbers"] == [
        r["dynamodb"]["SequenceNumber"] for r in event["Records"] if r["eventName"] == "REMOVE"
    ]


def test_simulate_reports_records_that_would_fail(tmp_path: Path) -> None:
    event = load_event("dynamodb-stream-event.json")
    event["Records"][0]["dynamodb"]["NewImage"]["Message"] = {"S": "New " + "x" * 1_100_000}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(event))
    code, out, _ = run_cli("fanout", "simulate", CONFIG, "--event", str(path), "--json")
    assert code == 0
    targets = {t["id"]: t for t in json.loads(out)["targets"]}
    assert (
        targets["billing"]["would_fail"][0]["SequenceNumber"]
        == event["Records"][0]["dynamodb"]["SequenceNumber"]
    )
    assert targets["billing"]["messages"] == 0


def test_simulate_rejects_a_bad_event_naming_the_field(tmp_path: Path) -> None:
    event = load_event("dynamodb-stream-event.json")
    del event["Records"][1]["dynamodb"]["SequenceNumber"]
    path = tmp_path / "bad-event.json"
    path.write_text(json.dumps(event))
    code, out, err = run_cli("fanout", "simulate", CONFIG, "--event", str(path))
    assert code == 2
    assert out == ""
    assert "Records[1].dynamodb.SequenceNumber" in err


def test_simulate_table() -> None:
    code, out, _ = run_cli("fanout", "simulate", CONFIG, "--event", EVENT)
    assert code == 0
    assert "nothing sent" in out
    assert "audit (sqs)" in out


def test_check_warns_on_filters_that_can_never_match(tmp_path: Path) -> None:
    config = {
        "failure_destination": "s3://fanout-failures/all",
        "targets": [
            {
                "id": "notify",
                "type": "sns",
                "destination": "arn:aws:sns:us-east-1:123456789012:big-orders",
                "filter": {"dynamodb": {"NewImage": {"amount": {"N": [{"numeric": [">", 100]}]}}}},
            },
            {
                "id": "exact",
                "type": "sqs",
                "destination": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                "filter": {"dynamodb": {"Keys": {"pk": {"N": [42, "43"]}}}},
            },
        ],
    }
    path = tmp_path / "fanout.json"
    path.write_text(json.dumps(config))
    code, out, err = run_cli("fanout", "check", str(path), "--json")
    assert code == 0, err
    warnings = {t["id"]: t["warnings"] for t in json.loads(out)["targets"]}
    assert any(
        w.startswith("filter.dynamodb.NewImage.amount.N[0]: a numeric rule never matches")
        for w in warnings["notify"]
    )
    assert any("the number 42 never matches" in w for w in warnings["exact"])
    assert not any("43" in w for w in warnings["exact"])
    code, _, err = run_cli("fanout", "check", str(path))
    assert "warning: notify: filter.dynamodb.NewImage.amount.N[0]: a numeric rule" in err


@pytest.mark.parametrize("columns", ["80", "120", "400"])
def test_check_never_truncates_destinations(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    code, out, _ = run_cli("fanout", "check", CONFIG)
    assert code == 0
    for value in (
        "https://sqs.us-east-1.amazonaws.com/123456789012/billing-failures",
        "https://sqs.us-east-1.amazonaws.com/123456789012/audit",
        "s3://fanout-failures/audit",
        "lambda-event",
        "1,048,576",
    ):
        assert value in out, value
    assert "…" not in out
    assert ("┏" in out) is (columns == "400")  # a table only where it fits
