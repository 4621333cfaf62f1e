"""The one reader of a command's input file: a path, or '-' for standard input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from quirks.cli.io import read_text
from quirks.errors import UserError


def test_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"a": 1}\n'))
    assert read_text("-", missing_fix="x") == '{"a": 1}\n'


def test_a_file_is_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("héllo", encoding="utf-8")
    assert read_text(path, missing_fix="x") == "héllo"


def test_a_missing_file_is_a_user_error_with_the_callers_fix(tmp_path: Path) -> None:
    with pytest.raises(UserError) as info:
        read_text(tmp_path / "nope", missing_fix="pass a file of messages")
    assert (
        info.value.one_line()
        == f"{tmp_path / 'nope'} does not exist (fix: pass a file of messages)"
    )


def test_bytes_that_are_not_utf8_are_refused_unless_replaced(tmp_path: Path) -> None:
    path = tmp_path / "bin"
    path.write_bytes(b"ok \xff\xfe")
    with pytest.raises(UserError, match="is not UTF-8 text"):
        read_text(path, missing_fix="x")
    assert read_text(path, missing_fix="x", errors="replace") == "ok \ufffd\ufffd"
