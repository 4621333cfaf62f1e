"""What the Lambda API keeps beside a function's configuration: policy, tags, concurrency, versions.

``AddPermission`` statements are stored and returned by ``GetPolicy`` in AWS's document format but
enforced nowhere: the local cloud has no IAM. Reserved concurrency is stored and reported, not
applied (the emulator's own per-function worker limit stays in force). Published versions are
immutable snapshots of ``$LATEST``'s configuration, and aliases point at one of them.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from quirks.local.errors import LambdaApiError, invalid, missing

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.local.models import FunctionConfig

__all__ = ["Alias", "FunctionResources", "policy_statement"]

ACCOUNT_CONCURRENCY = 1000
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ACTION = re.compile(r"^(lambda:[*]|lambda:[a-zA-Z]+|[*])$")
_ALIAS = re.compile(r"^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$")


def _principal(principal: str) -> Any:
    """AWS's rendering of ``AddPermission``'s ``Principal`` in the policy document."""
    if principal == "*":
        return "*"
    if _ACCOUNT_ID.match(principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:"):
        return {"AWS": principal}
    return {"Service": principal}


def policy_statement(params: dict[str, Any], resource_arn: str) -> dict[str, Any]:
    """One policy statement from ``AddPermission`` parameters, as ``GetPolicy`` returns it."""
    sid, action, principal = (params.get(k) for k in ("StatementId", "Action", "Principal"))
    if not sid or not action or not principal:
        raise invalid("StatementId, Action and Principal are required")
    if not _ACTION.match(str(action)):
        raise invalid(f"Action {action} is not a Lambda action (lambda:InvokeFunction, lambda:*)")
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": _principal(str(principal)),
        "Action": action,
        "Resource": resource_arn,
    }
    equals: dict[str, str] = {}
    if params.get("SourceAccount"):
        equals["AWS:SourceAccount"] = str(params["SourceAccount"])
    if params.get("PrincipalOrgID"):
        equals["aws:PrincipalOrgID"] = str(params["PrincipalOrgID"])
    if params.get("EventSourceToken"):
        equals["lambda:EventSourceToken"] = str(params["EventSourceToken"])
    if params.get("FunctionUrlAuthType"):
        equals["lambda:FunctionUrlAuthType"] = str(params["FunctionUrlAuthType"])
    condition: dict[str, Any] = {}
    if equals:
        condition["StringEquals"] = equals
    if params.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": str(params["SourceArn"])}
    if condition:
        statement["Condition"] = condition
    return statement


@dataclass(frozen=True)
class Alias:
    """``CreateAlias``: a name for one published version (or ``$LATEST``)."""

    name: str
    arn: str
    function_version: str
    description: str = ""
    revision_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def to_api(self) -> dict[str, Any]:
        return {
            "AliasArn": self.arn,
            "Name": self.name,
            "FunctionVersion": self.function_version,
            "Description": self.description,
            "RevisionId": self.revision_id,
        }


@dataclass
class _Extras:
    """One function's resources; a policy per qualifier ("" is the unqualified function)."""

    policies: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    policy_revisions: dict[str, str] = field(default_factory=dict)
    concurrency: int | None = None
    versions: list[FunctionConfig] = field(default_factory=list)
    published_from: str = ""  # $LATEST's RevisionId the last version was published from
    aliases: dict[str, Alias] = field(default_factory=dict)


