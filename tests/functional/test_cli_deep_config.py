"""Every config or input file the CLI reads is parsed within bounds: too deep is a user error.

A 1,500-deep document used to escape as ``RecursionError`` (exit 1, "unexpected ..."); now each
command exits 2 with one line naming the file.
"""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

import pytest

from quirks.alarms.handler import config_from_env
from quirks.alerts.config import AlertSettings, _url_from_secret_value
from quirks.appsync.tokens import CognitoLogin, TokenCache
from quirks.audit.derive import _fanout_targets
from quirks.audit.model import Function
from quirks.errors import ConfigurationError
from quirks.jsonsafe import check_value_depth
from quirks.testing import run_cli

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

DEPTH = 1500
DEEP_JSON = "[" * DEPTH + "]" * DEPTH


def _block_yaml(depth: int) -> str:
    """Block-style mappings nested ``depth`` deep (no brackets: only a parsed-value check sees it)."""
    return "".join(f"{'  ' * level}k:\n" for level in range(depth - 1)) + "  " * depth + "k: 1\n"


CASES: dict[str, tuple[str, str, Callable[[str], list[str]]]] = {
    "audit --plan": ("plan.json", DEEP_JSON, lambda f: ["audit", "--plan", f]),
    "audit --state": (
        "state.json",
        '{"values": ' + DEEP_JSON + "}",
        lambda f: ["audit", "--state", f],
    ),
    "alarms plan --config": ("alarms.json", DEEP_JSON, lambda f: ["alarms", "plan", "--config", f]),
    "fanout check (JSON)": ("fanout.json", DEEP_JSON, lambda f: ["fanout", "check", f]),
    "fanout check (flow YAML)": (
        "fanout.yaml",
        "targets: " + DEEP_JSON + "\n",
        lambda f: ["fanout", "check", f],
    ),
    # 200 levels: PyYAML composes it without overflowing, the depth check after it refuses it.
    "fanout check (block YAML)": ("fanout.yml", _block_yaml(200), lambda f: ["fanout", "check", f]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_deeply_nested_file_is_a_one_line_user_error(case: str, tmp_path: Path) -> None:
    name, text, argv = CASES[case]
    path = tmp_path / name
    path.write_text(text)
    code, _out, err = run_cli(*argv(str(path)))
    assert code == 2, err
    assert "Traceback" not in err
    assert "RecursionError" not in err
    [line] = err.strip().splitlines()
    assert str(path) in line
    assert "nested" in line


def test_the_alarms_handler_config_too_deep_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="nested deeper than"):
        config_from_env({"QUIRKS_ALARMS_CONFIG": DEEP_JSON})


def test_alert_redact_patterns_too_deep_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="QUIRKS_ALERTS_REDACT"):
        AlertSettings.from_env({"QUIRKS_ALERTS_REDACT": DEEP_JSON})


def test_a_deep_webhook_secret_is_not_a_url() -> None:
    with pytest.raises(ConfigurationError, match="is not a URL"):
        _url_from_secret_value("{" + '"a":' * DEPTH + "1" + "}" * DEPTH, "secret s")


def test_the_audit_reads_a_deep_fanout_config_as_unreadable() -> None:
    function = Function(key="f", name="f", environment={"QUIRKS_FANOUT_CONFIG": DEEP_JSON})
    assert _fanout_targets(function) is None


def test_a_deep_token_cache_file_only_costs_a_sign_in(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(DEEP_JSON)
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert TokenCache(path).get(CognitoLogin("us-east-1_a", "c", "u")) is None


def test_check_value_depth_walks_shared_aliases_once_per_depth() -> None:
    shared: list[object] = []
    for _ in range(60):  # 2**60 paths through the same lists, 60 levels deep: must stay cheap
        shared = [shared, shared]
    check_value_depth(shared, "x", max_depth=128)
    with pytest.raises(ValueError, match="deeper than 10"):
        check_value_depth(shared, "x", max_depth=10)
