"""Bounded JSON: every hostile input is a FormatError naming what was parsed, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks import jsonsafe
from quirks.alerts.classify import classify_batch
from quirks.alerts.decode import LogBatch, LogEvent
from quirks.alerts.patterns import compile_pattern
from quirks.errors import FormatError, RecordFormatError
from quirks.streams.archive import decode_line
from quirks.streams.failures import parse_failure_message, split_messages

DEEP = "[" * 1500 + "]" * 1500
DEEP_OBJECT = '{"a":' * 1500 + "1" + "}" * 1500


@pytest.mark.parametrize("text", [DEEP, DEEP_OBJECT, '{"x": ' + DEEP + "}"])
def test_deep_nesting_is_a_format_error(text: str) -> None:
    with pytest.raises(FormatError, match=r"^body: is nested deeper than 128 levels"):
        jsonsafe.loads(text, "body")


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"message": "[" * 5000, "escaped": '\\"[[[[' * 100})
    assert jsonsafe.loads(text, "body")["message"] == "[" * 5000


def test_nesting_up_to_the_limit_parses() -> None:
    text = "[" * jsonsafe.MAX_DEPTH + "]" * jsonsafe.MAX_DEPTH
    assert jsonsafe.loads(text, "body") is not None


def test_size_limit_names_the_message() -> None:
    with pytest.raises(FormatError, match=r"^msg-7: is 11 bytes, more than the 10 accepted"):
        jsonsafe.loads('"123456789"', "msg-7", max_bytes=10)


@pytest.mark.parametrize(("data", "problem"), [(b"\xff", "not UTF-8"), ("{", "not JSON")])
def test_garbage_is_a_format_error(data: Any, problem: str) -> None:
    with pytest.raises(FormatError, match=problem):
        jsonsafe.loads(data, "body")


def test_a_small_stack_recursion_error_is_still_a_format_error() -> None:
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100)
    try:
        with pytest.raises(FormatError, match="nested too deeply"):
            jsonsafe.loads("[" * 120 + "]" * 120, "body")
    finally:
        sys.setrecursionlimit(limit)


@given(st.text(alphabet='[]{}",:\\0a ', max_size=400))
def test_never_anything_but_a_value_or_a_format_error(text: str) -> None:
    field = "fuzz"
    try:
        jsonsafe.loads(text, "fuzz")
    except FormatError as exc:
        field = exc.field
    assert field == "fuzz"


def test_every_parser_of_outside_input_reports_deep_nesting() -> None:
    with pytest.raises(FormatError, match="nested deeper"):
        parse_failure_message(DEEP)
    with pytest.raises(RecordFormatError, match="line 3: is nested deeper"):
        decode_line(DEEP, 3)
    assert split_messages(f"{DEEP}\n{{}}\n") == [DEEP, {}]
    # a JSON log line nested 1,500 deep: matched as text, classified as text, never a crash
    assert not compile_pattern('{ $.level = "ERROR" }').matches(DEEP_OBJECT)
    batch = LogBatch(
        "1", "/aws/lambda/f", "s", (), "DATA_MESSAGE", (LogEvent("1", 1, DEEP_OBJECT),)
    )
    assert classify_batch(batch) == []