class FunctionResources:
    """Policies, tags, concurrency, versions and aliases of every function; thread-safe.

    Callers check the function exists (``FunctionRegistry.get``) before calling in here.
    """

    def __init__(self) -> None:
        self._extras: dict[str, _Extras] = {}
        self._tags: dict[str, dict[str, str]] = {}
        self._lock = threading.RLock()
        # Event source mappings are tagged by ARN too; their API says which ARNs exist.
        self.mapping_exists: Callable[[str], bool] = lambda _arn: False

    def _of(self, name: str) -> _Extras:
        return self._extras.setdefault(name, _Extras())

    def forget(self, name: str, arn: str) -> None:
        """Drop everything of a deleted function."""
        with self._lock:
            self._extras.pop(name, None)
            self._tags.pop(arn, None)

    def reset(self) -> None:
        """Forget everything, mappings' tags included (the local cloud is being reset)."""
        with self._lock:
            self._extras.clear()
            self._tags.clear()

    # -- resource policy -----------------------------------------------------------------------

    def add_permission(
        self, name: str, qualifier: str, statement: dict[str, Any], revision_id: str | None
    ) -> dict[str, Any]:
        with self._lock:
            extras = self._of(name)
            statements = extras.policies.setdefault(qualifier, {})
            current = extras.policy_revisions.get(qualifier)
            if revision_id and revision_id != current:
                raise LambdaApiError(
                    412,
                    "PreconditionFailedException",
                    "The Revision Id provided does not match the latest Revision Id. "
                    "Call the GetPolicy API to retrieve the latest Revision Id",
                )
            if statement["Sid"] in statements:
                raise LambdaApiError(
                    409,
                    "ResourceConflictException",
                    f"The statement id ({statement['Sid']}) provided already exists. Please "
                    "specify a new statement id, or remove the existing statement.",
                )
            statements[statement["Sid"]] = statement
            extras.policy_revisions[qualifier] = str(uuid.uuid4())
            return statement

    def policy(self, name: str, qualifier: str) -> tuple[str, str]:
        """The policy document (a JSON string, as AWS returns it) and its revision."""
        with self._lock:
            statements = self._of(name).policies.get(qualifier)
            if not statements:
                raise missing("The resource you requested does not exist.")
            document = {
                "Version": "2012-10-17",
                "Id": "default",
                "Statement": list(statements.values()),
            }
            return json.dumps(document), self._of(name).policy_revisions[qualifier]

    def remove_permission(self, name: str, qualifier: str, sid: str) -> None:
        with self._lock:
            extras = self._of(name)
            statements = extras.policies.get(qualifier, {})
            if sid not in statements:
                raise missing(f"Statement {sid} is not found in resource policy.")
            del statements[sid]
            extras.policy_revisions[qualifier] = str(uuid.uuid4())

    # -- tags ----------------------------------------------------------------------------------

    def tags(self, arn: str) -> dict[str, str]:
        with self._lock:
            return dict(self._tags.get(arn, {}))

    def tag(self, arn: str, tags: dict[str, Any]) -> None:
        if len(tags) > 50:
            raise invalid("A resource can have at most 50 tags")
        with self._lock:
            current = self._tags.setdefault(arn, {})
            current.update({str(k): str(v) for k, v in tags.items()})
            if len(current) > 50:
                raise invalid("A resource can have at most 50 tags")

    def drop_tags(self, arn: str) -> None:
        """Forget the tags of a deleted resource."""
        with self._lock:
            self._tags.pop(arn, None)

    def untag(self, arn: str, keys: list[str]) -> None:
        with self._lock:
            current = self._tags.get(arn, {})
            for key in keys:
                current.pop(key, None)

    # -- reserved concurrency ------------------------------------------------------------------

    def concurrency(self, name: str) -> int | None:
        with self._lock:
            return self._of(name).concurrency

    def put_concurrency(self, name: str, value: Any) -> int:
        if value is None:
            raise invalid("ReservedConcurrentExecutions is required")
        reserved = int(value)
        if not 0 <= reserved <= ACCOUNT_CONCURRENCY:
            raise invalid(
                f"ReservedConcurrentExecutions must be between 0 and {ACCOUNT_CONCURRENCY}, "
                f"got {reserved}"
            )
        with self._lock:
            self._of(name).concurrency = reserved
        return reserved

    def delete_concurrency(self, name: str) -> None:
        with self._lock:
            self._of(name).concurrency = None

    # -- versions and aliases ------------------------------------------------------------------

    def publish(self, latest: FunctionConfig, description: str | None) -> FunctionConfig:
        """A new version, or the last one when ``$LATEST`` has not changed since (as AWS does)."""
        with self._lock:
            extras = self._of(latest.name)
            if extras.versions and extras.published_from == latest.revision_id:
                return extras.versions[-1]
            snapshot = replace(
                latest,
                version=str(len(extras.versions) + 1),
                description=latest.description if description is None else description,
                revision_id=str(uuid.uuid4()),
            )
            extras.versions.append(snapshot)
            extras.published_from = latest.revision_id
            return snapshot

    def versions(self, name: str) -> list[FunctionConfig]:
        with self._lock:
            return list(self._of(name).versions)

    def version(self, latest: FunctionConfig, qualifier: str) -> FunctionConfig:
        """``$LATEST``, a version number or an alias, resolved to a configuration."""
        if qualifier in ("", "$LATEST"):
            return latest
        with self._lock:
            extras = self._of(latest.name)
            alias = extras.aliases.get(qualifier)
            if alias is not None:
                return self.version(latest, alias.function_version)
            for snapshot in extras.versions:
                if snapshot.version == qualifier:
                    return snapshot
        raise missing(f"Function not found: {latest.arn}:{qualifier}")

    def create_alias(self, latest: FunctionConfig, params: dict[str, Any]) -> Alias:
        name = str(params.get("Name") or "")
        if not _ALIAS.match(name):
            raise invalid(f"Alias name {name!r} must be letters, digits, - or _ and not a number")
        version = str(params.get("FunctionVersion") or "")
        self.version(latest, version)
        alias = Alias(name, f"{latest.arn}:{name}", version, str(params.get("Description") or ""))
        with self._lock:
            aliases = self._of(latest.name).aliases
            if name in aliases:
                raise LambdaApiError(
                    409, "ResourceConflictException", f"Alias already exists: {alias.arn}"
                )
            aliases[name] = alias
            return alias

    def alias(self, latest: FunctionConfig, name: str) -> Alias:
        with self._lock:
            alias = self._of(latest.name).aliases.get(name)
        if alias is None:
            raise missing(f"Cannot find alias arn: {latest.arn}:{name}")
        return alias

    def aliases(self, name: str) -> list[Alias]:
        with self._lock:
            return list(self._of(name).aliases.values())

    def delete_alias(self, name: str, alias: str) -> None:
        # AWS answers 204 for an alias that does not exist.
        with self._lock:
            self._of(name).aliases.pop(alias, None)
