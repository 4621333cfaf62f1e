"""Deterministic Lambda packages of the four handlers (``quirks package``).

One zip serves every handler (fan-out, recovery, alerts, alarms): their dependencies are pure
Python, so the same content fits python3.12 and python3.13 on x86_64 and arm64; dependencies are
still resolved for the named runtime and platform, so a future binary dependency gets the right
wheel or fails the build. Builds are byte-for-byte reproducible (:mod:`quirks.package.archive`).
"""

from quirks.package.archive import code_sha256, content_sha256
from quirks.package.build import (
    HANDLERS,
    Artifact,
    BuildOptions,
    PackageBuildError,
    PackageResult,
    artifact_name,
    build_package,
)
from quirks.package.requirements import ARCHITECTURES, PYTHON_VERSIONS, Target

__all__ = [
    "ARCHITECTURES",
    "HANDLERS",
    "PYTHON_VERSIONS",
    "Artifact",
    "BuildOptions",
    "PackageBuildError",
    "PackageResult",
    "Target",
    "artifact_name",
    "build_package",
    "code_sha256",
    "content_sha256",
]
