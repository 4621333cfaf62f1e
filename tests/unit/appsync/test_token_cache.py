"""The token cache's directory: 0700 whether it is created or found looser."""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

from quirks.appsync.tokens import CognitoLogin, TokenCache, Tokens

if TYPE_CHECKING:
    from pathlib import Path

LOGIN = CognitoLogin("us-east-1_abc", "client", "jane")
TOKENS = Tokens("id", "access", "refresh", 2e9)


def test_a_looser_existing_directory_is_tightened_to_0700(tmp_path: Path) -> None:
    directory = tmp_path / "serverless-quirks"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)  # whatever the umask
    cache = TokenCache(directory / "appsync-tokens.json")
    cache.put(LOGIN, TOKENS)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert cache.get(LOGIN) == TOKENS


def test_a_new_directory_is_0700(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "a" / "serverless-quirks" / "appsync-tokens.json")
    cache.put(LOGIN, TOKENS)
    assert stat.S_IMODE(cache.path.parent.stat().st_mode) == 0o700
