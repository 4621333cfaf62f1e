"""botocore's errors mapped once, at the client seam, into :class:`quirks.errors.AwsError`.

Every client :mod:`quirks.aws` builds gets :class:`MappedErrors` as its first base class (through
botocore's ``creating-client-class`` event, the hook botocore offers for exactly this). Its
``_make_api_call`` re-raises a ``ClientError`` as an instance of a class derived from both
:class:`AwsError` and the class botocore raised (``NoSuchKey``, or ``ClientError`` itself), so:

- the toolkit's code catches ``AwsError`` and reads ``exc.code`` / ``exc.operation``, never
  ``getattr(exc, "response")`` after ``except Exception``;
- code (and tests) that catch ``client.exceptions.X`` or ``ClientError`` see the same error as before.

The derived classes are made once per botocore class and cached.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.exceptions import ClientError

from quirks.errors import AwsError

__all__ = ["MappedErrors", "add_error_mapping", "mapped_class"]

_classes: dict[type[ClientError], type[ClientError]] = {}
_lock = threading.Lock()


def mapped_class(botocore_class: type[ClientError]) -> type[ClientError]:
    """The class deriving from both ``botocore_class`` and :class:`AwsError` (made once)."""
    with _lock:
        made = _classes.get(botocore_class)
        if made is None:
            made = type(botocore_class.__name__, (botocore_class, AwsError), {})
            made.__module__ = botocore_class.__module__
            made.__qualname__ = botocore_class.__qualname__
            _classes[botocore_class] = made
        return made


class MappedErrors:
    """Client mixin: every ``ClientError`` leaves the client as an :class:`AwsError` too."""

    def _make_api_call(self, operation_name: str, api_params: Any) -> Any:
        try:
            return super()._make_api_call(operation_name, api_params)  # type: ignore[misc]
        except ClientError as exc:
            if isinstance(exc, AwsError):
                raise
            mapped = mapped_class(type(exc))(exc.response, exc.operation_name)
            raise mapped.with_traceback(exc.__traceback__) from None


def add_error_mapping(base_classes: list[type], **_: Any) -> None:
    """botocore ``creating-client-class`` handler: put :class:`MappedErrors` first."""
    if MappedErrors not in base_classes:
        base_classes.insert(0, MappedErrors)
