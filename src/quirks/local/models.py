"""Models of the local Lambda: functions, async invocation settings and event source mappings.

As in moto's ``models.py``: typed records of what the API set, each with ``to_api`` giving the exact
shape the Lambda API returns. Validation of request parameters into these lives in
:mod:`quirks.local.params`; errors in :mod:`quirks.local.errors`.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from quirks.arns import Arn, lambda_log_group
from quirks.limits import LAMBDA_DEFAULT_TIMEOUT_SECONDS
from quirks.timestamps import iso_millis

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DEFAULT_MEMORY",
    "EventInvokeConfig",
    "FunctionConfig",
    "InvocationStatus",
    "MappingConfig",
    "MappingSource",
    "lambda_timestamp",
]

DEFAULT_MEMORY = 128

InvocationStatus = Literal["success", "error", "timeout", "crash"]
"""How an invocation ended: returned, raised, ran out of time, or lost its process."""

MappingSource = Literal["dynamodb", "sqs"]
"""What an event source mapping polls: a DynamoDB stream or an SQS queue."""


def lambda_timestamp(epoch: float | None = None) -> str:
    """``LastModified`` of a function as Lambda writes it: ``2026-12-01T07:36:00.123+0000``."""
    return iso_millis(time.time() if epoch is None else epoch).removesuffix("Z") + "+0000"


@dataclass(frozen=True)
class EventInvokeConfig:
    """``PutFunctionEventInvokeConfig``: retries, event age and destinations of async invocations."""

    maximum_retry_attempts: int = 2
    maximum_event_age_seconds: int = 21600
    on_success: str | None = None
    on_failure: str | None = None
    last_modified: float = 0.0

    def to_api(self, function_arn: str) -> dict[str, Any]:
        """The ``FunctionEventInvokeConfig`` shape."""
        destinations: dict[str, Any] = {}
        if self.on_success:
            destinations["OnSuccess"] = {"Destination": self.on_success}
        if self.on_failure:
            destinations["OnFailure"] = {"Destination": self.on_failure}
        return {
            "LastModified": self.last_modified,
            "FunctionArn": f"{function_arn}:$LATEST",
            "MaximumRetryAttempts": self.maximum_retry_attempts,
            "MaximumEventAgeInSeconds": self.maximum_event_age_seconds,
            "DestinationConfig": destinations,
        }


@dataclass(frozen=True)
class FunctionConfig:
    """One function's configuration, as ``GetFunctionConfiguration`` describes it."""

    name: str
    arn: str
    handler: str
    role: str
    runtime: str = "python3.11"
    code_dir: Path | None = None
    code_sha256: str = ""
    code_size: int = 0
    environment: dict[str, str] = field(default_factory=dict)
    timeout: int = LAMBDA_DEFAULT_TIMEOUT_SECONDS
    memory_size: int = DEFAULT_MEMORY
    description: str = ""
    dead_letter_target: str | None = None
    log_format: str = "Text"
    application_log_level: str = "INFO"
    system_log_level: str = "INFO"  # recorded: the emulator writes no platform DEBUG/WARN lines
    log_group: str | None = None
    extra_paths: tuple[str, ...] = ()
    architecture: str = "x86_64"
    tracing_mode: str = "PassThrough"
    ephemeral_storage: int = 512
    layers: tuple[str, ...] = ()
    version: str = "$LATEST"
    last_modified: str = field(default_factory=lambda_timestamp)
    revision_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def log_group_name(self) -> str:
        """``LoggingConfig.LogGroup``, or Lambda's default group for the function."""
        return self.log_group or lambda_log_group(self.name)

    def to_api(self) -> dict[str, Any]:
        """The ``FunctionConfiguration`` shape; a published version's ARN carries its number."""
        config: dict[str, Any] = {
            "FunctionName": self.name,
            "FunctionArn": self.arn if self.version == "$LATEST" else f"{self.arn}:{self.version}",
            "Runtime": self.runtime,
            "Role": self.role,
            "Handler": self.handler,
            "CodeSize": self.code_size,
            "Description": self.description,
            "Timeout": self.timeout,
            "MemorySize": self.memory_size,
            "LastModified": self.last_modified,
            "CodeSha256": self.code_sha256,
            "Version": self.version,
            "Environment": {"Variables": dict(self.environment)},
            "RevisionId": self.revision_id,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": [self.architecture],
            "TracingConfig": {"Mode": self.tracing_mode},
            "EphemeralStorage": {"Size": self.ephemeral_storage},
            # Layers are recorded, not mounted: the emulator runs the zip's own code only.
            "Layers": [{"Arn": arn, "CodeSize": 0} for arn in self.layers],
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {
                "LogFormat": self.log_format,
                "LogGroup": self.log_group_name,
                **(
                    {
                        "ApplicationLogLevel": self.application_log_level,
                        "SystemLogLevel": self.system_log_level,
                    }
                    if self.log_format == "JSON"
                    else {}
                ),
            },
        }
        if self.dead_letter_target:
            config["DeadLetterConfig"] = {"TargetArn": self.dead_letter_target}
        return config


@dataclass(frozen=True)
class MappingConfig:
    """One event source mapping, as ``GetEventSourceMapping`` describes it."""

    uuid: str
    function_arn: str
    event_source_arn: str
    source: MappingSource
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
        """``Enabled`` or ``Disabled``."""
        return "Enabled" if self.enabled else "Disabled"

    @property
    def arn(self) -> str:
        """``arn:aws:lambda:<region>:<account>:event-source-mapping:<uuid>``."""
        function = Arn.parse(self.function_arn)
        return (
            f"arn:{function.partition}:lambda:{function.region}:{function.account}"
            f":event-source-mapping:{self.uuid}"
        )

    def to_api(self) -> dict[str, Any]:
        """The ``EventSourceMappingConfiguration`` shape (stream-only members for streams)."""
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
