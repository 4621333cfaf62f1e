"""The Terraform examples' consumer (terraform/examples/consumers/consumer.py): every event shape a
consumer of the stream receives, and its failure paths."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.functional.fanout.conftest import make_record

PATH = Path(__file__).parents[2] / "terraform/examples/consumers/consumer.py"


class Ledger:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def batch_writer(self, overwrite_by_pkeys: list[str]) -> Ledger:
        return self

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def put_item(self, Item: dict[str, Any]) -> None:  # boto3 names it Item
        self.items.append(Item)


@pytest.fixture
def consumer(monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, Ledger]:
    spec = importlib.util.spec_from_file_location("example_consumer", PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ledger = Ledger()
    monkeypatch.setattr(module, "_table", ledger)
    monkeypatch.setenv("CONSUMER", "search")
    monkeypatch.setenv("LEDGER_TABLE", "ledger")
    return module, ledger


def _record(seq: int, amount: int) -> dict[str, Any]:
    record = make_record(seq)
    record["dynamodb"]["NewImage"]["amount"] = {"N": str(amount)}
    return record


def test_stream_event_from_a_mapping_or_fan_out(consumer: tuple[ModuleType, Ledger]) -> None:
    module, ledger = consumer
    assert module.handler({"Records": [_record(1, 10), _record(2, 11)]}, None) == {
        "batchItemFailures": []
    }
    assert [i["pk"] for i in ledger.items] == [
        "search#processed#order-1",
        "search#processed#order-2",
    ]


def test_sqs_event_of_fan_out_messages_reports_rejected_messages(
    consumer: tuple[ModuleType, Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    module, ledger = consumer
    monkeypatch.setenv("REJECT_MULTIPLES_OF", "7")
    event = {
        "Records": [
            {
                "eventSource": "aws:sqs",
                "messageId": "m1",
                "body": json.dumps({"Records": [_record(1, 14)]}),
            },
            {"eventSource": "aws:sqs", "messageId": "m2", "body": json.dumps(_record(2, 3))},
        ]
    }
    assert module.handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert sorted(i["pk"] for i in ledger.items) == [
        "search#processed#order-2",
        "search#rejected#order-1",
    ]


def test_sns_and_async_invocations_fail_on_rejection(
    consumer: tuple[ModuleType, Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    module, ledger = consumer
    monkeypatch.setenv("REJECT_MULTIPLES_OF", "7")
    sns = {"Records": [{"Sns": {"Message": json.dumps(_record(3, 21))}}]}
    with pytest.raises(ValueError, match=r"search rejected orders \['order-3'\]"):
        module.handler(sns, None)
    with pytest.raises(ValueError, match="order-4"):
        module.handler({"Records": [_record(4, 70)]}, None)
    assert [i["pk"] for i in ledger.items] == ["search#rejected#order-3", "search#rejected#order-4"]
