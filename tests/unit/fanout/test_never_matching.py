"""``never_matching``: the valid filter rules that can never match a DynamoDB stream record.

Each warning is checked against the filter compiler itself: the rule it names does not match a
record that has the value it seems to ask for (as on Lambda, where DynamoDB attribute values arrive
wrapped in their type, ``{"N": "101"}``:
https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html).
"""

from __future__ import annotations

from typing import Any

import pytest

from quirks.fanout.filters import compile_pattern, never_matching

RECORD = {"dynamodb": {"Keys": {"pk": {"N": "42"}}, "NewImage": {"amount": {"N": "101"}}}}


@pytest.mark.parametrize(
    ("pattern", "where"),
    [
        (
            {"dynamodb": {"NewImage": {"amount": {"N": [{"numeric": [">", 100]}]}}}},
            "filter.dynamodb.NewImage.amount.N[0]: a numeric rule never matches",
        ),
        (
            {"dynamodb": {"NewImage": {"amount": [{"numeric": [">", 100]}]}}},
            "filter.dynamodb.NewImage.amount[0]: a numeric rule never matches",
        ),
        (
            {"dynamodb": {"Keys": {"pk": [42]}}},
            "filter.dynamodb.Keys.pk[0]: the number 42 never matches",
        ),
        (
            {"dynamodb": {"OldImage": {"amount": [{"numeric": ["<", 5]}]}}},
            "filter.dynamodb.OldImage.amount[0]: a numeric rule never matches",
        ),
        (
            {
                "$or": [
                    {"dynamodb": {"NewImage": {"amount": [{"numeric": [">", 1]}]}}},
                    {"a": ["b"]},
                ]
            },
            "filter.$or[0].dynamodb.NewImage.amount[0]: a numeric rule never matches",
        ),
    ],
)
def test_rules_that_never_match_are_named(pattern: dict[str, Any], where: str) -> None:
    (note,) = never_matching(pattern)
    assert note.startswith(where), note
    assert not compile_pattern(pattern).matches(RECORD)  # and indeed they do not


def test_an_attribute_without_a_type_key_gets_the_fix() -> None:
    (note,) = never_matching({"dynamodb": {"NewImage": {"amount": [{"numeric": [">", 100]}]}}})
    assert 'wrap it in the type: {"amount": {"N": [...]}}' in note
    assert "filter in the consumer" in note


@pytest.mark.parametrize(
    "pattern",
    [
        {"dynamodb": {"NewImage": {"amount": {"N": ["101"]}}}},
        {"dynamodb": {"NewImage": {"amount": {"N": [{"prefix": "1"}]}}}},
        {"dynamodb": {"NewImage": {"amount": [{"exists": True}]}}},
        {"amount": [{"numeric": [">", 100]}]},  # not a stream record's image: plain JSON numbers
        {"dynamodb": {"SizeBytes": [{"numeric": [">", 10]}]}},  # a number in stream records
        None,
        "{not json",
    ],
)
def test_rules_that_can_match_are_quiet(pattern: Any) -> None:
    assert never_matching(pattern) == []


def test_the_first_quiet_rule_does_match() -> None:
    pattern = {"dynamodb": {"NewImage": {"amount": {"N": ["101"]}}}}
    assert compile_pattern(pattern).matches(RECORD)
