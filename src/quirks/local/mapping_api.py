"""The ``/2015-03-31/event-source-mappings`` routes of the local Lambda API (moto's "responses").

One handler per operation, each the endpoint of its own werkzeug rule; :class:`~quirks.local.lambda_api.LambdaApi`
serves them beside the function routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.routing import Rule

from quirks.local.errors import invalid
from quirks.local.params import build_mapping
from quirks.local.responses import json_response, request_body

if TYPE_CHECKING:
    from collections.abc import Callable

    from werkzeug.wrappers import Request, Response

    from quirks.local.function_resources import FunctionResources
    from quirks.local.mappings import MappingRegistry
    from quirks.local.models import MappingConfig

__all__ = ["MappingApi"]

_PATH = "/2015-03-31/event-source-mappings"
MAX_TAGS = 50


class MappingApi:
    """``Create``/``Get``/``List``/``Update``/``DeleteEventSourceMapping``.

    ``resolve_function`` turns a ``FunctionName`` into the function's ARN (404 when unknown);
    ``validate`` may refuse a mapping before it is stored (the filter engine's check); ``resources``
    keeps mappings' tags in the Lambda tag store, which learns here which mapping ARNs exist.
    """

    def __init__(
        self,
        mappings: MappingRegistry,
        resolve_function: Callable[[str], str],
        resources: FunctionResources,
        validate: Callable[[MappingConfig], None] = lambda _mapping: None,
    ) -> None:
        self.mappings = mappings
        self.resolve_function = resolve_function
        self.validate = validate
        self.resources = resources
        resources.mapping_exists = lambda arn: any(m.arn == arn for m in self.mappings.list())

    def rules(self) -> list[Rule]:
        """The routes, each with its handler as the endpoint."""
        return [
            Rule(_PATH, methods=["POST"], endpoint=self.create),
            Rule(_PATH, methods=["GET"], endpoint=self.list),
            Rule(f"{_PATH}/<uuid>", methods=["GET"], endpoint=self.get),
            Rule(f"{_PATH}/<uuid>", methods=["PUT"], endpoint=self.update),
            Rule(f"{_PATH}/<uuid>", methods=["DELETE"], endpoint=self.delete),
        ]

    def _put(self, mapping: MappingConfig) -> MappingConfig:
        self.validate(mapping)
        return self.mappings.put(mapping)

    def create(self, request: Request) -> Response:
        params = request_body(request)
        function_arn = self.resolve_function(params.get("FunctionName", ""))
        tags = params.get("Tags") or {}
        if not isinstance(tags, dict) or len(tags) > MAX_TAGS:
            raise invalid(f"Tags must be a map of at most {MAX_TAGS} strings")
        mapping = self._put(build_mapping(params, function_arn))
        self.resources.tag(mapping.arn, tags)
        return json_response(mapping.to_api(), 202)

    def list(self, request: Request) -> Response:
        function = request.args.get("FunctionName")
        owner = self.resolve_function(function) if function else None
        found = self.mappings.list(owner, request.args.get("EventSourceArn"))
        return json_response({"EventSourceMappings": [m.to_api() for m in found]})

    def get(self, request: Request, uuid: str) -> Response:
        return json_response(self.mappings.get(uuid).to_api())

    def update(self, request: Request, uuid: str) -> Response:
        params = request_body(request)
        current = self.mappings.get(uuid)
        function_arn = (
            self.resolve_function(params["FunctionName"])
            if params.get("FunctionName")
            else current.function_arn
        )
        return json_response(self._put(build_mapping(params, function_arn, current)).to_api(), 202)

    def delete(self, request: Request, uuid: str) -> Response:
        mapping = self.mappings.delete(uuid)
        self.resources.drop_tags(mapping.arn)
        return json_response({**mapping.to_api(), "State": "Deleting"}, 202)
