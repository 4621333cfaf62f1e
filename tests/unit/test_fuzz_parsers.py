"""Every parser of outside input, fuzzed: malformed, truncated, oversized, deeply nested, wrong
types, control characters. Each returns a result or raises its documented error (a FormatError,
hence a ValueError, or a ConfigurationError), never anything else: no crash."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from quirks.alerts.decode import decode_event
from quirks.alerts.patterns import compile_pattern as compile_log_pattern
from quirks.appsync.protocol import parse_message
from quirks.errors import FormatError, UserError
from quirks.fanout.config import parse_config
from quirks.fanout.filters import compile_filters
from quirks.recovery.sources import parse_entry
from quirks.streams.archive import decode_line
from quirks.streams.codec import records_from_lambda_event
from quirks.streams.failures import parse_failure_message, parse_sqs_message, split_messages

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "DDBStreamBatchInfo",
        "KinesisBatchInfo",
        "requestContext",
        "responseContext",
        "requestPayload",
        "payload",
        "Type",
        "Message",
        "Records",
        "dynamodb",
        "SequenceNumber",
        "Keys",
        "shardId",
        "batchSize",
        "startSequenceNumber",
        "endSequenceNumber",
        "streamArn",
        "awslogs",
        "data",
        "messageType",
        "logEvents",
        "targets",
        "type",
        "id",
    ]
)
shaped = st.recursive(
    st.none() | st.integers() | st.text(max_size=12) | st.just("Notification"),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


def _deep(depth: int, opener: str = "[") -> str:
    closer = {"[": "]", "{": "}"}[opener]
    inner = (
        '{"a":' * depth + "1" + "}" * depth if opener == "{" else opener * depth + closer * depth
    )
    return inner


texts = st.one_of(
    st.text(max_size=200),
    st.text(alphabet='[]{}":,\\0123456789aeE.-+ \n\x00', max_size=300),
    st.integers(min_value=0, max_value=3000).map(_deep),
    st.integers(min_value=0, max_value=3000).map(lambda d: _deep(d, "{")),
    json_values.map(json.dumps),
    shaped.map(json.dumps),
    shaped.map(lambda v: json.dumps(v)[: max(0, len(json.dumps(v)) - 3)]),  # truncated
)
anything = st.one_of(texts, st.binary(max_size=200), json_values, shaped)


def _expected(call: Any, *errors: type[BaseException]) -> None:
    try:
        call()
    except (FormatError, *errors):
        pass


@given(anything, st.one_of(st.none(), shaped))
def test_failure_messages(message: Any, attributes: Any) -> None:
    if not isinstance(attributes, dict):
        attributes = None
    _expected(lambda: parse_failure_message(message, attributes))
    if isinstance(message, dict):
        _expected(lambda: parse_sqs_message(message))


@given(anything)
def test_recovery_entries_never_raise(entry: Any) -> None:
    message = parse_entry("m-1", entry)
    assert (message.parsed is None) != (message.error is None)


@given(texts)
def test_message_files(text: str) -> None:
    assert isinstance(split_messages(text), list)


@given(anything)
def test_archive_lines(line: Any) -> None:
    if isinstance(line, str | bytes):
        _expected(lambda: decode_line(line, 1))


@given(shaped)
def test_lambda_stream_events(event: Any) -> None:
    _expected(lambda: list(records_from_lambda_event(event)))


def _awslogs(raw: bytes, how: str) -> dict[str, Any]:
    packed = {"gzip": gzip.compress, "zlib": zlib.compress, "none": bytes}[how](raw)
    return {"awslogs": {"data": base64.b64encode(packed).decode()}}


@given(
    st.one_of(
        anything,
        st.builds(_awslogs, texts.map(str.encode), st.sampled_from(["gzip", "zlib", "none"])),
        st.builds(_awslogs, st.binary(max_size=100), st.sampled_from(["gzip", "zlib"])),
    )
)
def test_log_subscription_payloads(event: Any) -> None:
    _expected(lambda: decode_event(event))


@given(st.one_of(anything, st.dictionaries(keys, shaped, max_size=4)))
def test_fanout_configuration(document: Any) -> None:
    _expected(lambda: parse_config(document), UserError)


@given(st.one_of(anything, st.lists(shaped, max_size=3), st.lists(texts, max_size=3)))
def test_event_filter_patterns(filters: Any) -> None:
    _expected(lambda: compile_filters(filters))


@given(texts, texts)
def test_log_filter_patterns(pattern: str, message: str) -> None:
    try:
        compiled = compile_log_pattern(pattern)
    except FormatError:
        return
    assert compiled.matches(message) in (True, False)


@given(anything)
def test_appsync_frames(frame: Any) -> None:
    if isinstance(frame, str | bytes):
        _expected(lambda: parse_message(frame))
