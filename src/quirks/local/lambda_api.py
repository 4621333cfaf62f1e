"""The Lambda REST API of the local cloud, as a WSGI application.

Unmodified boto3 code talks to it once ``AWS_ENDPOINT_URL_LAMBDA`` (or the combined endpoint of
``quirks local``) points here. Errors use Lambda's wire format (``x-amzn-ErrorType`` header and a JSON
body with ``Type`` and ``message``), so botocore raises the same exceptions it raises against AWS.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from quirks.local.functions import LambdaApiError
from quirks.local.lambda_resources_api import RESOURCE_PATH_PREFIXES, ResourceApi, qualifier_of
from quirks.local.wire import error_response, json_response, request_body

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from quirks.local.function_config import FunctionConfig
    from quirks.local.invoker import LambdaService

__all__ = ["LambdaApi"]

_LOG_TAIL_BYTES = 4096


def _rules() -> list[Rule]:
    return [
        Rule("/2015-03-31/functions", methods=["POST"], endpoint="create_function"),
        Rule("/2015-03-31/functions/", methods=["GET"], endpoint="list_functions"),
        Rule("/2015-03-31/functions", methods=["GET"], endpoint="list_functions"),
        Rule("/2015-03-31/functions/<path:name>/invocations", methods=["POST"], endpoint="invoke"),
        Rule(
            "/2015-03-31/functions/<path:name>/configuration",
            methods=["GET"],
            endpoint="get_configuration",
        ),
        Rule(
            "/2015-03-31/functions/<path:name>/configuration",
            methods=["PUT"],
            endpoint="update_configuration",
        ),
        Rule("/2015-03-31/functions/<path:name>/code", methods=["PUT"], endpoint="update_code"),
        Rule("/2015-03-31/functions/<path:name>", methods=["GET"], endpoint="get_function"),
        Rule("/2015-03-31/functions/<path:name>", methods=["DELETE"], endpoint="delete_function"),
        Rule(
            "/2019-09-25/functions/<path:name>/event-invoke-config/list",
            methods=["GET"],
            endpoint="list_invoke_configs",
        ),
        Rule(
            "/2019-09-25/functions/<path:name>/event-invoke-config",
            methods=["PUT"],
            endpoint="put_invoke_config",
        ),
        Rule(
            "/2019-09-25/functions/<path:name>/event-invoke-config",
            methods=["POST"],
            endpoint="update_invoke_config",
        ),
        Rule(
            "/2019-09-25/functions/<path:name>/event-invoke-config",
            methods=["GET"],
            endpoint="get_invoke_config",
        ),
        Rule(
            "/2019-09-25/functions/<path:name>/event-invoke-config",
            methods=["DELETE"],
            endpoint="delete_invoke_config",
        ),
    ]


LAMBDA_PATH_PREFIXES = (
    "/2015-03-31/functions",
    "/2019-09-25/functions",
    "/2015-03-31/event-source-mappings",
    *RESOURCE_PATH_PREFIXES,
)


class LambdaApi:
    """WSGI app serving the Lambda API for one :class:`LambdaService`."""

    def __init__(self, service: LambdaService) -> None:
        self.service = service
        self.registry = service.registry
        self._rules = Map(_rules(), strict_slashes=False)
        self.handlers: dict[str, Callable[..., Response]] = {
            "create_function": self.create_function,
            "list_functions": self.list_functions,
            "get_function": self.get_function,
            "get_configuration": self.get_configuration,
            "update_configuration": self.update_configuration,
            "update_code": self.update_code,
            "delete_function": self.delete_function,
            "invoke": self.invoke,
            "put_invoke_config": self.put_invoke_config,
            "update_invoke_config": self.update_invoke_config,
            "get_invoke_config": self.get_invoke_config,
            "delete_invoke_config": self.delete_invoke_config,
            "list_invoke_configs": self.list_invoke_configs,
        }
        for endpoint, rule, handler in ResourceApi(self.registry).routes():
            self.register(endpoint, [rule], handler)

    def register(
        self, endpoint: str, rules: Iterable[Rule], handler: Callable[..., Response]
    ) -> None:
        """Add routes (the event source mapping API plugs in here).

        A handler with a ``bind_resources`` method gets the function resources (the tag store).
        """
        for rule in rules:
            self._rules.add(rule)
        self.handlers[endpoint] = handler
        bind = getattr(handler, "bind_resources", None)
        if bind is not None:
            bind(self.registry.resources)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            endpoint, args = self._rules.bind_to_environ(environ).match()
            args = {k: unquote(v) for k, v in args.items()}
            response = self.handlers[str(endpoint)](request, **args)
        except LambdaApiError as exc:
            response = error_response(exc)
        except (NotFound, MethodNotAllowed):
            response = error_response(
                LambdaApiError(
                    404,
                    "UnknownOperationException",
                    f"Unknown operation {request.method} {request.path}",
                )
            )
        except HTTPException as exc:
            response = error_response(
                LambdaApiError(exc.code or 400, "InvalidRequestContentException", str(exc))
            )
        except json.JSONDecodeError as exc:
            response = error_response(
                LambdaApiError(
                    400,
                    "InvalidRequestContentException",
                    f"Could not parse request body into json: {exc}",
                )
            )
        return response(environ, start_response)

    # -- functions -----------------------------------------------------------------------------

    def create_function(self, request: Request) -> Response:
        config = self.registry.create(request_body(request))
        return json_response(config.to_api(), status=201)

    def list_functions(self, request: Request) -> Response:
        return json_response({"Functions": [config.to_api() for config in self.registry.list()]})

    def _version(self, request: Request, name: str) -> FunctionConfig:
        qualifier = qualifier_of(name, request.args.get("Qualifier"))
        return self.registry.resources.version(self.registry.get(name), qualifier)

    def get_function(self, request: Request, name: str) -> Response:
        config = self._version(request, name)
        reply: dict[str, Any] = {
            "Configuration": config.to_api(),
            "Code": {"RepositoryType": "S3", "Location": f"file://{config.code_dir or ''}"},
            "Tags": self.registry.resources.tags(config.arn),
        }
        reserved = self.registry.resources.concurrency(config.name)
        if reserved is not None:
            reply["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
        return json_response(reply)

    def get_configuration(self, request: Request, name: str) -> Response:
        return json_response(self._version(request, name).to_api())

    def update_configuration(self, request: Request, name: str) -> Response:
        return json_response(
            self.registry.update_configuration(name, request_body(request)).to_api()
        )

    def update_code(self, request: Request, name: str) -> Response:
        return json_response(self.registry.update_code(name, request_body(request)).to_api())

    def delete_function(self, request: Request, name: str) -> Response:
        self.registry.delete(name)
        return Response(status=204)

    # -- invoke --------------------------------------------------------------------------------

    def invoke(self, request: Request, name: str) -> Response:
        invocation_type = request.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        payload = request.get_data()
        if invocation_type == "DryRun":
            self.registry.get(name)
            return Response(status=204)
        if invocation_type == "Event":
            request_id = self.service.invoke_async(name, payload)
            return Response(status=202, headers={"x-amzn-RequestId": request_id})
        if invocation_type != "RequestResponse":
            raise LambdaApiError(
                400,
                "InvalidParameterValueException",
                f"Unsupported invocation type {invocation_type}",
            )
        result = self.service.invoke(name, payload)
        headers = {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": result.request_id}
        if result.function_error:
            headers["X-Amz-Function-Error"] = result.function_error
        if request.headers.get("X-Amz-Log-Type") == "Tail":
            tail = "\n".join(result.logs).encode()[-_LOG_TAIL_BYTES:]
            headers["X-Amz-Log-Result"] = base64.b64encode(tail).decode()
        return Response(
            result.payload, status=200, headers=headers, content_type="application/json"
        )

    # -- event invoke config -------------------------------------------------------------------

    def put_invoke_config(self, request: Request, name: str) -> Response:
        config = self.registry.put_invoke_config(name, request_body(request), merge=False)
        return json_response(config.to_api(self.registry.get(name).arn))

    def update_invoke_config(self, request: Request, name: str) -> Response:
        config = self.registry.put_invoke_config(name, request_body(request), merge=True)
        return json_response(config.to_api(self.registry.get(name).arn))

    def get_invoke_config(self, request: Request, name: str) -> Response:
        function = self.registry.get(name)
        config = self.registry.invoke_config(name)
        if config is None:
            raise LambdaApiError(
                404,
                "ResourceNotFoundException",
                f"The function {function.arn} doesn't have an EventInvokeConfig",
            )
        return json_response(config.to_api(function.arn))

    def delete_invoke_config(self, request: Request, name: str) -> Response:
        self.registry.delete_invoke_config(name)
        return Response(status=204)

    def list_invoke_configs(self, request: Request, name: str) -> Response:
        function = self.registry.get(name)
        config = self.registry.invoke_config(name)
        return json_response(
            {"FunctionEventInvokeConfigs": [config.to_api(function.arn)] if config else []}
        )
