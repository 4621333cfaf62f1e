"""The archive format: gzip-compressed JSON Lines of Lambda event records.

Each line of a ``*.jsonl.gz`` archive is exactly one record of a Lambda DynamoDB stream event
(``event["Records"][i]``), as compact UTF-8 JSON. Replaying an archive is therefore
``{"Records": [json.loads(line) for line in lines]}``. See ``docs/formats.md``.

Archives are written deterministically (gzip ``mtime`` 0, no file name in the header), so the same
records always give the same bytes: re-running a recovery rewrites identical objects.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from quirks import jsonsafe
from quirks.durable import write_file_durably
from quirks.errors import FormatError, RecordFormatError
from quirks.streams.codec import record_from_lambda, record_to_lambda
from quirks.streams.encoding import encode_record
from quirks.streams.model import StreamRecord

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator

__all__ = [
    "ARCHIVE_SUFFIX",
    "Line",
    "decode_line",
    "encode_archive",
    "encode_line",
    "iter_archive",
    "read_archive",
    "write_archive",
    "write_archive_file",
]

ARCHIVE_SUFFIX = ".jsonl.gz"
_COMPRESS_LEVEL = 6


Line = StreamRecord | dict[str, Any] | bytes
"""What an archive line is made from: a record, a Lambda event record dict, or that dict already
encoded by :func:`quirks.streams.encoding.encode_record` (used as is: no second encode)."""


def _as_lambda(record: StreamRecord | dict[str, Any]) -> dict[str, Any]:
    if isinstance(record, StreamRecord):
        return record_to_lambda(record)
    # Validate before writing: an archive must only ever hold records that can be replayed.
    record_from_lambda(record)
    return record


def encode_line(record: Line) -> bytes:
    """One archive line (with its trailing newline) for a record, a Lambda event record dict, or
    the bytes :func:`~quirks.streams.encoding.encode_record` made of one (trusted, not re-parsed:
    the caller encoded a record it has already read)."""
    if isinstance(record, bytes):
        if b"\n" in record:  # compact JSON escapes newlines: this is not one encoded record
            raise RecordFormatError("record", "encoded record contains a line break")
        return record + b"\n"
    try:
        return encode_record(_as_lambda(record)) + b"\n"
    except UnicodeEncodeError as exc:
        raise RecordFormatError("record", f"contains text that is not valid UTF-8: {exc}") from None


def decode_line(line: bytes | str, line_number: int = 0) -> dict[str, Any]:
    """Decode and validate one archive line into a Lambda event record dict."""
    where = f"line {line_number}" if line_number else "line"
    try:
        data = jsonsafe.loads(line, where)
    except FormatError as exc:
        raise RecordFormatError(where, exc.problem) from None
    if not isinstance(data, dict):
        raise RecordFormatError(where, "is not a JSON object")
    record_from_lambda(data, where)
    return data


def encode_archive(records: Iterable[Line]) -> bytes:
    """A whole archive, in memory, for records in the order given."""
    buffer = io.BytesIO()
    write_archive(records, buffer)
    return buffer.getvalue()


def write_archive(records: Iterable[Line], sink: IO[bytes]) -> int:
    """Write an archive to a binary file object; returns the number of records written."""
    count = 0
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=sink, mtime=0, compresslevel=_COMPRESS_LEVEL
    ) as gz:
        for record in records:
            gz.write(encode_line(record))
            count += 1
    return count


def iter_archive(source: IO[bytes]) -> Iterator[dict[str, Any]]:
    """Yield the Lambda event records of an archive read from a binary file object.

    Lines are split on ``\\n`` only: a record's strings may contain U+2028 and other characters that
    ``str.splitlines`` would treat as line breaks.
    """
    with gzip.GzipFile(fileobj=source, mode="rb") as gz:
        for number, line in enumerate(gz, start=1):
            if line.strip():
                yield decode_line(line, number)


def read_archive(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """All records of an archive file."""
    with open(path, "rb") as handle:
        return list(iter_archive(handle))


def write_archive_file(
    path: str | os.PathLike[str], records: Iterable[StreamRecord | dict[str, Any]]
) -> int:
    """Write an archive file durably and atomically; returns the number of records.

    See :func:`quirks.storage.write_file_durably`: when this returns, the archive survives a crash,
    and a reader never sees a partial file.
    """
    buffer = io.BytesIO()
    count = write_archive(records, buffer)
    write_file_durably(Path(path), buffer.getvalue())
    return count
