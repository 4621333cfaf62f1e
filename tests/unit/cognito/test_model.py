"""Record sets round-trip exactly between the Route53 API form and the model."""

from __future__ import annotations

from typing import Any

import pytest

from quirks.cognito.model import (
    ParentState,
    RecordSet,
    placeholder_ip_of,
    placeholder_marker,
    placeholder_record,
)


@pytest.mark.parametrize(
    "raw",
    [
        {
            "Name": "example.com.",
            "Type": "A",
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.1"}],
        },
        {
            "Name": "auth.example.com.",
            "Type": "AAAA",
            "AliasTarget": {
                "HostedZoneId": "Z2FDTNDATAQYW2",
                "DNSName": "d111111abcdef8.cloudfront.net.",
                "EvaluateTargetHealth": False,
            },
        },
        {
            "Name": "www.example.com.",
            "Type": "A",
            "SetIdentifier": "blue",
            "Weight": 10,
            "TTL": 300,
            "ResourceRecords": [{"Value": "203.0.113.1"}, {"Value": "203.0.113.2"}],
        },
    ],
)
def test_record_sets_round_trip_for_exact_deletes(raw: dict[str, Any]) -> None:
    assert RecordSet.from_api(raw).to_api() == raw


def test_weighted_records_are_not_simple() -> None:
    weighted = RecordSet.from_api(
        {"Name": "a.example.com.", "Type": "A", "SetIdentifier": "x", "Weight": 1, "TTL": 1,
         "ResourceRecords": [{"Value": "203.0.113.1"}]}
    )  # fmt: skip
    assert not weighted.is_simple
    assert RecordSet("a.example.com", "A", 1, ("203.0.113.1",)).is_simple


def test_marker_names_its_address_and_domain() -> None:
    marker = placeholder_marker("example.com", "192.0.2.77", "auth.example.com")
    assert marker.name == "_quirks-placeholder.example.com"
    assert marker.values[0].startswith('"')
    assert marker.values[0].endswith('"')
    assert "auth.example.com" in marker.values[0]
    assert placeholder_ip_of(marker) == "192.0.2.77"
    assert placeholder_ip_of(RecordSet(marker.name, "TXT", 60, ('"hello"',))) is None


def test_placeholder_is_ours_only_while_unchanged() -> None:
    marker = placeholder_marker("example.com", "192.0.2.1", "auth.example.com")
    ours = placeholder_record("example.com", "192.0.2.1")
    assert ParentState("example.com", a_record=ours, marker=marker).placeholder_is_ours
    changed = RecordSet("example.com", "A", 60, ("203.0.113.5",))
    assert not ParentState("example.com", a_record=changed, marker=marker).placeholder_is_ours
    longer = RecordSet("example.com", "A", 300, ("192.0.2.1",))
    assert not ParentState("example.com", a_record=longer, marker=marker).placeholder_is_ours
    assert not ParentState("example.com", a_record=ours).placeholder_is_ours
