"""Reading the archives the toolkit writes, wherever they are: one helper for every command.

Recovery (``quirks recover``, the recovery handler) and the fan-out's diversions write the same
``*.jsonl.gz`` format (docs/formats.md), to a directory or to ``s3://bucket/prefix``. A location
given to ``quirks streams cat`` or ``quirks recover replay`` may be one archive (a path or an
``s3://`` URI) or a directory / prefix, whose archives are read in name order — names sort in
sequence order, so a prefix replays in stream order.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quirks.arns import S3Uri
from quirks.errors import FormatError, UserError
from quirks.storage import S3Store
from quirks.streams.archive import ARCHIVE_SUFFIX, iter_archive

if TYPE_CHECKING:
    from quirks import aws

__all__ = ["read_archives"]

_FIX = "pass *.jsonl.gz archives, a directory or an s3://bucket/prefix holding them"


def _read_one(name: str, data: bytes) -> list[dict[str, Any]]:
    try:
        return list(iter_archive(io.BytesIO(data)))
    except (OSError, EOFError) as exc:
        raise UserError(f"{name} is not a gzip archive: {exc}", _FIX) from None
    except FormatError as exc:
        raise UserError(f"{name}: {exc}", "pass an archive written by quirks") from None


def _s3(location: str, clients: aws.ClientFactory | None) -> list[dict[str, Any]]:
    uri = S3Uri.parse(location)
    if uri.key.endswith(ARCHIVE_SUFFIX):
        try:
            data = S3Store(S3Uri(uri.bucket), clients=clients).get(uri.key)
        except FileNotFoundError:
            raise UserError(f"{location} does not exist", _FIX) from None
        return _read_one(location, data)
    store = S3Store(location, clients=clients)
    names = sorted(n for n in store.names() if n.endswith(ARCHIVE_SUFFIX))
    if not names:
        raise UserError(f"no archives under {location}", _FIX)
    return [record for name in names for record in _read_one(store.uri(name), store.get(name))]


def read_archives(
    location: str, *, clients: aws.ClientFactory | None = None
) -> list[dict[str, Any]]:
    """The records of the archive(s) at ``location``, in order (Lambda-format dicts)."""
    if S3Uri.is_s3(location):
        return _s3(location, clients)
    path = Path(location)
    if path.is_dir():
        files = sorted(p for p in path.rglob(f"*{ARCHIVE_SUFFIX}") if p.is_file())
        if not files:
            raise UserError(f"no archives under {location}", _FIX)
        return [record for file in files for record in _read_one(str(file), file.read_bytes())]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{location} does not exist", _FIX) from None
    except OSError as exc:
        raise UserError(f"{location} cannot be read: {exc}", _FIX) from None
    return _read_one(location, data)
