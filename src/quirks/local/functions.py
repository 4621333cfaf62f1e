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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quirks.arns import function_name, lambda_function_arn
from quirks.errors import UserError
from quirks.local.errors import LambdaApiError, invalid, missing, not_found
from quirks.local.function_resources import FunctionResources
from quirks.local.models import EventInvokeConfig, FunctionConfig, lambda_timestamp
from quirks.local.params import apply_configuration, build_invoke_config
from quirks.local.runtime import FunctionRuntime, FunctionSpec

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["FunctionRegistry"]


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
        now: Callable[[], float] = time.time,
    ) -> None:
        self.now = now
        """The emulator's clock, handed to every runtime."""
        self.account = account
        self.region = region
        self.base_environment = dict(base_environment or {})
        self.max_concurrency = max_concurrency
        self._work_dir = work_dir or Path(tempfile.mkdtemp(prefix="quirks-lambda-"))
        self._functions: dict[str, FunctionConfig] = {}
        self._invoke_configs: dict[str, EventInvokeConfig] = {}
        self._runtimes: dict[str, FunctionRuntime] = {}
        self._lock = threading.RLock()
        self.resources = FunctionResources()

    def arn(self, name: str) -> str:
        return lambda_function_arn(self.region, self.account, name)

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
            config = apply_configuration(config, params)
            tags = params.get("Tags") or {}
            if not isinstance(tags, dict):
                raise invalid("Tags must be a map of strings")
            self.resources.tag(config.arn, tags)
            self._functions[name] = config
            if params.get("Publish"):
                self.resources.publish(config, None)
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
            config = apply_configuration(self.get(name_or_arn), params)
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
            if "Architectures" in params:
                config = apply_configuration(config, {"Architectures": params["Architectures"]})
            config = replace(
                config,
                code_dir=code_dir,
                code_sha256=sha,
                code_size=size,
                last_modified=lambda_timestamp(),
                revision_id=str(uuid.uuid4()),
            )
            self._functions[config.name] = config
            self._retire_runtime(config.name)
            if params.get("Publish"):
                self.resources.publish(config, None)
        # Published versions are snapshots that share their code folder with $LATEST's past.
        if old_dir is not None and not any(
            v.code_dir == old_dir for v in self.resources.versions(config.name)
        ):
            shutil.rmtree(old_dir, ignore_errors=True)
        return config

    def delete(self, name_or_arn: str) -> None:
        with self._lock:
            config = self.get(name_or_arn)
            del self._functions[config.name]
            self._invoke_configs.pop(config.name, None)
            self._retire_runtime(config.name)
            versions = self.resources.versions(config.name)
            self.resources.forget(config.name, config.arn)
        for version in versions:
            if version.code_dir is not None and version.code_dir != config.code_dir:
                shutil.rmtree(version.code_dir, ignore_errors=True)
        if config.code_dir is not None:
            shutil.rmtree(config.code_dir, ignore_errors=True)

    def put_invoke_config(
        self, name_or_arn: str, params: dict[str, Any], *, merge: bool
    ) -> EventInvokeConfig:
        """``Put`` (replace) or ``Update`` (merge) ``FunctionEventInvokeConfig``."""
        with self._lock:
            config = self.get(name_or_arn)
            current = self._invoke_configs.get(config.name, EventInvokeConfig())
            result = build_invoke_config(params, current, merge=merge, now=time.time())
            self._invoke_configs[config.name] = result
            return result

    def invoke_config(self, name_or_arn: str) -> EventInvokeConfig | None:
        with self._lock:
            return self._invoke_configs.get(self.get(name_or_arn).name)

    def delete_invoke_config(self, name_or_arn: str) -> None:
        with self._lock:
            name = self.get(name_or_arn).name
            if self._invoke_configs.pop(name, None) is None:
                raise missing(f"The function {self.arn(name)} doesn't have an EventInvokeConfig")

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
                    log_group=config.log_group_name,
                    region=self.region,
                    extra_paths=config.extra_paths,
                    base_environment=self.base_environment,
                )
                runtime = FunctionRuntime(spec, max_concurrency=self.max_concurrency, now=self.now)
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
        self.resources.reset()

    def close(self) -> None:
        with self._lock:
            runtimes, self._runtimes = list(self._runtimes.values()), {}
        for runtime in runtimes:
            runtime.close()
