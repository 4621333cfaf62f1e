"""The filter pattern engine against the documented examples.

Sources of the tables (CloudWatch Logs User Guide and API docs):
- "Filter pattern syntax for metric filters, subscription filters, filter log events, and Live Tail"
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
  (unstructured examples on [ERROR 4xx] lines, "Match everything", %AUTHORIZED%);
- "Using filter patterns to match terms in JSON log events"
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
  ({ $.eventType = "UpdateTrail" }, { $.sourceIPAddress != 123.123.* }, arrays, IS NULL,
  NOT EXISTS, compound && / || examples on the user/users/actions/coordinates event);
- the FilterPattern examples of GetContainerLog (Lightsail): "", "-ERROR", "ERROR Exception",
  "?ERROR ?Exception";
- CDK FilterPattern docs: component = "HttpServer" and (error IS TRUE or latency > 1000).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.alerts.patterns import DEFAULT_PATTERN, PatternError, compile_pattern
from tests.support.events import load_event

UNSTRUCTURED = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
    "[ERROR 500] INTERNAL SERVER ERROR",
    "[WARN 416] INVALID ARGUMENTS FORMAT",
    "[SUCCESS 200] AUTHORIZED REQUEST",
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("ERROR", [0, 1, 2, 3, 4]),
        ("ERROR ARGUMENTS", [2, 3]),
        ("?ERROR ?ARGUMENTS", [0, 1, 2, 3, 4, 5]),
        ('"INTERNAL SERVER ERROR"', [4]),
        ("ERROR -ARGUMENTS", [0, 1, 4]),
        ("-ERROR", [5, 6]),
        ('" "', [0, 1, 2, 3, 4, 5, 6]),
        ("", [0, 1, 2, 3, 4, 5, 6]),
        ("%AUTHORIZED%", [1, 6]),
        ("AUTHORIZED", [6]),  # a bare term is not part of UNAUTHORIZED
        ("%ERROR 4[0-9]+%", [0, 1, 2, 3]),
        ("error", []),  # case sensitive
    ],
)
def test_unstructured_examples(pattern: str, expected: list[int]) -> None:
    compiled = compile_pattern(pattern)
    assert [i for i, line in enumerate(UNSTRUCTURED) if compiled.matches(line)] == expected


CLOUDTRAIL_LIKE = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "ThisFlag": True,
    }
)
USERS = json.dumps(
    {
        "user": {"id": 1, "email": "John.Doe@example.com"},
        "users": [
            {"id": 2, "email": "John.Doe@example.com"},
            {"id": 3, "email": "Jane.Doe@example.com"},
        ],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1], [1, 2]],
    }
)
HTTP = json.dumps({"component": "HttpServer", "error": False, "latency": 1500})


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ('{ $.eventType = "UpdateTrail" }', CLOUDTRAIL_LIKE, True),
        ('{ $.eventType = "CreateTrail" }', CLOUDTRAIL_LIKE, False),
        ("{ $.sourceIPAddress != 123.123.* }", CLOUDTRAIL_LIKE, True),
        ("{ $.sourceIPAddress = 111.111.* }", CLOUDTRAIL_LIKE, True),
        ('{ $.eventType = "Update*" }', CLOUDTRAIL_LIKE, True),
        ('{ $.arrayKey[0] = "value" }', CLOUDTRAIL_LIKE, True),
        ('{ $.arrayKey[1] = "value" }', CLOUDTRAIL_LIKE, False),
        ("{ $.objectList[1].id = 2 }", CLOUDTRAIL_LIKE, True),
        ("{ $.SomeObject IS NULL }", CLOUDTRAIL_LIKE, True),
        ("{ $.eventType IS NULL }", CLOUDTRAIL_LIKE, False),
        ("{ $.SomeOtherObject NOT EXISTS }", CLOUDTRAIL_LIKE, True),
        ("{ $.SomeObject NOT EXISTS }", CLOUDTRAIL_LIKE, False),
        ("{ $.ThisFlag IS TRUE }", CLOUDTRAIL_LIKE, True),
        ("{ $.ThisFlag IS FALSE }", CLOUDTRAIL_LIKE, False),
        ("{ $.eventType = %Update[A-Z]% }", CLOUDTRAIL_LIKE, True),
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', USERS, True),
        (
            '{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }',
            USERS,
            False,
        ),
        (
            '{ $.user.email = "John.Doe@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }',
            USERS,
            True,
        ),
        (
            '{ ($.user.email = "John.Doe@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }',
            USERS,
            False,
        ),
        ("{ $.coordinates[0][1] = 1 }", USERS, True),
        (
            '{ ($.component = "HttpServer") && (($.error IS TRUE) || ($.latency > 1000)) }',
            HTTP,
            True,
        ),
        ("{ $.latency >= 1500 && $.latency <= 1500 && $.latency < 1501 }", HTTP, True),
        ("{ $.latency < 1000 }", HTTP, False),
        ("{ $.missing != 1 }", HTTP, False),  # comparisons need the field
        ('{ $.level = "ERROR" }', "[ERROR] not json", False),
    ],
)
def test_json_examples(pattern: str, event: str, expected: bool) -> None:
    assert compile_pattern(pattern).matches(event) is expected


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("{ $.level = }", "value expected"),
        ('{ $.level "ERROR" }', "operator expected"),
        ("{ level = 1 }", "selector expected"),
        ("{ $.a = 1 && }", "expected at the end"),
        ("{ ($.a = 1 }", "expected at the end"),
        ("{ $.a > abc }", "needs a number"),
        ("{ $.a IS MAYBE }", "not an operator"),
        ("{ $.a = 1", "must end with }"),
        ("[ip, user]", "space-delimited"),
        ("%(a|b)%", "parentheses"),
    ],
)
def test_invalid_patterns_raise_pattern_error(pattern: str, problem: str) -> None:
    with pytest.raises(PatternError, match=problem):
        compile_pattern(pattern)


def test_default_pattern_catches_the_recognized_shapes_and_skips_lifecycle_lines() -> None:
    fixtures = load_event("alerts-log-events.json")
    default = compile_pattern(DEFAULT_PATTERN)
    missed = [c["name"] for c in fixtures["recognized"] if not default.matches(c["message"])]
    assert missed == ["json-critical-lowercase"]  # levels are upper case in Lambda's JSON format
    for line in fixtures["noise"][:4]:  # START, END, REPORT, INIT_START
        assert not default.matches(line)
    assert default.matches('{"level":"ERROR","message":"x"}')
    assert default.matches('{"log_level":"ERROR","errorType":"X"}')


@given(st.text(max_size=60))
def test_compiling_arbitrary_text_raises_only_pattern_error(pattern: str) -> None:
    try:
        compiled = compile_pattern(pattern)
    except PatternError:
        return
    compiled.matches(pattern)
    compiled.matches(CLOUDTRAIL_LIKE)


def test_default_pattern_skips_warnings_that_merely_mention_timeouts() -> None:
    default = compile_pattern(DEFAULT_PATTERN)
    assert not default.matches("WARN timeout soon")
    assert not default.matches("[WARNING]\t2024-05-02T10:11:12Z\tid\tretrying after a timeout")
    assert default.matches('{"type":"platform.runtimeDone","record":{"status":"timeout"}}')
    assert default.matches("2024-05-02T10:11:15Z id Task timed out after 3.00 seconds")


def test_the_terraform_module_default_is_the_default_pattern() -> None:
    variables = Path(__file__).parents[3] / "terraform/modules/error-alerts/variables.tf"
    block = variables.read_text("utf-8").split('variable "filter_pattern"')[1]
    match = re.search(r'default\s*=\s*("(?:[^"\\]|\\.)*")', block)
    assert match
    assert json.loads(match.group(1)) == DEFAULT_PATTERN  # HCL escapes here are JSON's
