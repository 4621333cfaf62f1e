"""Durable object storage for archives, manifests and claim checks: a local directory or S3.

Both stores write an object completely or not at all, and return only once it is durable:

* :class:`DirectoryStore` writes a temporary file, fsyncs it, renames it into place and fsyncs the
  directory;
* :class:`S3Store` sends ``PutObject`` with a ``Content-MD5`` so S3 rejects a corrupted upload, and
  returns after S3 acknowledged it (S3 is durable on acknowledgement).

Callers may therefore delete or acknowledge whatever an object replaces as soon as :meth:`put`
returns, and never before: the toolkit's data-safety rule (docs/reliability.md).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from quirks import aws
from quirks.arns import S3Uri
from quirks.durable import write_file_durably
from quirks.errors import AwsError, UserError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

    from mypy_boto3_s3 import S3Client

__all__ = ["DirectoryStore", "ObjectStore", "S3Store", "open_store", "write_file_durably"]


class ObjectStore(Protocol):
    """Where durable objects go. Names are relative, ``/``-separated paths."""

    def put(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Write ``data`` durably under ``name``; returns the object's URI or path."""
        ...

    def get(self, name: str) -> bytes:
        """Read an object; raises ``FileNotFoundError`` when it does not exist."""
        ...

    def exists(self, name: str) -> bool:
        """True when an object with this name exists."""
        ...

    def names(self, prefix: str = "") -> Iterator[str]:
        """The names of all objects below ``prefix``, sorted."""
        ...

    def uri(self, name: str) -> str:
        """The URI or path an object has (or would have)."""
        ...


def _check_name(name: str) -> str:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts:
        raise UserError(f"invalid object name {name!r}", "use a relative path without '..'")
    return name


class DirectoryStore:
    """Objects as files below a local directory."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def put(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        target = self.root / _check_name(name)
        write_file_durably(target, data)
        return str(target)

    def get(self, name: str) -> bytes:
        return (self.root / _check_name(name)).read_bytes()

    def exists(self, name: str) -> bool:
        return (self.root / _check_name(name)).is_file()

    def names(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return iter(())
        found = (
            path.relative_to(self.root).as_posix()
            for path in self.root.rglob("*")
            if path.is_file() and not path.name.startswith(".")
        )
        return iter(sorted(name for name in found if name.startswith(prefix)))

    def uri(self, name: str) -> str:
        return str(self.root / _check_name(name))


class S3Store:
    """Objects below an ``s3://bucket/prefix`` location, through the injected ``clients``.

    ``clients`` defaults to the process-wide :func:`quirks.aws.current`.
    """

    def __init__(self, location: S3Uri | str, *, clients: aws.ClientFactory | None = None) -> None:
        self.location = S3Uri.parse(location) if isinstance(location, str) else location
        self._clients = clients or aws.current()

    def _s3(self) -> S3Client:
        return self._clients.client("s3")

    def _key(self, name: str) -> str:
        return self.location.join(_check_name(name)).key

    def put(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        self._s3().put_object(
            Bucket=self.location.bucket,
            Key=self._key(name),
            Body=data,
            ContentMD5=md5,
            ContentType=content_type,
        )
        return self.uri(name)

    def get(self, name: str) -> bytes:
        s3 = self._s3()
        try:
            return s3.get_object(Bucket=self.location.bucket, Key=self._key(name))["Body"].read()
        except s3.exceptions.NoSuchKey:
            raise FileNotFoundError(self.uri(name)) from None

    def exists(self, name: str) -> bool:
        try:
            self._s3().head_object(Bucket=self.location.bucket, Key=self._key(name))
        except AwsError as exc:
            if exc.code in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def names(self, prefix: str = "") -> Iterator[str]:
        """The names below ``prefix``, page by page as S3 lists them.

        S3 lists keys in UTF-8 byte order, which is code point order: the names come sorted
        without holding the whole listing (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
        """
        base = self.location.key.rstrip("/") + "/" if self.location.key else ""
        paginator = self._s3().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.location.bucket, Prefix=base + prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"][len(base) :]

    def uri(self, name: str) -> str:
        return str(self.location.join(_check_name(name)))


def open_store(
    location: str, *, clients: aws.ClientFactory | None = None
) -> DirectoryStore | S3Store:
    """A store for ``s3://bucket/prefix`` (through ``clients``) or a local directory path."""
    if S3Uri.is_s3(location):
        return S3Store(location, clients=clients)
    if not location:
        raise UserError("no storage location given", "pass a directory or s3://bucket/prefix")
    return DirectoryStore(location)
