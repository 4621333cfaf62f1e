"""Check a response against botocore's service model: the shapes AWS's own SDKs are generated from.

botocore parses whatever a server sends without complaint, dropping keys it does not know and keeping
wrongly typed values, so :func:`checked_call` checks the raw JSON body instead, as strictly as the
Go SDK the Terraform provider uses reads it: every key must be a member of the output shape and
every value of the member's type (timestamps as epoch numbers or strings, as JSON carries them).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import botocore.session
from botocore.model import (
    ListShape,
    MapShape,
    OperationModel,
    Shape,
    StringShape,
    StructureShape,
)

__all__ = [
    "checked_call",
    "checked_error",
    "operation",
    "operation_for_request",
    "response_errors",
    "shape_errors",
]

_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "timestamp": (int, float, str),
    "blob": (str,),  # base64 in JSON
    "double": (float, int),
    "float": (float, int),
}
_NOT_IN_BODY = {"header", "headers", "statusCode"}


def operation(service: str, name: str) -> OperationModel:
    """botocore's model of one operation."""
    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(name)


def shape_errors(value: Any, shape: Shape, path: str = "$") -> list[str]:
    """Every way ``value`` departs from ``shape``: unknown keys, wrong types, bad enum values."""
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            return [f"{path}: expected a structure, got {type(value).__name__}"]
        members = {
            key: member
            for key, member in shape.members.items()
            if member.serialization.get("location") not in _NOT_IN_BODY
        }
        errors = [f"{path}.{key}: not in {shape.name}" for key in value if key not in members]
        for key, member in members.items():
            if key in value:
                errors += shape_errors(value[key], member, f"{path}.{key}")
        return errors
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        return [
            e
            for i, item in enumerate(value)
            for e in shape_errors(item, shape.member, f"{path}[{i}]")
        ]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            return [f"{path}: expected a map, got {type(value).__name__}"]
        return [
            e
            for key, item in value.items()
            for e in shape_errors(key, shape.key, f"{path} key")
            + shape_errors(item, shape.value, f"{path}[{key!r}]")
        ]
    expected = _SCALARS.get(shape.type_name)
    if expected is None:
        return [f"{path}: unsupported shape type {shape.type_name}"]
    # bool is an int in Python; an integer field holding true is still wrong.
    if not isinstance(value, expected) or (
        shape.type_name != "boolean" and isinstance(value, bool)
    ):
        return [f"{path}: expected {shape.type_name}, got {type(value).__name__} {value!r}"]
    enum = shape.enum if isinstance(shape, StringShape) else []
    if enum and value not in enum:
        return [f"{path}: {value!r} is not one of {enum}"]
    return []


def _call_and_capture(client: Any, method: str, kwargs: dict[str, Any]) -> tuple[Any, Any, Any]:
    """``client.<method>(**kwargs)``: (its result or ClientError, raw HTTP response, operation)."""
    captured: dict[str, Any] = {}

    def grab(http_response: Any, model: OperationModel, **_: Any) -> None:
        captured.update(response=http_response, operation=model)

    client.meta.events.register("after-call", grab, unique_id="shapes-capture")
    try:
        outcome: Any = getattr(client, method)(**kwargs)
    except client.exceptions.ClientError as exc:
        outcome = exc
    finally:
        client.meta.events.unregister("after-call", unique_id="shapes-capture")
    return outcome, captured["response"], captured["operation"]


def _departures(response: Any, model: OperationModel) -> list[str]:
    return response_errors(model, response.status_code, dict(response.headers), response.content)


def checked_call(client: Any, method: str, **kwargs: Any) -> dict[str, Any]:
    """Call ``client.<method>(**kwargs)``; fail unless the raw response body fits the output shape.

    Returns the parsed response, as the call would.
    """
    outcome, response, model = _call_and_capture(client, method, kwargs)
    if isinstance(outcome, client.exceptions.ClientError):
        raise outcome
    errors = _departures(response, model)
    assert not errors, f"{model.name} response departs from botocore's model:\n" + "\n".join(errors)
    return outcome  # type: ignore[no-any-return]


@cache
def _uri_patterns(service: str) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    model = botocore.session.get_session().get_service_model(service)
    patterns = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"].split("?", 1)[0].rstrip("/") or "/"
        parts = re.split(r"\{([^}]+)\}", uri)  # literal, placeholder, literal, ...
        regex = "".join(
            re.escape(part) if i % 2 == 0 else (".+" if part.endswith("+") else "[^/]+")
            for i, part in enumerate(parts)
        )
        patterns.append((http["method"], re.compile(f"^{regex}/?$"), name))
    return tuple(patterns)


def operation_for_request(
    service: str, method: str, path: str, target: str = ""
) -> OperationModel | None:
    """The operation a request is for: by ``X-Amz-Target`` (JSON protocols) or by method and path
    against the ``requestUri`` templates of botocore's model (REST protocols); None if no match."""
    model = botocore.session.get_session().get_service_model(service)
    if target:
        name = target.rsplit(".", 1)[-1]
        return model.operation_model(name) if name in model.operation_names else None
    matches = [
        name
        for http_method, pattern, name in _uri_patterns(service)
        if http_method == method and pattern.match(path)
    ]
    assert len(matches) <= 1, f"{method} {path} matches {matches}"
    return model.operation_model(matches[0]) if matches else None


def response_errors(
    model: OperationModel, status: int, headers: dict[str, str], body: bytes
) -> list[str]:
    """How a served response departs from botocore's model of ``model``: its output shape for a
    success, one of the operation's declared errors (code and body) for a failure."""
    document = json.loads(body) if body.strip() else {}
    if 200 <= status < 300:
        if model.output_shape is None:
            return [f"{model.name}: no output expected, got {document}"] if document else []
        return shape_errors(document, model.output_shape)
    lowered = {k.lower(): v for k, v in headers.items()}
    code = (lowered.get("x-amzn-errortype") or document.get("__type") or "").split(":")[0]
    code = code.rsplit("#", 1)[-1]
    declared = {shape.name: shape for shape in model.error_shapes}
    if code not in declared:
        return [f"{model.name}: error {code!r} ({status}) is not one of {sorted(declared)}"]
    # The JSON protocol carries the code and message beside the error's own members ("__type",
    # "message"), which its error shapes do not list; rest-json errors list their message.
    protocol_fields = (
        {"__type", "message", "Message"} if model.metadata["protocol"] == "json" else {"__type"}
    )
    fields = {k: v for k, v in document.items() if k not in protocol_fields}
    return shape_errors(fields, declared[code])


def checked_error(client: Any, method: str, **kwargs: Any) -> Any:
    """Call ``client.<method>(**kwargs)``, which must fail; fail unless the error is one the
    operation declares, with a body that fits that error's shape. Returns the ClientError."""
    outcome, response, model = _call_and_capture(client, method, kwargs)
    if not isinstance(outcome, client.exceptions.ClientError):
        raise AssertionError(f"{method} succeeded")
    errors = _departures(response, model)
    assert not errors, f"{method} error departs from botocore's model:\n" + "\n".join(errors)
    return outcome
