"""The one lifecycle every Lambda handler of the toolkit follows, in one class.

A handler module does no I/O at import: it only creates a :class:`PerContainer` with its
composition root (``build_dispatcher``, ``build_notifier``, ...). The first invocation builds the
object, under a lock (a handler may be invoked from threads in tests and in the local emulator),
and every later invocation in the same execution environment reuses it, so configuration reads
(SSM, Secrets Manager) and client setup happen once per container, as AWS recommends
(https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html, "Take advantage of execution
environment reuse"). ``reset()`` forgets it: tests, or a handler that saw its environment change.

Standard library only.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["PerContainer"]

T = TypeVar("T")


class PerContainer(Generic[T]):
    """An object built on first use and kept for the execution environment.

    ``build`` is called at most once between resets; ``close``, when given, is called on the
    object a reset forgets (a thread pool to shut down, say).
    """

    def __init__(self, build: Callable[[], T], close: Callable[[T], None] | None = None) -> None:
        self._build = build
        self._close = close
        self._lock = threading.Lock()
        self._value: T | None = None

    @classmethod
    def holding(cls, value: T) -> PerContainer[T]:
        """A container that already holds ``value`` (tests run a handler with a prepared object)."""
        container: PerContainer[T] = cls(lambda: value)
        container._value = value
        return container

    @property
    def current(self) -> T | None:
        """The object built so far, or None before the first :meth:`get` (and after a reset)."""
        return self._value

    def get(self) -> T:
        """The object, built now if this is the first use since the last reset."""
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value

    def reset(self) -> None:
        """Forget the object (closing it first when a ``close`` was given)."""
        with self._lock:
            value, self._value = self._value, None
        if value is not None and self._close is not None:
            self._close(value)
