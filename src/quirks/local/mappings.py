"""Event source mappings of the local Lambda: their configuration, validation and API.

Only this emulator owns stream and queue mappings: moto's own mapping handling invokes on every write
and empties the shard (a known gap of moto), so ``CreateEventSourceMapping`` never reaches moto.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from quirks import jsonsafe
from quirks.arns import Arn
from quirks.local.functions import LambdaApiError, invalid

if TYPE_CHECKING:
    from collections.abc import Callable

    from quirks.local.function_resources import FunctionResources

__all__ = ["MappingApi", "MappingConfig", "MappingRegistry"]

MAX_FILTERS = 5


@dataclass(frozen=True)
class MappingConfig:
    """One event source mapping, as ``GetEventSourceMapping`` describes it."""

    uuid: str
    function_arn: str
    event_source_arn: str
    source: str  # "dynamodb" | "sqs"
    batch_size: int
    batching_window: int = 0
    starting_position: str | None = None
    filters: tuple[str, ...] = ()
    bisect_on_error: bool = False
    maximum_retry_attempts: int = -1
    maximum_record_age: int = -1
    report_item_failures: bool = False
    parallelization_factor: int = 1
    tumbling_window: int = 0
    maximum_concurrency: int | None = None  # SQS ScalingConfig
    on_failure: str | None = None
    enabled: bool = True
    last_modified: float = field(default_factory=time.time)

    @property
    def state(self) -> str:
        return "Enabled" if self.enabled else "Disabled"

    @property
    def arn(self) -> str:
        function = Arn.parse(self.function_arn)
        return (
            f"arn:{function.partition}:lambda:{function.region}:{function.account}"
            f":event-source-mapping:{self.uuid}"
        )

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "UUID": self.uuid,
            "EventSourceMappingArn": self.arn,
            "BatchSize": self.batch_size,
            "MaximumBatchingWindowInSeconds": self.batching_window,
            "EventSourceArn": self.event_source_arn,
            "FunctionArn": self.function_arn,
            "LastModified": self.last_modified,
            "LastProcessingResult": "No records processed",
            "State": self.state,
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"]
            if self.report_item_failures
            else [],
        }
        if self.maximum_concurrency is not None:
            data["ScalingConfig"] = {"MaximumConcurrency": self.maximum_concurrency}
        if self.filters:
            data["FilterCriteria"] = {"Filters": [{"Pattern": p} for p in self.filters]}
        if self.source == "dynamodb":
            data.update(
                StartingPosition=self.starting_position,
                BisectBatchOnFunctionError=self.bisect_on_error,
                MaximumRetryAttempts=self.maximum_retry_attempts,
                MaximumRecordAgeInSeconds=self.maximum_record_age,
                ParallelizationFactor=self.parallelization_factor,
                TumblingWindowInSeconds=self.tumbling_window,
                DestinationConfig={"OnFailure": {"Destination": self.on_failure}}
                if self.on_failure
                else {"OnFailure": {}},
            )
        return data


def _int(params: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = params.get(key)
    if value is None:
        return default
    number = int(value)
    if not low <= number <= high:
        raise invalid(f"{key} must be between {low} and {high}, got {number}")
    return number


def _source_kind(event_source_arn: str) -> str:
    arn = Arn.parse(event_source_arn)
    if arn.service == "dynamodb" and "/stream/" in arn.resource:
        return "dynamodb"
    if arn.service == "sqs":
        return "sqs"
    raise invalid(
        f"Unsupported event source {event_source_arn}: the local Lambda polls DynamoDB streams and SQS queues"
    )


def build_mapping(
    params: dict[str, Any], function_arn: str, current: MappingConfig | None = None
) -> MappingConfig:
    """Validate ``Create``/``UpdateEventSourceMapping`` parameters (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html)."""
    source_arn = current.event_source_arn if current else params.get("EventSourceArn")
    if not source_arn:
        raise invalid("EventSourceArn is required")
    kind = _source_kind(source_arn)
    base = current or MappingConfig(
        uuid=str(uuid.uuid4()),
        function_arn=function_arn,
        event_source_arn=source_arn,
        source=kind,
        batch_size=100 if kind == "dynamodb" else 10,
    )
    window = _int(params, "MaximumBatchingWindowInSeconds", base.batching_window, 0, 300)
    batch_limit = 10000 if kind == "dynamodb" or window > 0 else 10
    changes: dict[str, Any] = {
        "function_arn": function_arn,
        "batch_size": _int(params, "BatchSize", base.batch_size, 1, batch_limit),
        "batching_window": window,
        "enabled": bool(params.get("Enabled", base.enabled)),
        "last_modified": time.time(),
    }
    if "FilterCriteria" in params:
        filters = tuple(
            str(f.get("Pattern", "")) for f in (params["FilterCriteria"] or {}).get("Filters", [])
        )
        if len(filters) > MAX_FILTERS:
            raise invalid(f"At most {MAX_FILTERS} filters are allowed, got {len(filters)}")
        for pattern in filters:
            try:
                jsonsafe.loads(pattern, "filter pattern")
            except ValueError:
                raise invalid(f"Invalid filter pattern definition: {pattern}") from None
        changes["filters"] = filters
    if "FunctionResponseTypes" in params:
        changes["report_item_failures"] = "ReportBatchItemFailures" in (
            params["FunctionResponseTypes"] or []
        )
    if kind == "dynamodb":
        position = params.get("StartingPosition", base.starting_position)
        if current is None and position not in ("TRIM_HORIZON", "LATEST"):
            raise invalid("StartingPosition must be TRIM_HORIZON or LATEST for a DynamoDB stream")
        changes["starting_position"] = position
        changes["bisect_on_error"] = bool(
            params.get("BisectBatchOnFunctionError", base.bisect_on_error)
        )
        changes["maximum_retry_attempts"] = _int(
            params, "MaximumRetryAttempts", base.maximum_retry_attempts, -1, 10000
        )
        age = _int(params, "MaximumRecordAgeInSeconds", base.maximum_record_age, -1, 604800)
        if 0 <= age < 60:
            raise invalid("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800")
        changes["maximum_record_age"] = age
        # Recorded as set: the local poller reads each shard with one batch at a time.
        changes["parallelization_factor"] = _int(
            params, "ParallelizationFactor", base.parallelization_factor, 1, 10
        )
        changes["tumbling_window"] = _int(
            params, "TumblingWindowInSeconds", base.tumbling_window, 0, 900
        )
        if "DestinationConfig" in params:
            destination = ((params["DestinationConfig"] or {}).get("OnFailure") or {}).get(
                "Destination"
            )
            if destination and destination.endswith(".fifo"):
                raise invalid("FIFO destinations are not supported for stream event sources")
            changes["on_failure"] = destination or None
    elif "ScalingConfig" in params:
        scaling = (params["ScalingConfig"] or {}).get("MaximumConcurrency")
        if scaling is not None and not 2 <= int(scaling) <= 1000:
            raise invalid(
                f"ScalingConfig.MaximumConcurrency must be between 2 and 1000, got {scaling}"
            )
        changes["maximum_concurrency"] = None if scaling is None else int(scaling)
    if kind == "sqs" and params.get("DestinationConfig", {}).get("OnFailure", {}).get(
        "Destination"
    ):
        raise invalid(
            "Unsupported DestinationConfig for an SQS event source: use the queue's redrive policy"
        )
    return replace(base, **changes)


class MappingRegistry:
    """Mappings by UUID; ``on_change`` starts/stops pollers."""

    def __init__(
        self, on_change: Callable[[MappingConfig | None, MappingConfig | None], None]
    ) -> None:
        self._mappings: dict[str, MappingConfig] = {}
        self._lock = threading.Lock()
        self._on_change = on_change

    def get(self, mapping_uuid: str) -> MappingConfig:
        with self._lock:
            if mapping_uuid not in self._mappings:
                raise LambdaApiError(
                    404,
                    "ResourceNotFoundException",
                    f"The resource you requested does not exist. (UUID {mapping_uuid})",
                )
            return self._mappings[mapping_uuid]

    def list(
        self, function_arn: str | None = None, source_arn: str | None = None
    ) -> list[MappingConfig]:
        with self._lock:
            return [
                m
                for m in self._mappings.values()
                if (function_arn is None or m.function_arn == function_arn)
                and (source_arn is None or m.event_source_arn == source_arn)
            ]

    def put(self, mapping: MappingConfig) -> MappingConfig:
        with self._lock:
            old = self._mappings.get(mapping.uuid)
            self._mappings[mapping.uuid] = mapping
        self._on_change(old, mapping)
        return mapping

    def delete(self, mapping_uuid: str) -> MappingConfig:
        mapping = self.get(mapping_uuid)
        with self._lock:
            self._mappings.pop(mapping_uuid, None)
        self._on_change(mapping, None)
        return mapping

    def reset(self) -> None:
        for mapping in self.list():
            self.delete(mapping.uuid)


class MappingApi:
    """The ``/2015-03-31/event-source-mappings`` routes."""

    def __init__(
        self,
        mappings: MappingRegistry,
        resolve_function: Callable[[str], str],
        validate: Callable[[MappingConfig], None] = lambda _mapping: None,
    ) -> None:
        self.mappings = mappings
        self.resolve_function = resolve_function
        self.validate = validate
        self.resources: FunctionResources | None = None

    def bind_resources(self, resources: FunctionResources) -> None:
        """Keep mappings' tags (``CreateEventSourceMapping``'s ``Tags``) in the Lambda tag store."""
        self.resources = resources
        resources.mapping_exists = lambda arn: any(m.arn == arn for m in self.mappings.list())

    def _put(self, mapping: MappingConfig) -> MappingConfig:
        self.validate(mapping)
        return self.mappings.put(mapping)

    def rules(self) -> list[Rule]:
        return [
            Rule("/2015-03-31/event-source-mappings", methods=["POST"], endpoint="esm"),
            Rule("/2015-03-31/event-source-mappings", methods=["GET"], endpoint="esm"),
            Rule(
                "/2015-03-31/event-source-mappings/<uuid>",
                methods=["GET", "PUT", "DELETE"],
                endpoint="esm",
            ),
        ]

    def __call__(self, request: Request, uuid: str | None = None) -> Response:
        if uuid is None and request.method == "POST":
            params = json.loads(request.get_data() or b"{}")
            function_arn = self.resolve_function(params.get("FunctionName", ""))
            tags = params.get("Tags") or {}
            if not isinstance(tags, dict) or len(tags) > 50:
                raise invalid("Tags must be a map of at most 50 strings")
            mapping = self._put(build_mapping(params, function_arn))
            if self.resources is not None:
                self.resources.tag(mapping.arn, tags)
            return _json(mapping.to_api(), 202)
        if uuid is None:
            function = request.args.get("FunctionName")
            owner = self.resolve_function(function) if function else None
            found = self.mappings.list(owner, request.args.get("EventSourceArn"))
            return _json({"EventSourceMappings": [m.to_api() for m in found]}, 200)
        if request.method == "GET":
            return _json(self.mappings.get(uuid).to_api(), 200)
        if request.method == "DELETE":
            mapping = self.mappings.delete(uuid)
            if self.resources is not None:
                self.resources.drop_tags(mapping.arn)
            return _json({**mapping.to_api(), "State": "Deleting"}, 202)
        params = json.loads(request.get_data() or b"{}")
        current = self.mappings.get(uuid)
        function_arn = (
            self.resolve_function(params["FunctionName"])
            if params.get("FunctionName")
            else current.function_arn
        )
        return _json(self._put(build_mapping(params, function_arn, current)).to_api(), 202)


def _json(data: Any, status: int) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")
