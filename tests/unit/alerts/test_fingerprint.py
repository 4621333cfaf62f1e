"""Fingerprints ignore ids, numbers and timestamps, and separate different errors."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.alerts.classify import ErrorRecord
from quirks.alerts.fingerprint import fingerprint, normalize

BASE = ErrorRecord(
    kind="python",
    function_name="orders",
    request_id="8f5f1e8a-2b7c-4d1e-9a3f-0c6b5d4e3f21",
    error_type="KeyError",
    message="order 8f5f1e8a-2b7c-4d1e-9a3f-0c6b5d4e3f21 missing after 3 tries at 2024-05-02T10:11:12.345Z",
    stack=(),
    top_frame='File "/var/task/app.py", line 14, in handler',
    timestamp=1,
    log_group="/aws/lambda/orders",
    log_stream="s",
    event_id="1",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("user 123 not found", "user <n> not found"),
        ("id 0c6b5d4e-3f21-4d1e-9a3f-8f5f1e8a2b7c gone", "id <uuid> gone"),
        ("at 0x7f3a2b1c", "at <hex>"),
        ("etag d41d8cd98f00b204e9800998ecf8427e", "etag <hex>"),
        ("order ord-20240502-77 failed", "order <id> failed"),
        ("at 2024-05-02T10:11:12.345Z done", "at <ts> done"),
        ("Timeout   after\n3.5 s", "Timeout after <n> s"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_same_error_with_other_ids_has_the_same_fingerprint() -> None:
    other = dataclasses.replace(
        BASE,
        request_id="00000000-1111-2222-3333-444444444444",
        message="order 0c6b5d4e-3f21-4d1e-9a3f-8f5f1e8a2b7c missing after 7 tries at 2025-01-01T00:00:00.000Z",
        top_frame='File "/var/task/app.py", line 15, in handler',
        timestamp=99,
    )
    assert fingerprint(other) == fingerprint(BASE)
    assert len(fingerprint(BASE)) == 16


@pytest.mark.parametrize(
    "change",
    [
        {"function_name": "payments"},
        {"error_type": "ValueError"},
        {"message": "order table missing"},
        {"top_frame": 'File "/var/task/other.py", line 14, in handler'},
    ],
)
def test_different_errors_have_different_fingerprints(change: dict[str, str]) -> None:
    assert fingerprint(dataclasses.replace(BASE, **change)) != fingerprint(BASE)


@given(st.text(max_size=200))
def test_normalize_removes_every_digit_and_is_idempotent(text: str) -> None:
    normalized = normalize(text)
    assert not any(c.isdecimal() for c in normalized)
    assert normalize(normalized) == normalized
