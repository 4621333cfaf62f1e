"""The archive format: gzip JSON Lines whose lines are exactly Lambda event records."""

from __future__ import annotations

import copy
import gzip
import io
import json
import os
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.errors import RecordFormatError
from quirks.streams import (
    decode_line,
    encode_archive,
    encode_line,
    iter_archive,
    read_archive,
    record_from_lambda,
    write_archive_file,
)
from quirks.streams.encoding import encode_records
from quirks.streams.wire import stream_event
from tests.support.events import load_event
from tests.support.strategies import lambda_records

if TYPE_CHECKING:
    from pathlib import Path


@given(st.lists(lambda_records(), max_size=8))
def test_lambda_form_to_archive_and_back_is_identical(records: list[dict[str, Any]]) -> None:
    original = copy.deepcopy(records)
    data = encode_archive(records)
    assert list(iter_archive(io.BytesIO(data))) == original
    assert stream_event(list(iter_archive(io.BytesIO(data)))) == {"Records": original}


@given(st.lists(lambda_records(), max_size=4))
def test_models_and_dicts_write_the_same_bytes(records: list[dict[str, Any]]) -> None:
    models = [record_from_lambda(r) for r in records]
    assert encode_archive(models) == encode_archive(records)


@given(st.lists(lambda_records(), max_size=5))
def test_pre_encoded_records_write_the_same_bytes(records: list[dict[str, Any]]) -> None:
    encoded = encode_records(records)
    assert encode_archive(encoded) == encode_archive(records)
    assert [encode_line(e) for e in encoded] == [encode_line(r) for r in records]


def test_pre_encoded_bytes_must_be_one_line() -> None:
    with pytest.raises(RecordFormatError, match="line break"):
        encode_line(b'{"a":1}\n{"b":2}')


def test_each_line_is_exactly_the_lambda_record_json() -> None:
    records = load_event("dynamodb-stream-event.json")["Records"]
    lines = gzip.decompress(encode_archive(records)).split(b"\n")
    assert lines[-1] == b""
    assert [json.loads(line) for line in lines[:-1]] == records


def test_archives_are_deterministic() -> None:
    records = load_event("dynamodb-stream-event.json")["Records"]
    assert encode_archive(records) == encode_archive(copy.deepcopy(records))


def test_unicode_line_separators_do_not_split_records() -> None:
    record = load_event("dynamodb-stream-event.json")["Records"][0]
    record["dynamodb"]["NewImage"]["Message"] = {"S": "a\u2028b\u2029c\x85d\ne\r"}
    data = encode_archive([record, record])
    assert list(iter_archive(io.BytesIO(data))) == [record, record]


def test_invalid_records_are_never_written() -> None:
    record = load_event("dynamodb-stream-event.json")["Records"][0]
    del record["dynamodb"]["Keys"]
    with pytest.raises(RecordFormatError, match="Keys"):
        encode_line(record)


def test_corrupt_lines_are_reported_with_their_number() -> None:
    good = encode_line(load_event("dynamodb-stream-event.json")["Records"][0])
    data = gzip.compress(good + b"{not json\n")
    with pytest.raises(RecordFormatError, match="line 2"):
        list(iter_archive(io.BytesIO(data)))
    with pytest.raises(RecordFormatError, match="not a JSON object"):
        decode_line(b"[1]")


def test_archive_files_are_written_atomically(tmp_path: Path) -> None:
    records = load_event("dynamodb-stream-event.json")["Records"]
    target = tmp_path / "nested" / "batch.jsonl.gz"
    assert write_archive_file(target, records) == 3
    assert read_archive(target) == records
    assert os.listdir(target.parent) == ["batch.jsonl.gz"]


def test_a_failed_write_leaves_neither_file_nor_temp(tmp_path: Path) -> None:
    good = load_event("dynamodb-stream-event.json")["Records"][0]
    bad = copy.deepcopy(good)
    del bad["eventID"]
    with pytest.raises(RecordFormatError):
        write_archive_file(tmp_path / "x.jsonl.gz", [good, bad])
    assert os.listdir(tmp_path) == []
