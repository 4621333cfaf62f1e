"""Partial batch responses, read as Lambda reads them (aws-facts §2)."""

from __future__ import annotations

import json

import pytest

from quirks.local.pollers import reported_failures
from quirks.local.runtime import InvocationResult


def result(payload: object, *, failed: bool = False) -> InvocationResult:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return InvocationResult("r", body, "Unhandled" if failed else None, None, [], 1.0, "success")


IDS = ["100", "200", "300"]


@pytest.mark.parametrize(
    ("payload", "failed", "expected"),
    [
        ({"batchItemFailures": []}, False, []),
        (None, False, []),
        (b"", False, []),
        (b"not json", False, []),
        ("just a string", False, []),
        ({"batchItemFailures": [{"itemIdentifier": "200"}]}, False, [1]),
        (
            {"batchItemFailures": [{"itemIdentifier": "300"}, {"itemIdentifier": "100"}]},
            False,
            [2, 0],
        ),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, False, None),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, False, None),
        ({"batchItemFailures": [{"itemIdentifier": "999"}]}, False, None),
        ({"batchItemFailures": ["200"]}, False, None),
        ({"batchItemFailures": []}, True, None),
    ],
)
def test_reported_failures(payload: object, failed: bool, expected: list[int] | None) -> None:
    assert reported_failures(result(payload, failed=failed), IDS) == expected
