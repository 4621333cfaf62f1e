"""The local Lambda's errors: one module, all inside the toolkit's tree, no name shared."""

from __future__ import annotations

import inspect

from quirks.alerts.sinks.base import DeliveryError
from quirks.errors import QuirksError
from quirks.local import errors
from quirks.local.errors import DestinationDeliveryError, invalid, missing, not_found


def test_every_local_error_is_a_quirks_error() -> None:
    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__
    ]
    assert {c.__name__ for c in classes} == {
        "DestinationDeliveryError",
        "LambdaApiError",
        "RuntimeClosed",
        "Throttled",
    }
    assert all(issubclass(c, QuirksError) for c in classes)


def test_the_destination_error_is_not_the_alerts_delivery_error() -> None:
    assert not issubclass(DestinationDeliveryError, DeliveryError)
    assert not issubclass(DeliveryError, DestinationDeliveryError)


def test_the_helpers_are_lambdas_error_types() -> None:
    assert (invalid("x").status, invalid("x").error_type) == (400, "InvalidParameterValueException")
    assert (missing("x").status, missing("x").error_type) == (404, "ResourceNotFoundException")
    gone = not_found("Function", "orders", "123456789012", "us-east-1")
    assert (
        gone.message == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:orders"
    )
