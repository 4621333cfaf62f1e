"""Test doubles at the client seam: a client factory whose clients for some services are doubles
(recording, injected faults), and AWS errors exactly as the factory's clients raise them.

Code under test takes ``clients: ClientFactory``; a test hands it this one to swap the client of
one service for a wrapper, and every other service (and region) reaches moto as usual.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from quirks import aws
from quirks.aws_errors import mapped_class


def aws_error(code: str, operation: str, message: str = "injected") -> ClientError:
    """The error a client from :class:`quirks.aws.ClientFactory` raises for ``code``: both a
    ``ClientError`` and a :class:`quirks.errors.AwsError`."""
    response: Any = {"Error": {"Code": code, "Message": message}}
    return mapped_class(ClientError)(response, operation)


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
