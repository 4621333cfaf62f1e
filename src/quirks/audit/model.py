"""The inventory every source fills in and every rule reads: typed, source-independent, pure.

A reference between resources (a mapping's function, a destination's queue) is a string: what the
source had at hand. From Terraform it is the referenced resource's address (``aws_sqs_queue.f``) or a
literal name or ARN; from the account it is an ARN. :class:`Inventory` resolves either to the
resource it names, so that no rule cares where the inventory came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

from quirks.arns import function_name as _function_name
from quirks.arns import lambda_log_group

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "Alarm",
    "BucketNotification",
    "CognitoDomain",
    "DnsRecord",
    "EventTarget",
    "Function",
    "Inventory",
    "InvokeConfig",
    "Kind",
    "LogGroup",
    "LogSubscription",
    "Mapping",
    "Part",
    "Permission",
    "Pipe",
    "Queue",
    "Resource",
    "Subscription",
    "Suppression",
    "Table",
    "Topic",
    "excluded_log_groups",
    "strip_index",
]


Kind = Literal[
    "resource",
    "function",
    "mapping",
    "invoke-config",
    "permission",
    "table",
    "queue",
    "topic",
    "subscription",
    "pipe",
    "event-target",
    "bucket-notification",
    "alarm",
    "log-group",
    "log-subscription",
    "cognito-domain",
    "dns-record",
]
"""What a finding names as the resource's kind (it is part of the baseline's fingerprint)."""

Part = Literal[
    "functions",
    "invoke-configs",
    "policies",
    "mappings",
    "tables",
    "queues",
    "topics",
    "pipes",
    "rules",
    "buckets",
    "alarms",
    "logs",
    "account-policy",
    "cognito",
]
"""A part of the inventory a source reads on its own (and may fail to): what a rule ``needs``."""


@dataclass(frozen=True)
class Suppression:
    """``# quirks:ignore RULE reason`` on a Terraform resource: the rule is off for it, for a reason."""

    rule: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Resource:
    """What every inventory entry has: a key (address or ARN), a display name, where it is defined."""

    key: str
    name: str
    kind: Kind = "resource"
    file: str | None = None
    line: int | None = None
    suppressions: tuple[Suppression, ...] = ()
    unknown: tuple[str, ...] = ()
    """Fields the source could not evaluate (a Terraform expression): rules say nothing about them."""

    def refs(self) -> set[str]:
        """Every string another resource may use to name this one (its address, name, ARN)."""
        return {self.key, self.name}


@dataclass(frozen=True, kw_only=True)
class Function(Resource):
    kind: Kind = "function"
    arn: str | None = None
    handler: str | None = None
    timeout: int | None = None
    """Seconds; ``None`` means unset, which Lambda reads as 3."""
    environment: dict[str, str] = field(default_factory=dict)
    dead_letter_target: str | None = None
    log_group: str | None = None
    """``LoggingConfig.LogGroup`` when set; otherwise Lambda writes to ``/aws/lambda/<name>``."""

    def refs(self) -> set[str]:
        return super().refs() | ({self.arn} if self.arn else set())

    @property
    def log_group_name(self) -> str:
        return self.log_group or lambda_log_group(self.name)


@dataclass(frozen=True, kw_only=True)
class Mapping(Resource):
    """An event source mapping. ``None`` settings are unset (Lambda's defaults apply)."""

    kind: Kind = "mapping"
    function: str
    source: str
    on_failure: str | None = None
    max_retries: int | None = None
    max_record_age: int | None = None
    bisect: bool = False
    response_types: tuple[str, ...] = ()
    enabled: bool = True
    """False for a disabled mapping (``enabled = false``, State ``Disabled``/``Disabling``): it
    polls nothing, so it is no reader of its source."""


@dataclass(frozen=True, kw_only=True)
class InvokeConfig(Resource):
    """A function's asynchronous invocation settings (``EventInvokeConfig``)."""

    kind: Kind = "invoke-config"
    function: str
    on_success: str | None = None
    on_failure: str | None = None


@dataclass(frozen=True, kw_only=True)
class Permission(Resource):
    """One statement of a function's resource policy."""

    kind: Kind = "permission"
    function: str
    principal: str
    source_arn: str | None = None


@dataclass(frozen=True, kw_only=True)
class Table(Resource):
    kind: Kind = "table"
    stream_arn: str | None = None
    stream_enabled: bool = False
    global_table: bool = False

    def refs(self) -> set[str]:
        return super().refs() | ({self.stream_arn} if self.stream_arn else set())


