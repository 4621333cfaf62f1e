"""Lambda API routes for a function's policy, tags, concurrency, versions, aliases, code signing.

These are what the AWS provider for Terraform calls around ``CreateFunction``: it reads every one of
them back after each apply, so each answers in the exact output shape of botocore's service model.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from quirks.local.errors import LambdaApiError, invalid, missing
from quirks.local.function_resources import policy_statement
from quirks.local.responses import json_response, request_body

if TYPE_CHECKING:
    from quirks.local.functions import FunctionRegistry
    from quirks.local.models import FunctionConfig

__all__ = ["RESOURCE_PATH_PREFIXES", "ResourceApi", "qualifier_of"]

RESOURCE_PATH_PREFIXES = (
    "/2017-03-31/tags/",
    "/2017-10-31/functions/",
    "/2019-09-30/functions/",
    "/2020-06-30/functions/",
)

_F = "/2015-03-31/functions/<path:name>"


def qualifier_of(name_or_arn: str, query: str | None = None) -> str:
    """The ``Qualifier`` query parameter, or the qualifier a qualified name or ARN carries."""
    if query:
        return query
    tail = name_or_arn.split(":function:", 1)[1] if ":function:" in name_or_arn else name_or_arn
    parts = tail.split(":")
    return parts[1] if len(parts) > 1 else ""


class ResourceApi:
    """Handlers over :attr:`FunctionRegistry.resources`; :meth:`rules` lists them for LambdaApi."""

    def __init__(self, registry: FunctionRegistry) -> None:
        self.registry = registry
        self.resources = registry.resources

    def rules(self) -> list[Rule]:
        """Every route of this module, each with its handler as the endpoint."""
        return [
            Rule(f"{_F}/versions", methods=["GET"], endpoint=self.list_versions),
            Rule(f"{_F}/versions", methods=["POST"], endpoint=self.publish_version),
            Rule(f"{_F}/policy", methods=["POST"], endpoint=self.add_permission),
            Rule(f"{_F}/policy", methods=["GET"], endpoint=self.get_policy),
            Rule(f"{_F}/policy/<sid>", methods=["DELETE"], endpoint=self.remove_permission),
            Rule(f"{_F}/aliases", methods=["POST"], endpoint=self.create_alias),
            Rule(f"{_F}/aliases", methods=["GET"], endpoint=self.list_aliases),
            Rule(f"{_F}/aliases/<alias>", methods=["GET"], endpoint=self.get_alias),
            Rule(f"{_F}/aliases/<alias>", methods=["DELETE"], endpoint=self.delete_alias),
            Rule("/2017-03-31/tags/<path:arn>", methods=["GET"], endpoint=self.list_tags),
            Rule("/2017-03-31/tags/<path:arn>", methods=["POST"], endpoint=self.tag_resource),
            Rule("/2017-03-31/tags/<path:arn>", methods=["DELETE"], endpoint=self.untag_resource),
            Rule(
                "/2019-09-30/functions/<path:name>/concurrency",
                methods=["GET"],
                endpoint=self.get_concurrency,
            ),
            Rule(
                "/2017-10-31/functions/<path:name>/concurrency",
                methods=["PUT"],
                endpoint=self.put_concurrency,
            ),
            Rule(
                "/2017-10-31/functions/<path:name>/concurrency",
                methods=["DELETE"],
                endpoint=self.delete_concurrency,
            ),
            Rule(
                "/2020-06-30/functions/<path:name>/code-signing-config",
                methods=["GET"],
                endpoint=self.get_code_signing,
            ),
        ]

    # -- versions ------------------------------------------------------------------------------

    def list_versions(self, request: Request, name: str) -> Response:
        latest = self.registry.get(name)
        versions = [latest, *self.resources.versions(latest.name)]
        return json_response({"Versions": [config.to_api() for config in versions]})

    def publish_version(self, request: Request, name: str) -> Response:
        params = request_body(request)
        latest = self.registry.get(name)
        self._check_revision(latest, params)
        expected = params.get("CodeSha256")
        if expected and expected != latest.code_sha256:
            raise invalid(
                f"CodeSHA256 ({expected}) is different from current CodeSHA256 in $LATEST "
                f"({latest.code_sha256}). Please try again with the CodeSHA256 in $LATEST."
            )
        version = self.resources.publish(latest, params.get("Description"))
        return json_response(version.to_api(), 201)

    @staticmethod
    def _check_revision(config: FunctionConfig, params: dict[str, Any]) -> None:
        revision = params.get("RevisionId")
        if revision and revision != config.revision_id:
            raise LambdaApiError(
                412,
                "PreconditionFailedException",
                "The Revision Id provided does not match the latest Revision Id. "
                "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
            )

    # -- policy --------------------------------------------------------------------------------

    def _qualified(self, request: Request, name: str) -> tuple[FunctionConfig, str, str]:
        """The function, the qualifier, and the ARN a statement's Resource names."""
        latest = self.registry.get(name)
        qualifier = qualifier_of(name, request.args.get("Qualifier"))
        if qualifier:
            self.resources.version(latest, qualifier)
        arn = f"{latest.arn}:{qualifier}" if qualifier else latest.arn
        return latest, qualifier, arn

    def add_permission(self, request: Request, name: str) -> Response:
        params = request_body(request)
        latest, qualifier, arn = self._qualified(request, name)
        statement = policy_statement(params, arn)
        self.resources.add_permission(
            latest.name, qualifier, statement, params.get("RevisionId") or None
        )
        return json_response({"Statement": json.dumps(statement)}, 201)

    def get_policy(self, request: Request, name: str) -> Response:
        latest, qualifier, _ = self._qualified(request, name)
        policy, revision = self.resources.policy(latest.name, qualifier)
        return json_response({"Policy": policy, "RevisionId": revision})

    def remove_permission(self, request: Request, name: str, sid: str) -> Response:
        latest, qualifier, _ = self._qualified(request, name)
        self.resources.remove_permission(latest.name, qualifier, sid)
        return Response(status=204)

    # -- aliases -------------------------------------------------------------------------------

    def create_alias(self, request: Request, name: str) -> Response:
        alias = self.resources.create_alias(self.registry.get(name), request_body(request))
        return json_response(alias.to_api(), 201)

    def list_aliases(self, request: Request, name: str) -> Response:
        latest = self.registry.get(name)
        version = request.args.get("FunctionVersion")
        aliases = [
            a.to_api()
            for a in self.resources.aliases(latest.name)
            if version is None or a.function_version == version
        ]
        return json_response({"Aliases": aliases})

    def get_alias(self, request: Request, name: str, alias: str) -> Response:
        return json_response(self.resources.alias(self.registry.get(name), alias).to_api())

    def delete_alias(self, request: Request, name: str, alias: str) -> Response:
        self.resources.delete_alias(self.registry.get(name).name, alias)
        return Response(status=204)

    # -- tags ----------------------------------------------------------------------------------

    def _tagged(self, arn: str) -> str:
        """The function ARN tags are kept under (Lambda tags unqualified functions only)."""
        if ":event-source-mapping:" in arn:
            if not self.resources.mapping_exists(arn):
                raise missing(f"The resource you requested does not exist. ({arn})")
            return arn
        if not arn.startswith("arn:"):
            raise LambdaApiError(
                400, "ValidationException", f"1 validation error detected: Resource {arn}"
            )
        if qualifier_of(arn):
            raise invalid("Tags are not supported for resource with qualifier.")
        return self.registry.get(arn).arn

    def list_tags(self, request: Request, arn: str) -> Response:
        return json_response({"Tags": self.resources.tags(self._tagged(arn))})

    def tag_resource(self, request: Request, arn: str) -> Response:
        tags = request_body(request).get("Tags") or {}
        if not isinstance(tags, dict):
            raise invalid("Tags must be a map")
        self.resources.tag(self._tagged(arn), tags)
        return Response(status=204)

    def untag_resource(self, request: Request, arn: str) -> Response:
        self.resources.untag(self._tagged(arn), request.args.getlist("tagKeys"))
        return Response(status=204)

    # -- concurrency and code signing ----------------------------------------------------------

    def get_concurrency(self, request: Request, name: str) -> Response:
        reserved = self.resources.concurrency(self.registry.get(name).name)
        return json_response({} if reserved is None else {"ReservedConcurrentExecutions": reserved})

    def put_concurrency(self, request: Request, name: str) -> Response:
        latest = self.registry.get(name)
        value = request_body(request).get("ReservedConcurrentExecutions")
        reserved = self.resources.put_concurrency(latest.name, value)
        return json_response({"ReservedConcurrentExecutions": reserved})

    def delete_concurrency(self, request: Request, name: str) -> Response:
        self.resources.delete_concurrency(self.registry.get(name).name)
        return Response(status=204)

    def get_code_signing(self, request: Request, name: str) -> Response:
        # Code signing is not emulated: no function has a code signing configuration.
        latest = self.registry.get(name)
        return json_response({"CodeSigningConfigArn": "", "FunctionName": latest.name})
