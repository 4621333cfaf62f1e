"""The token cache's directory: the tool's own is 0700; a directory the user chose is left alone."""

from __future__ import annotations

import contextlib
import logging
import stat
from typing import TYPE_CHECKING

import pytest

from quirks.appsync.tokens import CognitoLogin, TokenCache, Tokens

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@contextlib.contextmanager
def _captured(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """caplog's handler on the library's logger itself: the CLI's logging setup (run by other tests)
    stops ``quirks`` records from propagating to the root logger."""
    logger = logging.getLogger("quirks.appsync")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger="quirks.appsync"):
            yield
    finally:
        logger.removeHandler(caplog.handler)


LOGIN = CognitoLogin("us-east-1_abc", "client", "jane")
TOKENS = Tokens("id", "access", "refresh", 2e9)


def test_the_tools_own_looser_directory_is_tightened_to_0700(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    directory = tmp_path / "serverless-quirks"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)  # whatever the umask
    cache = TokenCache()
    assert cache.path.parent == directory
    cache.put(LOGIN, TOKENS)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert cache.get(LOGIN) == TOKENS


def test_a_new_directory_is_0700(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "a" / "serverless-quirks" / "appsync-tokens.json")
    cache.put(LOGIN, TOKENS)
    assert stat.S_IMODE(cache.path.parent.stat().st_mode) == 0o700


def test_a_chosen_path_in_a_shared_directory_leaves_it_alone_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Like `--token-cache /tmp/t.json`: the directory belongs to everyone, not to us.
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    cache = TokenCache(shared / "t.json")
    with _captured(caplog):
        cache.put(LOGIN, TOKENS)
        cache.put(CognitoLogin("us-east-1_abc", "client", "joe"), TOKENS)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    # One record, possibly seen twice (via the logger's handler and via propagation).
    unique = {id(r): r for r in caplog.records}.values()
    warnings = [r for r in unique if "writable by group or others" in r.getMessage()]
    assert len(warnings) == 1
    assert str(shared) in warnings[0].getMessage()
    assert cache.get(LOGIN) == TOKENS


def test_a_chosen_path_in_a_readable_home_leaves_it_alone_silently(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Like `--token-cache ~/t.json`: a 0755 home stays 0755 (others must still reach ~/public_html).
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o755)
    cache = TokenCache(home / "t.json")
    with _captured(caplog):
        cache.put(LOGIN, TOKENS)
    assert stat.S_IMODE(home.stat().st_mode) == 0o755
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert not caplog.records
