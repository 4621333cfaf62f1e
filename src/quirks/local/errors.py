"""Errors of the local Lambda, as moto keeps a service's exceptions beside its models and responses.

::

    QuirksError
    ├── LambdaApiError            an error the Lambda API answers with (status, type, message)
    ├── Throttled                 every execution environment of a function is busy
    ├── RuntimeClosed             the function's runtime was shut down after it was looked up
    └── DestinationDeliveryError  an on-success/on-failure destination or DLQ refused a message

:class:`LambdaApiError` is what the WSGI API turns into Lambda's wire format (``x-amzn-ErrorType``);
the other three never leave the emulator: the invoker maps them to Lambda's behaviour (a 429, a
fresh lookup, a ``DestinationDeliveryFailures`` metric).
"""

from __future__ import annotations

from quirks.arns import lambda_function_arn
from quirks.errors import QuirksError

__all__ = [
    "DestinationDeliveryError",
    "LambdaApiError",
    "RuntimeClosed",
    "Throttled",
    "invalid",
    "missing",
    "not_found",
]


class LambdaApiError(QuirksError):
    """An error the Lambda API returns: HTTP status, error type and message."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def not_found(kind: str, name: str, account: str, region: str) -> LambdaApiError:
    """``ResourceNotFoundException`` for a function, naming its ARN as Lambda does."""
    return missing(f"{kind} not found: {lambda_function_arn(region, account, name)}")


def missing(message: str) -> LambdaApiError:
    """``ResourceNotFoundException`` (404) with ``message``."""
    return LambdaApiError(404, "ResourceNotFoundException", message)


def invalid(message: str) -> LambdaApiError:
    """``InvalidParameterValueException`` (400) with ``message``."""
    return LambdaApiError(400, "InvalidParameterValueException", message)


class Throttled(QuirksError):
    """Every execution environment of the function is busy (``TooManyRequestsException``)."""


class RuntimeClosed(QuirksError):
    """The function was deleted (or the cloud stopped) after its runtime was looked up."""


class DestinationDeliveryError(QuirksError):
    """A destination or DLQ could not take the message."""
