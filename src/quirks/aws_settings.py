"""Where each AWS setting comes from: explicit values, the standard environment, the profile.

Split from :mod:`quirks.aws` (which re-exports everything here): :class:`AwsSettings`, the
``*_and_source`` look-ups that ``quirks config`` shows (as ``aws configure list`` does), the
endpoint check, and :data:`ENVIRONMENT_ERRORS`. The order of precedence is the AWS CLI's
(https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html and
https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import botocore.session
from botocore.exceptions import (
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from quirks.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import boto3

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "ENVIRONMENT_ERRORS",
    "AwsSettings",
    "SettingsSources",
    "check_endpoint",
    "service_env_suffix",
]

DEFAULT_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class AwsSettings:
    """Explicit settings; ``None`` means "use the standard environment and profile".

    ``endpoint_url`` overrides the endpoint of every service (like ``aws --endpoint-url``);
    ``endpoints`` overrides single services by their boto3 name (``{"lambda": "http://..."}``).
    """

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    endpoints: Mapping[str, str] = field(default_factory=dict)
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    credentials: tuple[str, str, str | None] | None = None
    """Explicit (access key, secret key, session token); for emulators, which take any."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError(
                f"max_attempts must be at least 1, got {self.max_attempts}",
                "pass a positive number of attempts",
            )


class SettingsSources:
    """The look-ups of each setting and its source, for :class:`quirks.aws.ClientFactory`.

    ``environ`` defaults to ``os.environ`` and is read at each look-up; the profile's region needs
    a boto3 session, which the subclass provides.
    """

    settings: AwsSettings
    _environ: Mapping[str, str] | None

    @property
    def environ(self) -> Mapping[str, str]:
        """The environment the settings are read from."""
        return os.environ if self._environ is None else self._environ

    def session(self) -> boto3.Session:
        """The boto3 session of the configured profile."""
        raise NotImplementedError

    def region_and_source(self) -> tuple[str | None, str]:
        """The region and where it came from (``--region``, ``AWS_REGION``, ``profile``, ``not set``)."""
        if self.settings.region:
            return self.settings.region, "--region"
        for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            if self.environ.get(name):
                return self.environ[name], name
        region = self.session().region_name
        return (region, "profile (~/.aws/config)") if region else (None, "not set")

    def profile_and_source(self) -> tuple[str | None, str]:
        """The named profile and where it came from (``--profile``, ``AWS_PROFILE``, ``not set``)."""
        if self.settings.profile:
            return self.settings.profile, "--profile"
        if self.environ.get("AWS_PROFILE"):
            return self.environ["AWS_PROFILE"], "AWS_PROFILE"
        return None, "not set"

    def endpoint_for(self, service: str) -> str | None:
        """The endpoint URL override for ``service``, or ``None`` for the AWS default."""
        return self.endpoint_and_source(service)[0]

    def endpoint_and_source(self, service: str) -> tuple[str | None, str]:
        """The endpoint override for ``service`` and the option or variable that set it."""
        if self.settings.endpoints.get(service):
            return self.settings.endpoints[service], "configure(endpoints=...)"
        if self.settings.endpoint_url:
            return self.settings.endpoint_url, "--endpoint-url"
        if self.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
            return None, "AWS default (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)"
        for name in (f"AWS_ENDPOINT_URL_{self.service_env_suffix(service)}", "AWS_ENDPOINT_URL"):
            if self.environ.get(name):
                return self.environ[name], name
        return None, "AWS default"

    def service_env_suffix(self, service: str) -> str:
        """The ``<SERVICE>`` part of ``AWS_ENDPOINT_URL_<SERVICE>`` for a boto3 service name."""
        return service_env_suffix(service)


def check_endpoint(url: str, source: str) -> None:
    """botocore's "Invalid endpoint" ValueError as a :class:`ConfigurationError` naming its source."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"{source} {url!r} is not an endpoint URL",
            "give a URL such as http://127.0.0.1:4566 or https://sqs.eu-west-1.amazonaws.com",
        )


# Failures of the environment, not of one item: no retry of one record, range or message can fix
# them, so loops that isolate per-item errors let these through (the CLI prints their fix).
ENVIRONMENT_ERRORS: tuple[type[Exception], ...] = (
    NoCredentialsError,
    PartialCredentialsError,
    NoRegionError,
    EndpointConnectionError,
    ConfigurationError,
)


@functools.cache
def service_env_suffix(service: str) -> str:
    """The ``<SERVICE>`` of ``AWS_ENDPOINT_URL_<SERVICE>``: the service id, upper snake case."""
    service_id = botocore.session.get_session().get_service_model(service).service_id
    return str(service_id).replace(" ", "_").replace("-", "_").upper()
