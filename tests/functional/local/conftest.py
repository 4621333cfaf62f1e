"""A local cloud (moto + the local Lambda) shared by the tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quirks import aws
from quirks.local.cloud import LocalCloud

TIME_FACTOR = 0.001  # a 60 s retry delay takes 60 ms


@pytest.fixture(scope="module")
def _cloud() -> Iterator[LocalCloud]:
    with LocalCloud(time_factor=TIME_FACTOR) as cloud:
        yield cloud


@pytest.fixture
def cloud(_cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalCloud]:
    _cloud.reset()
    for name, value in _cloud.environment().items():
        monkeypatch.setenv(name, value)
    aws.configure(aws.AwsSettings(endpoint_url=_cloud.url, region=_cloud.region))
    yield _cloud
    aws.configure(aws.AwsSettings())
