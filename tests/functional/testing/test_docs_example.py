"""The examples of docs/testing.md, run as a user would run them: each ``# file:`` block is written
to a fresh directory and pytest runs it there, so the documentation and the code cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "testing.md"
BLOCK = re.compile(r"```(?:python|toml)\n(# file: (\S+)\n.*?)```", re.DOTALL)


def documented_files() -> dict[str, str]:
    return {name: body for body, name in BLOCK.findall(DOC.read_text(encoding="utf-8"))}


def test_the_doc_shows_both_examples_and_their_files() -> None:
    assert set(documented_files()) == {
        "billing.py",
        "test_billing.py",
        "conftest.py",
        "stack.toml",
        "notifier.py",
        "test_notifier.py",
    }


def test_the_documented_examples_pass_as_written(pytester: pytest.Pytester) -> None:
    for name, body in documented_files().items():
        (pytester.path / name).write_text(body, encoding="utf-8")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2)


def test_a_broken_consumer_fails_the_documented_test(pytester: pytest.Pytester) -> None:
    """The documented test can fail: a consumer that reports nothing is caught."""
    files = documented_files()
    (pytester.path / "billing.py").write_text(
        files["billing.py"].replace("failures.append", "failures.count"), encoding="utf-8"
    )
    (pytester.path / "test_billing.py").write_text(files["test_billing.py"], encoding="utf-8")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(failed=1)


def test_the_stack_can_be_named_in_the_ini_options(pytester: pytest.Pytester) -> None:
    files = documented_files()
    for name in ("conftest.py", "stack.toml", "notifier.py"):
        (pytester.path / name).write_text(files[name], encoding="utf-8")
    pytester.makeini("[pytest]\nquirks_stack = stack.toml\n")
    pytester.makepyfile(
        test_ini="""
        def test_the_ini_stack_is_provisioned(quirks_cloud):
            assert {"table:orders", "queue:billed", "function:notifier"} <= set(quirks_cloud.resources)
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)
