"""Filter semantics, table-driven against the documented examples of Lambda event filtering.

Sources (cited per case):
- [LF] Lambda "Filter rule syntax" and "Multi-level filtering",
  https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
- [DDB] Lambda "Using event filtering with a DynamoDB event source" (CustomerName / AccountManager /
  PaymentTerms examples), https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html
- [EB] EventBridge "Content filtering in event patterns" and "Comparison operators",
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
  (Lambda: "Lambda supports the same set of syntax and rules as Amazon EventBridge")
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.fanout.filters import (
    FilterError,
    compile_filter_criteria,
    compile_filters,
    compile_pattern,
)
from tests.support.events import load_event
from tests.support.strategies import lambda_records

# [DDB] the example record of the DynamoDB filtering page.
DDB_RECORD: dict[str, Any] = {
    "eventID": "1",
    "eventVersion": "1.0",
    "eventName": "INSERT",
    "dynamodb": {
        "ApproximateCreationDateTime": "1678831218.0",
        "Keys": {"CustomerName": {"S": "AnyCompany Industries"}},
        "NewImage": {
            "AccountManager": {"S": "Pat Candella"},
            "PaymentTerms": {"S": "60 days"},
            "CustomerName": {"S": "AnyCompany Industries"},
        },
        "SequenceNumber": "111",
        "SizeBytes": 26,
        "StreamViewType": "NEW_IMAGE",
    },
}

# [LF] "Multi-level filtering": the DynamoDB data object with Id N "101".
MULTI_LEVEL = {
    "dynamodb": {
        "Keys": {"Id": {"N": "101"}},
        "NewImage": {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
        "SequenceNumber": "111",
        "SizeBytes": 26,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
}

# [EB] example event fields used by the EventBridge operator examples.
EB_EVENT: dict[str, Any] = {
    "time": "2017-10-02T18:43:48Z",
    "source": "aws.cloudwatch",
    "detail-type": "EC2 Instance State-change Notification",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"],
    "detail": {
        "state": "terminated",
        "service": "EventBridge",
        "FileName": "photo.PNG",
        "c-count": 5,
        "d-count": 7,
        "x-limit": 301.8,
        "eventVersion": "",
        "responseElements": None,
        "metricName": "CPUUtilization",
        "namespace": "AWS/Lambda",
        "Region": "us-east-1",
        "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default",
    },
}

CASES: list[tuple[str, Any, Any, bool]] = [
    # --- [DDB] filtering on table keys and attributes -------------------------------------------
    (
        "ddb key equals",
        {"dynamodb": {"Keys": {"CustomerName": {"S": ["AnyCompany Industries"]}}}},
        DDB_RECORD,
        True,
    ),
    (
        "ddb key other",
        {"dynamodb": {"Keys": {"CustomerName": {"S": ["Other Co"]}}}},
        DDB_RECORD,
        False,
    ),
    (
        "ddb attribute equals",
        {"dynamodb": {"NewImage": {"AccountManager": {"S": ["Pat Candella"]}}}},
        DDB_RECORD,
        True,
    ),
    (
        "ddb boolean AND both",
        {
            "dynamodb": {
                "NewImage": {
                    "AccountManager": {"S": ["Pat Candella"]},
                    "PaymentTerms": {"S": ["60 days"]},
                }
            }
        },
        DDB_RECORD,
        True,
    ),
    (
        "ddb boolean AND one fails",
        {
            "dynamodb": {
                "NewImage": {
                    "AccountManager": {"S": ["Pat Candella"]},
                    "PaymentTerms": {"S": ["30 days"]},
                }
            }
        },
        DDB_RECORD,
        False,
    ),
    (
        "ddb OR of values",
        {"dynamodb": {"NewImage": {"PaymentTerms": {"S": ["30 days", "60 days"]}}}},
        DDB_RECORD,
        True,
    ),
    (
        "ddb exists on leaf",
        {"dynamodb": {"NewImage": {"AccountManager": {"S": [{"exists": True}]}}}},
        DDB_RECORD,
        True,
    ),
    (
        "ddb exists false on leaf",
        {"dynamodb": {"NewImage": {"AccountManager": {"S": [{"exists": False}]}}}},
        DDB_RECORD,
        False,
    ),
    (
        "ddb exists false, missing attribute",
        {"dynamodb": {"NewImage": {"Phone": {"S": [{"exists": False}]}}}},
        DDB_RECORD,
        True,
    ),
    # exists only works on leaf nodes: AccountManager's value is an object, so no match.
    (
        "ddb exists on intermediate node",
        {"dynamodb": {"NewImage": {"AccountManager": [{"exists": True}]}}},
        DDB_RECORD,
        False,
    ),
    ("metadata eventName", {"eventName": ["INSERT"]}, DDB_RECORD, True),
    ("metadata eventName other", {"eventName": ["REMOVE", "MODIFY"]}, DDB_RECORD, False),
    # --- [LF] multi-level: N values are strings in the record ---------------------------------
    ("multi-level N equals", {"dynamodb": {"Keys": {"Id": {"N": ["101"]}}}}, MULTI_LEVEL, True),
    (
        "N is a string, a number never equals it",
        {"dynamodb": {"Keys": {"Id": {"N": [101]}}}},
        MULTI_LEVEL,
        False,
    ),
    (
        "numeric never matches an N string",
        {"dynamodb": {"Keys": {"Id": {"N": [{"numeric": [">", 100]}]}}}},
        MULTI_LEVEL,
        False,
    ),
    (
        "prefix works on N strings",
        {"dynamodb": {"Keys": {"Id": {"N": [{"prefix": "10"}]}}}},
        MULTI_LEVEL,
        True,
    ),
    # --- [LF] filter rule syntax table ----------------------------------------------------------
    ("null", {"UserID": [None]}, {"UserID": None}, True),
    ("null vs value", {"UserID": [None]}, {"UserID": "u1"}, False),
    ("null vs missing", {"UserID": [None]}, {}, False),
    ("empty", {"LastName": [""]}, {"LastName": ""}, True),
    ("empty vs value", {"LastName": [""]}, {"LastName": "Doe"}, False),
    ("equals", {"Name": ["Alice"]}, {"Name": "Alice"}, True),
    ("equals is case sensitive", {"Name": ["Alice"]}, {"Name": "alice"}, False),
    (
        "and",
        {"Location": ["New York"], "Day": ["Monday"]},
        {"Location": "New York", "Day": "Monday"},
        True,
    ),
    (
        "and one missing",
        {"Location": ["New York"], "Day": ["Monday"]},
        {"Location": "New York"},
        False,
    ),
    ("or", {"PaymentType": ["Credit", "Debit"]}, {"PaymentType": "Debit"}, True),
    ("not", {"Weather": [{"anything-but": ["Raining"]}]}, {"Weather": "Sunny"}, True),
    ("not, excluded", {"Weather": [{"anything-but": ["Raining"]}]}, {"Weather": "Raining"}, False),
    ("not, missing field", {"Weather": [{"anything-but": ["Raining"]}]}, {}, False),
    ("numeric equals", {"Price": [{"numeric": ["=", 100]}]}, {"Price": 100}, True),
    ("numeric equals 100.0", {"Price": [{"numeric": ["=", 100]}]}, {"Price": 100.0}, True),
    ("numeric range in", {"Price": [{"numeric": [">", 10, "<=", 20]}]}, {"Price": 20}, True),
    ("numeric range low edge", {"Price": [{"numeric": [">", 10, "<=", 20]}]}, {"Price": 10}, False),
    ("numeric on a string", {"Price": [{"numeric": [">", 10]}]}, {"Price": "15"}, False),
    ("exists", {"ProductName": [{"exists": True}]}, {"ProductName": "x"}, True),
    ("exists, missing", {"ProductName": [{"exists": True}]}, {}, False),
    ("does not exist", {"ProductName": [{"exists": False}]}, {}, True),
    ("does not exist, present", {"ProductName": [{"exists": False}]}, {"ProductName": "x"}, False),
    ("begins with", {"Region": [{"prefix": "us-"}]}, {"Region": "us-east-1"}, True),
    ("begins with, other", {"Region": [{"prefix": "us-"}]}, {"Region": "eu-west-1"}, False),
    # "For numbers, Lambda also uses string representation: 300, 300.0 and 3.0e2 are not equal."
    ("exact number 300 vs 300", {"a": [300]}, {"a": 300}, True),
    ("exact number 300 vs 300.0", {"a": [300]}, {"a": 300.0}, False),
    ("console example a in [1, 2]", {"a": [1, 2]}, {"a": 2}, True),
    # Kinesis example of the same page: metadata + data properties.
    (
        "kinesis partition key and data",
        {"partitionKey": ["1"], "data": {"Location": ["Los Angeles"]}},
        {"partitionKey": "1", "data": {"Location": "Los Angeles"}},
        True,
    ),
    (
        "temperature range",
        {"data": {"Temperature": [{"numeric": [">", 50, "<=", 60]}]}},
        {"data": {"Temperature": 55}},
        True,
    ),
    (
        "temperature out of range",
        {"data": {"Temperature": [{"numeric": [">", 50, "<=", 60]}]}},
        {"data": {"Temperature": 61}},
        False,
    ),
    # --- [EB] EventBridge operators -------------------------------------------------------------
    ("eb prefix time", {"time": [{"prefix": "2017-10-02"}]}, EB_EVENT, True),
    (
        "eb prefix ignore case",
        {"detail": {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}},
        EB_EVENT,
        True,
    ),
    ("eb suffix", {"detail": {"FileName": [{"suffix": ".png"}]}}, EB_EVENT, False),
    (
        "eb suffix ignore case",
        {"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}},
        EB_EVENT,
        True,
    ),
    (
        "eb anything-but string",
        {"detail": {"state": [{"anything-but": "initializing"}]}},
        EB_EVENT,
        True,
    ),
    ("eb anything-but number", {"detail": {"c-count": [{"anything-but": 5}]}}, EB_EVENT, False),
    (
        "eb anything-but list",
        {"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}},
        EB_EVENT,
        False,
    ),
    (
        "eb anything-but prefix",
        {"detail": {"Region": [{"anything-but": {"prefix": "us-"}}]}},
        EB_EVENT,
        False,
    ),
    (
        "eb anything-but suffix",
        {"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}},
        EB_EVENT,
        True,
    ),
    (
        "eb anything-but ignore case",
        {
            "detail": {
                "state": [{"anything-but": {"equals-ignore-case": ["Stopped", "TERMINATED"]}}]
            }
        },
        EB_EVENT,
        False,
    ),
    (
        "eb anything-but wildcard",
        {"detail": {"FileName": [{"anything-but": {"wildcard": "*/lib/*"}}]}},
        EB_EVENT,
        True,
    ),
    (
        "eb numeric example",
        {
            "detail": {
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"numeric": ["=", 3.018e2]}],
            }
        },
        EB_EVENT,
        True,
    ),
    ("eb exists true", {"detail": {"state": [{"exists": True}]}}, EB_EVENT, True),
    ("eb exists false", {"detail": {"no-such": [{"exists": False}]}}, EB_EVENT, True),
    (
        "eb exists false under a missing object",
        {"missing": {"deeper": [{"exists": False}]}},
        EB_EVENT,
        True,
    ),
    (
        "eb equals-ignore-case",
        {"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]},
        EB_EVENT,
        True,
    ),
    (
        "eb wildcard",
        {"detail": {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}},
        EB_EVENT,
        True,
    ),
    (
        "eb wildcard no match",
        {"detail": {"EventBusArn": [{"wildcard": "arn:aws:events:eu-*"}]}},
        EB_EVENT,
        False,
    ),
    ("eb empty string", {"detail": {"eventVersion": [""]}}, EB_EVENT, True),
    ("eb null", {"detail": {"responseElements": [None]}}, EB_EVENT, True),
    (
        "eb array value matches an element",
        {"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]},
        EB_EVENT,
        True,
    ),
    (
        "eb $or numeric",
        {
            "detail": {
                "$or": [
                    {"c-count": [{"numeric": [">", 10]}]},
                    {"d-count": [{"numeric": ["<", 10]}]},
                ]
            }
        },
        EB_EVENT,
        True,
    ),
    (
        "eb $or none",
        {
            "detail": {
                "$or": [
                    {"c-count": [{"numeric": [">", 10]}]},
                    {"d-count": [{"numeric": [">", 10]}]},
                ]
            }
        },
        EB_EVENT,
        False,
    ),
    (
        "eb $or with AND outside",
        {
            "source": ["aws.cloudwatch"],
            "detail": {
                "$or": [
                    {"metricName": ["CPUUtilization", "ReadLatency"]},
                    {"namespace": ["AWS/EC2", "AWS/ES"]},
                ]
            },
        },
        EB_EVENT,
        True,
    ),
    (
        "eb $or AND fails",
        {
            "source": ["aws.ec2"],
            "detail": {"$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]},
        },
        EB_EVENT,
        False,
    ),
    ("empty pattern matches all", {}, EB_EVENT, True),
]


@pytest.mark.parametrize(
    ("pattern", "record", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_documented_examples(pattern: Any, record: Any, expected: bool) -> None:
    assert compile_pattern(pattern).matches(record) is expected
    # The same pattern as an ESM FilterCriteria string behaves the same.
    criteria = {"Filters": [{"Pattern": json.dumps(pattern)}]}
    assert compile_filter_criteria(criteria).matches(record) is expected


def test_issue_example_filter_on_a_stream_event() -> None:
    event = load_event("dynamodb-stream-event.json")
    pattern = compile_pattern(
        {
            "eventName": ["INSERT", "MODIFY"],
            "dynamodb": {"NewImage": {"Message": {"S": [{"prefix": "New"}]}}},
        }
    )
    assert [r["eventName"] for r in event["Records"] if pattern.matches(r)] == ["INSERT"]


def test_filters_are_ored_and_none_matches_everything() -> None:
    filters = compile_filters([{"eventName": ["INSERT"]}, {"eventName": ["REMOVE"]}])
    assert filters.matches({"eventName": "REMOVE"})
    assert not filters.matches({"eventName": "MODIFY"})
    assert compile_filters(None).matches({"anything": 1})


def test_string_set_values_match_any_member() -> None:
    record = {"dynamodb": {"NewImage": {"tags": {"SS": ["red", "blue"]}}}}
    assert compile_pattern({"dynamodb": {"NewImage": {"tags": {"SS": ["blue"]}}}}).matches(record)
    assert not compile_pattern({"dynamodb": {"NewImage": {"tags": {"SS": ["green"]}}}}).matches(
        record
    )


INVALID: list[tuple[Any, str]] = [
    ({"a": "x"}, "a"),
    ({"a": []}, "a"),
    ({"a": [{"numeric": [">"]}]}, "a[0]"),
    ({"a": [{"numeric": ["~", 1]}]}, "a[0]"),
    ({"a": [{"numeric": [">", "1"]}]}, "a[0]"),
    ({"a": [{"prefix": 1}]}, "a[0]"),
    ({"a": [{"exists": "yes"}]}, "a[0]"),
    ({"a": [{"cidr": "10.0.0.0/24"}]}, "a[0]"),
    ({"a": [{"prefix": "x", "suffix": "y"}]}, "a[0]"),
    ({"b": {"$or": [{"a": ["x"]}]}}, "b.$or"),
    ({"a": [{"anything-but": {"contains": "x"}}]}, "a[0]"),
    ({"a": [{"wildcard": "a**b"}]}, "a[0]"),
    ("[1, 2]", "pattern"),
    ("{not json", "pattern"),
]


@pytest.mark.parametrize(("pattern", "field"), INVALID)
def test_invalid_patterns_name_the_path(pattern: Any, field: str) -> None:
    with pytest.raises(FilterError) as raised:
        compile_pattern(pattern)
    assert raised.value.field == field


def test_filter_criteria_shape_is_checked() -> None:
    with pytest.raises(FilterError, match="Filters"):
        compile_filter_criteria({"Filters": "x"})
    with pytest.raises(FilterError, match=r"Filters\[0\]"):
        compile_filter_criteria({"Filters": [{"Pattern": {"a": ["x"]}}]})
    assert compile_filter_criteria(None).matches({})


@given(lambda_records())
def test_a_record_always_matches_its_own_event_name_and_keys(record: dict[str, Any]) -> None:
    keys = {
        name: {kind: [value]}
        for name, typed in record["dynamodb"]["Keys"].items()
        for kind, value in typed.items()
    }
    pattern = compile_pattern({"eventName": [record["eventName"]], "dynamodb": {"Keys": keys}})
    assert pattern.matches(record)
    other = {"INSERT": "REMOVE", "MODIFY": "INSERT", "REMOVE": "MODIFY"}[record["eventName"]]
    assert not compile_pattern({"eventName": [other]}).matches(record)


@given(st.text(max_size=10), st.text(max_size=10))
def test_prefix_and_anything_but_prefix_are_complements(value: str, prefix: str) -> None:
    record = {"v": value}
    yes = compile_pattern({"v": [{"prefix": prefix}]}).matches(record)
    no = compile_pattern({"v": [{"anything-but": {"prefix": prefix}}]}).matches(record)
    assert yes != no
