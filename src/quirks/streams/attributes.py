"""DynamoDB attribute values in their two wire forms.

An attribute value is a one-key mapping from a type descriptor to a value (``{"S": "x"}``). The two
forms differ only in binaries: boto3's low-level client gives ``bytes`` for ``B`` and ``BS`` members,
while a Lambda event carries them as base64 strings. Numbers stay strings in both forms, so 38-digit
values never pass through a float.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from quirks.errors import RecordFormatError

__all__ = [
    "TYPE_DESCRIPTORS",
    "AttributeValue",
    "Item",
    "item_copy",
    "item_from_lambda",
    "item_to_lambda",
]

AttributeValue: TypeAlias = dict[str, Any]
"""One attribute value, e.g. ``{"M": {"a": {"N": "1"}}}`` (boto3 form: binaries are bytes)."""

Item: TypeAlias = dict[str, AttributeValue]
"""A map of attribute names to values: a key, or a new or old image."""

TYPE_DESCRIPTORS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})


def _descriptor(value: object, path: str) -> tuple[str, Any]:
    if not isinstance(value, Mapping) or len(value) != 1:
        raise RecordFormatError(
            path, f"expected an attribute value with one type key, got {value!r}"
        )
    ((kind, inner),) = value.items()
    if kind not in TYPE_DESCRIPTORS:
        raise RecordFormatError(path, f"unknown attribute type {kind!r}")
    return kind, inner


def _strings(inner: object, path: str) -> list[str]:
    if not isinstance(inner, list) or not all(isinstance(s, str) for s in inner):
        raise RecordFormatError(path, "expected a list of strings")
    return list(inner)


def _b64decode(text: object, path: str) -> bytes:
    if not isinstance(text, str):
        raise RecordFormatError(path, f"expected a base64 string, got {type(text).__name__}")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RecordFormatError(path, f"invalid base64: {exc}") from None


def _as_bytes(raw: object, path: str) -> bytes:
    if isinstance(raw, bytes | bytearray | memoryview):
        return bytes(raw)
    raise RecordFormatError(path, f"expected bytes, got {type(raw).__name__}")


def _check_scalar(kind: str, inner: object, path: str) -> None:
    if kind in ("S", "N") and not isinstance(inner, str):
        raise RecordFormatError(path, f"{kind} must be a string, got {type(inner).__name__}")
    if kind == "BOOL" and not isinstance(inner, bool):
        raise RecordFormatError(path, "BOOL must be true or false")
    if kind == "NULL" and inner is not True:
        raise RecordFormatError(path, "NULL must be true")


BinaryCodec: TypeAlias = Callable[[object, str], Any]


def _encode_binary(raw: object, path: str) -> str:
    return base64.b64encode(_as_bytes(raw, path)).decode("ascii")


def _convert_value(value: object, path: str, binary: BinaryCodec) -> AttributeValue:
    kind, inner = _descriptor(value, path)
    if kind == "B":
        return {"B": binary(inner, f"{path}.B")}
    if kind in ("BS", "SS", "NS", "L"):
        if not isinstance(inner, list):
            raise RecordFormatError(f"{path}.{kind}", "expected a list")
        if kind == "BS":
            return {"BS": [binary(b, f"{path}.BS[{i}]") for i, b in enumerate(inner)]}
        if kind == "L":
            return {"L": [_convert_value(v, f"{path}.L[{i}]", binary) for i, v in enumerate(inner)]}
        return {kind: _strings(inner, f"{path}.{kind}")}
    if kind == "M":
        return {"M": _convert_item(inner, f"{path}.M", binary)}
    _check_scalar(kind, inner, f"{path}.{kind}")
    return {kind: inner}


def _convert_item(item: object, path: str, binary: BinaryCodec) -> Item:
    if not isinstance(item, Mapping):
        raise RecordFormatError(path, f"expected a map of attributes, got {type(item).__name__}")
    prefix = f"{path}." if path else ""
    return {str(name): _convert_value(v, f"{prefix}{name}", binary) for name, v in item.items()}


def item_to_lambda(item: object, path: str = "") -> Item:
    """Convert a boto3-form item (key or image) to the Lambda form."""
    return _convert_item(item, path, _encode_binary)


def item_from_lambda(item: object, path: str = "") -> Item:
    """Convert a Lambda-form item (key or image) to the boto3 form."""
    return _convert_item(item, path, _b64decode)


def item_copy(item: object, path: str = "") -> Item:
    """Validate a boto3-form item and return a deep copy of it."""
    return _convert_item(item, path, _as_bytes)
