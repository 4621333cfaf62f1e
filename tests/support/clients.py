"""A client factory whose clients for some services are test doubles (recording, injected faults).

Code under test takes ``clients: ClientFactory``; a test hands it this one to swap the client of
one service for a wrapper, and every other service (and region) reaches moto as usual.
"""

from __future__ import annotations

from typing import Any

from quirks import aws


class OverriddenClients(aws.ClientFactory):
    """``doubles`` maps a service name (``"route53"``, ``"cognito-idp"``) to the client to hand out.

    Change ``doubles`` at any time: the next ``client()`` call sees it.
    """

    def __init__(self, base: aws.ClientFactory, doubles: dict[str, Any] | None = None) -> None:
        super().__init__(base.settings)
        self.doubles: dict[str, Any] = dict(doubles or {})

    def client(self, service: str, region: str | None = None) -> Any:  # type: ignore[override]
        double = self.doubles.get(service)
        return double if double is not None else super().client(service, region)
