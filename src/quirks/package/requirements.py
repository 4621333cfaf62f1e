"""Which of the project's dependencies go into the Lambda package (pure: metadata in, names out).

The handlers need the project's core dependencies only: the CLI's (``typer``, ``rich``) live in the
``cli`` extra and never reach the package. ``boto3`` and ``botocore`` are in every Lambda Python
runtime, so they are left out unless asked for (``--with-boto3`` pins the SDK version the code runs
with, at the price of ~17.5 MB). Markers are evaluated for the *target* interpreter and platform,
not for the machine that builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.parser import HeaderParser
from typing import Literal

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

__all__ = [
    "ARCHITECTURES",
    "PYTHON_VERSIONS",
    "RUNTIME_PROVIDED",
    "Target",
    "handler_requirements",
]

Architecture = Literal["x86_64", "arm64"]
ARCHITECTURES: tuple[Architecture, ...] = ("x86_64", "arm64")
PYTHON_VERSIONS = ("3.12", "3.13")
"""Lambda's supported Python runtimes we build for (python3.11 is deprecated since 2026-06-30)."""

RUNTIME_PROVIDED = frozenset({"boto3", "botocore"})
"""Distributions every Lambda Python runtime already has (``boto3`` and what it brings)."""

_GLIBC_MINOR = 34  # Amazon Linux 2023, the OS of the python3.12 and 3.13 runtimes: glibc 2.34


@dataclass(frozen=True)
class Target:
    """The Lambda runtime a package is built for."""

    python: str = "3.13"
    arch: Architecture = "arm64"
    with_boto3: bool = False

    @property
    def machine(self) -> str:
        """The machine name in wheel tags and markers (``aarch64`` for Lambda's ``arm64``)."""
        return "aarch64" if self.arch == "arm64" else "x86_64"

    @property
    def runtime(self) -> str:
        """The Lambda runtime identifier (``python3.13``)."""
        return f"python{self.python}"

    def platforms(self) -> list[str]:
        """Wheel platform tags the runtime accepts, newest first.

        pip does not widen ``--platform manylinux_2_34_*`` to older glibc tags by itself, so every
        tag from the runtime's glibc down to manylinux2014 is passed.
        """
        tags = [f"manylinux_2_{minor}_{self.machine}" for minor in range(_GLIBC_MINOR, 16, -1)]
        return [*tags, f"manylinux2014_{self.machine}"]

    def marker_environment(self) -> dict[str, str]:
        """The values PEP 508 markers see on the target runtime."""
        environment: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
        environment.update(
            python_version=self.python,
            python_full_version=f"{self.python}.0",
            implementation_name="cpython",
            platform_python_implementation="CPython",
            sys_platform="linux",
            platform_system="Linux",
            os_name="posix",
            platform_machine=self.machine,
            extra="",
        )
        return environment


def handler_requirements(metadata: str, target: Target) -> list[str]:
    """The requirement strings to install for the handlers, from a wheel's ``METADATA`` text.

    Requirements that belong to an extra, whose markers exclude the target, or that the runtime
    provides (unless ``target.with_boto3``) are dropped. Markers are removed from what is kept, since
    they have been evaluated already.
    """
    message = HeaderParser().parsestr(metadata)
    environment = target.marker_environment()
    kept: list[str] = []
    for line in message.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue  # evaluated with extra="": requirements of extras are dropped here too
        if not target.with_boto3 and canonicalize_name(requirement.name) in RUNTIME_PROVIDED:
            continue
        requirement.marker = None
        kept.append(str(requirement))
    return sorted(kept, key=str.lower)
