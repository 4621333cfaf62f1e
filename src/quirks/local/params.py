"""Lambda API request parameters, validated into the local Lambda's models.

``CreateFunction``/``UpdateFunctionConfiguration`` and ``Create``/``UpdateEventSourceMapping`` take
many optional members, each with its own range or set of values. Each member is one row of a table
here (member name → reader), read through :class:`quirks.fields.Fields`, so a bad value is refused
with Lambda's ``InvalidParameterValueException`` naming the member's dotted path, and adding a
member is adding a row. Pure: no I/O.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from quirks import jsonsafe
from quirks.arns import Arn
from quirks.errors import FormatError
from quirks.fields import Fields
from quirks.local.errors import LambdaApiError, invalid
from quirks.local.models import (
    EventInvokeConfig,
    FunctionConfig,
    MappingConfig,
    MappingSource,
    lambda_timestamp,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping

__all__ = [
    "MAX_FILTERS",
    "MAX_TIMEOUT",
    "apply_configuration",
    "build_invoke_config",
    "build_mapping",
]

MAX_TIMEOUT: Final = 900
# https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html ("up to five
# different filters" per event source mapping, by default)
MAX_FILTERS: Final = 5

ARCHITECTURES: Final = ("x86_64", "arm64")
TRACING_MODES: Final = ("Active", "PassThrough")
LOG_FORMATS: Final = ("Text", "JSON")
SYSTEM_LOG_LEVELS: Final = ("DEBUG", "INFO", "WARN")
STARTING_POSITIONS: Final = ("TRIM_HORIZON", "LATEST")


def _refuse(path: str, problem: str) -> LambdaApiError:
    return invalid(f"{path} {problem}")


_FIELDS: Final = Fields(_refuse)
Changes = dict[str, Any]


def _one_of(value: Any, path: str, allowed: Collection[str]) -> str:
    if value not in allowed:
        raise invalid(f"{path} must be one of {list(allowed)}, got {value}")
    return str(value)


def _object(params: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """A member that is an object; ``null`` reads as empty, as botocore never sends it."""
    return _FIELDS.mapping(params.get(name) or {}, name)


def _integer(params: Mapping[str, Any], name: str, low: int, high: int, default: int) -> int:
    """A whole number within ``low..high``; absent or ``null`` keeps ``default``."""
    if params.get(name) is None:
        return default
    return _FIELDS.integer(params, name, "", low=low, high=high)


# -- function configuration ------------------------------------------------------------------------


def _string(attribute: str) -> Callable[[FunctionConfig, Mapping[str, Any], str], Changes]:
    def read(_config: FunctionConfig, params: Mapping[str, Any], name: str) -> Changes:
        return {attribute: _FIELDS.require(params, name, "", str)}

    return read


def _bounded(
    attribute: str, low: int, high: int
) -> Callable[[FunctionConfig, Mapping[str, Any], str], Changes]:
    def read(config: FunctionConfig, params: Mapping[str, Any], name: str) -> Changes:
        return {attribute: _integer(params, name, low, high, getattr(config, attribute))}

    return read


def _environment(_config: FunctionConfig, params: Mapping[str, Any], name: str) -> Changes:
    variables = _FIELDS.mapping(_object(params, name).get("Variables") or {}, f"{name}.Variables")
    return {"environment": {str(k): str(v) for k, v in variables.items()}}


def _dead_letter(_config: FunctionConfig, params: Mapping[str, Any], name: str) -> Changes:
    return {"dead_letter_target": _object(params, name).get("TargetArn") or None}


def _architectures(_config: FunctionConfig, params: Mapping[str, Any], name: str) -> Changes:
    architectures = params[name] or ["x86_64"]
    if not isinstance(architectures, list) or len(architectures) != 1:
        raise invalid(f"Architectures must be one of {list(ARCHITECTURES)}, got {architectures}")
    return {"architecture": _one_of(architectures[0], "Architectures", ARCHITECTURES)}


def _tracing(_config: FunctionConfig, params: Mapping[str, Any], name: str) -> Changes:
    mode = _object(params, name).get("Mode", "PassThrough")
    return {"tracing_mode": _one_of(mode, f"{name}.Mode", TRACING_MODES)}


def _storage(_config: FunctionConfig, params: Mapping[str, Any], name: str) -> Changes:
    storage = _object(params, name)
    size = _FIELDS.integer(storage, "Size", f"{name}.", low=512, high=10240, default=512)
    return {"ephemeral_storage": size}


def _layers(_config: FunctionConfig, params: Mapping[str, Any], name: str) -> Changes:
    return {"layers": tuple(str(arn) for arn in params[name] or ())}


def _logging(config: FunctionConfig, params: Mapping[str, Any], name: str) -> Changes:
    logging = _object(params, name)
    log_format = logging.get("LogFormat", config.log_format)
    system_level = logging.get("SystemLogLevel", config.system_log_level)
    return {
        "log_format": _one_of(log_format, f"{name}.LogFormat", LOG_FORMATS),
        "application_log_level": logging.get("ApplicationLogLevel", config.application_log_level),
        "system_log_level": _one_of(system_level, f"{name}.SystemLogLevel", SYSTEM_LOG_LEVELS),
        "log_group": logging.get("LogGroup", config.log_group),
    }


_CONFIGURATION: Final[dict[str, Callable[[FunctionConfig, Mapping[str, Any], str], Changes]]] = {
    "Handler": _string("handler"),
    "Role": _string("role"),
    "Runtime": _string("runtime"),
    "Description": _string("description"),
    "Timeout": _bounded("timeout", 1, MAX_TIMEOUT),
    "MemorySize": _bounded("memory_size", 128, 10240),
    "Environment": _environment,
    "DeadLetterConfig": _dead_letter,
    "Architectures": _architectures,
    "TracingConfig": _tracing,
    "EphemeralStorage": _storage,
    "Layers": _layers,
    "LoggingConfig": _logging,
}
"""The members of ``UpdateFunctionConfiguration`` (and ``CreateFunction``) the emulator keeps."""


def apply_configuration(config: FunctionConfig, params: Mapping[str, Any]) -> FunctionConfig:
    """``config`` with the members of ``params`` applied: a new revision, or Lambda's 400."""
    changes: Changes = {}
    for name, read in _CONFIGURATION.items():
        if name in params:
            changes.update(read(config, params, name))
    return replace(
        config, **changes, last_modified=lambda_timestamp(), revision_id=str(uuid.uuid4())
    )


