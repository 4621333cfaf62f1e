"""The sink seam: anything that can deliver one rendered alert."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from quirks.errors import QuirksError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from quirks.alerts.dedupe import Alert
    from quirks.alerts.render import Origin


class DeliveryError(QuirksError):
    """An alert could not be delivered; the message never contains the destination's secret."""


class Sink(Protocol):
    """Delivers alerts one at a time; raises :class:`DeliveryError` when one cannot be delivered."""

    name: str

    def send(self, alert: Alert, origin: Origin) -> None:
        """Deliver ``alert``."""
        ...

    def send_digest(self, alerts: Sequence[Alert], origin: Origin) -> None:
        """Deliver several alerts as one message (beyond a delivery's message budget)."""
        ...
