"""Claim checks that cannot be resolved fail with a typed error naming what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from quirks.errors import FormatError
from quirks.fanout.claimcheck import CLAIM_CHECK_KEY, ClaimCheckError, resolve_claim_check


@pytest.mark.parametrize(
    ("message", "match"),
    [
        ({"Records": []}, "not a claim-check message"),
        ('{"quirksClaimCheck": "s3://b/k"}', "not a claim-check message"),
        ({CLAIM_CHECK_KEY: {"key": "k", "sha256": "0"}}, r"^quirksClaimCheck\.bucket: is missing"),
        (
            {CLAIM_CHECK_KEY: {"bucket": "b", "key": 7, "sha256": "0"}},
            r"^quirksClaimCheck\.key: expected a string, got int",
        ),
    ],
)
def test_what_is_not_a_claim_check_is_refused_before_any_read(message: Any, match: str) -> None:
    with pytest.raises(ClaimCheckError, match=match) as raised:
        resolve_claim_check(message)
    assert isinstance(raised.value, FormatError)
    assert isinstance(raised.value, ValueError)  # what callers caught before
