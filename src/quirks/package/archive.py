"""Deterministic Lambda deployment zips from installed trees (pure: file contents in, bytes out).

Two builds of the same inputs must give the same bytes, because Lambda's ``CodeSha256`` and
Terraform's ``source_code_hash`` compare the zip's SHA-256: a zip that differs by a timestamp makes
every ``terraform plan`` show a change and every ``apply`` redeploy. So entries are sorted, every
entry has the same timestamp (1980-01-01, the earliest a zip can hold) and mode (0644, created on
Unix), there are no directory entries, and what pip writes that depends on the build machine is left
out: ``bin/`` (scripts with the build interpreter in their shebang), ``direct_url.json`` (a local
path), byte code and ``__pycache__``. The ``RECORD`` files are rewritten without the entries of the
files left out, so the installed metadata stays truthful.

The content hash (names and per-file SHA-256) identifies what is inside independently of the zlib
build that compressed it: two machines whose zips differ only by compression agree on it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import posixpath
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "ZIP_EPOCH",
    "Entry",
    "code_sha256",
    "collect",
    "content_sha256",
    "is_excluded",
    "write_zip",
]

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # a regular file, rw-r--r--: Lambda only needs to read the code
_UNIX = 3  # ZipInfo.create_system: what the mode bits mean, the same on every build machine


@dataclass(frozen=True)
class Entry:
    """One file of the package: its path inside the zip (``/``-separated) and its bytes."""

    name: str
    data: bytes


def is_excluded(name: str) -> bool:
    """True for what pip writes that depends on the build machine, or that Lambda never needs."""
    parts = name.split("/")
    if parts[0] == "bin" or "__pycache__" in parts:
        return True
    if name.endswith((".pyc", ".pyo")):
        return True
    return len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "direct_url.json"


def _rewrite_record(name: str, data: bytes, kept: set[str]) -> bytes:
    """A ``RECORD`` without the rows of files that are not in the package."""
    base = posixpath.dirname(posixpath.dirname(name))  # the folder that holds the .dist-info
    rows = []
    for row in csv.reader(io.StringIO(data.decode("utf-8"))):
        if not row:
            continue
        path = (
            posixpath.normpath(posixpath.join(base, row[0])) if base else posixpath.normpath(row[0])
        )
        if path == name or path in kept:
            rows.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(sorted(rows))
    return out.getvalue().encode("utf-8")


def collect(files: Mapping[str, bytes]) -> list[Entry]:
    """The package's entries from ``{path: bytes}`` of installed trees: filtered and sorted."""
    kept = {name for name in files if not is_excluded(name)}
    entries = []
    for name in sorted(kept):
        data = files[name]
        if name.endswith(".dist-info/RECORD"):
            data = _rewrite_record(name, data, kept)
        entries.append(Entry(name, data))
    return entries


def write_zip(entries: Iterable[Entry], prefix: str = "") -> bytes:
    """The zip of ``entries`` (under ``prefix``, e.g. ``python/`` for a layer), byte-for-byte stable."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for entry in sorted(entries, key=lambda e: e.name):
            info = zipfile.ZipInfo(prefix + entry.name, date_time=ZIP_EPOCH)
            info.create_system = _UNIX
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entry.data, compresslevel=9)
    return buffer.getvalue()


def code_sha256(zip_bytes: bytes) -> str:
    """Base64 SHA-256 of the zip: what Lambda reports as ``CodeSha256`` and Terraform's
    ``filebase64sha256()`` computes for ``source_code_hash``."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode("ascii")


def content_sha256(entries: Iterable[Entry], prefix: str = "") -> str:
    """Hex SHA-256 over each entry's name and SHA-256, sorted: independent of the compressor."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.name):
        digest.update(f"{prefix}{entry.name}\0{hashlib.sha256(entry.data).hexdigest()}\n".encode())
    return digest.hexdigest()
