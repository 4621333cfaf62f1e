"""JSON in and out of the local Lambda API's WSGI handlers, one way for every route."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from quirks.local.function_config import LambdaApiError

__all__ = ["json_response", "request_body"]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``data`` as a JSON response."""
    return Response(
        json.dumps(data), status=status, headers=headers, content_type="application/json"
    )


def request_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (``{}`` when empty); anything else is AWS's 400."""
    data = request.get_data()
    parsed = json.loads(data) if data else {}
    if not isinstance(parsed, dict):
        raise LambdaApiError(
            400, "InvalidRequestContentException", "Request body must be a JSON object"
        )
    return parsed