# -- asynchronous invocation ---------------------------------------------------------------------


def _destination(destinations: Mapping[str, Any], name: str, kept: str | None) -> str | None:
    chosen = _FIELDS.mapping(destinations.get(name) or {}, f"DestinationConfig.{name}")
    return str(chosen["Destination"]) if chosen.get("Destination") else kept


def build_invoke_config(
    params: Mapping[str, Any], current: EventInvokeConfig, *, merge: bool, now: float
) -> EventInvokeConfig:
    """``Put`` (``merge=False``: what ``params`` leaves out is reset) or ``Update`` (merged into
    ``current``) ``FunctionEventInvokeConfig`` (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html)."""
    base = current if merge else EventInvokeConfig()
    retries = _integer(params, "MaximumRetryAttempts", 0, 2, base.maximum_retry_attempts)
    age = _integer(params, "MaximumEventAgeInSeconds", 60, 21600, base.maximum_event_age_seconds)
    on_success, on_failure = base.on_success, base.on_failure
    if params.get("DestinationConfig") is not None:
        destinations = _object(params, "DestinationConfig")
        on_success = _destination(destinations, "OnSuccess", base.on_success)
        on_failure = _destination(destinations, "OnFailure", base.on_failure)
    if on_success and on_success.startswith("arn:aws:s3:"):
        # S3 takes async invocation records "on failure only" (invocation-async-retain-records.html)
        raise invalid(
            "The provided destination config DestinationConfig.OnSuccess is invalid: "
            "Amazon S3 is supported as an OnFailure destination only"
        )
    return EventInvokeConfig(retries, age, on_success, on_failure, now)


# -- event source mappings -------------------------------------------------------------------------


def _source_kind(event_source_arn: str) -> MappingSource:
    arn = Arn.parse(event_source_arn)
    if arn.service == "dynamodb" and "/stream/" in arn.resource:
        return "dynamodb"
    if arn.service == "sqs":
        return "sqs"
    raise invalid(
        f"Unsupported event source {event_source_arn}: the local Lambda polls DynamoDB streams and SQS queues"
    )


