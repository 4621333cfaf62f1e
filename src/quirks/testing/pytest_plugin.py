"""pytest fixtures for testing code against the local cloud.

Enable with ``pytest_plugins = ["quirks.testing.pytest_plugin"]`` in a ``conftest.py`` (or ``-p
quirks.testing.pytest_plugin``). Fixtures:

* ``quirks_stack`` — the stack file to provision; ``None`` (nothing) unless a test module or
  ``conftest.py`` overrides it, or the ``quirks_stack`` ini option names one;
* ``quirks_time_factor`` — how fast emulated time runs (default ``1.0``; override it to speed
  retries up);
* ``quirks_cloud`` — a :class:`quirks.testing.RunningCloud` started for the test, with the
  environment (``AWS_ENDPOINT_URL``, region, fake credentials) pointing SDK clients at it for the
  test's duration, stopped afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from quirks.testing.cloud import RunningCloud, local_cloud

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["quirks_cloud", "quirks_stack", "quirks_time_factor"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("quirks_stack", "Stack file the quirks_cloud fixture provisions", default="")


@pytest.fixture
def quirks_stack(request: pytest.FixtureRequest) -> Path | None:
    """The stack file ``quirks_cloud`` provisions (override this fixture to choose one)."""
    configured = str(request.config.getini("quirks_stack") or "")
    return request.config.rootpath / configured if configured else None


@pytest.fixture
def quirks_time_factor() -> float:
    """Emulated time per real second for ``quirks_cloud`` (``0.001``: a 60 s delay takes 60 ms)."""
    return 1.0


@pytest.fixture
def quirks_cloud(
    quirks_stack: Path | None, quirks_time_factor: float, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningCloud]:
    """A local cloud with ``quirks_stack`` provisioned, and the environment pointed at it."""
    with local_cloud(quirks_stack, time_factor=quirks_time_factor) as running:
        for name, value in running.environment.items():
            monkeypatch.setenv(name, value)
        yield running
