"""JSON in and out of the local Lambda API's WSGI handlers, one way for every route.

Moto's ``responses`` layer: request bodies are parsed bounded (:func:`quirks.jsonsafe.loads`), and
every :class:`~quirks.local.errors.LambdaApiError` leaves in Lambda's wire format.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import botocore.session
from botocore.model import NoShapeFoundError, StructureShape
from werkzeug.wrappers import Request, Response

from quirks import jsonsafe
from quirks.errors import FormatError
from quirks.local.errors import LambdaApiError

__all__ = ["error_response", "json_response", "request_body"]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``data`` as a JSON response."""
    return Response(
        json.dumps(data), status=status, headers=headers, content_type="application/json"
    )


def request_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (``{}`` when empty); anything else is AWS's 400."""
    data = request.get_data()
    try:
        parsed = jsonsafe.loads(data, "request body") if data else {}
    except FormatError as exc:
        raise LambdaApiError(
            400, "InvalidRequestContentException", f"Could not parse request body into json: {exc}"
        ) from None
    if not isinstance(parsed, dict):
        raise LambdaApiError(
            400, "InvalidRequestContentException", "Request body must be a JSON object"
        )
    return parsed


@cache
def _message_member(error_type: str) -> str:
    # AWS names the field "Message" in some Lambda errors (ResourceNotFoundException) and
    # "message" in others (ResourceConflictException, InvalidParameterValueException); botocore's
    # service model, generated from AWS's own, says which.
    model = botocore.session.get_session().get_service_model("lambda")
    try:
        shape = model.shape_for(error_type)
    except NoShapeFoundError:
        return "Message"
    members = shape.members if isinstance(shape, StructureShape) else {}
    return "message" if "message" in members else "Message"


def error_response(exc: LambdaApiError) -> Response:
    """Lambda's error wire format: ``x-amzn-ErrorType`` and ``{"Type": "User", "Message": ...}``
    (the message field cased as the error's shape in the service model has it)."""
    return json_response(
        {"Type": "User", _message_member(exc.error_type): exc.message},
        status=exc.status,
        headers={
            "x-amzn-ErrorType": f"{exc.error_type}:http://internal.amazon.com/coral/com.amazonaws.lambda/"
        },
    )
