"""The local Lambda function registry: configurations, code, and their runtimes.

Holds what ``CreateFunction``, ``UpdateFunctionConfiguration``, ``UpdateFunctionCode`` and
``PutFunctionEventInvokeConfig`` set, in the shapes the Lambda API returns, and one
:class:`~quirks.local.runtime.FunctionRuntime` per function (rebuilt when its configuration or code
changes, as Lambda starts new execution environments).
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quirks.arns import function_name
from quirks.errors import UserError
from quirks.local.runtime import FunctionRuntime, FunctionSpec

__all__ = ["EventInvokeConfig", "FunctionConfig", "FunctionRegistry", "LambdaApiError"]

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


def _now() -> str:
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
    log_group: str | None = None
    extra_paths: tuple[str, ...] = ()
    last_modified: str = field(default_factory=_now)
    revision_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def log_group_name(self) -> str:
        return self.log_group or f"/aws/lambda/{self.name}"

    def to_api(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "FunctionName": self.name,
            "FunctionArn": self.arn,
            "Runtime": self.runtime,
            "Role": self.role,
            "Handler": self.handler,
            "CodeSize": self.code_size,
            "Description": self.description,
            "Timeout": self.timeout,
            "MemorySize": self.memory_size,
            "LastModified": self.last_modified,
            "CodeSha256": self.code_sha256,
            "Version": "$LATEST",
            "Environment": {"Variables": dict(self.environment)},
            "RevisionId": self.revision_id,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "LoggingConfig": {
                "LogFormat": self.log_format,
                "LogGroup": self.log_group_name,
                **(
                    {"ApplicationLogLevel": self.application_log_level, "SystemLogLevel": "INFO"}
                    if self.log_format == "JSON"
                    else {}
                ),
            },
        }
        if self.dead_letter_target:
            config["DeadLetterConfig"] = {"TargetArn": self.dead_letter_target}
        return config


def _apply_configuration(config: FunctionConfig, params: dict[str, Any]) -> FunctionConfig:
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
    if "LoggingConfig" in params:
        logging_config = params["LoggingConfig"] or {}
        log_format = logging_config.get("LogFormat", config.log_format)
        if log_format not in ("Text", "JSON"):
            raise invalid(f"LogFormat must be Text or JSON, got {log_format}")
        changes["log_format"] = log_format
        changes["application_log_level"] = logging_config.get(
            "ApplicationLogLevel", config.application_log_level
        )
        changes["log_group"] = logging_config.get("LogGroup", config.log_group)
    changes["last_modified"] = _now()
    changes["revision_id"] = str(uuid.uuid4())
    return replace(config, **changes)


def _unpack_zip(data: bytes, target: Path) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                resolved = (target / member).resolve()
                if not resolved.is_relative_to(target.resolve()):
                    raise invalid(f"Zip entry {member!r} escapes the code directory")
            archive.extractall(target)
    except zipfile.BadZipFile as exc:
        raise invalid(f"Could not unzip uploaded file: {exc}") from None


class FunctionRegistry:
    """All functions of the local account; thread-safe."""

    def __init__(
        self,
        account: str,
        region: str,
        base_environment: dict[str, str] | None = None,
        work_dir: Path | None = None,
        max_concurrency: int = 10,
    ) -> None:
        self.account = account
        self.region = region
        self.base_environment = dict(base_environment or {})
        self.max_concurrency = max_concurrency
        self._work_dir = work_dir or Path(tempfile.mkdtemp(prefix="quirks-lambda-"))
        self._functions: dict[str, FunctionConfig] = {}
        self._invoke_configs: dict[str, EventInvokeConfig] = {}
        self._runtimes: dict[str, FunctionRuntime] = {}
        self._lock = threading.RLock()

    def arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def resolve_name(self, name_or_arn: str) -> str:
        """The function name from a name, partial ARN or ARN (with or without a qualifier)."""
        try:
            return function_name(name_or_arn)
        except UserError as exc:
            raise invalid(exc.message) from None

    def get(self, name_or_arn: str) -> FunctionConfig:
        name = self.resolve_name(name_or_arn)
        with self._lock:
            if name not in self._functions:
                raise not_found("Function", name, self.account, self.region)
            return self._functions[name]

    def list(self) -> list[FunctionConfig]:
        with self._lock:
            return [self._functions[name] for name in sorted(self._functions)]

    def create(self, params: dict[str, Any]) -> FunctionConfig:
        """``CreateFunction``: code from ``Code.ZipFile`` (base64) or, locally, an import path.

        A function whose code is importable in the emulator's project (a stack file's
        ``handler = "package.module.function"``) passes ``Code: {"ImportPaths": [...]}`` or no code.
        """
        name = params.get("FunctionName")
        if not name or not isinstance(name, str):
            raise invalid("FunctionName is required")
        if not params.get("Handler"):
            raise invalid("Handler is required")
        with self._lock:
            if name in self._functions:
                raise LambdaApiError(
                    409, "ResourceConflictException", f"Function already exist: {name}"
                )
            code = params.get("Code") or {}
            code_dir, sha, size = self._store_code(name, code)
            config = FunctionConfig(
                name=name,
                arn=self.arn(name),
                handler=params["Handler"],
                role=params.get("Role", f"arn:aws:iam::{self.account}:role/local"),
                code_dir=code_dir,
                code_sha256=sha,
                code_size=size,
                extra_paths=tuple(code.get("ImportPaths") or ()),
            )
            config = _apply_configuration(config, params)
            self._functions[name] = config
            return config

    def _store_code(self, name: str, code: dict[str, Any]) -> tuple[Path | None, str, int]:
        if not code.get("ZipFile"):
            return None, "", 0
        data = base64.b64decode(code["ZipFile"])
        target = self._work_dir / f"{name}-{uuid.uuid4().hex[:8]}"
        target.mkdir(parents=True)
        _unpack_zip(data, target)
        sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
        return target, sha, len(data)

    def update_configuration(self, name_or_arn: str, params: dict[str, Any]) -> FunctionConfig:
        with self._lock:
            config = _apply_configuration(self.get(name_or_arn), params)
            self._functions[config.name] = config
            self._retire_runtime(config.name)
            return config

    def update_code(self, name_or_arn: str, params: dict[str, Any]) -> FunctionConfig:
        with self._lock:
            config = self.get(name_or_arn)
            code_dir, sha, size = self._store_code(config.name, params)
            if code_dir is None:
                raise invalid("ZipFile is required")
            old_dir = config.code_dir
            config = replace(
                config,
                code_dir=code_dir,
                code_sha256=sha,
                code_size=size,
                last_modified=_now(),
                revision_id=str(uuid.uuid4()),
            )
            self._functions[config.name] = config
            self._retire_runtime(config.name)
        if old_dir is not None:
            shutil.rmtree(old_dir, ignore_errors=True)
        return config

    def delete(self, name_or_arn: str) -> None:
        with self._lock:
            config = self.get(name_or_arn)
            del self._functions[config.name]
            self._invoke_configs.pop(config.name, None)
            self._retire_runtime(config.name)
        if config.code_dir is not None:
            shutil.rmtree(config.code_dir, ignore_errors=True)

    def put_invoke_config(
        self, name_or_arn: str, params: dict[str, Any], *, merge: bool
    ) -> EventInvokeConfig:
        """``Put`` (replace) or ``Update`` (merge) ``FunctionEventInvokeConfig``."""
        with self._lock:
            config = self.get(name_or_arn)
            current = (
                self._invoke_configs.get(config.name, EventInvokeConfig())
                if merge
                else EventInvokeConfig()
            )
            retries = int(params.get("MaximumRetryAttempts", current.maximum_retry_attempts))
            if not 0 <= retries <= 2:
                raise invalid(f"MaximumRetryAttempts must be between 0 and 2, got {retries}")
            age = int(params.get("MaximumEventAgeInSeconds", current.maximum_event_age_seconds))
            if not 60 <= age <= 21600:
                raise invalid(f"MaximumEventAgeInSeconds must be between 60 and 21600, got {age}")
            destinations = params.get("DestinationConfig")
            on_success, on_failure = current.on_success, current.on_failure
            if destinations is not None:
                on_success = (destinations.get("OnSuccess") or {}).get("Destination") or (
                    on_success if merge else None
                )
                on_failure = (destinations.get("OnFailure") or {}).get("Destination") or (
                    on_failure if merge else None
                )
            result = EventInvokeConfig(retries, age, on_success, on_failure, time.time())
            self._invoke_configs[config.name] = result
            return result

    def invoke_config(self, name_or_arn: str) -> EventInvokeConfig | None:
        with self._lock:
            return self._invoke_configs.get(self.get(name_or_arn).name)

    def delete_invoke_config(self, name_or_arn: str) -> None:
        with self._lock:
            name = self.get(name_or_arn).name
            if self._invoke_configs.pop(name, None) is None:
                raise LambdaApiError(
                    404,
                    "ResourceNotFoundException",
                    f"The function {self.arn(name)} doesn't have an EventInvokeConfig",
                )

    def runtime(self, name_or_arn: str) -> FunctionRuntime:
        """The warm runtime of a function (started on first use)."""
        with self._lock:
            config = self.get(name_or_arn)
            runtime = self._runtimes.get(config.name)
            if runtime is None:
                spec = FunctionSpec(
                    name=config.name,
                    arn=config.arn,
                    handler=config.handler,
                    code_dir=config.code_dir,
                    environment=config.environment,
                    timeout_seconds=config.timeout,
                    memory_mb=config.memory_size,
                    log_format=config.log_format,
                    log_level=config.application_log_level,
                    region=self.region,
                    extra_paths=config.extra_paths,
                    base_environment=self.base_environment,
                )
                runtime = FunctionRuntime(spec, max_concurrency=self.max_concurrency)
                self._runtimes[config.name] = runtime
            return runtime

    def _retire_runtime(self, name: str) -> None:
        runtime = self._runtimes.pop(name, None)
        if runtime is not None:
            runtime.close()

    def reset(self) -> None:
        """Delete every function (used when the whole local cloud is reset)."""
        for config in self.list():
            self.delete(config.name)

    def close(self) -> None:
        with self._lock:
            runtimes, self._runtimes = list(self._runtimes.values()), {}
        for runtime in runtimes:
            runtime.close()
