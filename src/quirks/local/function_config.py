"""Function configurations of the local Lambda, in the shapes the Lambda API returns.

:class:`FunctionConfig` is what ``CreateFunction`` and ``UpdateFunctionConfiguration`` set (and, frozen,
what ``PublishVersion`` snapshots); :class:`EventInvokeConfig` is ``PutFunctionEventInvokeConfig``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "EventInvokeConfig",
    "FunctionConfig",
    "LambdaApiError",
    "apply_configuration",
    "invalid",
    "not_found",
    "now_timestamp",
]

ARCHITECTURES = ("x86_64", "arm64")
TRACING_MODES = ("Active", "PassThrough")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")

MAX_TIMEOUT = 900
DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY = 128


class LambdaApiError(Exception):
    """An error the Lambda API returns: HTTP status, error type and message."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def not_found(kind: str, name: str, account: str, region: str) -> LambdaApiError:
    return LambdaApiError(
        404,
        "ResourceNotFoundException",
        f"{kind} not found: arn:aws:lambda:{region}:{account}:function:{name}",
    )


def invalid(message: str) -> LambdaApiError:
    return LambdaApiError(400, "InvalidParameterValueException", message)


def now_timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


@dataclass(frozen=True)
class EventInvokeConfig:
    """``PutFunctionEventInvokeConfig``: retries, event age and destinations of async invocations."""

    maximum_retry_attempts: int = 2
    maximum_event_age_seconds: int = 21600
    on_success: str | None = None
    on_failure: str | None = None
    last_modified: float = 0.0

    def to_api(self, function_arn: str) -> dict[str, Any]:
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
    timeout: int = DEFAULT_TIMEOUT
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
    last_modified: str = field(default_factory=now_timestamp)
    revision_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def log_group_name(self) -> str:
        return self.log_group or f"/aws/lambda/{self.name}"

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


def apply_configuration(config: FunctionConfig, params: dict[str, Any]) -> FunctionConfig:
    changes: dict[str, Any] = {}
    if "Handler" in params:
        changes["handler"] = params["Handler"]
    if "Role" in params:
        changes["role"] = params["Role"]
    if "Runtime" in params:
        changes["runtime"] = params["Runtime"]
    if "Description" in params:
        changes["description"] = params["Description"]
    if "Timeout" in params:
        timeout = int(params["Timeout"])
        if not 1 <= timeout <= MAX_TIMEOUT:
            raise invalid(f"Timeout must be between 1 and {MAX_TIMEOUT} seconds, got {timeout}")
        changes["timeout"] = timeout
    if "MemorySize" in params:
        memory = int(params["MemorySize"])
        if not 128 <= memory <= 10240:
            raise invalid(f"MemorySize must be between 128 and 10240 MB, got {memory}")
        changes["memory_size"] = memory
    if "Environment" in params:
        variables = (params["Environment"] or {}).get("Variables") or {}
        changes["environment"] = {str(k): str(v) for k, v in variables.items()}
    if "DeadLetterConfig" in params:
        changes["dead_letter_target"] = (params["DeadLetterConfig"] or {}).get("TargetArn") or None
    if "Architectures" in params:
        architectures = params["Architectures"] or ["x86_64"]
        if len(architectures) != 1 or architectures[0] not in ARCHITECTURES:
            raise invalid(
                f"Architectures must be one of {list(ARCHITECTURES)}, got {architectures}"
            )
        changes["architecture"] = architectures[0]
    if "TracingConfig" in params:
        mode = (params["TracingConfig"] or {}).get("Mode", "PassThrough")
        if mode not in TRACING_MODES:
            raise invalid(f"TracingConfig.Mode must be Active or PassThrough, got {mode}")
        changes["tracing_mode"] = mode
    if "EphemeralStorage" in params:
        size = int((params["EphemeralStorage"] or {}).get("Size", 512))
        if not 512 <= size <= 10240:
            raise invalid(f"EphemeralStorage.Size must be between 512 and 10240 MB, got {size}")
        changes["ephemeral_storage"] = size
    if "Layers" in params:
        changes["layers"] = tuple(str(arn) for arn in params["Layers"] or ())
    if "LoggingConfig" in params:
        logging_config = params["LoggingConfig"] or {}
        log_format = logging_config.get("LogFormat", config.log_format)
        if log_format not in ("Text", "JSON"):
            raise invalid(f"LogFormat must be Text or JSON, got {log_format}")
        changes["log_format"] = log_format
        changes["application_log_level"] = logging_config.get(
            "ApplicationLogLevel", config.application_log_level
        )
        system_level = logging_config.get("SystemLogLevel", config.system_log_level)
        if system_level not in SYSTEM_LOG_LEVELS:
            raise invalid(f"SystemLogLevel must be one of {list(SYSTEM_LOG_LEVELS)}")
        changes["system_log_level"] = system_level
        changes["log_group"] = logging_config.get("LogGroup", config.log_group)
    changes["last_modified"] = now_timestamp()
    changes["revision_id"] = str(uuid.uuid4())
    return replace(config, **changes)
