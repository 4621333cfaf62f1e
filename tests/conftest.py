"""Test harness: offline AWS settings for every test, and moto in server mode on 127.0.0.1.

* Every test runs with fake credentials, no shared config files and no instance metadata, so nothing
  can reach real AWS by accident.
* ``moto_endpoint`` starts one ``ThreadedMotoServer`` on a random loopback port for the session.
* ``aws_env`` resets moto, points ``AWS_ENDPOINT_URL`` and the client factory at it, and gives the
  test a fresh :class:`quirks.aws.ClientFactory`.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from quirks import aws

if TYPE_CHECKING:
    from collections.abc import Iterator

# pytester runs docs/testing.md's examples; the plugin is quirks.testing's, as users enable it.
pytest_plugins = ["pytester", "quirks.testing.pytest_plugin"]

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _offline_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = tmp_path_factory.getbasetemp() / "empty-aws-config"
    empty.touch()
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    aws.configure(aws.AwsSettings())


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto server on 127.0.0.1, started once per test session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def reset_moto(endpoint: str) -> None:
    """Clear every resource in the moto server."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[aws.ClientFactory]:
    """A clean moto, with the environment and the client factory pointed at it."""
    reset_moto(moto_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    factory = aws.configure(aws.AwsSettings(max_attempts=2))
    yield factory
    aws.configure(aws.AwsSettings())


def set_moto_lambda_docker(endpoint: str, use_docker: bool) -> None:
    """Switch moto's Lambda between Docker (its default) and echoing payloads without running code."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/config",
        method="POST",
        data=json.dumps({"lambda": {"use_docker": use_docker}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()


@pytest.fixture
def moto_lambda_without_docker(moto_endpoint: str) -> Iterator[None]:
    """moto invokes functions without Docker (echoing payloads) for this test only.

    moto's config outlives ``/moto-api/reset``; left on, moto "succeeds" at invoking any function
    name and hides ResourceNotFound errors from later tests.
    """
    set_moto_lambda_docker(moto_endpoint, False)
    yield
    set_moto_lambda_docker(moto_endpoint, True)