@dataclass(frozen=True, kw_only=True)
class Queue(Resource):
    kind: Kind = "queue"
    arn: str | None = None
    url: str | None = None
    redrive: bool = False

    def refs(self) -> set[str]:
        return super().refs() | {r for r in (self.arn, self.url) if r}


@dataclass(frozen=True, kw_only=True)
class Topic(Resource):
    kind: Kind = "topic"
    arn: str | None = None

    def refs(self) -> set[str]:
        return super().refs() | ({self.arn} if self.arn else set())


@dataclass(frozen=True, kw_only=True)
class Subscription(Resource):
    kind: Kind = "subscription"
    topic: str
    protocol: str
    endpoint: str


@dataclass(frozen=True, kw_only=True)
class Pipe(Resource):
    kind: Kind = "pipe"
    source: str
    target: str | None = None
    enabled: bool = True
    """False for a stopped pipe (``desired_state = "STOPPED"``): it reads nothing."""


@dataclass(frozen=True, kw_only=True)
class EventTarget(Resource):
    """An EventBridge rule target (rules invoke Lambda asynchronously)."""

    kind: Kind = "event-target"
    target: str


@dataclass(frozen=True, kw_only=True)
class BucketNotification(Resource):
    kind: Kind = "bucket-notification"
    functions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Alarm(Resource):
    kind: Kind = "alarm"
    namespace: str | None = None
    metric: str | None = None
    dimensions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class LogGroup(Resource):
    kind: Kind = "log-group"


@dataclass(frozen=True, kw_only=True)
class LogSubscription(Resource):
    """A subscription filter on a log group, or (``log_group`` None) the account-level policy,
    which covers every group but ``excluded``."""

    kind: Kind = "log-subscription"
    log_group: str | None
    destination: str
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CognitoDomain(Resource):
    kind: Kind = "cognito-domain"
    domain: str
    custom: bool = False


@dataclass(frozen=True, kw_only=True)
class DnsRecord(Resource):
    kind: Kind = "dns-record"
    record_name: str
    record_type: str
    zone: str | None = None


R = TypeVar("R", bound=Resource)

_NOT_IN = re.compile(r"LogGroupName\s+NOT\s+IN\s*\[(.*)\]", re.IGNORECASE | re.DOTALL)


def excluded_log_groups(selection_criteria: str | None) -> tuple[str, ...]:
    """The groups an account-level subscription policy leaves out: ``LogGroupName NOT IN [...]``
    is the only selection criterion CloudWatch Logs takes."""
    match = _NOT_IN.search(selection_criteria or "")
    return tuple(re.findall(r'"([^"]+)"', match.group(1))) if match else ()


def strip_index(address: str) -> str:
    """``module.c["a"].aws_x.y[0]`` -> ``module.c.aws_x.y``: the configuration address."""
    out, depth = [], 0
    for char in address:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


@dataclass
class Inventory:
    """Everything one source could see. ``notes`` say what it could not read, and why."""

    source: str
    resources: list[Resource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unread: set[Part] = field(default_factory=set)
    """Parts of the inventory the source could not read (``"policies"``, ``"alarms"``, ...): rules
    that need one of them are skipped rather than guessing."""
    zones: tuple[str, ...] = ()
    """Route53 zone names the source could see (a missing A record is only a finding in one)."""

    def add(self, resource: Resource) -> None:
        self.resources.append(resource)

    def of(self, kind: type[R]) -> list[R]:
        return [r for r in self.resources if isinstance(r, kind)]

    def find(self, kind: type[R], ref: str | None) -> R | None:
        """The resource of ``kind`` that ``ref`` names (address, name, ARN or URL), if visible."""
        if not ref:
            return None
        candidates = {ref}
        if kind is Function and ref.startswith("arn:"):
            candidates.add(_function_name(ref))
        resources = self.of(kind)
        for resource in resources:
            if resource.refs() & candidates:
                return resource
        # A .tf reading names for_each/count resources without their keys: match on the
        # configuration address only when nothing matched exactly.
        stripped = strip_index(ref)
        for resource in resources:
            if strip_index(resource.key) == stripped:
                return resource
        return None

    def same(self, resource: Resource, refs: Iterable[str | None]) -> bool:
        """Whether any of ``refs`` names ``resource``."""
        return any(self.find(type(resource), ref) == resource for ref in refs if ref)
