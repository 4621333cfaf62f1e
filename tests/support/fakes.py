"""Test doubles at the client seam: a ClientFactory handing out fakes, and AWS errors as it maps them."""

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


class FakeClients(aws.ClientFactory):
    """A factory whose clients for the services named in ``fakes`` are test doubles; every other
    service gets a real client built from ``base``'s settings (the moto server in most tests)."""

    def __init__(self, base: aws.ClientFactory | None = None, **fakes: Any) -> None:
        super().__init__((base or aws.current()).settings)
        self.fakes = fakes

    def client(self, service: str, region: str | None = None) -> Any:  # type: ignore[override]
        if service in self.fakes:
            return self.fakes[service]
        return super().client(service, region)
