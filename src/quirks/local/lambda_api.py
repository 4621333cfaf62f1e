"""The Lambda REST API of the local cloud, as a WSGI application.

Unmodified boto3 code talks to it once ``AWS_ENDPOINT_URL_LAMBDA`` (or the combined endpoint of
``quirks local``) points here. Errors use Lambda's wire format (``x-amzn-ErrorType`` header and a JSON
body with ``Type`` and ``message``), so botocore raises the same exceptions it raises against AWS.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from quirks.local.errors import LambdaApiError, invalid, missing
from quirks.local.lambda_resources_api import RESOURCE_PATH_PREFIXES, ResourceApi, qualifier_of
from quirks.local.responses import error_response, json_response, request_body

if TYPE_CHECKING:
    from collections.abc import Iterable

    from quirks.local.invoker import LambdaService
    from quirks.local.models import FunctionConfig

__all__ = ["LambdaApi"]

_LOG_TAIL_BYTES = 4096


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
        self._rules = Map(
            [*self.rules(), *ResourceApi(self.registry).rules()], strict_slashes=False
        )

    def rules(self) -> list[Rule]:
        """The function, invoke and event-invoke-config routes, each with its handler as endpoint."""
        functions = "/2015-03-31/functions"
        function = f"{functions}/<path:name>"
        invoke_config = "/2019-09-25/functions/<path:name>/event-invoke-config"
        return [
            Rule(functions, methods=["POST"], endpoint=self.create_function),
            Rule(f"{functions}/", methods=["GET"], endpoint=self.list_functions),
            Rule(functions, methods=["GET"], endpoint=self.list_functions),
            Rule(f"{function}/invocations", methods=["POST"], endpoint=self.invoke),
            Rule(f"{function}/configuration", methods=["GET"], endpoint=self.get_configuration),
            Rule(f"{function}/configuration", methods=["PUT"], endpoint=self.update_configuration),
            Rule(f"{function}/code", methods=["PUT"], endpoint=self.update_code),
            Rule(function, methods=["GET"], endpoint=self.get_function),
            Rule(function, methods=["DELETE"], endpoint=self.delete_function),
            Rule(f"{invoke_config}/list", methods=["GET"], endpoint=self.list_invoke_configs),
            Rule(invoke_config, methods=["PUT"], endpoint=self.put_invoke_config),
            Rule(invoke_config, methods=["POST"], endpoint=self.update_invoke_config),
            Rule(invoke_config, methods=["GET"], endpoint=self.get_invoke_config),
            Rule(invoke_config, methods=["DELETE"], endpoint=self.delete_invoke_config),
        ]

    def add(self, rules: Iterable[Rule]) -> None:
        """Serve more routes (the event source mapping API plugs in here)."""
        for rule in rules:
            self._rules.add(rule)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            handler, args = self._rules.bind_to_environ(environ).match()
            response: Response = handler(request, **{k: unquote(v) for k, v in args.items()})
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
            raise invalid(f"Unsupported invocation type {invocation_type}")
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
            raise missing(f"The function {function.arn} doesn't have an EventInvokeConfig")
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