def _filters(params: Mapping[str, Any]) -> Changes:
    criteria = _object(params, "FilterCriteria")
    filters = tuple(str(f.get("Pattern", "")) for f in criteria.get("Filters") or [])
    if len(filters) > MAX_FILTERS:
        raise invalid(f"At most {MAX_FILTERS} filters are allowed, got {len(filters)}")
    for pattern in filters:
        try:
            jsonsafe.loads(pattern, "filter pattern")
        except FormatError:
            raise invalid(f"Invalid filter pattern definition: {pattern}") from None
    return {"filters": filters}


def _on_failure(params: Mapping[str, Any]) -> str | None:
    on_failure = _object(params, "DestinationConfig").get("OnFailure") or {}
    destination = _FIELDS.mapping(on_failure, "DestinationConfig.OnFailure").get("Destination")
    return str(destination) if destination else None


def _stream_settings(params: Mapping[str, Any], base: MappingConfig, creating: bool) -> Changes:
    """The members only stream mappings have (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html)."""
    position = params.get("StartingPosition", base.starting_position)
    if creating:
        _one_of(position, "StartingPosition", STARTING_POSITIONS)
    age = _integer(params, "MaximumRecordAgeInSeconds", -1, 604800, base.maximum_record_age)
    if 0 <= age < 60:
        raise invalid("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800")
    changes: Changes = {
        "starting_position": position,
        "bisect_on_error": bool(params.get("BisectBatchOnFunctionError", base.bisect_on_error)),
        "maximum_retry_attempts": _integer(
            params, "MaximumRetryAttempts", -1, 10000, base.maximum_retry_attempts
        ),
        "maximum_record_age": age,
        # Recorded as set: the local poller reads each shard with one batch at a time.
        "parallelization_factor": _integer(
            params, "ParallelizationFactor", 1, 10, base.parallelization_factor
        ),
        "tumbling_window": _integer(
            params, "TumblingWindowInSeconds", 0, 900, base.tumbling_window
        ),
    }
    if "DestinationConfig" in params:
        destination = _on_failure(params)
        if destination and destination.endswith(".fifo"):
            raise invalid("FIFO destinations are not supported for stream event sources")
        changes["on_failure"] = destination
    return changes


def _queue_settings(params: Mapping[str, Any], base: MappingConfig) -> Changes:
    """The members only SQS mappings have (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html)."""
    if "DestinationConfig" in params and _on_failure(params):
        raise invalid(
            "Unsupported DestinationConfig for an SQS event source: use the queue's redrive policy"
        )
    if "ScalingConfig" not in params:
        return {}
    scaling = _object(params, "ScalingConfig")
    if scaling.get("MaximumConcurrency") is None:
        return {"maximum_concurrency": None}
    concurrency = _FIELDS.integer(scaling, "MaximumConcurrency", "ScalingConfig.", low=2, high=1000)
    return {"maximum_concurrency": concurrency}


def build_mapping(
    params: Mapping[str, Any], function_arn: str, current: MappingConfig | None = None
) -> MappingConfig:
    """Validate ``Create``/``UpdateEventSourceMapping`` parameters into a mapping.

    ``current`` is the mapping an update changes: its source cannot change, and what ``params``
    leaves out keeps its value.
    """
    source_arn = current.event_source_arn if current else params.get("EventSourceArn")
    if not source_arn or not isinstance(source_arn, str):
        raise invalid("EventSourceArn is required")
    kind = _source_kind(source_arn)
    base = current or MappingConfig(
        uuid=str(uuid.uuid4()),
        function_arn=function_arn,
        event_source_arn=source_arn,
        source=kind,
        batch_size=100 if kind == "dynamodb" else 10,
    )
    window = _integer(params, "MaximumBatchingWindowInSeconds", 0, 300, base.batching_window)
    # An SQS batch above 10 records needs a batching window (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
    batch_limit = 10000 if kind == "dynamodb" or window > 0 else 10
    changes: Changes = {
        "function_arn": function_arn,
        "batch_size": _integer(params, "BatchSize", 1, batch_limit, base.batch_size),
        "batching_window": window,
        "enabled": bool(params.get("Enabled", base.enabled)),
        "last_modified": time.time(),
    }
    if "FilterCriteria" in params:
        changes.update(_filters(params))
    if "FunctionResponseTypes" in params:
        types = params["FunctionResponseTypes"] or []
        changes["report_item_failures"] = "ReportBatchItemFailures" in types
    if kind == "dynamodb":
        changes.update(_stream_settings(params, base, creating=current is None))
    else:
        changes.update(_queue_settings(params, base))
    return replace(base, **changes)
