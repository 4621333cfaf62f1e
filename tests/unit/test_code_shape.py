"""The code's shape, held by tests: small modules, no function above radon grade D, one error tree.

These are the limits docs/architecture.md states; a change that breaks one says which file to split
or which class to hang under ``QuirksError``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

import quirks
from quirks import errors

SRC = Path(quirks.__file__).parent
MODULES = sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)
MAX_LINES = 400
# `python -m quirks` runs the CLI on import.
NOT_IMPORTED = {"quirks.__main__"}


def _name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_module_is_at_most_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(SRC)} has {lines} lines: split it"


def test_no_function_above_radon_grade_d() -> None:
    too_complex = [
        f"{path.relative_to(SRC)}:{block.lineno} {block.fullname} {cc_rank(block.complexity)}"
        f" ({block.complexity})"
        for path in MODULES
        for block in cc_visit(path.read_text(encoding="utf-8"))
        if cc_rank(block.complexity) in ("E", "F")
    ]
    assert too_complex == []


def _exception_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(quirks.__path__, "quirks."):
        if info.name in NOT_IMPORTED:
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and value.__module__.startswith("quirks.")
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


def test_every_exception_derives_from_quirks_error() -> None:
    outside = [
        f"{c.__module__}.{c.__qualname__}"
        for c in _exception_classes()
        if not issubclass(c, errors.QuirksError)
    ]
    assert outside == []


def test_the_error_tree_in_errors_py_draws_every_class() -> None:
    tree = errors.__doc__ or ""
    missing = [
        f"{c.__module__}.{c.__qualname__}"
        for c in _exception_classes()
        if c.__qualname__.lstrip("_") not in tree
    ]
    assert missing == []


def test_one_class_per_exception_name() -> None:
    names: dict[str, list[str]] = {}
    for c in _exception_classes():
        names.setdefault(c.__qualname__, []).append(c.__module__)
    assert {name: mods for name, mods in names.items() if len(mods) > 1} == {}
