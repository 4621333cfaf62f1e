"""The emulator's one clock: wall time, AWS time (scaled by the time factor), and a test hook.

Every age and delay the local cloud reports or waits for goes through a :class:`Clock`, so they all
agree: an age is ``real seconds elapsed / time_factor`` ("AWS seconds"), a delay of ``n`` AWS seconds
waits ``n * time_factor`` real seconds. Records written to a stream are stamped with this clock too,
which is what lets :meth:`Clock.advance` age everything at once: a test moves the clock 25 hours on
and the stream trims, events expire and ``IteratorAge`` grows, without sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Clock"]


class Clock:
    """Wall and monotonic time for the emulator, with the time factor applied in one place."""

    def __init__(self, time_factor: float = 1.0) -> None:
        if time_factor <= 0:
            raise ValueError("the time factor must be positive")
        self.time_factor = time_factor
        self._offset = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def time(self) -> float:
        """Seconds since the epoch, as the emulated account sees them."""
        return time.time() + self._offset

    def monotonic(self) -> float:
        """A monotonic reading that moves with :meth:`advance`."""
        return time.monotonic() + self._offset

    def age(self, since_epoch: float) -> float:
        """AWS seconds since ``since_epoch`` (never negative)."""
        return max(0.0, (self.time() - since_epoch) / self.time_factor)

    def elapsed(self, since_monotonic: float) -> float:
        """AWS seconds since a :meth:`monotonic` reading."""
        return max(0.0, (self.monotonic() - since_monotonic) / self.time_factor)

    def real(self, aws_seconds: float) -> float:
        """How many real seconds ``aws_seconds`` of emulated time take."""
        return aws_seconds * self.time_factor

    def advance(self, aws_seconds: float) -> None:
        """Move the clock on by ``aws_seconds`` of emulated time (tests), and wake every waiter."""
        with self._lock:
            self._offset += self.real(aws_seconds)
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def on_advance(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every :meth:`advance` (schedulers re-check what is due)."""
        with self._lock:
            self._listeners.append(listener)
